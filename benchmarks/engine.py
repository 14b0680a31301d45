"""Engine benchmark: training speed of nn_blog.nn against PyTorch eager, a GEMM roofline and
scikit-learn, all in this one process with the same number of BLAS threads on every side.

    .venv/bin/python benchmarks/engine.py [--threads N] [--repeats R] [--seconds S]

Every case times blocks of training steps (or epochs) of nn_blog and of its reference in turn,
alternating which goes first, and reports the median rate of each side over the repeats.
Writes ``benchmarks/results/engine.json`` (case -> label, nn_blog, reference, reference_name,
unit, ratio, target) and ``benchmarks/results/engine.md``.
"""

from __future__ import annotations

import argparse
import os
import sys

ARGS = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
ARGS.add_argument("--threads", type=int, default=1, help="BLAS/torch threads on every side")
ARGS.add_argument("--repeats", type=int, default=9, help="interleaved repeats per side")
ARGS.add_argument("--seconds", type=float, default=0.25, help="length of one timed block")
OPTIONS = ARGS.parse_args()

# The thread count must be fixed before NumPy (OpenBLAS) and torch load their libraries.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = str(OPTIONS.threads)

import gc  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import threadpoolctl  # noqa: E402
import torch  # noqa: E402

from nn_blog.nn import SGD, Dense, Network  # noqa: E402

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

def engine_step(sizes, activations, loss, X, Y, dtype, lr):
    """One nn_blog training step on a fixed batch: exactly what ``Network.fit`` does per batch
    (the data is checked once, as fit checks it once per call)."""
    layers = [Dense(a, b, f) for a, b, f in zip(sizes, sizes[1:], activations, strict=False)]
    net = Network(layers, loss=loss, seed=0, dtype=dtype)
    X, Y = net.check_data(X, Y)
    grads, optimizer, params = net.grad_buffers(reuse=True), SGD(lr=lr), net.params

    def step():
        net.backprop(X, Y, grads)
        optimizer.step(params, grads)

    return step


def torch_step(sizes, activations, loss, X, Y, dtype, lr):
    """The same step in PyTorch eager: zero_grad, forward, loss, backward, SGD step."""
    tdtype = {"float64": torch.float64, "float32": torch.float32}[dtype]
    modules = []
    for a, b, f in zip(sizes, sizes[1:], activations, strict=False):
        modules.append(torch.nn.Linear(a, b, dtype=tdtype))
        if f != "identity":
            modules.append(TORCH_ACTIVATIONS[f]())
    model = torch.nn.Sequential(*modules)
    criterion = {"mse": torch.nn.MSELoss(), "cross_entropy": torch.nn.CrossEntropyLoss()}[loss]
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    tX = torch.from_numpy(np.ascontiguousarray(X, dtype=dtype))
    tY = torch.from_numpy(Y.astype(np.int64) if loss == "cross_entropy" else Y.astype(dtype))

    def step():
        optimizer.zero_grad()
        criterion(model(tX), tY).backward()
        optimizer.step()

    return step


def step_case(label, sizes, activations, loss, X, Y, dtype, lr, target):
    args = (sizes, activations, loss, X, Y, dtype, lr)
    ours, reference = compare(engine_step(*args), torch_step(*args))
    return {"label": label, "nn_blog": ours, "reference": reference,
            "reference_name": f"PyTorch {torch.__version__.split('+')[0]} eager",
            "unit": "steps/s", "ratio": ours / reference, "target": target}


# -- the cases ----------------------------------------------------------------

def spiral(n_per_class=100, classes=3, seed=0):
    """The cs231n spiral: ``classes`` arms of ``n_per_class`` points in 2-D."""
    rng = np.random.default_rng(seed)
    X, y = [], []
    for k in range(classes):
        r = np.linspace(0.0, 1, n_per_class)
        t = np.linspace(k * 4, (k + 1) * 4, n_per_class) + rng.normal(size=n_per_class) * 0.2
        X.append(np.c_[r * np.sin(t), r * np.cos(t)])
        y.append(np.full(n_per_class, k))
    return np.concatenate(X), np.concatenate(y)


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
    # W^T in whichever layout BLAS multiplies faster (the engine copies a narrow W^T; here the
    # copy is free), so the roofline is the best case of each product.
    WTs = [np.ascontiguousarray(W.T) if W.shape[1] <= 16 else W.T for W in Ws]

    def step():
        for A, W, Z in zip(As, Ws, Zs, strict=False):
            np.matmul(A, W, out=Z)
        for i in range(len(Ws) - 1, -1, -1):
            np.matmul(As[i].T, Zs[i], out=dWs[i])
            if i > 0:
                np.matmul(Zs[i], WTs[i], out=dXs[i])

    return step


