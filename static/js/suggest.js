// The search boxes suggest keywords and stories while the reader types (ARIA 1.2 combobox with a listbox
// popup): arrows move through the suggestions, Enter opens the chosen one, Escape closes the list, and a
// screen reader hears the active option and how many there are. Suggestions come from /search/suggest/
// (a public page the edge keeps by q). Without this script the boxes are plain search fields.
(() => {
  const MIN_LENGTH = 2;
  const WAIT_MS = 120; // typing pauses this long before asking

  for (const [index, input] of document.querySelectorAll("input[data-suggest]").entries()) {
    combobox(input, `suggest-${index}`);
  }

  function combobox(input, id) {
    const form = input.form;
    const list = document.createElement("ul");
    const status = document.createElement("div");
    const answers = new Map(); // typed text -> items, for this page's life
    let items = [];
    let active = -1;
    let timer = 0;
    let asked = "";

    list.id = `${id}-list`;
    list.className = "suggest-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "검색어 제안");
    list.hidden = true;
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    form.classList.add("has-suggest");
    form.append(list, status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("autocomplete", "off");

    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(ask, WAIT_MS);
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (list.hidden) {
          if (items.length) open();
          else ask();
          return;
        }
        const step = event.key === "ArrowDown" ? 1 : -1;
        const states = items.length + 1; // the box itself, then each suggestion, round again
        choose(((active + 1 + step + states) % states) - 1);
      } else if (event.key === "Enter" && !list.hidden && active >= 0) {
        event.preventDefault();
        location.assign(items[active].url);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", close);
    list.addEventListener("mousedown", (event) => event.preventDefault()); // keep the focus in the box
    list.addEventListener("click", (event) => {
      const option = event.target.closest("[role=option]");
      if (option) location.assign(items[Number(option.dataset.index)].url);
    });

    function ask() {
      const typed = input.value.trim();
      if (typed.length < MIN_LENGTH) {
        items = [];
        close();
        return;
      }
      if (answers.has(typed)) {
        show(answers.get(typed));
        return;
      }
      asked = typed;
      const url = new URL(input.dataset.suggest, location.href);
      url.searchParams.set("q", typed);
      fetch(url, { headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : { items: [] }))
        .then((answer) => {
          answers.set(typed, answer.items);
          if (asked === typed && input.value.trim() === typed) show(answer.items);
        })
        .catch(() => {}); // no suggestions: the box still searches
    }

    function show(found) {
      items = found;
      list.replaceChildren(
        ...items.map((item, i) => {
          const option = document.createElement("li");
          const kind = document.createElement("span");
          option.id = `${id}-option-${i}`;
          option.dataset.index = i;
          option.setAttribute("role", "option");
          option.setAttribute("aria-selected", "false");
          option.className = "suggest-option";
          kind.className = "suggest-kind";
          kind.textContent = item.kind;
          option.append(kind, document.createTextNode(` ${item.label}`));
          return option;
        }),
      );
      if (items.length && document.activeElement === input) open();
      else close();
      status.textContent = items.length ? `제안 ${items.length}개, 위아래 화살표로 고르세요.` : "";
    }

    function open() {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      choose(-1);
    }

    // -1 is the box itself (what was typed); 0 … n-1 the suggestions.
    function choose(index) {
      active = index >= items.length ? -1 : index;
      for (const option of list.children) {
        option.setAttribute("aria-selected", String(Number(option.dataset.index) === active));
      }
      if (active >= 0) input.setAttribute("aria-activedescendant", `${id}-option-${active}`);
      else input.removeAttribute("aria-activedescendant");
    }
  }
})();
