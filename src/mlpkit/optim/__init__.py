"""Optimizers over the flat parameter buffer, each following its ``torch.optim`` namesake."""

from ..registry import resolve
from .adam import Adam, AdamW
from .adaptive import Adadelta, Adagrad, RMSprop
from .base import Optimizer
from .sgd import SGD

OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (SGD, Adagrad, RMSprop, Adadelta, Adam, AdamW)
}


def get(identifier) -> Optimizer:
    """Resolve ``"adam"``, ``{"name": "sgd", "momentum": 0.9}`` or an Optimizer (used as is)."""
    return resolve(
        "optimizer",
        OPTIMIZERS,
        identifier,
        Optimizer,
        ", or pass an object such as mk.optim.Adam(learning_rate=1e-3)",
    )


__all__ = [
    "Optimizer",
    "SGD",
    "Adagrad",
    "RMSprop",
    "Adadelta",
    "Adam",
    "AdamW",
    "OPTIMIZERS",
    "get",
]