def digits_case(target):
    """One epoch on the 8x8 digits (75% split): nn_blog's fit against scikit-learn's
    MLPClassifier.partial_fit, same architecture, SGD with Nesterov momentum 0.9, batch 32."""
    from sklearn.datasets import load_digits
    from sklearn.neural_network import MLPClassifier

    X, y = load_digits(return_X_y=True)
    X = (X - X.mean(axis=0)) / (X.std(axis=0) + 1e-8)
    X, y = X[: len(X) * 3 // 4], y[: len(y) * 3 // 4]
    hidden, activation = 64, "relu"
    net = Network([Dense(64, hidden, activation), Dense(hidden, 10)], loss="cross_entropy", seed=0)
    optimizer = SGD(lr=0.01, momentum=0.9, nesterov=True)
    sk = MLPClassifier(hidden_layer_sizes=(hidden,), activation=activation, solver="sgd",
                       batch_size=32, learning_rate_init=0.01, momentum=0.9,
                       nesterovs_momentum=True, alpha=0.0, shuffle=True, random_state=0)
    classes = np.arange(10)
    sk.partial_fit(X, y, classes=classes)

    def ours():
        net.fit(X, y, optimizer=optimizer, epochs=1, batch_size=32)

    def reference():
        sk.partial_fit(X, y)

    nn_rate, sk_rate = compare(ours, reference)
    import sklearn

    return {"label": f"digits 64-{hidden}-10 {activation}, softmax CE, SGD, batch 32, float64, "
                     f"{len(X)} samples: one epoch",
            "nn_blog": nn_rate, "reference": sk_rate,
            "reference_name": f"scikit-learn {sklearn.__version__} MLPClassifier.partial_fit",
            "unit": "epochs/s", "ratio": nn_rate / sk_rate, "target": target}


def run_cases():
    rng = np.random.default_rng(0)
    results = {}
    X = rng.normal(size=(32, 2))
    results["tiny_mlp"] = step_case(
        "2-16-16-1 sigmoid, MSE, batch 32, float64", [2, 16, 16, 1], ["sigmoid"] * 3, "mse",
        X, (X[:, :1] * X[:, 1:] > 0).astype(float), "float64", 0.1, 4.0)
    X, y = spiral()
    results["spiral"] = step_case(
        "spiral 2-100-3 ReLU, softmax CE, 300 points full batch, float64", [2, 100, 3],
        ["relu", "identity"], "cross_entropy", X, y, "float64", 1.0, 4.0)
    X, y = mnist_like()
    sizes, args = [784, 256, 256, 10], (["relu", "relu", "identity"], "cross_entropy")
    ours = engine_step(sizes, *args, X, y, "float32", 0.01)
    label = "784-256-256-10 ReLU, softmax CE, batch 256, float32"
    nn_rate, torch_rate = compare(ours, torch_step(sizes, *args, X, y, "float32", 0.01))
    results["mnist_mlp"] = {"label": label, "nn_blog": nn_rate, "reference": torch_rate,
                            "reference_name": f"PyTorch {torch.__version__.split('+')[0]} eager",
                            "unit": "steps/s", "ratio": nn_rate / torch_rate, "target": 1.2}
    nn_rate, roof = compare(ours, gemm_roofline(sizes, 256, np.float32))
    results["mnist_roofline"] = {
        "label": label + ", against its GEMMs alone", "nn_blog": nn_rate, "reference": roof,
        "reference_name": "GEMM roofline: the step's 8 matrix products alone (NumPy BLAS)",
        "unit": "steps/s", "ratio": nn_rate / roof, "target": 0.9}
    results["digits_sklearn"] = digits_case(2.0)
    return results


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
        lines.append(f"| `{case}` | {r['label']} | {r['nn_blog']:,.1f} {r['unit']} | "
                     f"{r['reference']:,.1f} ({r['reference_name']}) | {r['ratio']:.2f}x | "
                     f">= {r['target']:g}x | {'yes' if r['ratio'] >= r['target'] else 'NO'} |")
    lines += ["", f"Command: `{command.strip()}` (median of {OPTIONS.repeats} interleaved "
              f"repeats of ~{OPTIONS.seconds:g} s blocks per side, one process, timed by "
              f"{CLOCK_NAME}).",
              f"Machine: {info['cpu']}, {info['cores']} cores (load average "
              f"{info['load']:.1f} at the end of the run); Python {info['python']}, "
              f"NumPy {info['numpy']}, torch {info['torch']} (GEMMs through {info['torch_blas']}, "
              f"linked into torch).",
              f"Threads: {info['threads']} on every side (OPENBLAS/OMP/MKL_NUM_THREADS, "
              f"threadpoolctl, torch.set_num_threads = {info['torch_threads']}); "
              f"BLAS libraries loaded: {'; '.join(info['blas'])} (NumPy's is the "
              "scipy_openblas64 one; the other is SciPy's, used by scikit-learn).",
              "A step is forward, loss, backward and a plain SGD update on a fixed batch "
              "(nn_blog: the body of `Network.fit`'s batch loop); the digits case times whole "
              "epochs of `Network.fit` (shuffling and history included) against "
              "`MLPClassifier.partial_fit`."]
    return "\n".join(lines) + "\n"


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def main():
    results = run_cases()
    info = machine()
    write(RESULTS / "engine.json", json.dumps(results, indent=2) + "\n")
    table = markdown(results, info)
    write(RESULTS / "engine.md", table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
