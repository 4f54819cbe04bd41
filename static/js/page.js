// Every page: send the page's beacon (its view and its ads, counted once by the server's rules) and, for a
// signed-in reader, make the page theirs with an uncached fragment: their account menu and messages, and
// on an article their comment form, the comments only they see (private, pending), and the buttons of
// the comments they may answer, delete or report. The page itself is the same for every reader and may
// come from the edge cache; without this script, its comment block links to the comments page.
(() => {
  const data = document.getElementById("page-data");
  if (!data) return;

  if (data.dataset.beacon && navigator.sendBeacon) {
    navigator.sendBeacon(data.dataset.beaconUrl, new URLSearchParams({ b: data.dataset.beacon }));
  }

  // "signed_in" is a marker cookie set at login (the session cookie itself is out of a script's reach).
  const signedIn = document.cookie.split("; ").includes("signed_in=1");
  if (!data.dataset.fragmentUrl || !signedIn) return;
  const url = new URL(data.dataset.fragmentUrl, location.href);
  const cpage = new URLSearchParams(location.search).get("cpage");
  if (cpage) url.searchParams.set("cpage", cpage);
  url.searchParams.set("next", location.pathname + location.search); // where its links lead back to
  fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((response) => (response.ok ? response.json() : {}))
    .then((parts) => {
      for (const name of ["account", "messages"]) replace(`[data-personal="${name}"]`, parts[name]);
      if (parts.comments) personalizeComments(parts.comments, parts.csrf);
      if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
    })
    .catch(() => {}); // the public page stays as it is: readable, with a link to the comments page

  function replace(selector, html) {
    const place = document.querySelector(selector);
    if (place && html !== undefined) place.outerHTML = html;
  }

  function personalizeComments(parts, csrf) {
    const block = document.querySelector('[data-personal="comments"]');
    if (!block) return;
    replace('[data-personal="comment-form"]', parts.form);
    for (const comment of parts.shown) showComment(block, comment);
    for (const actions of block.querySelectorAll("[data-comment-actions]")) {
      const own = parts.own.includes(Number(actions.dataset.commentActions));
      actions.querySelector(own ? "[data-others]" : "[data-own]")?.remove();
      actions.querySelector(own ? "[data-own]" : "[data-others]").hidden = false;
      if (!parts.can_reply) actions.querySelector("[data-reply]")?.remove();
      actions.hidden = false;
    }
    for (const token of block.querySelectorAll("[data-token]")) token.value = parts.token;
    for (const form of block.querySelectorAll('form[method="post"]')) {
      if (form.querySelector('[name="csrfmiddlewaretoken"]')) continue;
      const field = Object.assign(document.createElement("input"), { type: "hidden", name: "csrfmiddlewaretoken", value: csrf });
      form.prepend(field);
    }
    if (parts.draft) putBackReply(parts.draft);
  }

  // A comment this reader sees otherwise: in place of its public placeholder, or (their own pending one)
  // under its comment, or at the end of the thread's last page.
  function showComment(block, comment) {
    const place = document.getElementById(`comment-${comment.id}`);
    if (place) { place.outerHTML = comment.html; return; }
    let list;
    if (comment.parent) {
      const parent = document.getElementById(`comment-${comment.parent}`)?.closest("li");
      if (!parent) return;
      list = parent.querySelector(".reply-list") || parent.appendChild(Object.assign(document.createElement("ol"), { className: "reply-list" }));
    } else {
      list = block.querySelector(".comment-list");
      if (list && !("lastPage" in list.dataset)) return;
      if (!list) {
        block.querySelector(".empty")?.remove();
        list = Object.assign(document.createElement("ol"), { className: "comment-list" });
        block.querySelector('[data-personal="comment-form"], .comment-form-box').before(list);
      }
    }
    const item = document.createElement("li");
    item.innerHTML = comment.html;
    list.append(item);
  }

  function putBackReply(draft) {
    const box = document.querySelector(`[data-comment-actions="${draft.parent}"] [data-reply]`);
    if (!box) return;
    box.open = true;
    const error = box.querySelector("[data-draft-error]");
    error.textContent = draft.error;
    error.hidden = false;
    box.querySelector("textarea").value = draft.body;
    box.querySelector('[name="private"]').checked = Boolean(draft.private);
  }
})();
