// A figure offered behind a link (nn_figure show=animation): followed, the
// link shows its image above itself, and hides it again the next time, so
// the page's weight does not include the image until a reader asks for it.
// Without JavaScript the link opens the image itself.
document.addEventListener("click", (event) => {
  const link = event.target.closest?.("a[data-nn-on-demand]");
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button) return;
  event.preventDefault();
  const label = link.querySelector("[data-nn-label]");
  const icon = link.firstElementChild;
  const shown = link.previousElementSibling;
  link.dataset.label ||= label.textContent;
  if (shown && shown.matches("img[data-nn-shown]")) {
    shown.remove();
    icon.textContent = "\u25B6";
    label.textContent = link.dataset.label;
    link.setAttribute("aria-expanded", "false");
    return;
  }
  const img = document.createElement("img");
  const dark = link.dataset.darkSrc &&
    window.matchMedia("(prefers-color-scheme: dark)").matches;
  img.src = dark ? link.dataset.darkSrc : link.href;
  img.alt = link.dataset.alt;
  img.setAttribute("data-nn-shown", "");
  if (link.dataset.width) {
    img.width = +link.dataset.width;
    img.height = +link.dataset.height;
  }
  link.before(img);
  icon.textContent = "\u25A0";
  label.textContent = label.dataset.hide;
  link.setAttribute("aria-expanded", "true");
});
