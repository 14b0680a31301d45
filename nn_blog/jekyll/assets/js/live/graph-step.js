// Backpropagation, one step at a time, on the post's worked example (the
// computation-graph figure: two inputs, two sigmoid hidden neurons, one
// sigmoid output, binary cross-entropy, one sample). Buttons walk the graph:
// Step (one node), Forward, Backward, Update; each node shows its value and
// gradient once the walk reaches it, each edge its local derivative. The
// inputs, the target and every weight and bias can be changed, and every
// number is recomputed by the browser engine (nn-engine.js forward,
// nn-train.js backward and SGD), from the figure's own starting point
// (its manifest data, at full precision: data-nn-layout).
//
// compute() has no DOM: tests/test_graph_step.py runs it in Node against the
// Python engine's numbers.

import { forwardAll, matrix } from "../nn-engine.js";
import { lossAndGrads, sgd, trainable } from "../nn-train.js";
import { el, panel } from "./common.js";

const HIDDEN = 2;
const LIMIT = 100; // the figure's own bound on x (_data/figures.yml); weights too

const rows = (M) => Array.from({ length: M.rows },
  (_, i) => Array.from(M.data.subarray(i * M.cols, (i + 1) * M.cols)));

// Every number of one step from {x: [x1, x2], y, lr, hidden: {W, b},
// output: {W, b}} (W with one row per input, as the figure's data):
// the keys of the figure's data (hidden/output: W, b, z, a, dz, dW, db,
// W_after, b_after; y_hat, loss, y_hat_after, loss_after, loss_change) and,
// for the graph's edges, output.da (dl/da of each hidden activation).
export function compute({ x, y, lr, hidden, output }) {
  const layer = (p, n_in, n_out) => ({
    W: matrix(n_in, n_out, Float64Array.from(p.W.flat())),
    b: Float64Array.from(p.b),
    activation: "sigmoid",
  });
  const net = { layers: [layer(hidden, 2, HIDDEN), layer(output, HIDDEN, 1)] };
  const X = matrix(1, 2, Float64Array.from(x));
  const Y = matrix(1, 1, Float64Array.of(y));
  const fwd = forwardAll(net, X);
  const { loss, grads } = lossAndGrads(net, "bce", X, Y);
  const after = trainable(net);
  sgd({ lr })(after, grads);
  const again = forwardAll(after, X);
  const lossAfter = lossAndGrads(after, "bce", X, Y).loss;
  const out = (l) => ({
    W: rows(net.layers[l].W),
    b: Array.from(net.layers[l].b),
    z: Array.from(fwd[l].Z.data),
    a: Array.from(fwd[l].A.data),
    // one sample: db sums the single row of dZ, so it is that row
    dz: Array.from(grads[l].db),
    dW: rows(grads[l].dW),
    db: Array.from(grads[l].db),
    W_after: rows(after.layers[l].W),
    b_after: Array.from(after.layers[l].b),
  });
  const result = {
    x: Array.from(x), y, lr, loss, loss_after: lossAfter, loss_change: lossAfter - loss,
    y_hat: fwd[1].A.data[0], y_hat_after: again[1].A.data[0],
    hidden: out(0), output: out(1),
  };
  // dl/da_j = w_j dz: the edge from hidden neuron j into the output
  result.output.da = result.output.W.map((w) => w[0] * result.output.dz[0]);
  return result;
}

// As the static figure prints: three decimals, a true minus sign, no "-0.000".
export function fmt(v) {
  if (!Number.isFinite(v)) return String(v);
  let text = v.toFixed(3);
  if (Number(text) === 0) text = (0).toFixed(3);
  return text.replace("-", "\u2212");
}

const SUB = ["\u2081", "\u2082"];

