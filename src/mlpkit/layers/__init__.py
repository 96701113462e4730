"""Layers: the building blocks of a network, each with its forward and backward pass."""

from .activations import (
    ACTIVATIONS,
    ELU,
    GELU,
    Activation,
    LeakyReLU,
    Linear,
    PReLU,
    ReLU,
    SiLU,
    Sigmoid,
    Softmax,
    Softplus,
    Step,
    Tanh,
)
from .base import Layer
from .dense import Dense

__all__ = [
    "Layer", "Dense", "Activation", "ACTIVATIONS", "Linear", "Step", "Sigmoid", "Tanh", "ReLU",
    "LeakyReLU", "PReLU", "ELU", "Softplus", "SiLU", "GELU", "Softmax",
]
