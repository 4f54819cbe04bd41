// The article's tools: copy the link, print, and a font size the reader's browser remembers.
// Without JavaScript these buttons stay hidden; the e-mail link works on its own.
(() => {
  const status = document.querySelector("[data-tool-status]");
  const say = (text) => { if (status) status.textContent = text; };

  const copy = document.querySelector("[data-copy-link]");
  if (copy && navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener("click", () => {
      navigator.clipboard.writeText(location.href.split("#")[0])
        .then(() => say("링크를 복사했습니다."), () => say("복사하지 못했습니다. 주소창의 주소를 복사해 주세요."));
    });
  }

  const print = document.querySelector("[data-print]");
  if (print) {
    print.hidden = false;
    print.addEventListener("click", () => window.print());
  }

  const body = document.querySelector(".article-body");
  const tools = document.querySelector("[data-font-tools]");
  if (body && tools) {
    const sizes = [15, 17, 19, 21, 23];
    let step = Number(localStorage.getItem("article-font-step") ?? 1);
    const apply = () => {
      step = Math.max(0, Math.min(sizes.length - 1, step));
      body.style.fontSize = `${sizes[step]}px`;
      localStorage.setItem("article-font-step", String(step));
    };
    tools.hidden = false;
    tools.querySelectorAll("[data-font]").forEach((button) => {
      button.addEventListener("click", () => { step += Number(button.dataset.font); apply(); say(`글자 크기 ${step + 1}/${sizes.length}`); });
    });
    apply();
  }
})();