// The walk: one entry per Step, with what it reaches.
const STAGES = [
  { pass: "start", say: () => "Nothing computed yet: the inputs and the starting weights." },
  { pass: "forward", node: "h0", say: (r) => `hidden neuron 1: z = ${fmt(r.hidden.z[0])}, a = σ(z) = ${fmt(r.hidden.a[0])}` },
  { pass: "forward", node: "h1", say: (r) => `hidden neuron 2: z = ${fmt(r.hidden.z[1])}, a = σ(z) = ${fmt(r.hidden.a[1])}` },
  { pass: "forward", node: "o", say: (r) => `output neuron: z = ${fmt(r.output.z[0])}, ŷ = σ(z) = ${fmt(r.y_hat)}` },
  { pass: "forward", node: "loss", say: (r) => `loss: ℓ = ${fmt(r.loss)}` },
  { pass: "backward", node: "o", say: (r) => `output neuron: dz = ∂ℓ/∂ŷ · σ′(z) = ŷ − y = ${fmt(r.output.dz[0])}` },
  { pass: "backward", node: "o", say: (r) => `output weights: dw = (${fmt(r.output.dW[0][0])}, ${fmt(r.output.dW[1][0])}), db = ${fmt(r.output.db[0])}; along the edges back, da = (${fmt(r.output.da[0])}, ${fmt(r.output.da[1])})` },
  { pass: "backward", node: "h0", say: (r) => `hidden neuron 1: dz = da · a(1 − a) = ${fmt(r.hidden.dz[0])}, dw = (${fmt(r.hidden.dW[0][0])}, ${fmt(r.hidden.dW[1][0])})` },
  { pass: "backward", node: "h1", say: (r) => `hidden neuron 2: dz = da · a(1 − a) = ${fmt(r.hidden.dz[1])}, dw = (${fmt(r.hidden.dW[0][1])}, ${fmt(r.hidden.dW[1][1])})` },
  { pass: "update", node: "loss", say: (r) => `update: every parameter moved by −η times its gradient; forward again, ŷ = ${fmt(r.y_hat_after)} and ℓ = ${fmt(r.loss_after)}, ${r.loss_after < r.loss ? "down" : "not down"} from ${fmt(r.loss)}` },
];
const FORWARD = 4;
const BACKWARD = 8;
const UPDATE = 9;

const STYLE = `
.nn-gs{--nn-gs-grad:#b3261e;--nn-gs-now:#fff4c2}
@media (prefers-color-scheme:dark){.nn-gs{--nn-gs-grad:#ff9a8f;--nn-gs-now:#3d3512}}
.nn-gs-graph{display:grid;grid-template-columns:minmax(5.5rem,.6fr) 1fr 1fr 1fr;gap:.6rem 1rem;
  align-items:center;font-size:.8rem;line-height:1.35;font-variant-numeric:tabular-nums}
.nn-gs-col{display:flex;flex-direction:column;gap:.6rem;min-width:0;position:relative}
.nn-gs-col:not(:last-child)::after{content:"\\2192";position:absolute;right:-.5rem;top:50%;
  transform:translate(50%,-50%);color:var(--text-muted,#59636e)}
.nn-gs-node{border:1px solid var(--border,#e1e4e8);border-radius:6px;padding:.35rem .45rem;
  background:var(--bg-raised,#fff);min-width:0}
.nn-gs-node h4{margin:0 0 .2rem;font-size:.8rem;font-weight:700}
.nn-gs-line{display:flex;flex-wrap:wrap;justify-content:space-between;gap:0 .4rem;
  border-radius:3px;padding:0 .15rem}
.nn-gs-line output{color:inherit;font-size:inherit}
.nn-gs-edge{color:var(--text-muted,#59636e)}
.nn-gs-bwd,.nn-gs-bwd output{color:var(--nn-gs-grad)}
.nn-gs-now{background:var(--nn-gs-now)}
.nn-gs input[type=number]{width:5.2rem;font:inherit;padding:.1rem .2rem;
  border:1px solid var(--border,#e1e4e8);border-radius:3px;background:var(--bg,#fbfbfa);
  color:var(--text,#1f2328)}
.nn-gs select{font:inherit;background:var(--bg,#fbfbfa);color:var(--text,#1f2328)}
.nn-gs-status{min-height:2.8em;margin:.4rem 0;font-size:.875rem}
.nn-gs-bar{position:sticky;top:0;z-index:1;background:var(--bg,#fbfbfa);padding:.1rem 0;
  border-bottom:1px solid var(--border,#e1e4e8)}
.nn-gs-key{font-size:.8rem;text-align:center;margin:.2rem 0 .4rem}
@media (max-width:599px){.nn-gs-graph{grid-template-columns:1fr;row-gap:1rem}
  .nn-gs-col{flex-direction:row;flex-wrap:wrap}.nn-gs-col>.nn-gs-node{flex:1 1 10rem}
  .nn-gs-col:not(:last-child)::after{content:"\\2193";right:50%;top:auto;bottom:-.5rem;
    transform:translate(50%,50%)}}
`;

function numberInput(label, value, onChange) {
  const input = el("input", {
    type: "number", step: "0.1", min: String(-LIMIT), max: String(LIMIT),
    inputmode: "decimal", "aria-label": label,
  });
  input.value = String(Number(value.toFixed(3)));
  input.addEventListener("change", () => {
    const v = Number(input.value);
    if (input.value.trim() === "" || !Number.isFinite(v) || Math.abs(v) > LIMIT) {
      input.setAttribute("aria-invalid", "true");
      return;
    }
    input.removeAttribute("aria-invalid");
    onChange(v);
  });
  return input;
}

