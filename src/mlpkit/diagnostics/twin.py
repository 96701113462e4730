"""The network a diagnosis works on: a copy of the user's, so that nothing of theirs moves.

The doctor's probe run, the learning-rate finder and explain mode all train or perturb a
*twin* made from the network's own model-file document (:meth:`~mlpkit.Sequential.to_document`,
no pickle): the same layers, weights, layer state, random streams, target and optimizer state.
The user's network, its optimizer and its random streams are left exactly as they were.
"""

from __future__ import annotations

import numpy as np

from ..exceptions import ConfigError, NotFittedError


def network_of(model, who: str):
    """The ``mk.Sequential`` behind ``model`` (a network, a fitted estimator or a Pipeline ending
    in one), or a TypeError naming ``who`` and what it received."""
    from ..evaluation import network_of as behind

    try:
        return behind(model)
    except TypeError:
        raise TypeError(
            f"{who} takes an mk.Sequential or a fitted mlpkit estimator; got "
            f"{type(model).__name__} {model!r}."
        ) from None


def require_built(net, who: str) -> None:
    """Raise NotFittedError, naming ``who``, when the network has no weights yet."""
    if not net.built:
        raise NotFittedError(
            f"{who} needs a built network: its weights are what it explains. Call "
            f"net.build(n_features) (or fit) first."
        )


def twin(net, *, dtype: str | None = None, with_optimizer: bool = True):
    """A copy of ``net`` (built or not) that shares no memory with it.

    A built network is copied through its document, bit for bit (``dtype="float64"`` casts the
    copy's weights up, exactly); an unbuilt one is rebuilt from its config, so it gets the
    initial weights its ``random_state`` would give it (a Generator seed cannot be copied: the
    twin then draws its own). ``with_optimizer=False`` leaves the optimizer out.
    """
    from ..layers import deserialize
    from ..network import Sequential

    if not net.built:
        config = net.get_config()
        return Sequential(
            [deserialize(entry) for entry in config["layers"]],
            random_state=config["random_state"],
            dtype=dtype or config["dtype"],
            regularizer=config["regularizer"],
            preprocessor=net.preprocessor,
            target_scaler=config["target_scaler"],
        )
    document, arrays = net.to_document()
    if dtype is not None:
        document = {**document, "config": {**document["config"], "dtype": dtype}}
        arrays = {name: np.asarray(a, dtype=dtype) for name, a in arrays.items()}
    if not with_optimizer or dtype is not None:  # optimizer state stays in the net's dtype
        document = {**document, "optimizer": None}
    return Sequential.from_document(document, arrays)


def resolve_loss(net, loss, who: str):
    """The loss object: ``loss`` (a name, a config or an ``mk.losses`` object), else the
    network's from its last fit; a ConfigError naming ``who`` when there is neither."""
    from .. import losses

    if loss is not None:
        return losses.get(loss)
    if net.loss is None:
        raise ConfigError(
            f"{who} needs a loss: pass loss=, e.g. loss='mse' for a regression or "
            f"loss='categorical_cross_entropy' for a classification."
        )
    return net.loss


def check_fused_output(net, loss, who: str) -> bool:
    """Whether the loss is computed from the output layer's logits (a sigmoid or softmax
    output with a cross-entropy); a ConfigError when the loss wants an output the net lacks."""
    wanted = loss.logits_activation
    if wanted is None:
        return False
    if not isinstance(net.output_activation, wanted):
        found = type(net.output_activation).__name__.lower()
        raise ConfigError(
            f"{who}: the {loss.name} loss needs a {wanted.__name__.lower()} output layer, but "
            f"the network ends in {found}. Use activation='{wanted.__name__.lower()}' on the "
            f"output layer, or another loss."
        )
    return True


__all__ = ["check_fused_output", "network_of", "require_built", "resolve_loss", "twin"]
