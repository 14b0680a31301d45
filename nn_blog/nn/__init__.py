"""The engine: a multilayer perceptron from scratch, in NumPy only.

>>> from nn_blog.nn import Network, Dense, Adam
>>> net = Network([Dense(2, 16, "tanh"), Dense(16, 1, "sigmoid")], loss="bce", seed=0)
"""

from .gradcheck import gradcheck
from .io import load, save
from .layers import Dense
from .network import Network
from .optim import SGD, Adam

__all__ = ["Network", "Dense", "SGD", "Adam", "save", "load", "gradcheck"]
