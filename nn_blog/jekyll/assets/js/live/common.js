// What the live figures share: their data, the palette, canvases, the plane.

import { network as load } from "../nn-live.js";
import { predict } from "../nn-engine.js";

// Give the event loop a turn: what follows runs as a task of its own. A
// figure's start-up is cut in three (module, panel, first picture) at the two
// awaits every figure makes, network() and palette(): a resolved promise
// alone would not yield, and two figures waiting for the same network would
// then start up in one long task (the moons probe and heatmaps: 80 ms).
export const turn = () => (globalThis.scheduler?.yield ? globalThis.scheduler.yield()
  : new Promise((resolve) => { setTimeout(resolve, 0); }));

// A network of the figure's own (nn-live.js), in a task of its own.
export async function network(name) {
  const net = await load(name);
  await turn();
  return net;
}

const cache = new Map();

// assets/nn/NAME.json (theme, loss-surface), fetched once.
export function data(name) {
  if (!cache.has(name)) {
    const url = new URL(`../../../nn/${name}.json`, import.meta.url);
    cache.set(name, fetch(url).then((r) => {
      if (!r.ok) throw new Error(`${name}.json: HTTP ${r.status}`);
      return r.json();
    }));
  }
  return cache.get(name);
}

// A page drawn only in light (its theme declares no dark scheme: the plugin then marks its
// figures data-nn-scheme="light") keeps light colours whatever the reader's setting.
export const dark = () => !document.querySelector('[data-nn-scheme="light"]') &&
  matchMedia("(prefers-color-scheme: dark)").matches;
export const reducedMotion = () =>
  matchMedia("(prefers-reduced-motion: reduce)").matches;

