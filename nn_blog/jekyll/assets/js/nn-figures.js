// Live figures. A static figure marked
//   <figure data-nn-live="KIND" data-nn-network="NAME"> ... </figure>
// is enhanced once it comes near the viewport: the module live/KIND.js is
// imported then (not before), fetches what it needs and adds its controls.
// Without JavaScript, or if anything fails, the static figure stays as it is.

// window.nnBlog.predict(name, rows) for other tools: the engine loads on the
// first call (nn-live.js then installs itself in place of these stand-ins).
window.nnBlog = window.nnBlog || {};
for (const name of ["predict", "classify", "network"]) {
  window.nnBlog[name] ??= async (...args) => (await import("./nn-live.js")).default[name](...args);
}

const KINDS = new Set(["digit-pad", "probe", "neurons", "scrubber", "lr-slider", "train", "playground", "graph-step"]);
const NEAR = "400px 0px"; // start loading this far before the figure shows
// The live panels' CSS is in nn-live.css, inlined in the page's <head>: no
// bytes to fetch, no unstyled first frame.

const live = []; // {redraw} of every enhanced figure, for a light/dark switch

// The post's line on what to do with the figure (nn_figure's hint=), at the
// top of the live panel: it exists only where the controls do. The canvases
// a reader works are described by it too.
function hint(figure) {
  // the panel starts with it (live/common.js panel()): added only now, it would push the
  // panel's first picture down, a layout shift
  const line = figure.querySelector(".nn-live > .nn-live-hint");
  if (!line) return;
  line.id = `nn-hint-${live.length}`;
  for (const c of figure.querySelectorAll("canvas[tabindex]")) {
    const own = c.getAttribute("aria-describedby"); // a kind's own line (the pad's keys)
    c.setAttribute("aria-describedby", own ? `${line.id} ${own}` : line.id);
  }
}

async function enhance(figure) {
  const kind = figure.dataset.nnLive;
  if (!KINDS.has(kind)) {
    console.warn(`nn-blog: unknown live figure "${kind}"`);
    return;
  }
  figure.dataset.nnLiveState = "loading";
  try {
    const module = await import(`./live/${kind}.js`);
    live.push(await module.default(figure));
    hint(figure);
    figure.dataset.nnLiveState = "ready";
  } catch (err) {
    figure.dataset.nnLiveState = "failed"; // the static figure stays
    console.warn(`nn-blog: live figure "${kind}" unavailable:`, err);
  }
}

function observe(figures) {
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      observer.unobserve(entry.target);
      enhance(entry.target);
    }
  }, { rootMargin: NEAR });
  figures.forEach((figure) => observer.observe(figure));
}

// Watching starts once the reader moves through the page (or at once if a live
// figure is on screen): a panel added then shifts only what is out of sight,
// and a tool that makes the viewport as tall as the page without scrolling (a
// full-page screenshot) does not turn every figure live, shifting the layout.
const figures = document.querySelectorAll("[data-nn-live]");
if (figures.length && "IntersectionObserver" in window) {
  const onScreen = [...figures].some((figure) => {
    const box = figure.getBoundingClientRect();
    return box.top < innerHeight && box.bottom > 0;
  });
  if (onScreen || scrollY > 0) observe(figures);
  else addEventListener("scroll", () => observe(figures), { once: true, passive: true });
}

matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => {
  live.forEach((figure) => figure && figure.redraw && figure.redraw());
});
