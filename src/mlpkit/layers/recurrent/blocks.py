"""What LSTM and GRU share: four (n, H) gate blocks per step out of one GEMM over [h_t, x_t, 1].

Holds :class:`Blocks`: the pre-activations of step t + 1 are z_t M', with z_t = [h_t, x_t, 1]
and M' (4, H + F + 1, H) = [U'; W'; b'] by block, each scaled by ``block_scale`` (½ on the σ
gates: σ(a) = ½ tanh(a/2) + ½); BPTT gives δh_{t−1} and dL/dx_t from one GEMM per step and
every parameter gradient from one GEMM zᵀ ε ⊙ s².
"""

from __future__ import annotations

import numpy as np

from .base import Caches, Recurrent


class Blocks(Recurrent):
    """Four (n, H) blocks per step out of one GEMM over z_t = [h_t, x_t, 1].

    x and h live side by side in z (T + 1, n, H + F + 1), whose row t is [h_t, x_t, 1], so
    the pre-activations of step t + 1 are one GEMM z_t M' by block, M' (4, H + F + 1, H) =
    [U'; W'; b'] of each block scaled by ``block_scale`` s (½ on σ gates: σ(a) = ½ tanh(a/2)
    + ½, one tanh for all). The workspaces are block-major, (4, T, n, H): each block of a
    step is one contiguous (n, H) array (column slices of (n, 4H) cost numpy several times
    more per element). BPTT computes ε = δa' / s per block (no ½ to apply); then one GEMM
    ε [s U'ᵀ | s W'ᵀ] summed over the blocks gives δh_{t−1} and dL/dx_t together, and one
    GEMM zᵀ ε ⊙ s² every parameter gradient. Per-step views are made once per set of
    workspaces and kept.
    """

    block_scale = (0.5, 0.5, 0.5, 1.0)

    def _caches(self, n, T, dtype, training):
        H, F = self.units, self.features
        shapes = {"z": (T + 1, n, H + F + 1), "a": (4, T, n, H), **self._cell_caches(n, T)}
        arrays = {key: self._output(key, shape, dtype, training) for key, shape in shapes.items()}
        kept = self.__dict__.get("_kept_caches")
        if (
            training
            and kept is not None
            and all(getattr(kept, key) is array for key, array in arrays.items())
        ):
            return kept
        s = Caches()
        for key, array in arrays.items():
            setattr(s, key, array)
        s.h, s.x = s.z[:, :, :H], s.z[:T, :, H : H + F]
        s.steps = [self._step_views(s, t) for t in range(T)]
        if training:
            self._kept_caches = s
        return s

    def _step_views(self, s, t) -> tuple:
        """The views the loops of step t read and write."""
        raise NotImplementedError

    def _project(self, s, rows):
        H, F = self.units, self.features
        self._M4 = self._output("M4", (4, H + F + 1, H), self.W.dtype, True)
        self._fill_blocks(self._M4)
        s.z[:, :, H + F] = 1

    def _fill_blocks(self, M4) -> None:
        """M' by block, (4, H + F + 1, H), from W, U, b (and the cell's others)."""
        raise NotImplementedError

    def _scales(self, dtype):
        """s (4, 1, 1) and s² (4, 1, 1) in ``dtype``."""
        scales = self.__dict__.setdefault("_scales_by_dtype", {})
        if dtype not in scales:
            scale = np.array(self.block_scale, dtype=dtype).reshape(4, 1, 1)
            scales[dtype] = (scale, scale * scale)
        return scales[dtype]

    def _cell_grad_caches(self, n, T):
        H, F = self.units, self.features
        return {
            "products": (4, n, H + F),
            "UW4T": (4, H, H + F),  # [s U'ᵀ | s W'ᵀ] by block
            "dzx": (T, n, H + F),  # [Σ ε_k s_k U'_kᵀ, dL/dx_t] at [t]
            **self._block_grad_caches(n, T),
        }

    def _block_grad_caches(self, n, T):
        return {}

    def _start_backward(self, s):
        H, F = self.units, self.features
        scale = self._scales(s.a.dtype)[0]
        np.multiply(self._M4[:, : H + F].transpose(0, 2, 1), scale, out=s.UW4T)

    def _through_blocks(self, s, t, da):
        """dzx[t] = Σ over the blocks of ε_k [s_k U'_kᵀ | s_k W'_kᵀ]: one GEMM, three adds."""
        products, dzx = s.products, s.dzx[t]
        np.matmul(da, s.UW4T, out=products)
        np.add(products[0], products[1], out=dzx)
        dzx += products[2]
        dzx += products[3]
        return dzx

    def _parameter_grads(self, s, rows):
        H, F = self.units, self.features
        squared = self._scales(self.dW.dtype)[1]
        dM = self._output("dM4", (4, H + F + 1, H), self.dW.dtype, True)
        np.matmul(s.z[:-1].reshape(rows, H + F + 1).T, s.dA.reshape(4, rows, H), out=dM)
        dM *= squared  # dL/dM' ⊙ s = zᵀ ε ⊙ s²
        self._scatter_grads(dM)

    def _scatter_grads(self, dM) -> None:
        """dL/dW, dL/dU, dL/db (and the cell's others) from dL/dM by block."""
        raise NotImplementedError

    def _input_grad(self, s, out):
        """dL/dx_t, made by the loop beside δh_{t−1} (see ``_through_blocks``)."""
        T, n = s.dzx.shape[:2]
        np.copyto(out.reshape(T, n, -1), s.dzx[:, :, self.units :])
