"""LayerStatistics records the per-layer numbers of issue 15 item 1, each checked against a
computation by hand; off, it costs nothing (its batch hooks are not even called)."""

import numpy as np
import pytest
from doctor_cases import blobs, stack

import mlpkit as mk
from mlpkit.diagnostics import LayerStatistics
from mlpkit.diagnostics.probe import dead_fraction, saturated_fraction

X, y = blobs(n=200)
BCE = "binary_cross_entropy"


def test_gradient_norms_are_the_trainers_own_per_layer_statistic():
    stats = LayerStatistics()
    history = stack("relu", 3, 16).fit(X, y, loss=BCE, epochs=3, callbacks=[stats])
    for key in ("0:Dense", "1:Dense", "2:Dense"):
        assert stats.history[f"grad_norm/{key}"] == history.history[f"grad_norm/{key}"]
    # a layer's norm never exceeds the global one (sum of squares over layers, batch by batch)
    layers = np.array([history.history[f"grad_norm/{k}:Dense"] for k in range(3)])
    assert (layers <= np.array(history.history["grad_norm_max"]) + 1e-6).all()


def test_update_ratio_and_weight_norm_equal_a_hand_computation_for_one_full_batch_step():
    net = stack("relu", 2, 4).build(X.shape[1])
    before = net.params.copy()
    stats = LayerStatistics(update_every=1)
    net.fit(
        X, y, loss=BCE, optimizer=mk.optim.SGD(0.1), batch_size=None, epochs=1, callbacks=[stats]
    )
    after = net.params
    first = slice(0, 8 * 4 + 4)  # W (8, 4) and b (4,) of layer 0
    expected = np.linalg.norm(after[first] - before[first]) / np.linalg.norm(before[first])
    assert stats.history["update_ratio/0:Dense"][0] == pytest.approx(expected, rel=1e-5)
    assert stats.history["weight_norm/0:Dense"][0] == pytest.approx(
        np.linalg.norm(after[first]), rel=1e-6
    )


def test_dead_and_saturated_fractions_count_units():
    a = np.array([[0.0, 1.0, 0.0], [0.0, 2.0, 3.0]])
    assert dead_fraction(a) == pytest.approx(1 / 3)  # unit 0 only is never active
    s = np.array([[0.999, 0.5], [0.998, 0.999], [0.5, 0.6]])
    # unit 0: σ' = 0.001, 0.002 (< 0.05·¼) on 2 of 3 rows → saturated; unit 1 on 1 of 3 → not
    assert saturated_fraction(s, "sigmoid", 0.05) == 0.5
    assert saturated_fraction(np.array([[0.995], [-0.999]]), "tanh", 0.05) == 1.0


def test_probe_statistics_before_and_after_training_and_histograms():
    dead = stack("relu", 3, 16, bias_initializer=mk.initializers.Constant(-10.0))
    stats = LayerStatistics(probe=X[:50], histogram_epochs=(0, -1))
    dead.fit(X, y, loss=BCE, epochs=3, callbacks=[stats])
    assert stats.initial["dead_fraction/0:Dense"] == 1.0
    assert stats.history["dead_fraction/1:Dense"] == [1.0, 1.0, 1.0]
    assert stats.history["activation_std/0:Dense"] == [0.0, 0.0, 0.0]
    assert sorted(stats.histograms) == [0, 2]
    counts, edges = stats.histograms[2]["weights/0:Dense"]
    assert counts.sum() == 8 * 16 + 16 and len(edges) == 31
    assert stats.histograms[0]["activations/2:Dense"][0].sum() == 50
    assert stats.epoch == [0, 1, 2]


def test_off_it_costs_nothing_and_update_every_0_skips_the_batch_hooks():
    calls = []

    class Counting(LayerStatistics):
        def on_batch_end(self, batch, logs=None):
            calls.append(batch)

    assert LayerStatistics().wants_batches and not LayerStatistics(update_every=0).wants_batches
    stack("relu", 2, 4).fit(X, y, loss=BCE, epochs=1, callbacks=[Counting(update_every=0)])
    assert calls == []
    with pytest.raises(mk.ConfigError, match="update_every=-1"):
        LayerStatistics(update_every=-1)


def test_the_pictures_of_the_statistics():
    stats = LayerStatistics(probe=X[:50], histogram_epochs=(-1,))
    stack("relu", 3, 16).fit(X, y, loss=BCE, epochs=3, callbacks=[stats])
    figure = mk.plots.layer_statistics(stats, "update_ratio")
    ax = figure.axes[0]
    assert [line.get_label() for line in ax.lines] == [
        "layer 0 (Dense)",
        "layer 1 (Dense)",
        "layer 2 (Dense)",
    ]
    assert ax.get_yscale() == "log" and len(ax.lines[0].get_ydata()) == 3
    dead = mk.plots.layer_statistics(stats.history, "dead_fraction").axes[0]
    assert dead.get_yscale() == "linear" and len(dead.lines) == 2  # the ReLU layers
    panels = mk.plots.histograms(stats, kind="gradients").axes
    assert [ax.get_title() for ax in panels if ax.get_visible()] == [
        "layer 0:Dense",
        "layer 1:Dense",
        "layer 2:Dense",
    ]
    with pytest.raises(ValueError, match="no 'bogus'"):
        mk.plots.layer_statistics(stats, "bogus")


def test_a_resumed_fit_carries_the_record_on():
    stats = LayerStatistics(probe=X[:20])
    stack("relu", 2, 4).fit(X, y, loss=BCE, epochs=2, callbacks=[stats])
    restored = LayerStatistics(probe=X[:20])
    restored.set_state(stats.get_state())
    assert restored.history == stats.history and restored.epoch == [0, 1]
    assert restored.initial == stats.initial
