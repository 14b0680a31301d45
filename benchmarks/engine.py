"""Engine benchmark: training speed of nn_blog.nn against PyTorch eager, a GEMM roofline and
scikit-learn, all in this one process with the same number of BLAS threads on every side.

    .venv/bin/python benchmarks/engine.py [--threads N] [--repeats R] [--seconds S] [--no-write]
                                          [--only CASE[,CASE...]]

Every case times blocks of training steps (or epochs) of nn_blog and of its reference in turn,
alternating which goes first, and reports the median rate of each side over the repeats.  The
spiral and digits cases are the networks the post declares in _data/networks.yml, on their
training splits.  Writes ``benchmarks/results/engine.json`` (case -> label, nn_blog, reference,
reference_name, unit, ratio, target; target null where a case is reported but not held to a
ratio) and ``benchmarks/results/engine.md``.  ``--only`` runs some of the cases and writes
nothing (a partial table would drop the others from the post's data).
"""

from __future__ import annotations

import argparse
import os
import sys

ARGS = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
ARGS.add_argument("--threads", type=int, default=1, help="BLAS/torch threads on every side")
ARGS.add_argument("--repeats", type=int, default=15, help="interleaved repeats per side")
ARGS.add_argument("--seconds", type=float, default=0.25, help="length of one timed block")
ARGS.add_argument("--no-write", action="store_true", help="print the table, write no results")
ARGS.add_argument("--only", default="", help="comma-separated cases to run (implies --no-write)")
OPTIONS = ARGS.parse_args()

# The thread count must be fixed before NumPy (OpenBLAS) and torch load their libraries.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = str(OPTIONS.threads)

import gc  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from datetime import datetime, timezone  # noqa: E402
from functools import partial  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import threadpoolctl  # noqa: E402
import torch  # noqa: E402

from nn_blog import experiments  # noqa: E402
from nn_blog.fileio import write_atomic  # noqa: E402
from nn_blog.nn import SGD, Adam, Dense, Network, fast  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
torch.set_num_threads(OPTIONS.threads)
torch.set_num_interop_threads(1)
threadpoolctl.threadpool_limits(OPTIONS.threads)

