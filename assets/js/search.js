// The masthead's search: a button and a <dialog>. Pagefind's UI (its script, styles and index
// under /pagefind/) loads only when the reader first opens the search, so pages stay light.
const button = document.querySelector("[data-search-open]");
const dialog = document.getElementById("search-dialog");

if (button && dialog && typeof dialog.showModal === "function") {
  const bundle = button.dataset.bundle; // "<baseurl>/pagefind/"
  let ready = null;

  const load = () => {
    ready ??= new Promise((resolve, reject) => {
      const css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = bundle + "pagefind-ui.css";
      document.head.append(css);
      const script = document.createElement("script");
      script.src = bundle + "pagefind-ui.js";
      script.onload = () => {
        // eslint-disable-next-line no-undef
        new PagefindUI({ element: "#search-ui", bundlePath: bundle, showImages: false,
                         showSubResults: true, resetStyles: false });
        resolve();
      };
      script.onerror = () => reject(new Error("search could not load"));
      document.head.append(script);
    });
    return ready;
  };

  const open = async () => {
    dialog.showModal();
    try {
      await load();
      dialog.querySelector("input")?.focus();
    } catch (err) {
      dialog.querySelector("#search-ui").textContent = err.message;
    }
  };

  button.dataset.ready = "";  // shown in the space it already takes: no layout shift
  button.addEventListener("click", open);
  dialog.querySelector("[data-search-close]").addEventListener("click", () => dialog.close());
  // A click on the backdrop (outside the panel) closes, as Escape does natively.
  dialog.addEventListener("click", (event) => { if (event.target === dialog) dialog.close(); });
  document.addEventListener("keydown", (event) => {
    const typing = event.target.closest("input, textarea, select, [contenteditable]");
    if (event.key === "/" && !typing && !dialog.open) {
      event.preventDefault();
      open();
    }
  });
}