// The static figures' palette for the page's scheme (nn_blog/figures/style.py).
export async function palette() {
  const theme = await data("theme");
  await turn();
  return dark() ? theme.dark : theme.light;
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

// The live panel. Beside a static figure that stays, it comes after the
// caption, which describes the static figure and belongs with it; `replace`
// puts it in the place of the image (or the link that plays the animation)
// and hides that (it stays in the page for readers without JavaScript and for
// printing).
export function panel(figure, replace) {
  const box = el("div", { class: "nn-live" });
  // the post's line on what to do with the figure (nn_figure's hint=) heads the panel
  const hint = figure.dataset.nnHint;
  if (hint) box.append(el("p", { class: "nn-live-hint", text: hint }));
  const image = figure.querySelector("picture, img, a[data-nn-on-demand]");
  const after = replace ? image : figure.querySelector("figcaption") || image;
  if (after) after.after(box);
  else figure.prepend(box);
  if (replace && image) {
    image.hidden = true;
    image.style.display = "none"; // a styled link (display: inline-flex) ignores `hidden`
  }
  return box;
}

// A canvas of CSS size w x h drawn at the screen's pixel density; `read` for
// one whose pixels are read back (cached frames).
export function canvas(w, h, label, read = false) {
  const c = el("canvas", { role: "img", "aria-label": label, tabindex: "0" });
  const ratio = Math.min(window.devicePixelRatio || 1, 2);
  c.width = Math.round(w * ratio);
  c.height = Math.round(h * ratio);
  c.style.width = `${w}px`;
  c.style.aspectRatio = `${w} / ${h}`;
  const ctx = c.getContext("2d", { willReadFrequently: read });
  ctx.scale(ratio, ratio);
  return { canvas: c, ctx, w, h };
}

export function rgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

// Position of a pointer event in drawing units (the canvas is w x h of them,
// however wide the page shows it).
export function pointer(event, { canvas: c, w, h }) {
  const box = c.getBoundingClientRect();
  return [((event.clientX - box.left) * w) / box.width,
    ((event.clientY - box.top) * h) / box.height];
}

// The plane [x0, x1, y0, y1] <-> canvas pixels (y grows upwards in the plane).
export function planeMap(extent, w, h) {
  const [x0, x1, y0, y1] = extent;
  return {
    toPixel: ([x, y]) => [((x - x0) / (x1 - x0)) * w, ((y1 - y) / (y1 - y0)) * h],
    toPlane: ([px, py]) => [x0 + (px / w) * (x1 - x0), y1 - (py / h) * (y1 - y0)],
  };
}

// Shade the plane as the static figures do (_plane.shade): each cell takes the
// winning class's colour, opaque in proportion to the network's confidence.
export function shadePlane(ctx, net, extent, w, h, colours, cells = 96) {
  paintRegions(ctx, regions(net, extent, w, h, colours, cells), w, h, colours);
}

// The costly half of shadePlane: a forward pass over every cell, giving one
// pixel per cell (cells across, as many down as keep the cells square). Small
// enough to keep: the scrubber keeps one per epoch.
export function regions(net, extent, w, h, colours, cells = 96) {
  const job = regionRows(net, extent, w, h, colours, cells);
  job.fill(0, job.rows);
  return job.image;
}

// regions() a few rows at a time, for a caller that must not hold the main
// thread long (the scrubber): { image, rows, fill(j0, j1) }, fill shading
// rows j0 to j1 - 1 of `image`.
export function regionRows(net, extent, w, h, colours, cells = 96) {
  const nx = cells;
  const ny = Math.max(2, Math.round((cells * h) / w));
  const [x0, x1, y0, y1] = extent;
  const image = new ImageData(nx, ny);
  const classes = colours.classes.map(rgb);
  function fill(j0, j1) {
    const rows = [];
    for (let j = j0; j < j1; j++) {
      for (let i = 0; i < nx; i++) {
        rows.push([x0 + ((i + 0.5) * (x1 - x0)) / nx, y1 - ((j + 0.5) * (y1 - y0)) / ny]);
      }
    }
    if (!rows.length) return;
    const P = predict(net, rows);
    const k = P[0].length;
    P.forEach((p, n) => {
      let best = 0;
      for (let c = 1; c < k; c++) if (p[c] > p[best]) best = c;
      const confidence = Math.min(1, Math.max(0, (p[best] - 1 / k) / (1 - 1 / k)));
      const [r, g, b] = classes[best % classes.length];
      image.data.set([r, g, b, 255 * colours.shade_alpha * confidence ** 0.8], (j0 * nx + n) * 4);
    });
  }
  return { image, rows: ny, fill };
}

// regions() made a slice of rows at a time in separate tasks (idle time, or
// timeouts), none longer than about `budget` ms: a Promise of the image.
export function regionsInSlices(net, extent, w, h, colours, cells = 96, budget = 8) {
  const job = regionRows(net, extent, w, h, colours, cells);
  const later = (fn) => (window.requestIdleCallback
    ? requestIdleCallback(fn, { timeout: 200 }) : setTimeout(fn, 0));
  return new Promise((resolve) => {
    let row = 0;
    let per = 0; // ms per row, measured
    function slice() {
      const start = performance.now();
      do {
        const step = per ? Math.max(1, Math.floor(2 / per)) : 2;
        const end = Math.min(job.rows, row + step);
        const t = performance.now();
        job.fill(row, end);
        per = (performance.now() - t) / (end - row);
        row = end;
      } while (row < job.rows && performance.now() - start < budget - 2 * per);
      if (row < job.rows) later(slice);
      else resolve(job.image);
    }
    later(slice); // not in the caller's task: it has drawn a coarse picture already
  });
}

// The cheap half: the cells' pixels stretched, smoothly, over the page colour.
export function paintRegions(ctx, image, w, h, colours) {
  const small = new OffscreenCanvas(image.width, image.height);
  small.getContext("2d").putImageData(image, 0, 0);
  ctx.clearRect(0, 0, w, h);
  ctx.fillStyle = colours.page;
  ctx.fillRect(0, 0, w, h);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(small, 0, 0, w, h);
}

// Points (raw units) in their class colours: circles, outlined by the page.
export function drawPoints(ctx, map, X, y, colours, radius = 2.5) {
  ctx.lineWidth = 0.75;
  ctx.strokeStyle = colours.page;
  X.forEach((x, n) => {
    const [px, py] = map.toPixel(x);
    ctx.beginPath();
    ctx.arc(px, py, radius, 0, 2 * Math.PI);
    ctx.fillStyle = colours.classes[y[n] % colours.classes.length];
    ctx.fill();
    ctx.stroke();
  });
}

// A loss curve's frame on canvas `c`: the page cleared, the two axes, loss 0 to `top` up the
// left (named "loss" there if `named`), epochs 0 to `epochs` along the bottom. Returns
// xy(e, L): where epoch e's loss L goes (clipped at the top).
export function lossAxes({ ctx, w, h }, colours, top, epochs, named = false) {
  const M = { left: 34, right: 8, top: 8, bottom: 18 };
  const pw = w - M.left - M.right;
  const ph = h - M.top - M.bottom;
  ctx.fillStyle = colours.page;
  ctx.fillRect(0, 0, w, h);
  ctx.strokeStyle = colours.grid;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(M.left - 0.5, M.top);
  ctx.lineTo(M.left - 0.5, M.top + ph + 0.5);
  ctx.lineTo(M.left + pw, M.top + ph + 0.5);
  ctx.stroke();
  ctx.fillStyle = colours.muted;
  ctx.font = "11px system-ui, sans-serif";
  ctx.textAlign = "right";
  ctx.textBaseline = "top";
  ctx.fillText(top.toFixed(2), M.left - 4, M.top - 2);
  ctx.textBaseline = "bottom";
  ctx.fillText("0", M.left - 4, M.top + ph + 4);
  if (named) {
    ctx.textBaseline = "middle";
    ctx.fillText("loss", M.left - 4, M.top + ph / 2);
  }
  ctx.textBaseline = "top";
  ctx.textAlign = "left";
  ctx.fillText("epoch 0", M.left, M.top + ph + 4);
  ctx.textAlign = "right";
  ctx.fillText(String(epochs), M.left + pw, M.top + ph + 4);
  return (e, L) => [M.left + (pw * e) / epochs, M.top + ph - (ph * Math.min(L, top)) / top];
}

// Width in CSS pixels the panel can use (the figure's width, capped).
export function widthFor(figure, max = 560) {
  return Math.max(240, Math.min(max, Math.floor(figure.clientWidth || max)));
}

export const percent = (p) => `${(100 * p).toFixed(0)}%`;

// A point of the plane as the readouts print it: "at (0.50, −0.27)", with a
// true minus sign, as the figures print theirs.
const signed = (v) => {
  const text = v.toFixed(2);
  return text === "-0.00" ? "0.00" : text.replace("-", "−");
};
export const where = ([x, y]) => `at (${signed(x)}, ${signed(y)})`;

// A readout that shows its text at once but speaks it only once it settles:
// a live region rewritten on every pointer move or frame would talk without
// pause. `node` goes in the panel (an <output>, not itself live); its spoken
// twin is visually hidden. say(text) updates both, say(text, 0) speaks now,
// say(text, false) only shows; say(text, 700, speech) speaks more than it
// shows. Nothing is spoken before the reader has used
// the figure (its first drawing, a colour-scheme redraw or another figure's
// probe are not news), nor the same text twice in a row.
export function readout(figure, attrs = {}) {
  const shown = el("output", { class: "nn-live-note", ...attrs, "aria-live": "off" });
  const spoken = el("span", { class: "nn-live-sr", "aria-live": "polite" });
  let timer = 0;
  let used = false;
  for (const type of ["pointerdown", "keydown", "input", "click"]) {
    figure.addEventListener(type, () => { used = true; }, { capture: true });
  }
  return {
    node: el("div", { class: "nn-live-readout" }, shown, spoken),
    shown,
    say(text, settle = 700, speech = text) {
      shown.textContent = text;
      clearTimeout(timer);
      if (settle === false) return;
      timer = setTimeout(() => {
        if (used && spoken.textContent !== speech) spoken.textContent = speech;
      }, settle);
    },
  };
}

// Each class's probability as the readouts print it, named as the static
// figures name it ("class 1") and as the data set does ("lower moon").
export function classes(net, p) {
  return p.map((q, c) => {
    const name = net.classes[c];
    return `${name === `class ${c}` ? name : `class ${c} (${name})`} ${percent(q)}`;
  }).join(", ");
}

// A hidden layer's activations in words, for a screen reader: how many are
// positive and the strongest, on the colour scale's -1..+1.
export function layerWords(A, activation, l) {
  const t = A.map((a) => strength(a, activation));
  const top = t.reduce((m, v, j) => (Math.abs(v) > Math.abs(t[m]) ? j : m), 0);
  return `hidden layer ${l + 1}: ${t.filter((v) => v > 0).length} of ${t.length} neurons `
    + `positive, strongest ${t[top] < 0 ? "−" : "+"}${Math.abs(t[top]).toFixed(2)} `
    + `(neuron ${top + 1})`;
}

// A cross-hair in a circle of radius r at (x, y).
export function crosshair(ctx, x, y, colour, r = 6) {
  ctx.strokeStyle = colour;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ctx.arc(x, y, r, 0, 2 * Math.PI);
  for (const [dx, dy] of [[1, 0], [0, 1]]) {
    ctx.moveTo(x - 1.7 * r * dx, y - 1.7 * r * dy);
    ctx.lineTo(x + 1.7 * r * dx, y + 1.7 * r * dy);
  }
  ctx.stroke();
}

// An arrow key's step (a 40th of the plane) from `point`, kept inside the
// plane: the new point, or null for any other key.
export function nudge(event, [x0, x1, y0, y1], [x, y]) {
  const step = (x1 - x0) / 40;
  const move = { ArrowLeft: [-step, 0], ArrowRight: [step, 0],
    ArrowUp: [0, step], ArrowDown: [0, -step] }[event.key];
  if (!move) return null;
  event.preventDefault();
  return [Math.min(x1, Math.max(x0, x + move[0])), Math.min(y1, Math.max(y0, y + move[1]))];
}

// A neuron's activation on a colour scale from -1 to +1: tanh's own value,
// anything unbounded (ReLU and kin) squashed by tanh.
export const strength = (a, activation) => (activation === "tanh" ? a : Math.tanh(a));
