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

  // The public comment form, used with this script, leads back to this page after logging in (its fragment
  // puts what was typed back in the reader's own form), not to the comments page that serves readers without it.
  const block = document.querySelector('[data-personal="comments"]');
  if (block) {
    for (const field of block.querySelectorAll("[data-without-script]")) field.remove();
    leadBackHere(block);
  }

  // "signed_in" is a marker cookie set at login, a new value each login (the session cookie itself is out
  // of a script's reach). What is the reader's on every page (their menu, their form box, which comments
  // are theirs) is kept for the tab's session under it; an article asks the server again only when it may
  // hold something for this reader alone, or when they come back from posting, deleting or reporting.
  const marker = document.cookie.split("; ").find((pair) => pair.startsWith("signed_in="))?.slice(10);
  if (!data.dataset.fragmentUrl || !marker) return;
  const kept = `reader:${marker}`;
  let reader = null;
  try {
    for (const key of Object.keys(sessionStorage)) { // another login's parts leave with it
      if (key.startsWith("reader:") && key !== kept) sessionStorage.removeItem(key);
    }
    reader = JSON.parse(sessionStorage.getItem(kept));
  } catch { /* none kept */ }
  if (reader && Date.now() - reader.at > 5 * 60 * 1000) reader = null;
  const articleId = Number(new URL(data.dataset.fragmentUrl, location.href).searchParams.get("article")) || null;
  const back = location.hash !== ""; // after an action: its result and message are the server's to give

  if (reader && !back && !(block && articleId && concernsReader(block, articleId, reader))) {
    personalize({ account: reader.account, messages: undefined, csrf: reader.csrf }, reader);
    return;
  }
  const url = new URL(data.dataset.fragmentUrl, location.href);
  const cpage = new URLSearchParams(location.search).get("cpage");
  if (cpage) url.searchParams.set("cpage", cpage);
  if (!reader || back) url.searchParams.set("reader", "1");
  url.searchParams.set("next", location.pathname + location.search); // where its links lead back to
  fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((response) => (response.ok ? response.json() : {}))
    .then((parts) => {
      if (parts.reader) {
        reader = { ...parts.reader, account: parts.account, csrf: parts.csrf, at: Date.now() };
        try { sessionStorage.setItem(kept, JSON.stringify(reader)); } catch { /* private mode: not kept */ }
      }
      personalize(parts, reader);
      if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
    })
    .catch(() => {}); // the public page stays as it is: readable, with a link to the comments page

  // Whether this article's public block may hold something for this reader alone: a private comment they
  // wrote, that answers theirs, on their own story, or that a moderator reads; their comment under review.
  function concernsReader(block, articleId, reader) {
    if (reader.pending.includes(articleId)) return true;
    const hidden = [...block.querySelectorAll("[data-private]")];
    if (!hidden.length) return false;
    if (reader.moderator || Number(block.dataset.reporter) === reader.id) return true;
    const mine = new Set(reader.mine);
    return hidden.some((comment) => mine.has(Number(comment.id.slice(8))) || mine.has(Number(comment.dataset.parent)));
  }

  // The page made this reader's: from the article's fragment when there is one, completed by what is kept
  // (the fragment of a reader whose parts are kept holds only what differs from them on this article).
  function personalize(parts, reader) {
    replace('[data-personal="account"]', parts.account ?? reader?.account);
    replace('[data-personal="messages"]', parts.messages);
    if (!block) return;
    const kept = { form: reader?.form, shown: [], own: reader?.mine ?? [], can_reply: reader?.can_comment, token: newToken(), draft: null };
    if (!parts.comments && !reader) return;
    const comments = { ...kept, ...parts.comments };
    personalizeComments(block, comments, parts.csrf ?? reader?.csrf);
    if (comments.form === kept.form) leadBackHere(block); // the kept box was made on another page
  }

  // The comment form box's links (log in, sign up, set a nickname) lead back to this page's form.
  function leadBackHere(block) {
    for (const link of block.querySelectorAll('[data-personal="comment-form"] a[href*="next="]')) {
      const url = new URL(link.href);
      url.searchParams.set("next", `${location.pathname}${location.search}#comment-form`);
      link.href = url;
    }
  }

  function newToken() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  function replace(selector, html) {
    const place = document.querySelector(selector);
    if (place && html !== undefined) place.outerHTML = html;
  }

  function personalizeComments(block, parts, csrf) {
    // What the reader began to type in the public form before their own came goes into their own.
    const typed = block.querySelector('[data-personal="comment-form"] form');
    const body = typed?.querySelector('[name="body"]')?.value;
    const secret = typed?.querySelector('[name="private"]')?.checked;
    // A story closed to comments keeps its notice (the same for everyone) instead of a form.
    if (!("closed" in block.dataset)) replace('[data-personal="comment-form"]', parts.form);
    const form = block.querySelector('[data-personal="comment-form"] form');
    const textarea = form?.querySelector('[name="body"]');
    if (body && textarea && !textarea.value) {
      textarea.value = body;
      const checkbox = form.querySelector('[name="private"]');
      if (checkbox && secret) checkbox.checked = true;
    }
    if (form && !form.getAttribute("action")) form.action = block.dataset.postUrl; // the box kept for any article
    const token = form?.querySelector('[name="token"]');
    if (token && parts.token) token.value = parts.token;
    for (const comment of parts.shown) showComment(block, comment);
    for (const actions of block.querySelectorAll("[data-comment-actions]")) {
      const own = parts.own.includes(Number(actions.dataset.commentActions));
      actions.querySelector(own ? "[data-others]" : "[data-own]")?.remove();
      actions.querySelector(own ? "[data-own]" : "[data-others]").hidden = false;
      if (!parts.can_reply || "closed" in block.dataset) actions.querySelector("[data-reply]")?.remove();
      actions.hidden = false;
    }
    for (const token of block.querySelectorAll("[data-token]")) token.value = parts.token;
    for (const buttons of block.querySelectorAll("form[data-react-url]")) reactInPlace(buttons);
    for (const form of block.querySelectorAll('form[method="post"]')) {
      if (form.querySelector('[name="csrfmiddlewaretoken"]')) continue;
      const field = Object.assign(document.createElement("input"), { type: "hidden", name: "csrfmiddlewaretoken", value: csrf });
      form.prepend(field);
    }
    if (parts.draft) putBackReply(parts.draft);
  }

  // A comment this reader sees otherwise: in place of its public placeholder, or (their own pending one)
  // under its comment, or at the end of the thread's last page.
  // 공감 / 비공감: the public buttons (a way to log in) become this reader's, sent in place; each says
  // whether it is pressed (aria-pressed), from what the reader's session keeps, updated with every answer.
  function reactInPlace(form) {
    const id = Number(form.closest(".comment").id.slice(8));
    if (form.getAttribute("method") !== "post") {
      form.method = "post";
      form.action = form.dataset.reactUrl;
      form.querySelector('[name="next"]')?.remove();
    }
    const show = (mine) => {
      for (const button of form.querySelectorAll('button[name="kind"]')) button.setAttribute("aria-pressed", String(button.value === mine));
    };
    if (reader?.reacted) show(reader.reacted[id]);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      fetch(form.action, { method: "POST", body: new FormData(form, event.submitter), credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((response) => response.json())
        .then((answer) => {
          if (answer.error) { window.alert(answer.error); return; }
          for (const kind of ["up", "down"]) form.querySelector(`[data-count="${kind}"]`).textContent = answer[kind];
          show(answer.mine);
          if (reader) {
            reader.reacted = { ...reader.reacted, [id]: answer.mine ?? undefined };
            try { sessionStorage.setItem(kept, JSON.stringify(reader)); } catch { /* not kept */ }
          }
        })
        .catch(() => form.submit()); // the server's own answer: back to the comment
    });
  }

  function showComment(block, comment) {
    const place = document.getElementById(`comment-${comment.id}`);
    if (place) { place.outerHTML = comment.html; return; }
    if (!comment.pending) return; // a private comment of another page of the thread: shown there
    let list;
    if (comment.parent) {
      const parent = document.getElementById(`comment-${comment.parent}`)?.closest("li");
      if (!parent) return;
      list = parent.querySelector(".reply-list") || parent.appendChild(Object.assign(document.createElement("ol"), { className: "reply-list" }));
    } else {
      list = block.querySelector(".comment-list");
      // A comment of the reader's own waiting for review goes where a new comment goes in this order: on top
      // of the first page (최신순), else at the end of the last page.
      const newestFirst = !list || list.dataset.order === "newest";
      if (list && !((newestFirst ? "firstPage" : "lastPage") in list.dataset)) return;
      if (!list) {
        block.querySelector(".empty")?.remove();
        list = Object.assign(document.createElement("ol"), { className: "comment-list" });
        block.querySelector('[data-personal="comment-form"], .comment-form-box').before(list);
      }
    }
    const item = document.createElement("li");
    item.innerHTML = comment.html;
    if (!comment.parent && list.dataset.order === "newest") list.prepend(item);
    else list.append(item);
  }

  function putBackReply(draft) {
    const box = document.querySelector(`[data-comment-actions="${draft.parent}"] [data-reply]`);
    if (!box) return;
    box.open = true;
    const error = box.querySelector("[data-draft-error]");
    error.textContent = draft.error || draft.note; // why it was refused, or that it was typed before logging in
    error.hidden = !error.textContent;
    box.querySelector("textarea").value = draft.body;
    box.querySelector('[name="private"]').checked = Boolean(draft.private);
  }
})();
