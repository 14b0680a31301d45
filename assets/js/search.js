// The masthead's search: a button and a <dialog>. Pagefind's search API (its script and index
// under /pagefind/) loads only when the reader first opens the search, so pages stay light.
// The results are drawn here, in Pagefind UI's class names (styled in main.css), because
// Pagefind's own UI cannot be told three things this blog wants:
//   - a term Pagefind knows nothing of is matched by a short prefix of it ("zxqvbnm" found "z"
//     in the main post): a result is kept only if some word it marks shares a prefix of at least
//     SIMILAR of a query term's length with that term (at least 3 letters), so nonsense says
//     "No results";
//   - within a page, the sections that hold the query's own words ("learning rate") come before
//     those that only share a stem ("learn"): sections are ranked by their marked words, an exact
//     word over a stem, every term over some; Pagefind's own ranking prefers exact terms too
//     (termSimilarity, RANKING);
//   - a result on the page the reader is on closes the dialog when followed (the page only
//     scrolls, and a modal dialog would stay over it).
// Excerpts are Pagefind's (its text escaped, the matches in <mark>), rebuilt here as text and
// <mark> elements only.
const button = document.querySelector("[data-search-open]");
const dialog = document.getElementById("search-dialog");

const SIMILAR = 0.6;
const RANKING = { termSimilarity: 3.0 };
const SECTIONS = 3; // sections shown under each page

// Lower-case letters and digits only: how marked words and query terms are compared.
const norm = (word) => word.toLowerCase().normalize("NFKD").replace(/[^\p{L}\p{N}]/gu, "");
const prefix = (a, b) => {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n += 1;
  return n;
};
export const terms = (query) => query.split(/\s+/).map(norm).filter(Boolean);
// Does the marked `word` stand for the query `term` (the term itself, its stem, a longer form)?
export const resembles = (word, term) =>
  prefix(norm(word), term) >= Math.min(term.length, Math.max(3, Math.ceil(SIMILAR * term.length)));

// The words an excerpt marks.
function marked(excerpt) {
  const doc = new DOMParser().parseFromString(`<p>${excerpt}</p>`, "text/html");
  return [...doc.querySelectorAll("mark")].map((m) => m.textContent);
}

// A section's rank for the query: per term, 2 if it marks the term itself, 1 for a resemblance.
function rank(excerpt, wanted) {
  const words = marked(excerpt).map(norm);
  return wanted.reduce((sum, t) => sum + (words.includes(t) ? 2 : words.some(
    (w) => resembles(w, t)) ? 1 : 0), 0);
}

// An excerpt as text and <mark>s, whatever else it held.
function excerptNode(excerpt) {
  const out = document.createElement("p");
  out.className = "pagefind-ui__result-excerpt";
  const doc = new DOMParser().parseFromString(`<p>${excerpt}</p>`, "text/html");
  for (const node of doc.body.firstChild.childNodes) {
    if (node.nodeName === "MARK") {
      const m = document.createElement("mark");
      m.textContent = node.textContent;
      out.append(m);
    } else out.append(node.textContent);
  }
  return out;
}

function link(url, title) {
  const p = document.createElement("p");
  p.className = "pagefind-ui__result-title";
  const a = document.createElement("a");
  a.className = "pagefind-ui__result-link";
  a.href = url;
  a.textContent = title;
  p.append(a);
  return p;
}

if (button && dialog && typeof dialog.showModal === "function") {
  const bundle = button.dataset.bundle; // "<baseurl>/pagefind/"
  const root = dialog.querySelector("#search-ui");
  let ready = null;

  const load = () => {
    ready ??= (async () => {
      const pagefind = await import(bundle + "pagefind.js");
      await pagefind.options({ ranking: RANKING, excerptLength: 24 });
      build(pagefind);
    })();
    return ready;
  };

  function build(pagefind) {
    root.classList.add("pagefind-ui");
    const form = document.createElement("form");
    form.className = "pagefind-ui__form";
    form.setAttribute("role", "search");
    const input = document.createElement("input");
    // type text, not search: Escape in a search box only clears it, and the dialog stays
    Object.assign(input, { type: "text", className: "pagefind-ui__search-input",
      placeholder: "Search", autocomplete: "off" });
    input.setAttribute("aria-label", "Search the blog");
    const message = document.createElement("p");
    message.className = "pagefind-ui__message";
    message.setAttribute("role", "status");
    const list = document.createElement("ol");
    list.className = "pagefind-ui__results";
    form.append(input);
    form.addEventListener("submit", (event) => event.preventDefault());
    root.replaceChildren(form, message, list);

    let asked = 0;
    input.addEventListener("input", async () => {
      const query = input.value.trim();
      const id = ++asked;
      if (!query) {
        message.textContent = "";
        list.replaceChildren();
        return;
      }
      const found = await pagefind.debouncedSearch(query, {}, 250);
      if (found === null || id !== asked) return; // a later keystroke took over
      const wanted = terms(query);
      const pages = [];
      for (const r of found.results.slice(0, 10)) {
        const data = await r.data();
        if (id !== asked) return;
        const excerpts = [data.excerpt, ...data.sub_results.map((s) => s.excerpt)];
        const words = excerpts.flatMap(marked);
        if (words.length && !wanted.some((t) => words.some((w) => resembles(w, t)))) continue;
        pages.push(data);
      }
      message.textContent = pages.length
        ? `${pages.length} result${pages.length === 1 ? "" : "s"} for ${query}`
        : `No results for ${query}`;
      list.replaceChildren(...pages.map((data) => {
        const item = document.createElement("li");
        item.className = "pagefind-ui__result";
        const inner = document.createElement("div");
        inner.className = "pagefind-ui__result-inner";
        inner.append(link(data.url, data.meta.title || data.url), excerptNode(data.excerpt));
        // the page's own first section is the page: only the others are listed under it
        const sections = data.sub_results.filter((s) => s.url !== data.url)
          .map((s, order) => ({ s, order, score: rank(s.excerpt, wanted) }))
          .sort((a, b) => b.score - a.score || a.order - b.order)
          .slice(0, SECTIONS);
        for (const { s } of sections) {
          const nested = document.createElement("div");
          nested.className = "pagefind-ui__result-nested";
          nested.append(link(s.url, s.title), excerptNode(s.excerpt));
          inner.append(nested);
        }
        item.append(inner);
        return item;
      }));
    });
  }

  const open = async () => {
    dialog.showModal();
    try {
      await load();
      dialog.querySelector("input")?.focus();
    } catch (err) {
      root.textContent = "search could not load";
    }
  };

  button.dataset.ready = "";  // shown in the space it already takes: no layout shift
  button.addEventListener("click", open);
  dialog.querySelector("[data-search-close]").addEventListener("click", () => dialog.close());
  // A click on the backdrop (outside the panel) closes, as Escape does natively; so does a
  // result on this very page (the browser only scrolls to it, under the dialog).
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) return dialog.close();
    const a = event.target.closest("a[href]");
    if (a && new URL(a.href, location.href).pathname === location.pathname) dialog.close();
  });
  document.addEventListener("keydown", (event) => {
    const typing = event.target.closest("input, textarea, select, [contenteditable]");
    if (event.key === "/" && !typing && !dialog.open) {
      event.preventDefault();
      open();
    }
  });
}