TORCH_ACTIVATIONS = {"sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}


# -- timing ----------------------------------------------------------------

# With one thread, the CPU time of this process measures the work and not the other processes
# sharing the machine; with several threads it would add them up, so wall time is used then.
CLOCK = time.process_time if OPTIONS.threads == 1 else time.perf_counter
CLOCK_NAME = "process CPU time" if OPTIONS.threads == 1 else "wall-clock time"


def rate(fn, calls):
    """Calls per second of ``fn`` over one block of ``calls`` calls (GC paused, as timeit)."""
    gc.collect()
    gc.disable()
    try:
        start = CLOCK()
        for _ in range(calls):
            fn()
        return calls / (CLOCK() - start)
    finally:
        gc.enable()


def block_size(fn):
    """How many calls of ``fn`` fill one block of about ``--seconds`` (after a warm-up)."""
    fn()
    calls = 1
    while True:
        start = CLOCK()
        for _ in range(calls):
            fn()
        elapsed = CLOCK() - start
        if elapsed > OPTIONS.seconds / 4:
            return max(1, round(calls * OPTIONS.seconds / elapsed))
        calls *= 2


def compare(ours, reference):
    """Median calls/s of each side over interleaved repeats: (ours, reference)."""
    sides = {"ours": (ours, block_size(ours)), "reference": (reference, block_size(reference))}
    rates = {"ours": [], "reference": []}
    for repeat in range(OPTIONS.repeats):
        order = ("ours", "reference") if repeat % 2 == 0 else ("reference", "ours")
        for side in order:
            fn, calls = sides[side]
            rates[side].append(rate(fn, calls))
    return statistics.median(rates["ours"]), statistics.median(rates["reference"])


# -- the two sides of a training step ---------------------------------------------------------

TORCH_DTYPES = {"float64": torch.float64, "float32": torch.float32}


def optimizer_options(declared):
    """(torch.optim class name, keyword arguments) of a declared optimizer
    ``{"name": "sgd" | "adam", "lr": ..., ...}`` (as in _data/networks.yml), defaults filled in:
    nn_blog's SGD and Adam take the same arguments as torch's."""
    opt = declared
    if opt["name"] == "adam":
        return "Adam", {"lr": opt["lr"], "betas": tuple(opt.get("betas") or (0.9, 0.999)),
                        "eps": opt.get("eps") or 1e-8,
                        "weight_decay": opt.get("weight_decay") or 0.0}
    return "SGD", {"lr": opt["lr"], "momentum": opt.get("momentum") or 0.0,
                   "nesterov": bool(opt.get("nesterov")),
                   "weight_decay": opt.get("weight_decay") or 0.0}


def optimizers(declared, torch_params):
    """(nn_blog optimizer, torch optimizer) with the same hyperparameters."""
    name, kw = optimizer_options(declared)
    return {"Adam": Adam, "SGD": SGD}[name](**kw), getattr(torch.optim, name)(torch_params, **kw)


def engine_step(net, X, Y, optimizer):
    """One nn_blog training step on a fixed batch: exactly what ``Network.fit`` does per batch
    (the fast path: backprop of the batch beside its column of ones, then the optimizer's
    fast_step, plain SGD taking η times the gradients from backprop as fit has it; the data
    is checked and folded once, as fit checks and folds it once per call)."""
    X, Y = net.check_data(X, Y)
    X1 = fast.fold(X)
    grads, params = net.grad_buffers(reuse=True), net.params
    scale = getattr(optimizer, "grad_scale", None)
    update = optimizer.fast_step if scale is None else partial(optimizer.fast_step, scale=scale)

    def step():
        net.backprop(X1, Y, grads, folded=True, scale=scale or 1.0)
        update(params, grads)

    return step


def torch_model(net):
    """The same network in torch.nn, starting from the same weights."""
    modules = []
    for i, layer in enumerate(net.layers):
        linear = torch.nn.Linear(layer.n_in, layer.n_out, dtype=TORCH_DTYPES[str(net.dtype)])
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(layer.W.T.copy()))
            linear.bias.copy_(torch.from_numpy(layer.b.copy()))
        modules.append(linear)
        fused = net.loss == "cross_entropy" and i == len(net.layers) - 1
        if layer.activation != "identity" and not fused:
            modules.append(TORCH_ACTIVATIONS[layer.activation]())
    return torch.nn.Sequential(*modules)


def torch_step(model, loss, X, Y, optimizer):
    """The same step in PyTorch eager: zero_grad, forward, loss, backward, optimizer step."""
    criterion = {"mse": torch.nn.MSELoss(), "cross_entropy": torch.nn.CrossEntropyLoss()}[loss]
    tX = torch.from_numpy(np.ascontiguousarray(X))
    tY = torch.from_numpy(Y.astype(np.int64) if loss == "cross_entropy" else Y.astype(X.dtype))

    def step():
        optimizer.zero_grad()
        criterion(model(tX), tY).backward()
        optimizer.step()

    return step


def step_case(label, net, X, Y, declared_optimizer, target):
    """Steps/s of nn_blog against PyTorch on the same network, batch and optimizer."""
    model = torch_model(net)
    ours, theirs = optimizers(declared_optimizer, model.parameters())
    ours_rate, reference = compare(engine_step(net, X, Y, ours),
                                   torch_step(model, net.loss, X, Y, theirs))
    return {"label": label, "nn_blog": ours_rate, "reference": reference,
            "reference_name": f"PyTorch {torch.__version__.split('+')[0]} eager",
            "unit": "steps/s", "ratio": ours_rate / reference, "target": target}


# -- the cases ----------------------------------------------------------------

def declared(name):
    """(spec, training X, training labels, untrained Network) of a network the post declares
    in _data/networks.yml, built exactly as ``nn-blog train`` builds it."""
    spec = experiments.load_networks(ROOT)[name]
    split = experiments.build_data(spec)
    X = split.X_train.astype(spec["dtype"])
    return spec, X, split.y_train, experiments.build_network(spec)


