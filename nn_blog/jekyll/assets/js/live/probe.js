// A decision boundary you can probe: hover, touch or move a cross-hair with
// the arrow keys; the readout gives each class's probability at that point
// and every hidden neuron's activation there (a strip per hidden layer, red
// for negative, blue for positive, as the neuron heatmaps). Each move also
// dispatches an "nn-probe" event on document with {network, point, layers}:
// the neuron heatmaps (neurons.js) light up the same neurons, and a probe of
// theirs moves this cross-hair in turn.

import { forwardAll, inputMatrix, predict } from "../nn-engine.js";
import {
  canvas, classes, crosshair, drawPoints, el, layerWords, network, nudge, paintRegions, palette,
  panel, planeMap, pointer, readout, regions, regionsInSlices, rgb, strength, where, widthFor,
} from "./common.js";

export default async function probe(figure) {
  const net = await network(figure.dataset.nnNetwork);
  const extent = net.json.plane;
  if (!extent) throw new Error(`${net.name} is not a 2-D network`);
  // the static figure stays above (its points and ringed mistakes, which its
  // caption describes); data-nn-replace="true" hides it
  const box = panel(figure, figure.dataset.nnReplace === "true");
  const w = widthFor(figure);
  const h = Math.round((w * (extent[3] - extent[2])) / (extent[1] - extent[0]));
  const view = canvas(w, h, `Decision regions of the ${net.name} network: move the `
    + "pointer, tap, or use the arrow keys to probe", true);
  view.canvas.classList.add("nn-live-point"); // a finger still scrolls the page
  view.canvas.setAttribute("role", "application"); // it takes the arrow keys
  const map = planeMap(extent, w, h);
  const out = readout(figure);
  const hidden = net.layers.slice(0, -1).map((layer) =>
    canvas(Math.min(w, layer.W.cols * 14), 14, ""));
  // each strip with its name, so that a narrow screen wraps them as pairs
  const strips = el("div", { class: "nn-live-controls" },
    ...hidden.map((s, l) => el("span", { class: "nn-live-pair" },
      el("span", { text: `layer ${l + 1}` }), s.canvas)),
    el("span", { class: "nn-live-note", text: "red −1, blue +1" }));
  box.append(view.canvas, out.node, strips);
  hidden.forEach((s) => s.canvas.removeAttribute("tabindex"));

  let colours = await palette();
  let point = [(extent[0] + extent[1]) / 2, (extent[2] + extent[3]) / 2];
  let background = null;

  // The regions at 96 cells cost ~60 ms on a slow phone: a coarse 32 at once,
  // the fine ones made in slices of a few ms (no long task) and then shown.
  let drawn = 0; // which render the fine regions belong to (a redraw starts anew)
  function paint(image) {
    paintRegions(view.ctx, image, w, h, colours);
    const shown = net.json.points || net.json.train;
    if (shown) drawPoints(view.ctx, map, shown.X, shown.y, colours, 2);
    background = view.ctx.getImageData(0, 0, view.canvas.width, view.canvas.height);
  }
  function render() {
    const id = ++drawn;
    paint(regions(net, extent, w, h, colours, 32));
    show(point);
    regionsInSlices(net, extent, w, h, colours).then((image) => {
      if (id !== drawn) return;
      paint(image);
      show(point, false);
    });
  }

  // Draw the probe at `at`; `tell` false for a point another figure chose
  // (it speaks, and sends no event back).
  function show(at, tell = true) {
    point = at;
    view.ctx.putImageData(background, 0, 0);
    const inside = at[0] >= extent[0] && at[0] <= extent[1] && at[1] >= extent[2]
      && at[1] <= extent[3];
    const [px, py] = map.toPixel(at);
    if (inside) crosshair(view.ctx, px, py, colours.text);
    const [p] = predict(net, [at]);
    out.say(`${where(at)}${inside ? "" : ", outside the plane drawn here"}: ${classes(net, p)}`,
      tell && 700);
    const layers = forwardAll(net, inputMatrix(net, [at])).slice(0, -1)
      .map(({ A }) => Array.from(A.data));
    layers.forEach((A, l) => strip(hidden[l], A, net.layers[l].activation));
    if (tell) {
      figure.dispatchEvent(new CustomEvent("nn-probe", {
        bubbles: true, detail: { network: net.name, point: at, probabilities: p, layers },
      }));
    }
  }

  // One square per neuron: its activation from red (-1) through the page to
  // blue (+1); its label says in words what the colours show.
  // (an outline keeps a quiet neuron, drawn in the page's colour, visible).
  function strip(s, A, activation) {
    const size = s.w / A.length;
    s.canvas.setAttribute("aria-label", layerWords(A, activation, hidden.indexOf(s)));
    const [neg, pos, page] = [colours.negative, colours.accent, colours.page].map(rgb);
    s.ctx.clearRect(0, 0, s.w, s.h);
    s.ctx.strokeStyle = colours.grid;
    s.ctx.lineWidth = 1;
    A.forEach((a, j) => {
      const v = strength(a, activation);
      const [r, g, b] = (v < 0 ? neg : pos).map((c, i) => page[i] + (c - page[i]) * Math.abs(v));
      s.ctx.fillStyle = `rgb(${r | 0},${g | 0},${b | 0})`;
      s.ctx.fillRect(j * size, 0, size - 1, s.h);
      s.ctx.strokeRect(j * size + 0.5, 0.5, size - 2, s.h - 1);
    });
  }

  const move = (event) => show(map.toPlane(pointer(event, view)));
  view.canvas.addEventListener("pointermove", move);
  view.canvas.addEventListener("pointerdown", (event) => {
    view.canvas.setPointerCapture(event.pointerId);
    move(event);
  });
  view.canvas.addEventListener("keydown", (event) => {
    const at = nudge(event, extent, point);
    if (at) show(at);
  });
  // a probe of the same network elsewhere (the neuron heatmaps, whose square
  // plane reaches past this one) moves this one too
  document.addEventListener("nn-probe", ({ target, detail }) => {
    if (target !== figure && detail.network === net.name) show(detail.point, false);
  });

  render();
  return { redraw: async () => { colours = await palette(); render(); } };
}
