-- wrk script for tests/bench/bench_edge.py: requests read from a file, round robin, and a JSON summary.
--
-- wrk -s tests/bench/edge.lua URL -- REQUESTS_FILE [pipeline=N] [new-visitors]
-- REQUESTS_FILE has one request a line: METHOD <tab> PATH <tab> COOKIE <tab> BODY (cookie and body may be
-- empty). A POST carries what navigator.sendBeacon sends from one of our pages: a form body, `Origin` (the
-- URL's own host) and `Sec-Fetch-Site: same-origin`.
-- pipeline=N: each wrk request is N consecutive lines sent together on one keep-alive connection (a page
--   and its fragment: one page view); wrk then times the group, from its first byte sent to its last
--   response, and counts each response in `requests`.
-- new-visitors: every request comes from a reader never seen before: its own User-Agent and its own
--   X-Forwarded-For address (only meaningful straight at the app, which trusts one proxy behind Varnish).
-- done() prints one line: JSON with requests, duration, latency percentiles (microseconds), socket errors,
-- statuses (s200, s204, s3xx, s4xx, s5xx), the edge's X-Cache answers (hit, miss, pass; none without the
-- header) and how many answers set a cookie.

local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("id", counter)
   table.insert(threads, thread)
end

local requests = {}
local position = 0
local sent = 0
local group = 1
local fresh_visitors = false
local nonce = 0
s200, s204, s3xx, s4xx, s5xx, hit, miss, pass, none, cookies = 0, 0, 0, 0, 0, 0, 0, 0, 0, 0

local function split(line)
   local fields = {}
   for field in (line .. "\t"):gmatch("([^\t]*)\t") do
      table.insert(fields, field)
   end
   return fields
end

function init(args)
   for line in io.lines(args[1]) do
      if line ~= "" then
         table.insert(requests, split(line))
      end
   end
   for i = 2, #args do
      local n = args[i]:match("^pipeline=(%d+)$")
      if n then group = tonumber(n) end
      if args[i] == "new-visitors" then fresh_visitors = true end
   end
   nonce = os.time()
   -- Threads start at different places in the list, on a group boundary.
   position = ((id * 7) % math.max(1, math.floor(#requests / group))) * group
end

local AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"

local function one()
   position = position % #requests + 1
   sent = sent + 1
   local r = requests[position]
   local headers = {["User-Agent"] = AGENT, ["Accept"] = "text/html"}
   if fresh_visitors then
      -- A new browser at a new address each time (unique in the run: thread, count, start time).
      headers["User-Agent"] = AGENT .. " reader/" .. nonce .. "-" .. id .. "-" .. sent
      headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", id % 256, math.floor(sent / 256) % 256, sent % 256)
   end
   if r[3] ~= nil and r[3] ~= "" then
      headers["Cookie"] = r[3]
   end
   local body = nil
   if r[1] == "POST" then
      body = r[4]
      headers["Content-Type"] = "application/x-www-form-urlencoded"
      headers["Origin"] = "http://" .. wrk.host .. ":" .. wrk.port
      headers["Sec-Fetch-Site"] = "same-origin"
   end
   return wrk.format(r[1], r[2], headers, body)
end

function request()
   if group == 1 then
      return one()
   end
   local parts = {}
   for _ = 1, group do
      table.insert(parts, one())
   end
   return table.concat(parts)
end

function response(status, headers, body)
   if status == 200 then s200 = s200 + 1
   elseif status == 204 then s204 = s204 + 1
   elseif status < 400 then s3xx = s3xx + 1
   elseif status < 500 then s4xx = s4xx + 1
   else s5xx = s5xx + 1 end
   local cache = headers["X-Cache"] or headers["x-cache"]
   if cache == "HIT" then hit = hit + 1
   elseif cache == "MISS" then miss = miss + 1
   elseif cache == "PASS" then pass = pass + 1
   else none = none + 1 end
   if headers["Set-Cookie"] or headers["set-cookie"] then cookies = cookies + 1 end
end

function done(summary, latency, requests)
   local names = {"s200", "s204", "s3xx", "s4xx", "s5xx", "hit", "miss", "pass", "none", "cookies"}
   local totals = {}
   for _, name in ipairs(names) do
      totals[name] = 0
      for _, thread in ipairs(threads) do
         totals[name] = totals[name] + thread:get(name)
      end
   end
   local e = summary.errors
   local counts = {}
   for _, name in ipairs(names) do
      table.insert(counts, string.format('"%s": %d', name, totals[name]))
   end
   io.write(string.format(
      '{"requests": %d, "duration_us": %d, "bytes": %d, "p50": %d, "p90": %d, "p99": %d, "max": %d, ' ..
      '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d, %s}\n',
      summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency.max, e.connect, e.read, e.write, e.timeout, table.concat(counts, ", ")))
end
