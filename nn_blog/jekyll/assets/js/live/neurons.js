// The neuron heatmaps, lit where the reader probes. Every tile of the static
// figure is one neuron's activation over the whole plane; a probe point (the
// pointer or a tap on any tile, the arrow keys, or the probe figure's
// "nn-probe" event) gets a cross-hair in every tile, and each hidden neuron
// lights up as strongly as it is activated there (the weak ones fade),
// framed blue for positive, red for negative, the colours of the tiles
// themselves. The tiles' places come from the render (data-nn-layout:
// neuron_heatmaps.data), one layout per variant of the picture (wide, and
// narrow below 600 px).
//
// The pictures show a few neurons of a wide layer (the narrow one 3 of 16,
// "+13"): below 600 px the panel adds every hidden neuron, a grid of small
// heatmaps per layer (GRID_COLUMNS across), computed here from the same
// network, lit and cross-haired as the tiles over the picture.

import { forwardAll, inputMatrix, predict } from "../nn-engine.js";
import {
  canvas, classes, crosshair, el, layerWords, network, nudge, palette, panel, readout, rgb,
  strength, turn, where,
} from "./common.js";

const GRID_COLUMNS = 8; // tiles across in the phone's grid of every neuron
const GRID_CELLS = 24; // each tile's heatmap: cells across and down