export default async function graphStep(figure) {
  const data = JSON.parse(figure.dataset.nnLayout || "null");
  const start = data && data.exact;
  if (!start || !start.hidden || !start.output) throw new Error("no worked example in the figure's data");
  if (!document.getElementById("nn-gs-style")) {
    document.head.append(el("style", { id: "nn-gs-style", text: STYLE }));
  }
  const copy = (p) => ({ W: p.W.map((r) => [...r]), b: [...p.b] });
  const first = () => ({
    x: [...start.x], y: start.y, lr: start.lr,
    hidden: copy(start.hidden), output: copy(start.output),
  });
  let params = first();
  let result = compute(params);
  let stage = 0;

  const box = panel(figure, false);
  box.classList.add("nn-gs");
  const status = el("p", { class: "nn-gs-status", role: "status", "aria-live": "polite" });
  const lines = []; // {row, out, at: the stage that reaches it, value: (result) => number}
  const editors = []; // {input, read: (p) => value}

  // A line of a node: a label and a value that shows from `at` on.
  function line(label, at, value, kind = "fwd") {
    const out = el("output", { text: "·" });
    const row = el("div", { class: `nn-gs-line nn-gs-${kind}` }, el("span", { text: label }), out);
    lines.push({ row, out, at, value });
    return row;
  }
  function editor(label, short, read, write) {
    const input = numberInput(label, read(params), (v) => {
      write(params, v);
      recompute(`${label} is now ${fmt(v)}: every number recomputed`);
    });
    editors.push({ input, read });
    return el("div", { class: "nn-gs-line" }, el("span", { text: short }), input);
  }
  function node(id, title, ...children) {
    return el("div", { class: "nn-gs-node", role: "group", "aria-label": title, "data-node": id },
      el("h4", { text: title }), ...children);
  }

  const inputs = [0, 1].map((p) => node(`x${p}`, `input ${p + 1}`,
    editor(`x${SUB[p]}, input ${p + 1}`, `x${SUB[p]}`, (q) => q.x[p], (q, v) => { q.x[p] = v; })));
  const hidden = [0, 1].map((j) => node(`h${j}`, `hidden neuron ${j + 1}`,
    ...[0, 1].flatMap((p) => [
      editor(`w${SUB[p]}${SUB[j]}, weight from input ${p + 1} to hidden neuron ${j + 1}`,
        `w${SUB[p]}${SUB[j]}, edge x${SUB[p]}→`,
        (q) => q.hidden.W[p][j], (q, v) => { q.hidden.W[p][j] = v; }),
      line(`↳ ∂z/∂w${SUB[p]}${SUB[j]} = x${SUB[p]}`, 1 + j, (r) => r.x[p], "edge"),
    ]),
    editor(`b, bias of hidden neuron ${j + 1}`, "b", (q) => q.hidden.b[j], (q, v) => { q.hidden.b[j] = v; }),
    line("z = x·w + b", 1 + j, (r) => r.hidden.z[j]),
    line("a = σ(z)", 1 + j, (r) => r.hidden.a[j]),
    line("σ′(z) = a(1 − a)", 7 + j, (r) => r.hidden.a[j] * (1 - r.hidden.a[j]), "edge"),
    line("dz = da · σ′(z)", 7 + j, (r) => r.hidden.dz[j], "bwd"),
    ...[0, 1].map((p) => line(`dw${SUB[p]}${SUB[j]} = x${SUB[p]} · dz`, 7 + j, (r) => r.hidden.dW[p][j], "bwd")),
    line("db = dz", 7 + j, (r) => r.hidden.db[j], "bwd"),
    ...[0, 1].map((p) => line(`w${SUB[p]}${SUB[j]} after`, UPDATE, (r) => r.hidden.W_after[p][j])),
    line("b after", UPDATE, (r) => r.hidden.b_after[j])));
  const outputNode = node("o", "output neuron",
    ...[0, 1].flatMap((j) => [
      editor(`w${SUB[j]}, weight from hidden neuron ${j + 1} to the output`,
        `w${SUB[j]}, edge a${SUB[j]}→`,
        (q) => q.output.W[j][0], (q, v) => { q.output.W[j][0] = v; }),
      line(`↳ ∂z/∂w${SUB[j]} = a${SUB[j]}`, 3, (r) => r.hidden.a[j], "edge"),
      line(`↳ ∂z/∂a${SUB[j]} = w${SUB[j]}`, 3, (r) => r.output.W[j][0], "edge"),
    ]),
    editor("b, bias of the output neuron", "b", (q) => q.output.b[0], (q, v) => { q.output.b[0] = v; }),
    line("z = a·w + b", 3, (r) => r.output.z[0]),
    line("ŷ = σ(z)", 3, (r) => r.y_hat),
    line("σ′(z) = ŷ(1 − ŷ)", 5, (r) => r.y_hat * (1 - r.y_hat), "edge"),
    line("dz = ŷ − y", 5, (r) => r.output.dz[0], "bwd"),
    ...[0, 1].map((j) => line(`dw${SUB[j]} = a${SUB[j]} · dz`, 6, (r) => r.output.dW[j][0], "bwd")),
    line("db = dz", 6, (r) => r.output.db[0], "bwd"),
    ...[0, 1].map((j) => line(`da${SUB[j]} = w${SUB[j]} · dz`, 6, (r) => r.output.da[j], "bwd")),
    ...[0, 1].map((j) => line(`w${SUB[j]} after`, UPDATE, (r) => r.output.W_after[j][0])),
    line("b after", UPDATE, (r) => r.output.b_after[0]));
  const target = el("select", { "aria-label": "target y" },
    el("option", { value: "0", text: "0" }), el("option", { value: "1", text: "1" }));
  target.value = String(params.y);
  target.addEventListener("change", () => {
    params.y = Number(target.value);
    recompute(`target y is now ${params.y}: every number recomputed`);
  });
  const lossNode = node("loss", "loss",
    el("div", { class: "nn-gs-line" }, el("span", { text: "target y" }), target),
    line("ℓ = bce(ŷ, y)", 4, (r) => r.loss),
    line("↳ ∂ℓ/∂ŷ (edge ŷ→ℓ)", 5, (r) => (r.y_hat - r.y) / (r.y_hat * (1 - r.y_hat)), "edge"),
    line(`ŷ after one step, η = ${params.lr}`, UPDATE, (r) => r.y_hat_after),
    line("ℓ after one step", UPDATE, (r) => r.loss_after));

  const graph = el("div", { class: "nn-gs-graph" },
    el("div", { class: "nn-gs-col" }, ...inputs),
    el("div", { class: "nn-gs-col" }, ...hidden),
    el("div", { class: "nn-gs-col" }, outputNode),
    el("div", { class: "nn-gs-col" }, lossNode));

  const buttons = {};
  const button = (name, label, to) => {
    buttons[name] = el("button", { type: "button", text: label, onclick: () => go(to()) });
    return buttons[name];
  };
  const keep = el("button", {
    type: "button", text: "Keep the new weights",
    onclick: () => {
      params.hidden = { W: result.hidden.W_after.map((r) => [...r]), b: [...result.hidden.b_after] };
      params.output = { W: result.output.W_after.map((r) => [...r]), b: [...result.output.b_after] };
      stage = 0;
      recompute("the updated weights are the new start: step again");
    },
  });
  const controls = el("div", { class: "nn-live-controls" },
    button("step", "Step", () => Math.min(stage + 1, UPDATE)),
    button("forward", "Forward", () => FORWARD),
    button("backward", "Backward", () => BACKWARD),
    button("update", "Update", () => UPDATE),
    button("reset", "Reset", () => 0),
    keep);
  const key = el("p", { class: "nn-gs-key nn-live-note" },
    el("span", { text: "forward: values · " }),
    el("span", { class: "nn-gs-bwd", text: "backward: d = ∂ℓ/∂(·)" }),
    el("span", { text: " · edges: local derivatives" }));
  // the buttons and what they did stay in sight while the reader scrolls down the graph (a
  // phone stacks it a screen tall)
  box.append(el("div", { class: "nn-gs-bar" }, controls, status), key, graph);

  function show() {
    for (const { row, out, at, value } of lines) {
      const reached = stage >= at;
      out.textContent = reached ? fmt(value(result)) : "·";
      row.classList.toggle("nn-gs-now", reached && at === stage && stage > 0);
    }
    for (const { input, read } of editors) {
      // three decimals, as every number shown; the full value stays in params
      if (document.activeElement !== input) input.value = String(Number(read(params).toFixed(3)));
    }
    target.value = String(params.y);
    keep.hidden = stage < UPDATE;
    box.dataset.stage = String(stage);
  }
  function go(to) {
    const from = stage;
    stage = to;
    show();
    // a jump (Forward, Backward) tells where it ended: the last node reached
    const where = to === 0 ? "" : `Step ${stage} of ${UPDATE}, ${STAGES[stage].pass}: `;
    status.textContent = where + STAGES[to].say(result) + (to === from && to === UPDATE
      ? " (press Keep the new weights to step on from them)" : "");
  }
  function recompute(why) {
    result = compute(params);
    show();
    status.textContent = `${why}. Step ${stage} of ${UPDATE}.`;
  }
  show();
  status.textContent = STAGES[0].say(result);
  // for tests and other tools: the numbers shown
  box.nnGraphStep = { compute, get result() { return result; } };
  return { redraw: show };
}
