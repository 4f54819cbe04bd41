// ARIA tabs over server-rendered panels. Without this script there are no tabs at all: every panel shows
// under its own heading, so the roles below are only added once the tabs really work.
document.querySelectorAll("[data-tabs]").forEach((box) => {
  const list = box.querySelector("[data-tab-list]");
  const tabs = [...list.querySelectorAll("[data-tab]")];
  const panels = tabs.map((tab) => document.getElementById(tab.dataset.tab));
  list.setAttribute("role", "tablist");
  list.setAttribute("aria-labelledby", box.getAttribute("aria-labelledby"));  // the box's heading names it
  tabs.forEach((tab, i) => {
    tab.setAttribute("role", "tab");
    tab.setAttribute("aria-controls", panels[i].id);
    panels[i].setAttribute("role", "tabpanel");
    panels[i].setAttribute("aria-labelledby", tab.id);
    panels[i].tabIndex = 0;
  });
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
