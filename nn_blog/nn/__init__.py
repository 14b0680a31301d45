"""The engine: a multilayer perceptron from scratch, in NumPy only.

>>> from nn_blog.nn import Network, Dense, SGD
>>> net = Network([Dense(2, 16, "tanh"), Dense(16, 1, "sigmoid")], loss="bce", seed=0)
>>> X, Y = net.check_data([[0.0, 1.0], [1.0, 1.0]], [1, 0])
>>> Y_hat = net.forward(X)                  # the reference passes the post shows
>>> net.backward(Y)
>>> SGD(lr=0.1).step(net.params, net.grads)

Training (Network.fit, loss_and_grads) runs the same maths through the fast path, fast.py.
"""

from .gradcheck import gradcheck
from .io import load, save
from .layers import Dense
from .network import Network
from .optim import SGD, Adam
from .training import train

__all__ = ["Network", "Dense", "SGD", "Adam", "save", "load", "gradcheck", "train"]
