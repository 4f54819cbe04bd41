-- wrk script for tests/bench/bench_load.py: requests read from a file, round robin, and a JSON summary.
--
-- wrk -s tests/bench/load.lua URL -- REQUESTS_FILE [new-visitors]
-- REQUESTS_FILE has one request a line: METHOD <tab> PATH <tab> COOKIE <tab> BODY (cookie and body may be
-- empty). In a body, {token} becomes a fresh UUID (a comment form's submission token) and {n} a number
-- unique in the run. With "new-visitors", each request carries its own browser User-Agent, so every
-- article page is a first view by a new reader and is counted, as most reads in production are.
-- done() prints one line: JSON with requests, duration, latency percentiles (microseconds), socket
-- errors and statuses: ok (200), accepted (a redirect to the new comment's anchor), refused (any other
-- redirect: a post turned down) and other.

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
local fresh_visitors = false
ok, accepted, refused, other = 0, 0, 0, 0

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
   fresh_visitors = args[2] == "new-visitors"
   math.randomseed(id * 7919 + os.time())
   position = (id * 7) % #requests  -- threads start at different places in the list
end

local function uuid4()
   local r = math.random
   return string.format("%04x%04x-%04x-4%03x-%04x-%04x%04x%04x", r(0, 0xffff), r(0, 0xffff), r(0, 0xffff),
                        r(0, 0xfff), r(0x8000, 0xbfff), r(0, 0xffff), r(0, 0xffff), r(0, 0xffff))
end

local AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"

function request()
   position = position % #requests + 1
   sent = sent + 1
   local r = requests[position]
   local headers = {["User-Agent"] = AGENT, ["Accept"] = "text/html"}
   if fresh_visitors then
      headers["User-Agent"] = AGENT .. " reader/" .. id .. "-" .. sent
   end
   if r[3] ~= nil and r[3] ~= "" then
      headers["Cookie"] = r[3]
   end
   local body = nil
   if r[4] ~= nil and r[4] ~= "" then
      body = r[4]:gsub("{token}", uuid4()):gsub("{n}", id .. "-" .. sent)
      headers["Content-Type"] = "application/x-www-form-urlencoded"
      headers["Origin"] = "http://" .. wrk.host .. ":" .. wrk.port
   end
   return wrk.format(r[1], r[2], headers, body)
end

function response(status, headers, body)
   if status == 200 then
      ok = ok + 1
   elseif status == 302 or status == 303 then
      local location = headers["Location"] or headers["location"] or ""
      if location:match("#comment%-%d+$") then
         accepted = accepted + 1
      else
         refused = refused + 1
      end
   else
      other = other + 1
   end
end

function done(summary, latency, requests)
   local totals = {ok = 0, accepted = 0, refused = 0, other = 0}
   for _, thread in ipairs(threads) do
      for name, _ in pairs(totals) do
         totals[name] = totals[name] + thread:get(name)
      end
   end
   local e = summary.errors
   io.write(string.format(
      '{"requests": %d, "duration_us": %d, "bytes": %d, "p50": %d, "p90": %d, "p95": %d, "p99": %d, "max": %d, ' ..
      '"mean": %.1f, "connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d, ' ..
      '"ok": %d, "accepted": %d, "refused": %d, "other": %d}\n',
      summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
      latency:percentile(95), latency:percentile(99), latency.max, latency.mean, e.connect, e.read, e.write,
      e.timeout, totals.ok, totals.accepted, totals.refused, totals.other))
end