def describe(spec, n):
    """'2-32-32-3 relu, cross_entropy, adam lr 0.01, float64' for a declaration."""
    sizes = "-".join(str(k) for k in [spec["n_features"]] + [l["units"] for l in spec["layers"]])
    hidden = sorted({layer["activation"] for layer in spec["layers"][:-1]})
    opt = spec["optimizer"]
    extra = f", weight decay {opt['weight_decay']:g}" if opt.get("weight_decay") else ""
    return (f"{spec['name']} net as declared: {sizes} {'/'.join(hidden)}, {spec['loss']}, "
            f"{opt['name']} lr {opt['lr']:g}{extra}, {spec['dtype']}, {n} training samples")


def mnist_like(n=256, seed=0):
    # Timing does not depend on the pixel values: random images of MNIST's shape, no download.
    rng = np.random.default_rng(seed)
    return rng.random((n, 784), dtype=np.float32), rng.integers(0, 10, n)


def gemm_roofline(sizes, n, dtype):
    """Steps/s if a step were only its matrix products: forward X W per layer, backward
    dW = A^T dZ per layer and dX = dZ W^T for every layer but the first (NumPy's BLAS, outputs
    preallocated)."""
    rng = np.random.default_rng(0)
    As = [rng.random((n, k), dtype=dtype) for k in sizes]
    Ws = [rng.random((a, b), dtype=dtype) for a, b in zip(sizes, sizes[1:], strict=False)]
    Zs = [np.empty((n, b), dtype=dtype) for b in sizes[1:]]
    dWs = [np.empty_like(W) for W in Ws]
    dXs = [np.empty((n, a), dtype=dtype) for a in sizes[:-1]]
    # W^T in whichever layout BLAS multiplies faster (a narrow W^T contiguous; here the copy
    # is free), so the roofline is the best case of each product.
    WTs = [np.ascontiguousarray(W.T) if W.shape[1] <= 16 else W.T for W in Ws]

    def step():
        for A, W, Z in zip(As, Ws, Zs, strict=False):
            np.matmul(A, W, out=Z)
        for i in range(len(Ws) - 1, -1, -1):
            np.matmul(As[i].T, Zs[i], out=dWs[i])
            if i > 0:
                np.matmul(Zs[i], WTs[i], out=dXs[i])

    return step


SKLEARN_ACTIVATIONS = {"relu": "relu", "tanh": "tanh", "sigmoid": "logistic",
                       "identity": "identity"}


def sklearn_twin(spec):
    """scikit-learn's MLPClassifier with the declared network's hidden layers, activation,
    solver and hyperparameters.  Its L2 term alpha enters the gradient as alpha W / batch, so
    alpha = weight_decay * batch_size is the same decay of W (MLPClassifier spares b)."""
    from sklearn.neural_network import MLPClassifier

    hidden = spec["layers"][:-1]
    activations = {layer["activation"] for layer in hidden}
    opt, batch = spec["optimizer"], spec["batch_size"]
    if (len(activations) != 1 or spec["loss"] != "cross_entropy"
            or spec["layers"][-1]["activation"] not in ("identity", "softmax")):
        raise SystemExit(f"engine.py: the {spec['name']} net has no MLPClassifier twin")
    kw = {"alpha": (opt.get("weight_decay") or 0.0) * batch}
    if opt["name"] == "adam":
        beta_1, beta_2 = opt.get("betas") or (0.9, 0.999)
        kw.update(beta_1=beta_1, beta_2=beta_2, epsilon=opt.get("eps") or 1e-8)
    else:
        kw.update(momentum=opt.get("momentum") or 0.0,
                  nesterovs_momentum=bool(opt.get("nesterov")))
    return MLPClassifier(hidden_layer_sizes=tuple(layer["units"] for layer in hidden),
                         activation=SKLEARN_ACTIVATIONS[activations.pop()], solver=opt["name"],
                         batch_size=batch, learning_rate_init=opt["lr"], shuffle=True,
                         random_state=0, **kw)


