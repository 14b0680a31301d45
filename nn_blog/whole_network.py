"""The whole network on one page: the reference code of ``nn_blog.nn`` as one file a reader can
copy and run.

The package's ``Dense`` and ``Network`` also check their arguments and keep every parameter in
one flat vector for the fast path (``nn_blog/nn/fast.py``); those parts teach nothing about
learning and pull in half the package. So the file is assembled: the functions and methods the
post shows (activations, losses, initial weights, ``Dense.forward``/``backward``,
``Network.forward``/``output_dZ``/``backward``/``grads``, the optimizers' ``step``, ``train``),
copied from the source exactly as the excerpts are (``nn_blog.excerpts.extract``), inside small
classes written here (``GLUE``) that hold what the package's constructors would, without the
checks. The XOR data set and its split are copied the same way, and the last lines train the
post's XOR network (its declaration in ``_data/networks.yml``, formatted in, not typed) with
the reference loop and print its final loss and test accuracy.

tests/test_whole_network.py runs the file and checks it against the package: the same starting
weights, the same numbers after training (the reference loop against the fast path's fit,
equal up to rounding), and the XOR result the post quotes. ``nn-blog render`` writes it with
the excerpts (``_includes/generated/excerpts/whole-network.md``), so it cannot drift from the
code either; ``_pages/whole-network.md`` includes it.
"""

from __future__ import annotations

import ast
import html
from pathlib import Path

from nn_blog.errors import NNBlogError

NAME = "whole-network"
NETWORK = "xor"  # the declared network the file trains at its end
PAGE = "_pages/whole-network.md"

HEADER = '''"""The whole network: the reference code of nn-blog's post "Neural
networks from scratch", in reading order, as one file. Run it with
NumPy installed: it trains the post's XOR network and prints its result.
Generated from the package nn_blog by `nn-blog render`; the classes
Dense, Network, SGD and Adam hold here only what their methods use (the
package's also check their arguments and share one parameter vector).
"""

import math

import numpy as np
'''

ACT = "nn_blog.nn.activations."
LOSS = "nn_blog.nn.losses."
INIT = "nn_blog.nn.init."
OPT = "nn_blog.nn.optim."

DENSE = '''class Dense:
    """A fully connected layer: n_in inputs, n_out neurons, an activation.
    Network gives it W (n_in, n_out) and b (n_out,)."""

    def __init__(self, n_in, n_out, activation="identity", init=None):
        self.n_in, self.n_out = n_in, n_out
        self.activation = activation
        self.init = init or default_init(activation)
        self.f, self.df = ACTIVATIONS[activation]
        self.W = self.b = None
'''

NETWORK_CLASS = '''class Network:
    """Layers and a loss; the weights drawn from np.random.default_rng(seed),
    layer by layer, the biases zero (as the package's Network draws them)."""

    def __init__(self, layers, loss="mse", seed=0):
        self.layers = list(layers)
        self.loss = loss
        self.rng = np.random.default_rng(seed)
        for layer in self.layers:
            layer.W = init_weights(layer.init, self.rng,
                                   layer.n_in, layer.n_out)
            layer.b = np.zeros(layer.n_out)
        self.loss_fn, self.loss_derivative = LOSSES[loss]
        self.Y_hat = None

    @property
    def params(self):
        """[W1, b1, W2, b2, ...]: the arrays the optimizer updates in place."""
        return [p for layer in self.layers for p in (layer.W, layer.b)]
'''

SGD_CLASS = '''class SGD:
    """Stochastic gradient descent with momentum (the package's SGD also
    has PyTorch's dampening and Nesterov options, left out here)."""

    def __init__(self, lr=0.01, momentum=0.0, weight_decay=0.0):
        self.lr, self.momentum = lr, momentum
        self.weight_decay = weight_decay
        self.dampening, self.nesterov = 0.0, False
        self.v = None
'''

ADAM_CLASS = '''class Adam:
    """Adam (Kingma and Ba, 2015), as torch.optim.Adam."""

    def __init__(self, lr=0.001, betas=(0.9, 0.999), eps=1e-8,
                 weight_decay=0.0):
        self.lr, self.betas, self.eps = lr, tuple(betas), eps
        self.weight_decay = weight_decay
        self.t = 0
        self.m = self.v = None
'''

MAIN = '''if __name__ == "__main__":
    # The post's XOR network (_data/networks.yml), its data and split
    # drawn as nn-blog draws them from the seed.
    data_seed, split_seed, net_seed, _ = np.random.SeedSequence(
        {seed}).spawn(4)
    X, y = gate("xor", np.random.default_rng(data_seed),
                {dataset})
    X_train, X_test, y_train, y_test = stratified_split(
        X, y, {test_fraction}, np.random.default_rng(split_seed))
    net = Network([{layers}],
                  loss="{loss}", seed=int(net_seed.generate_state(1)[0]))
    losses = train(net, X_train, y_train.reshape(-1, 1).astype(float),
                   {optimizer}, epochs={epochs}, batch_size={batch_size})
    correct = (net.forward(X_test)[:, 0] >= 0.5) == y_test
    print(f"XOR after {{len(losses)}} epochs: training loss {{losses[-1]:.3f}}, "
          f"test accuracy {{correct.mean():.1%}}")
'''