export default async function neurons(figure) {
  const net = await network(figure.dataset.nnNetwork);
  const layout = JSON.parse(figure.dataset.nnLayout);
  const extent = layout.plane;
  const picture = figure.querySelector("picture");
  const phone = matchMedia("(max-width: 599px)");
  const out = readout(figure);
  picture.classList.add("nn-live-over");
  const box = panel(figure, false);
  box.append(out.node);
  const view = canvas(1, 1, `Neurons of the ${net.name} network: point at a tile, `
    + "tap it, or use the arrow keys to probe");
  view.canvas.setAttribute("role", "application"); // it takes the arrow keys
  view.canvas.style.width = "100%"; // over the picture, however wide it shows
  view.canvas.style.height = "100%";
  picture.append(view.canvas);

  let colours = await palette();
  let point = [(extent[0] + extent[1]) / 2, (extent[2] + extent[3]) / 2];
  let shape;

  // Every hidden neuron (the phone's grid, shown below 600 px by CSS): each
  // neuron's activation over a GRID_CELLS square grid of the plane.
  const hiddenLayers = net.layers.slice(0, -1);
  const gw = Math.max(240, Math.min(560, Math.floor(figure.clientWidth || 360)));
  const tile = Math.floor((gw - (GRID_COLUMNS - 1) * 4) / GRID_COLUMNS);
  const label = 16;
  const rowsOf = (n) => Math.ceil(n / GRID_COLUMNS);
  const gh = hiddenLayers.reduce((sum, l) => sum + label + rowsOf(l.W.cols) * (tile + 4) + 6, 0);
  const grid = canvas(gw, gh, "Every hidden neuron: tap one to probe there");
  grid.canvas.removeAttribute("tabindex"); // the picture's canvas takes the keys
  grid.canvas.classList.add("nn-live-point", "nn-live-grid");
  box.append(grid.canvas);
  const cellsAt = [];
  for (let j = 0; j < GRID_CELLS; j++) {
    for (let i = 0; i < GRID_CELLS; i++) {
      cellsAt.push([extent[0] + ((i + 0.5) * (extent[1] - extent[0])) / GRID_CELLS,
        extent[3] - ((j + 0.5) * (extent[3] - extent[2])) / GRID_CELLS]);
    }
  }
  const maps = forwardAll(net, inputMatrix(net, cellsAt)).slice(0, -1).map(({ A }) => A);
  const tiles = []; // { layer, neuron, box: [l, t, r, b] } in grid units
  let top = 0;
  hiddenLayers.forEach((layer, l) => {
    tiles.push({ title: `layer ${l + 1}`, y: top });
    top += label;
    for (let n = 0; n < layer.W.cols; n++) {
      const x = (n % GRID_COLUMNS) * (tile + 4);
      const y = top + Math.floor(n / GRID_COLUMNS) * (tile + 4);
      tiles.push({ layer: l + 1, neuron: n, box: [x, y, x + tile, y + tile] });
    }
    top += rowsOf(layer.W.cols) * (tile + 4) + 6;
  });
  let heat = null; // each neuron's heatmap as a small canvas, per palette
  function heatmaps() {
    const [neg, pos, page] = [colours.negative, colours.accent, colours.page].map(rgb);
    return tiles.filter((t) => t.box).map(({ layer, neuron }) => {
      const A = maps[layer - 1];
      const small = new OffscreenCanvas(GRID_CELLS, GRID_CELLS);
      const image = new ImageData(GRID_CELLS, GRID_CELLS);
      for (let k = 0; k < GRID_CELLS * GRID_CELLS; k++) {
        const v = strength(A.data[k * A.cols + neuron], net.layers[layer - 1].activation);
        const c = (v < 0 ? neg : pos).map((x, i) => page[i] + (x - page[i]) * Math.abs(v));
        image.data.set([...c, 255], k * 4);
      }
      small.getContext("2d").putImageData(image, 0, 0);
      return small;
    });
  }
  function drawGrid(A, u, v) {
    const ctx = grid.ctx;
    heat = heat || heatmaps();
    ctx.fillStyle = colours.page;
    ctx.fillRect(0, 0, gw, gh);
    ctx.font = "12px system-ui, sans-serif";
    ctx.textBaseline = "top";
    ctx.textAlign = "left";
    let k = 0;
    for (const t of tiles) {
      if (!t.box) {
        ctx.fillStyle = colours.text;
        ctx.fillText(t.title, 0, t.y + 1);
        continue;
      }
      const [l, tp, r, b] = t.box;
      ctx.drawImage(heat[k++], l, tp, r - l, b - tp);
      light(ctx, t, A, u, v);
    }
    figure.dataset.nnNeuronsShown = String(k);
  }

  // The layout of the picture the page shows (the <picture> switches to the
  // narrow one below 600 px): the same canvas, resized, so that focus and
  // its description stay.
  function mount() {
    shape = layout[phone.matches && layout.narrow ? "narrow" : "wide"];
    const ratio = Math.min(window.devicePixelRatio || 1, 2);
    view.canvas.width = Math.round(shape.width * ratio);
    view.canvas.height = Math.round(shape.height * ratio);
    view.canvas.style.aspectRatio = `${shape.width} / ${shape.height}`;
    view.ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    show(point, null, false);
  }

  // One tile lit for activations A (per hidden layer) at the point (u, v) of
  // the plane (0..1 across and down): a weak neuron fades behind a veil of
  // the page's colour; a strong one stays vivid, framed in the colour of its
  // sign; every tile gets the cross-hair (larger on the output tile).
  function light(ctx, { layer, neuron, box: [l, t, r, b] }, A, u, v) {
    if (layer > 0 && layer <= A.length) {
      const a = strength(A[layer - 1][neuron], net.layers[layer - 1].activation);
      ctx.fillStyle = colours.page;
      ctx.globalAlpha = 0.7 * (1 - Math.abs(a));
      ctx.fillRect(l, t, r - l, b - t);
      ctx.strokeStyle = a < 0 ? colours.negative : colours.accent;
      ctx.lineWidth = 2.5;
      ctx.globalAlpha = Math.abs(a);
      ctx.strokeRect(l + 1.25, t + 1.25, r - l - 2.5, b - t - 2.5);
      ctx.globalAlpha = 1;
    }
    crosshair(ctx, l + u * (r - l), t + v * (b - t), colours.text, layer > A.length ? 6 : 3);
  }

  // A point probed here: drawn, and sent to the probe figure.
  function probeAt(at) {
    const layers = show(at);
    figure.dispatchEvent(new CustomEvent("nn-probe", {
      bubbles: true, detail: { network: net.name, point: at, layers },
    }));
  }

  // The tile under a pointer -> the point of the plane it shows there.
  function move(event) {
    const box = view.canvas.getBoundingClientRect();
    const x = ((event.clientX - box.left) * shape.width) / box.width;
    const y = ((event.clientY - box.top) * shape.height) / box.height;
    const tile = shape.tiles.find(({ box: [l, t, r, b] }) => x >= l && x <= r && y >= t && y <= b);
    if (!tile) return;
    const [l, t, r, b] = tile.box;
    probeAt([extent[0] + ((x - l) / (r - l)) * (extent[1] - extent[0]),
      extent[3] - ((y - t) / (b - t)) * (extent[3] - extent[2])]);
  }

  // Draw the probe at `at` (`hidden`: the hidden layers' activations there,
  // if known); `speak` false for a point another figure chose, which speaks.
  function show(at, hidden = null, speak = true) {
    point = at;
    const A = hidden || forwardAll(net, inputMatrix(net, [at])).slice(0, -1)
      .map((x) => Array.from(x.A.data));
    const u = (at[0] - extent[0]) / (extent[1] - extent[0]);
    const v = (extent[3] - at[1]) / (extent[3] - extent[2]);
    const ctx = view.ctx;
    ctx.clearRect(0, 0, shape.width, shape.height);
    for (const tile of shape.tiles) light(ctx, tile, A, u, v);
    drawGrid(A, u, v);
    const text = `${where(at)}: ${classes(net, predict(net, [at])[0])}`;
    const words = A.map((a, l) => layerWords(a, net.layers[l].activation, l));
    out.say(text, speak && 700, `${text}; ${words.join("; ")}`);
    return A;
  }

  // the tiles' pictures and their first drawing: two tasks, not one long one
  // (no listener yet: nothing can draw before mount)
  heat = heatmaps();
  await turn();
  view.canvas.addEventListener("pointermove", move);
  view.canvas.addEventListener("pointerdown", move);
  // a tap or drag over the grid of every neuron probes there too
  function gridMove(event) {
    const r = grid.canvas.getBoundingClientRect();
    const x = ((event.clientX - r.left) * gw) / r.width;
    const y = ((event.clientY - r.top) * gh) / r.height;
    const t = tiles.find(({ box: b }) => b && x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3]);
    if (!t) return;
    const [l, tp, rt, b] = t.box;
    probeAt([extent[0] + ((x - l) / (rt - l)) * (extent[1] - extent[0]),
      extent[3] - ((y - tp) / (b - tp)) * (extent[3] - extent[2])]);
  }
  grid.canvas.addEventListener("pointermove", gridMove);
  grid.canvas.addEventListener("pointerdown", gridMove);
  view.canvas.addEventListener("keydown", (event) => {
    const at = nudge(event, extent, point);
    if (at) probeAt(at);
  });
  // The probe figure's pointer lights these tiles too (its event carries the
  // hidden layers' activations, so nothing is computed twice).
  document.addEventListener("nn-probe", ({ target, detail }) => {
    if (target !== figure && detail.network === net.name && detail.layers) {
      show(detail.point, detail.layers, false);
    }
  });
  phone.addEventListener("change", mount);
  mount();
  return {
    redraw: async () => { colours = await palette(); heat = null; show(point, null, false); },
  };
}