def digits_case(target):
    """One epoch of the declared digits net: ``Network.fit`` against scikit-learn's
    MLPClassifier.partial_fit, same layers, optimizer and batch size, same training split."""
    import sklearn

    spec, X, y, net = declared("digits")
    name, kw = optimizer_options(spec["optimizer"])
    optimizer = {"Adam": Adam, "SGD": SGD}[name](**kw)
    sk = sklearn_twin(spec)
    sk.partial_fit(X, y, classes=np.arange(spec["n_classes"]))

    def ours():
        net.fit(X, y, optimizer=optimizer, epochs=1, batch_size=spec["batch_size"])

    nn_rate, sk_rate = compare(ours, lambda: sk.partial_fit(X, y))
    return {"label": f"{describe(spec, len(X))}, batch {spec['batch_size']}: one epoch",
            "nn_blog": nn_rate, "reference": sk_rate,
            "reference_name": f"scikit-learn {sklearn.__version__} MLPClassifier.partial_fit "
                              f"(solver={spec['optimizer']['name']})",
            "unit": "epochs/s", "ratio": nn_rate / sk_rate, "target": target}


def tiny_case():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(32, 2))
    net = Network([Dense(2, 16, "sigmoid"), Dense(16, 16, "sigmoid"), Dense(16, 1, "sigmoid")],
                  loss="mse", seed=0)
    return step_case("2-16-16-1 sigmoid, MSE, SGD lr 0.1, batch 32, float64", net, X,
                     (X[:, :1] * X[:, 1:] > 0).astype(float), {"name": "sgd", "lr": 0.1}, 4.0)


def spiral_case():
    spec, X, y, net = declared("spiral")
    return step_case(f"{describe(spec, len(X))}, full batch", net, X, y, spec["optimizer"], 4.0)


MNIST_LABEL = "784-256-256-10 ReLU, softmax CE, SGD lr 0.01, batch 256, float32"


def mnist_step():
    """(our step, torch's step) for the MNIST-size net, from the same weights."""
    X, y = mnist_like()
    net = Network([Dense(784, 256, "relu"), Dense(256, 256, "relu"), Dense(256, 10)],
                  loss="cross_entropy", seed=0, dtype="float32")
    model = torch_model(net)
    ours_opt, torch_opt = optimizers({"name": "sgd", "lr": 0.01}, model.parameters())
    return engine_step(net, X, y, ours_opt), torch_step(model, net.loss, X, y, torch_opt)


def mnist_case():
    # Reported, not held to a ratio: NumPy's GEMMs alone run at about PyTorch's whole step here
    # (OpenBLAS against MKL), so the roofline below is the honest bar.
    nn_rate, torch_rate = compare(*mnist_step())
    return {"label": MNIST_LABEL, "nn_blog": nn_rate, "reference": torch_rate,
            "reference_name": f"PyTorch {torch.__version__.split('+')[0]} eager",
            "unit": "steps/s", "ratio": nn_rate / torch_rate, "target": None}


def roofline_case():
    ours, _ = mnist_step()
    nn_rate, roof = compare(ours, gemm_roofline([784, 256, 256, 10], 256, np.float32))
    return {"label": MNIST_LABEL + ", against its GEMMs alone", "nn_blog": nn_rate,
            "reference": roof,
            "reference_name": "GEMM roofline: the step's 8 matrix products alone (NumPy BLAS)",
            "unit": "steps/s", "ratio": nn_rate / roof, "target": 0.88}


CASES = {"tiny_mlp": tiny_case, "spiral": spiral_case, "mnist_mlp": mnist_case,
         "mnist_roofline": roofline_case, "digits_sklearn": lambda: digits_case(2.0)}


def run_cases(names):
    unknown = sorted(set(names) - set(CASES))
    if unknown:
        raise SystemExit(f"engine.py: --only: unknown cases {unknown} (known: {', '.join(CASES)})")
    return {name: case() for name, case in CASES.items() if name in names}


# -- report ----------------------------------------------------------------

