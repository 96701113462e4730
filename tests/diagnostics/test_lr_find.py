"""mk.lr_find: an exponential learning-rate ramp, a suggestion, a picture, and the network's
weights, optimizer and random streams exactly as they were."""

import numpy as np
import pytest
from doctor_cases import blobs, stack

import mlpkit as mk

X, y = blobs()
BCE = "binary_cross_entropy"


def test_the_network_is_restored_bit_for_bit():
    net = stack("relu", 3, 16)
    net.fit(X, y, loss=BCE, epochs=2)
    document, arrays = net.to_document()
    mk.lr_find(net, X, y, n_steps=60)
    after_document, after_arrays = net.to_document()
    assert after_document == document
    assert arrays.keys() == after_arrays.keys()
    for name, array in arrays.items():
        assert after_arrays[name].tobytes() == array.tobytes(), name


def test_the_rates_grow_exponentially_and_the_suggestion_is_a_tenth_of_the_minimum():
    result = mk.lr_find(stack("relu", 3, 16), X, y, loss=BCE, min_lr=1e-5, max_lr=10.0, n_steps=80)
    n = len(result.lrs)
    expected = 1e-5 * (10.0 / 1e-5) ** (np.arange(n) / 79)
    np.testing.assert_allclose(result.lrs, expected, rtol=1e-12)
    best = int(np.argmin(result.smoothed))
    assert result.suggested == pytest.approx(result.lrs[best] / 10)
    assert 1e-4 < result.suggested < 1.0
    assert result.steepest <= result.lrs[best]
    # the smoothed curve is the bias-corrected moving average of the losses
    average, beta = 0.0, 0.98
    for i, loss in enumerate(result.losses[:5]):
        average = beta * average + (1 - beta) * loss
        assert result.smoothed[i] == pytest.approx(average / (1 - beta ** (i + 1)))


def test_the_run_stops_when_the_loss_blows_up():
    result = mk.lr_find(stack("relu", 3, 16), X, y, loss=BCE, min_lr=1e-3, max_lr=1e4, n_steps=100)
    assert "blew up" in result.stop_reason and len(result.lrs) < 100


def test_the_picture_marks_the_suggestion():
    result = mk.lr_find(stack("relu", 3, 16), X, y, loss=BCE, n_steps=40)
    ax = result.plot().axes[0]
    assert ax.get_xscale() == "log"
    labels = [line.get_label() for line in ax.lines]
    assert labels == ["loss", "smoothed", f"suggested: {result.suggested:.3g}"]


def test_bad_arguments_are_refused():
    net = stack("relu", 3, 16)
    with pytest.raises(mk.ConfigError, match="max_lr must exceed min_lr=0.1"):
        mk.lr_find(net, X, y, loss=BCE, min_lr=0.1, max_lr=0.01)
    with pytest.raises(mk.ConfigError, match="Unknown loss 'bce'"):
        mk.lr_find(net, X, y, loss="bce")
    with pytest.raises(ValueError, match="n_steps"):
        mk.lr_find(net, X, y, loss=BCE, n_steps=2)
