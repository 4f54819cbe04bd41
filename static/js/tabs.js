// ARIA tabs for server-rendered panels. Without this script every panel simply shows, one after another.
document.querySelectorAll("[data-tabs]").forEach((box) => {
  const list = box.querySelector("[role=tablist]");
  const tabs = [...box.querySelectorAll("[role=tab]")];
  const panels = tabs.map((tab) => document.getElementById(tab.getAttribute("aria-controls")));
  const select = (index, focus) => {
    tabs.forEach((tab, i) => {
      const on = i === index;
      tab.setAttribute("aria-selected", on);
      tab.tabIndex = on ? 0 : -1;
      panels[i].hidden = !on;
    });
    if (focus) tabs[index].focus();
  };
  box.classList.add("tabs-ready");
  list.hidden = false;
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => select(i, false));
    tab.addEventListener("keydown", (event) => {
      const moves = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 };
      if (event.key in moves) {
        event.preventDefault();
        select((moves[event.key] + tabs.length) % tabs.length, true);
      }
    });
  });
  select(0, false);
});