def cpu_name():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine():
    blas = [f"{info.get('internal_api')} {info.get('version')} ({info.get('num_threads')} "
            f"threads, {Path(info.get('filepath', '')).name})"
            for info in threadpoolctl.threadpool_info()]
    torch_blas = "MKL" if "BLAS_INFO=mkl" in torch.__config__.show() else "its bundled BLAS"
    return {"python": platform.python_version(), "numpy": np.__version__,
            "torch": torch.__version__, "cpu": cpu_name(), "cores": os.cpu_count(),
            "threads": OPTIONS.threads, "torch_threads": torch.get_num_threads(), "blas": blas,
            "torch_blas": torch_blas, "load": os.getloadavg()[0]}


def markdown(results, info):
    command = ".venv/bin/python benchmarks/engine.py " + " ".join(sys.argv[1:])
    lines = ["## Engine: nn_blog.nn against PyTorch, a GEMM roofline and scikit-learn", "",
             "| case | what | nn_blog | reference | ratio | target | met |",
             "|---|---|---:|---:|---:|---:|:-:|"]
    for case, r in results.items():
        if r["target"] is None:
            target, met = "(reported)", "–"
        else:
            target, met = f">= {r['target']:g}x", "yes" if r["ratio"] >= r["target"] else "NO"
        lines.append(f"| `{case}` | {r['label']} | {r['nn_blog']:,.1f} {r['unit']} | "
                     f"{r['reference']:,.1f} ({r['reference_name']}) | {r['ratio']:.2f}x | "
                     f"{target} | {met} |")
    lines += ["", f"Command: `{command.strip()}`, which `make bench` and `benchmarks/run.py "
              f"engine` run (median of {OPTIONS.repeats} interleaved "
              f"repeats of ~{OPTIONS.seconds:g} s blocks per side, one process, timed by "
              f"{CLOCK_NAME}).",
              f"Machine: {info['cpu']}, {info['cores']} cores, shared (1-minute load average "
              f"{info['load_before']:.2f} at the start of the run, {info['load']:.2f} at its end; "
              f"this run adds 1); Python {info['python']}, "
              f"NumPy {info['numpy']}, torch {info['torch']} (GEMMs through {info['torch_blas']}, "
              f"linked into torch).",
              f"Threads: {info['threads']} on every side (OPENBLAS/OMP/MKL_NUM_THREADS, "
              f"threadpoolctl, torch.set_num_threads = {info['torch_threads']}); "
              f"BLAS libraries loaded: {'; '.join(info['blas'])} (NumPy's is the "
              "scipy_openblas64 one; the other is SciPy's, used by scikit-learn).",
              "A step is forward, loss, backward and the optimizer's update on a fixed batch, "
              "from the same initial weights on both sides (nn_blog: the body of "
              "`Network.fit`'s batch loop, `Network.backprop` of the batch already beside its "
              "column of ones, as fit folds its data once per call, and `fast_step`, plain SGD "
              "taking η times the gradients from backprop as fit has it; PyTorch: "
              "zero_grad, forward, loss, backward, "
              "`optimizer.step()` with torch.optim's defaults): plain SGD for the two "
              "synthetic nets, the declared Adam for the spiral net. The spiral and digits "
              "cases use the networks declared in `_data/networks.yml` and their training "
              "splits, built as `nn-blog train` builds them; the digits case times whole "
              "epochs of `Network.fit` (shuffling and history included) against "
              "`MLPClassifier.partial_fit` with the same hidden layer, activation, solver, "
              "learning rate, batch size and weight decay (alpha = weight_decay x batch)."]
    return "\n".join(lines) + "\n"


def main():
    load_before = os.getloadavg()[0]
    names = [name for name in OPTIONS.only.split(",") if name] or list(CASES)
    results = run_cases(names)
    # the day of the run (UTC), on every case: a post dates the numbers it quotes
    measured = datetime.now(timezone.utc).date().isoformat()
    for result in results.values():
        result["measured"] = measured
    info = dict(machine(), load_before=load_before)
    table = markdown(results, info)
    if not OPTIONS.no_write and not OPTIONS.only:
        write_atomic(RESULTS / "engine.json", json.dumps(results, indent=2) + "\n")
        write_atomic(RESULTS / "engine.md", table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
