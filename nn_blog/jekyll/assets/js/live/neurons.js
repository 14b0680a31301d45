// The neuron heatmaps, lit where the reader probes. Every tile of the static
// figure is one neuron's activation over the whole plane; a probe point (the
// pointer or a tap on any tile, the arrow keys, or the probe figure's
// "nn-probe" event) gets a cross-hair in every tile, and each hidden neuron
// lights up as strongly as it is activated there (the weak ones fade),
// framed blue for positive, red for negative, the colours of the tiles
// themselves. The tiles' places come from the render (data-nn-layout:
// neuron_heatmaps.data), one layout per variant of the picture (wide, and
// narrow below 600 px).

import { forwardAll, inputMatrix, predict } from "../nn-engine.js";
import {
  canvas, classes, crosshair, layerWords, network, nudge, palette, panel, readout,
  strength, where,
} from "./common.js";

export default async function neurons(figure) {
  const net = await network(figure.dataset.nnNetwork);
  const layout = JSON.parse(figure.dataset.nnLayout);
  const extent = layout.plane;
  const picture = figure.querySelector("picture");
  const phone = matchMedia("(max-width: 599px)");
  const out = readout(figure);
  picture.classList.add("nn-live-over");
  panel(figure, false).append(out.node);
  const view = canvas(1, 1, `Neurons of the ${net.name} network: point at a tile, `
    + "tap it, or use the arrow keys to probe");
  view.canvas.setAttribute("role", "application"); // it takes the arrow keys
  view.canvas.style.width = "100%"; // over the picture, however wide it shows
  view.canvas.style.height = "100%";
  picture.append(view.canvas);

  let colours = await palette();
  let point = [(extent[0] + extent[1]) / 2, (extent[2] + extent[3]) / 2];
  let shape;

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
    for (const { layer, neuron, box: [l, t, r, b] } of shape.tiles) {
      if (layer > 0 && layer <= A.length) {
        // a weak neuron fades behind a veil of the page's colour; a strong one
        // stays vivid, framed in the colour of its sign
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
    const text = `${where(at)}: ${classes(net, predict(net, [at])[0])}`;
    const words = A.map((a, l) => layerWords(a, net.layers[l].activation, l));
    out.say(text, speak && 700, `${text}; ${words.join("; ")}`);
    return A;
  }

  view.canvas.addEventListener("pointermove", move);
  view.canvas.addEventListener("pointerdown", move);
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
  return { redraw: async () => { colours = await palette(); show(point, null, false); } };
}
