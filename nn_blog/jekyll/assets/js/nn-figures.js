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

const STYLE = `
.nn-live{margin:.75rem 0 0;color:var(--text,#1f2328);font:inherit}
.nn-live canvas{display:block;max-width:100%;height:auto;margin-inline:auto;
  border-radius:4px;background:var(--bg,#fbfbfa)}
.nn-live canvas.nn-live-draw{touch-action:none}
.nn-live canvas.nn-live-point{touch-action:pan-y pinch-zoom}
.nn-live-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);
  white-space:nowrap}
.nn-live :focus-visible,.nn-live-over canvas:focus-visible{outline:2px solid var(--accent,#1d5fb8);
  outline-offset:-2px}
.nn-live-row{display:flex;flex-wrap:wrap;gap:.75rem 1.25rem;align-items:flex-start;
  justify-content:center}
.nn-live-controls{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:.5rem 0;
  font-size:.9rem;justify-content:center}
@media (max-width:599px){.nn-live-readout{min-height:3em}}
.nn-live button{font:inherit;font-size:.9rem;padding:.3rem .7rem;border-radius:4px;
  border:1px solid var(--border,#e1e4e8);background:var(--bg-raised,#fff);
  color:var(--text,#1f2328);cursor:pointer}
.nn-live input[type=range]{flex:1 1 10rem;min-width:8rem;accent-color:var(--accent,#1d5fb8)}
.nn-live output,.nn-live .nn-live-note{font-size:.9rem;color:var(--text-muted,#59636e);
  font-variant-numeric:tabular-nums}
.nn-live-bars{display:grid;grid-template-columns:1.5rem 1fr 3.2rem;gap:2px .4rem;
  align-items:center;min-width:12rem;flex:1 1 12rem;font-size:.85rem;
  font-variant-numeric:tabular-nums}
.nn-live-bar{height:.8rem;border-radius:2px;background:var(--accent,#1d5fb8);
  min-width:1px}
@media (prefers-reduced-motion:no-preference){.nn-live-bar{transition:width .12s}}
.nn-live-over{display:block;position:relative;width:fit-content;max-width:100%;margin:0 auto}
.nn-live-over canvas{position:absolute;inset:0;touch-action:pan-y pinch-zoom}
.nn-live-hint{margin:.6rem auto .5rem;max-width:60ch;font-size:.875rem;line-height:1.5}
.nn-live-pair{display:inline-flex;gap:.4rem;align-items:center}
`;

function installStyle() {
  if (document.getElementById("nn-live-style")) return;
  const style = document.createElement("style");
  style.id = "nn-live-style";
  style.textContent = STYLE;
  document.head.append(style);
}

const live = []; // {redraw} of every enhanced figure, for a light/dark switch

// The post's line on what to do with the figure (nn_figure's hint=), at the
// top of the live panel: it exists only where the controls do. The canvases
// a reader works are described by it too.
function hint(figure) {
  const text = figure.dataset.nnHint;
  const box = figure.querySelector(".nn-live");
  if (!text || !box) return;
  const line = document.createElement("p");
  line.className = "nn-live-hint";
  line.id = `nn-hint-${live.length}`;
  line.textContent = text;
  box.prepend(line);
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
    installStyle();
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
