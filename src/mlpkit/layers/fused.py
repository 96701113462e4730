r"""Fused passes of a Dense layer with a ReLU: one loop where NumPy makes two or three passes.

Shapes: z, a, dy, dz (n_samples, units); b (units,).

- :func:`bias_relu`:  z ← z + b,  a = max(z, 0)           (NumPy: a broadcast add, a maximum;
  with ``a is z``, the inference path's, z ← max(z + b, 0))
- :func:`relu_backward`:  dz = dy ⊙ [a > 0]               (NumPy: a comparison, a multiply)

Each runs as a numba loop when ``mlpkit.kernels`` chooses numba (compiled on first use, cached
on disk), else as its NumPy reference below, whose time counts towards the ``"auto"`` backend's
switch; the tests check the two against each other. Measured (interleaved A/B, numba against
NumPy) on the workloads of ``benchmarks/bench_peers.py``: at 512 × 1024 float32 the forward
557 → 101 µs and the backward 247 → 106 µs per layer; a training step of "small" (forward,
loss, backward) 379 → 322 µs, best of 11 rounds. With ``a is z`` the loop that writes z twice
cannot be vectorised (LLVM's overlap check fails and it runs the scalar loop: 4096 × 128 float32,
295 µs, as slow as NumPy's two passes), so that case has its own one-array loop (39 µs).
"""

from __future__ import annotations

import numpy as np

from .. import kernels


def bias_relu_reference(z: np.ndarray, b: np.ndarray, a: np.ndarray) -> None:
    """z += b; a = max(z, 0), in NumPy."""
    z += b
    np.maximum(z, 0, out=a)


def bias_relu_kernel(z, b, a):
    """z += b; a = max(z, 0), one loop over the entries (numba)."""
    n, k = z.shape
    for i in range(n):
        for j in range(k):
            v = z[i, j] + b[j]
            z[i, j] = v
            a[i, j] = 0 if v <= 0 else v  # NaN passes, as in np.maximum
    return None


def bias_relu_in_place_kernel(z, b):
    """z ← max(z + b, 0), one loop over one array (numba): :func:`bias_relu_kernel` with a = z."""
    n, k = z.shape
    for i in range(n):
        for j in range(k):
            v = z[i, j] + b[j]
            z[i, j] = 0 if v <= 0 else v  # NaN passes, as in np.maximum
    return None


def relu_backward_reference(a: np.ndarray, dy: np.ndarray, dz: np.ndarray) -> None:
    """dz = dy ⊙ [a > 0], in NumPy (ReLU'(0) = 0)."""
    np.greater(a, 0, out=dz, casting="unsafe")
    dz *= dy


def relu_backward_kernel(a, dy, dz):
    """dz = dy if a > 0 else 0·dy, one loop over the entries (numba)."""
    n, k = a.shape
    for i in range(n):
        for j in range(k):
            dz[i, j] = dy[i, j] if a[i, j] > 0 else 0 * dy[i, j]  # NaN passes
    return None


def bias_relu(z: np.ndarray, b: np.ndarray, a: np.ndarray) -> None:
    """z ← z + b and a = max(z, 0): the compiled loop, or the NumPy reference."""
    in_place = a is z
    fused = kernels.compiled(bias_relu_in_place_kernel if in_place else bias_relu_kernel)
    if fused is not None:
        fused(*((z, b) if in_place else (z, b, a)))
        return
    with kernels.reference_work("bias_relu", z.size):
        bias_relu_reference(z, b, a)


def relu_backward(a: np.ndarray, dy: np.ndarray, dz: np.ndarray) -> None:
    """dz = dy ⊙ [a > 0]: the compiled loop, or the NumPy reference. Shaped samples
    (n, C, *S), a convolution's, go through the loop as (n, C·∏S) views when all three
    arrays are C-contiguous (the loop is written for rows), else through the reference."""
    fused = kernels.compiled(relu_backward_kernel)
    arrays = (a, dy, dz)
    if fused is not None and (a.ndim == 2 or all(x.flags.c_contiguous for x in arrays)):
        fused(*(x.reshape(x.shape[0], -1) for x in arrays))  # views; rows as they are
        return
    with kernels.reference_work("relu_backward", a.size):
        relu_backward_reference(a, dy, dz)
