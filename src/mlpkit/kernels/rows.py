"""Activations applied row by row in compiled code, after a layer's product and bias.

One loop, :func:`activate_rows`, serves the two compiled prediction paths, the one-call
Dense stack (:mod:`mlpkit.dense_stack`) and the packed GEMM (:mod:`mlpkit.kernels.gemm`), so
they give the same bits for the same z. Its NumPy reference is the inference path's own
activations (:mod:`mlpkit.inference`): the tests check the paths against each other.
"""

from __future__ import annotations

import numpy as np

#: The activations :func:`activate_rows` knows, by the code a kernel's table holds.
ACTIVATION_CODES = {"linear": 0, "relu": 1, "tanh": 2, "sigmoid": 3, "softmax": 4}


def activate_rows(z, out, code):
    """out = f(z) for z (n, units), row by row, out (n, units) z itself or apart; f by
    :data:`ACTIVATION_CODES`: identity; ReLU as "0 where z ≤ 0, else z" (NaN passes); tanh;
    σ(z) = 1/(1 + e^−z) for z ≥ 0, e^z/(1 + e^z) below (no overflow); the softmax of each
    row, e^(zᵢⱼ − mᵢ) / Σₖ e^(zᵢₖ − mᵢ), mᵢ = maxₖ zᵢₖ, the row summed in order. A kernel
    (compiled by :mod:`mlpkit.kernels.jit`); whether every entry of out is finite."""
    n, units = z.shape
    finite = True
    for i in range(n):
        if code == 4:
            m = z[i, 0]
            for j in range(1, units):
                v = z[i, j]
                m = v if v > m else m
            for j in range(units):
                out[i, j] = np.exp(z[i, j] - m)
            total = out[i, 0]
            for j in range(1, units):
                total += out[i, j]
            for j in range(units):
                out[i, j] = out[i, j] / total
        else:
            for j in range(units):
                v = z[i, j]
                if code == 1:
                    out[i, j] = 0 if v <= 0 else v
                elif code == 2:
                    out[i, j] = np.tanh(v)
                elif code == 3:
                    if v >= 0:
                        out[i, j] = 1 / (1 + np.exp(-v))
                    else:
                        e = np.exp(v)
                        out[i, j] = e / (1 + e)
                else:
                    out[i, j] = v
        for j in range(units):
            finite &= np.isfinite(out[i, j])
    return finite