def _indent(code: str) -> str:
    return "\n".join(("    " + line) if line else "" for line in code.splitlines())


def _main(spec: dict, test_fraction: float) -> str:
    """The closing lines, from the declaration: nothing in them is typed by hand."""
    if spec["loss"] != "bce" or spec["layers"][-1]["units"] != 1 or spec.get("validation"):
        raise NNBlogError("the whole-network page trains a one-output BCE network without a "
                          "validation split", file="_data/networks.yml", item=NETWORK)
    sizes = [spec["n_features"]] + [layer["units"] for layer in spec["layers"]]
    layers = ", ".join(f'Dense({n_in}, {layer["units"]}, "{layer["activation"]}")'
                       for n_in, layer in zip(sizes, spec["layers"], strict=False))
    opt = dict(spec["optimizer"])
    name = opt.pop("name")
    args = ", ".join(f"{k}={tuple(v) if isinstance(v, list) else v!r}"
                     for k, v in opt.items())
    dataset = ", ".join(f"{k}={v!r}" for k, v in spec["dataset"].items()
                        if k not in ("name", "points"))
    return MAIN.format(seed=spec["seed"], dataset=dataset, test_fraction=test_fraction,
                       layers=layers, loss=spec["loss"],
                       optimizer=f"{ {'sgd': 'SGD', 'adam': 'Adam'}[name]}({args})",
                       epochs=spec["epochs"], batch_size=spec["batch_size"])


def code(root, extract) -> str | None:
    """The whole file, as a reader runs it; None for a site without the page that shows it
    (_pages/whole-network.md) or the network it trains. ``extract(dotted)`` is the excerpts'
    (nn_blog.excerpts calls this module with it: no import back)."""
    from nn_blog.declarations import load_networks

    if not (Path(root) / PAGE).is_file():
        return None
    spec = load_networks(root).get(NETWORK)
    if spec is None:
        return None
    # read, not imported: a render with nothing stale imports nothing heavy (numpy)
    test_fraction = ast.literal_eval(
        extract("nn_blog.experiments.TEST_FRACTION").split("=", 1)[1])

    def get(*paths):
        return "\n\n\n".join(extract(p).rstrip("\n") for p in paths)

    def methods(*paths):
        return "\n\n".join(_indent(extract(p)) for p in paths)
    parts = [
        HEADER,
        "# ---- activations (nn_blog/nn/activations.py)\n\n" + get(
            ACT + "LEAKY_SLOPE", *(ACT + f + d for f in ("identity", "sigmoid", "tanh", "relu",
                                                        "leaky_relu", "silu", "softmax")
                                   for d in ("", "_derivative")), ACT + "ACTIVATIONS"),
        "# ---- losses (nn_blog/nn/losses.py)\n\n" + get(
            LOSS + "LOG_FLOOR", LOSS + "BCE_EPS",
            *(LOSS + f + d for f in ("mse", "bce", "cross_entropy") for d in ("", "_derivative")),
            LOSS + "LOSSES"),
        "# ---- initial weights (nn_blog/nn/init.py)\n\n" + get(
            *(INIT + f for f in ("xavier_uniform", "xavier_normal", "he", "small_normal",
                                 "INITS", "default_init", "init_weights"))),
        "# ---- a layer (nn_blog/nn/layers.py)\n\n" + DENSE + "\n" + methods(
            "nn_blog.nn.layers.Dense.forward", "nn_blog.nn.layers.Dense.backward"),
        "# ---- the network (nn_blog/nn/network.py)\n\n" + NETWORK_CLASS + "\n" + methods(
            *("nn_blog.nn.network.Network." + m
              for m in ("forward", "output_dZ", "backward", "grads"))),
        "# ---- optimizers (nn_blog/nn/optim.py)\n\n" + get(OPT + "decayed") + "\n\n\n"
        + SGD_CLASS + "\n" + methods(OPT + "SGD.step", OPT + "SGD._velocities",
                                     OPT + "SGD._step_with_options")
        + "\n\n\n" + ADAM_CLASS + "\n" + methods(OPT + "Adam.step"),
        "# ---- training (nn_blog/nn/training.py)\n\n" + get("nn_blog.nn.training.train"),
        "# ---- the XOR data set and its split (nn_blog/data.py)\n\n" + get(
            "nn_blog.data._GATES", "nn_blog.data._CORNERS", "nn_blog.data.gate",
            "nn_blog.data.stratified_split"),
        _main(spec, test_fraction),
    ]
    return "\n\n".join(part.rstrip("\n") for part in parts) + "\n"


def render(root, extract) -> str | None:
    """The include's text: a title line and the file in one fenced block (as an excerpt); None
    for a site that does not declare the network the file trains."""
    text = code(root, extract)
    if text is None:
        return None
    if "endraw" in text or "```" in text:
        raise NNBlogError("the whole network's code holds 'endraw' or a fence",
                          file="_data/excerpts.yml", item=NAME)
    title = html.escape("The whole network (nn_blog/nn, nn_blog/data.py): whole-network.py")
    return (f'<p class="code-title">{title}</p>\n\n{{% raw %}}\n```python\n{text}```\n'
            "{% endraw %}\n")
