r"""Per-layer statistics recorded during ``fit``: a callback, off unless you pass it.

    stats = mk.diagnostics.LayerStatistics(probe=X[:256], histogram_epochs=(0, -1))
    net.fit(X, y, loss="mse", epochs=20, callbacks=[stats])
    stats.history["update_ratio/0:Dense"]      # one value per epoch
    mk.plots.layer_statistics(stats, "dead_fraction")

Recorded per epoch, per top-level layer ``<i>:<Layer>`` (keys ``"<statistic>/<i>:<Layer>"``):

- ``grad_norm``: the mean over the epoch's batches of ‖g_layer‖₂ — copied from the epoch logs,
  where the trainer computes it with the global norm ‖g‖₂ (``mlpkit.training.epoch``): one
  statistic, so ‖g‖₂² = Σ_layers ‖g_layer‖₂² batch by batch;
- ``weight_norm``: ‖θ_layer‖₂ at the epoch's end (W and b of a Dense layer together);
- ``update_ratio``: the mean over sampled steps of ‖Δθ_layer‖₂ / ‖θ_layer‖₂, Δθ one
  optimizer step and θ the weights before it (healthy ≈ 1e-3, CS231n); a step is sampled
  every ``update_every`` batches;
- on the ``probe`` rows, at the epoch's end (see :mod:`.probe`): ``activation_mean``,
  ``activation_std``, ``z_std``, ``dead_fraction`` (ReLU), ``saturated_fraction``
  (sigmoid/tanh). ``initial`` holds the same, before the first step.

``histograms[epoch]`` holds ``{"weights/<key>", "gradients/<key>", "activations/<key>":
(counts, edges)}`` for the epochs in ``histogram_epochs`` (0-based in this fit, negative from
its end); the gradients are the epoch's last batch's, as the step used them.

Cost: without this callback, nothing (the trainer logs the per-layer gradient norms anyway).
With it: one probe pass per epoch, and every ``update_every`` batches one copy of the
parameters and one pass over them (``benchmarks/bench_doctor.py`` measures it).
"""

from __future__ import annotations

import numpy as np

from ..exceptions import ConfigError
from ..training.callbacks import Callback
from ..training.epoch import block_squares, layer_blocks
from .probe import layer_passes, layer_statistics

#: Bins of each histogram.
BINS = 30
#: Saturation: f'(z) below this fraction of its largest value (see :mod:`.probe`).
SATURATION_MARGIN = 0.05


class LayerStatistics(Callback):
    """Record per-layer statistics of a fit (see the module docstring for each one).

    Args:
        probe: rows of X (as ``fit`` takes them) for the activation statistics; None skips
            them. A few hundred rows are plenty.
        update_every: sample the update/weight ratio every this many batches; 0 never (the
            batch hooks are then not called at all). Defaults to 10.
        histogram_epochs: epochs (0-based within the fit; -1 the last) whose histograms to
            keep. Defaults to none.
        saturation_margin: see :mod:`.probe`. Defaults to 0.05.

    Attributes:
        history: ``{"<statistic>/<i>:<Layer>": [one value per epoch]}``.
        initial: the probe statistics before the first step (``{}`` without a probe).
        histograms: ``{epoch index: {"weights/<key>": (counts, edges), ...}}``.
        epoch: the epoch indices recorded (they continue across fits, as History's).
    """

    #: What a resumed fit carries on (``mk.callbacks.Checkpoint``); histograms are not kept.
    state_attributes = ("history", "initial", "epoch")

    def __init__(
        self, probe=None, *, update_every: int = 10, histogram_epochs=(), saturation_margin=None
    ) -> None:
        if isinstance(update_every, bool) or not isinstance(update_every, int) or update_every < 0:
            raise ConfigError(
                f"LayerStatistics update_every must be a whole number >= 0, got "
                f"update_every={update_every!r}."
            )
        self.probe, self.update_every = probe, update_every
        self.histogram_epochs = tuple(int(e) for e in histogram_epochs)
        self.saturation_margin = (
            SATURATION_MARGIN if saturation_margin is None else float(saturation_margin)
        )
        self.history: dict[str, list[float]] = {}
        self.initial: dict[str, float] = {}
        self.histograms: dict[int, dict] = {}
        self.epoch: list[int] = []

    @property
    def wants_batches(self) -> bool:
        return self.update_every > 0

    # -- hooks ---------------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        net = self.model
        self.blocks = [(key.removeprefix("grad_norm/"), where) for key, where in layer_blocks(net)]
        self._probe_rows = None if self.probe is None else _network_rows(net, self.probe)
        self._before = np.empty_like(net.params) if self.update_every else None
        self._sampled = np.zeros(len(self.blocks))
        self._n_sampled = 0
        if self._probe_rows is not None:
            self.initial = layer_statistics(self._passes(), self.saturation_margin)
        first, end = self.params.get("first_epoch", 0), self.params.get("epochs", 0)
        self._histogram_at = {
            first + (e if e >= 0 else end - first + e) for e in self.histogram_epochs
        }

    def on_batch_begin(self, batch, logs=None):
        if batch % self.update_every == 0:
            np.copyto(self._before, self.model.params)

    def on_batch_end(self, batch, logs=None):
        if batch % self.update_every:
            return
        sizes = np.sqrt(block_squares(self._before, self.blocks))  # ‖θ‖ before the step
        np.subtract(self.model.params, self._before, out=self._before)  # in place: Δθ
        steps = np.sqrt(block_squares(self._before, self.blocks))
        self._sampled += np.divide(steps, sizes, out=np.zeros_like(steps), where=sizes > 0)
        self._n_sampled += 1

    def on_epoch_end(self, epoch, logs=None):
        logs, found = logs or {}, {}
        keys = [key for key, _ in self.blocks]
        found.update(
            {
                f"grad_norm/{k}": float(logs[f"grad_norm/{k}"])
                for k in keys
                if f"grad_norm/{k}" in logs
            }
        )
        weight_norms = np.sqrt(block_squares(self.model.params, self.blocks))
        found.update({f"weight_norm/{k}": float(v) for k, v in zip(keys, weight_norms)})
        if self._n_sampled:
            ratios = self._sampled / self._n_sampled
            found.update({f"update_ratio/{k}": float(v) for k, v in zip(keys, ratios)})
            self._sampled[:], self._n_sampled = 0, 0
        passes = self._passes() if self._probe_rows is not None else None
        if passes is not None:
            found.update(layer_statistics(passes, self.saturation_margin))
        if epoch in self._histogram_at:
            self.histograms[epoch] = self._histograms(passes)
        self.epoch.append(epoch)
        for key, value in found.items():
            self.history.setdefault(key, []).append(value)

    # -- helpers -------------------------------------------------------------------------------
    def _passes(self):
        return layer_passes(self.model, self._probe_rows)

    def _histograms(self, passes) -> dict:
        """Histograms of each layer's weights and last gradients, and of its probe outputs."""
        net, found = self.model, {}
        for key, where in self.blocks:
            found[f"weights/{key}"] = np.histogram(net.params[where], bins=BINS)
            found[f"gradients/{key}"] = np.histogram(net.grads[where], bins=BINS)
        for one in passes or ():
            found[f"activations/{one.key}"] = np.histogram(one.a, bins=BINS)
        return found


def _network_rows(net, X) -> np.ndarray:
    """The probe rows as the network's inputs: through its preprocessor, checked."""
    from ..training.preparation import transform_inputs

    return transform_inputs(net, X, name="probe", purpose="evaluating")[0]


__all__ = ["BINS", "SATURATION_MARGIN", "LayerStatistics"]
