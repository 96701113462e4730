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
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Step,
    Tanh,
)
from .base import Layer
from .batchnorm import BatchNorm
from .conv import Conv1D, Conv2D
from .dense import Dense
from .dropout import Dropout
from .pooling import AvgPool1D, AvgPool2D, GlobalAveragePool, MaxPool1D, MaxPool2D
from .recurrent.gru import GRU
from .recurrent.lstm import LSTM
from .recurrent.simple_rnn import SimpleRNN
from .residual import Residual
from .shaping import Flatten, Reshape

#: Layer classes by name, for configs and model files.
LAYERS: dict[str, type[Layer]] = {
    cls.__name__: cls
    for cls in (
        Dense,
        Dropout,
        BatchNorm,
        Residual,
        Flatten,
        Reshape,
        Conv1D,
        Conv2D,
        MaxPool1D,
        MaxPool2D,
        AvgPool1D,
        AvgPool2D,
        GlobalAveragePool,
        SimpleRNN,
        LSTM,
        GRU,
        Linear,
        Step,
        Sigmoid,
        Tanh,
        ReLU,
        LeakyReLU,
        PReLU,
        ELU,
        Softplus,
        SiLU,
        GELU,
        Softmax,
    )
}


def deserialize(entry: dict) -> Layer:
    """Rebuild a layer from ``{"class": "Dense", "config": {...}}`` (as ``get_config`` wrote it)."""
    cls = LAYERS.get(entry.get("class"))
    if cls is None:
        raise ValueError(f"Unknown layer class {entry.get('class')!r}; known: {', '.join(LAYERS)}.")
    config = dict(entry.get("config", {}))
    if cls is Residual:
        config["layers"] = [deserialize(inner) for inner in config["layers"]]
    return cls(**config)


__all__ = [
    "Layer",
    "Dense",
    "Dropout",
    "BatchNorm",
    "Residual",
    "Flatten",
    "Reshape",
    "Conv1D",
    "Conv2D",
    "MaxPool1D",
    "MaxPool2D",
    "AvgPool1D",
    "AvgPool2D",
    "GlobalAveragePool",
    "SimpleRNN",
    "LSTM",
    "GRU",
    "LAYERS",
    "deserialize",
    "Activation",
    "ACTIVATIONS",
    "Linear",
    "Step",
    "Sigmoid",
    "Tanh",
    "ReLU",
    "LeakyReLU",
    "PReLU",
    "ELU",
    "Softplus",
    "SiLU",
    "GELU",
    "Softmax",
]
