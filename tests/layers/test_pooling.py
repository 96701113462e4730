"""Max, average and global average pooling: float64 gradient checks, torch's tie rule and
padding conventions, output sizes and errors."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mlpkit.exceptions import ConfigError
from mlpkit.layers.base import ShapeError
from mlpkit.layers.pooling import (
    AvgPool1D,
    AvgPool2D,
    GlobalAveragePool,
    MaxPool1D,
    MaxPool2D,
)

from .allocation import step_peak
from .test_conv import check_gradients

POOL_CASES = {  # id -> (class, input shape, arguments, torch function)
    "max2d-2": (MaxPool2D, (2, 3, 6, 6), dict(pool_size=2), F.max_pool2d),
    "max2d-3-s2-p1": (
        MaxPool2D,
        (2, 3, 7, 6),
        dict(pool_size=3, stride=2, padding=1),
        F.max_pool2d,
    ),
    "max2d-rect-overlap": (MaxPool2D, (2, 2, 7, 7), dict(pool_size=(3, 2), stride=1), F.max_pool2d),
    "avg2d-2": (AvgPool2D, (2, 3, 6, 6), dict(pool_size=2), F.avg_pool2d),
    "avg2d-3-s2-p1": (
        AvgPool2D,
        (2, 3, 7, 6),
        dict(pool_size=3, stride=2, padding=1),
        F.avg_pool2d,
    ),
    "max2d-3-tiles-remainder": (MaxPool2D, (2, 3, 7, 8), dict(pool_size=3), F.max_pool2d),
    "max2d-rect-tiles": (MaxPool2D, (2, 2, 6, 7), dict(pool_size=(3, 2)), F.max_pool2d),
    "max1d-2-tiles-remainder": (MaxPool1D, (2, 3, 9), dict(pool_size=2), F.max_pool1d),
    "max1d-3-s2-p1": (MaxPool1D, (2, 3, 11), dict(pool_size=3, stride=2, padding=1), F.max_pool1d),
    "avg1d-2": (AvgPool1D, (2, 3, 9), dict(pool_size=2), F.avg_pool1d),
    "avg1d-3-s1-p1": (AvgPool1D, (2, 3, 9), dict(pool_size=3, stride=1, padding=1), F.avg_pool1d),
}


def built(cls, shape, kwargs):
    layer = cls(**kwargs)
    out, specs = layer.build(shape[1:])
    assert specs == []
    return layer, out


@pytest.mark.parametrize("case", POOL_CASES)
def test_pooling_gradients_match_finite_differences(case):
    cls, shape, kwargs, _ = POOL_CASES[case]
    layer, _ = built(cls, shape, kwargs)
    x = np.random.default_rng(0).normal(size=shape)  # no ties: max is differentiable here
    worst = check_gradients(layer, x)
    print(f"{case}: max |analytic - numeric| = {worst:.1e}")


@pytest.mark.parametrize("case", POOL_CASES)
def test_pooling_matches_torch_forward_and_backward_with_ties(case):
    cls, shape, kwargs, torch_pool = POOL_CASES[case]
    layer, out = built(cls, shape, kwargs)
    x = np.round(np.random.default_rng(1).normal(size=shape), 1)  # many ties within windows
    y = layer.forward(x, training=True)
    assert y.shape == (shape[0], *out)
    x_torch = torch.from_numpy(x).requires_grad_()
    options = dict(kernel_size=kwargs["pool_size"], stride=kwargs.get("stride"))
    y_torch = torch_pool(x_torch, padding=kwargs.get("padding", 0), **options)
    dy = np.random.default_rng(2).normal(size=y.shape)
    y_torch.backward(torch.from_numpy(dy))
    np.testing.assert_allclose(y, y_torch.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layer.backward(dy), x_torch.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_max_pool_gradient_goes_to_the_first_maximum_only():
    layer, _ = built(MaxPool2D, (1, 1, 2, 2), dict(pool_size=2))
    x = np.array([[[[1.0, 3.0], [3.0, 3.0]]]])
    layer.forward(x, training=True)
    np.testing.assert_array_equal(layer.backward(np.array([[[[5.0]]]])), [[[[0, 5.0], [0, 0]]]])


def test_avg_pool_counts_the_zero_padding_like_torch_count_include_pad():
    layer, _ = built(AvgPool1D, (1, 1, 2), dict(pool_size=3, stride=1, padding=1))
    np.testing.assert_allclose(layer.forward(np.array([[[3.0, 6.0]]])), [[[3.0, 3.0]]])


@pytest.mark.parametrize("shape", [(2, 3, 5), (2, 3, 4, 5), (3, 2, 1, 1)])
def test_global_average_pool_is_the_channel_mean_and_its_gradient(shape):
    layer = GlobalAveragePool()
    assert layer.build(shape[1:]) == (shape[1], [])
    x = np.random.default_rng(3).normal(size=shape)
    np.testing.assert_allclose(layer.forward(x), x.reshape(*shape[:2], -1).mean(axis=2))
    worst = check_gradients(layer, x)
    print(f"GlobalAveragePool {shape}: max |analytic - numeric| = {worst:.1e}")


def test_stride_defaults_to_the_pool_size_and_sizes_follow_the_formula():
    assert MaxPool2D(2).build((4, 28, 28))[0] == (4, 14, 14)
    assert MaxPool2D(3).build((4, 28, 28))[0] == (4, 9, 9)  # ⌊(28 − 3)/3⌋ + 1
    assert AvgPool2D(3, stride=2, padding=1).build((4, 28, 28))[0] == (4, 14, 14)
    assert MaxPool1D(2, stride=1).build((4, 10))[0] == (4, 9)
    assert MaxPool2D(2).get_config() == {"pool_size": 2, "stride": None, "padding": 0}
    config = AvgPool2D((2, 3), stride=1, padding=(1, 0)).get_config()
    assert AvgPool2D(**config).get_config() == config


def test_no_input_gradient_is_computed_when_none_is_needed():
    for layer in (MaxPool2D(2), AvgPool2D(2)):
        layer.build((1, 4, 4))
        layer.forward(np.ones((2, 1, 4, 4)), training=True)
        layer.needs_input_grad = False
        assert layer.backward(np.ones((2, 1, 2, 2))) is None


def test_bad_arguments_and_shapes_are_refused_naming_them():
    with pytest.raises(ConfigError, match="pool_size=0"):
        MaxPool2D(0)
    with pytest.raises(ConfigError, match=r"stride=\(1, 1, 1\)"):
        AvgPool2D(2, stride=(1, 1, 1))
    with pytest.raises(ConfigError, match="at most half.*padding=2"):
        MaxPool1D(3, padding=2)
    with pytest.raises(ShapeError, match=r"\(n, channels, height, width\).*\(n, 3, 8\)"):
        MaxPool2D(2).build((3, 8))
    with pytest.raises(ShapeError, match=r"spans 3 positions.*only 2"):
        AvgPool2D(3).build((1, 2, 8))
    with pytest.raises(ShapeError, match=r"GlobalAveragePool.*\(n, 16\)"):
        GlobalAveragePool().build(16)


@pytest.mark.parametrize(
    "kwargs", [dict(pool_size=2), dict(pool_size=3), dict(pool_size=2, stride=1)], ids=str
)
def test_a_max_pool_training_step_allocates_nothing_batch_sized(kwargs):
    """The tiling path (stride = pool size) and the im2col path reuse their workspaces: the
    smallest batch-sized array here (the 64 × 32 × 8 × 8 uint8 picks of pool 3) is 128 KiB,
    NumPy's ufunc buffers for casting and strided operands take up to ~75 KiB."""
    layer, _ = built(MaxPool2D, (64, 32, 26, 26), kwargs)
    x = np.random.default_rng(4).normal(size=(64, 32, 26, 26)).astype(np.float32)
    dy = np.ones_like(layer.forward(x, training=True))
    assert step_peak(layer, x, dy) < 100 * 1024
