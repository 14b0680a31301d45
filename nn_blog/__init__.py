"""nn_blog: a neural network from scratch in NumPy, and the service that renders its blog."""

__version__ = "0.1.0"
