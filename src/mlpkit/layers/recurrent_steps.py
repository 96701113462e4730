"""The elementwise part of one LSTM or GRU backpropagation-through-time step, as a loop
compiled by numba (``*_kernel``) and its NumPy reference twin (``*_reference``), the two
kept to the same order of operations and tested against each other
(tests/layers/test_recurrent.py); :mod:`.recurrent.lstm` and :mod:`.recurrent.gru` choose
between them once per backward through :mod:`mlpkit.kernels`, as :mod:`.fused` does for Dense."""

from __future__ import annotations

import numpy as np


def lstm_backward_reference(views, dh, dc, tmp, dtanh) -> None:
    """One LSTM BPTT step's elementwise part in NumPy: ε = δa' / s into ``da`` of ``views``
    (an entry of ``LSTM``'s per-step ``s.back``), δc_t → δc_{t−1} in ``dc``."""
    (a, _, _, i, f, o, g, c_prev, _, tanh_c, h, da, da_i, da_f, da_o, da_g, _) = views
    multiply = np.multiply
    multiply(h, tanh_c, out=tmp)
    np.subtract(o, tmp, out=tmp)  # o ⊙ (1 − tanh²c) = o − h ⊙ tanh c
    tmp *= dh
    dc += tmp  # δc_t += δh ⊙ o ⊙ (1 − tanh²c)
    multiply(dh, tanh_c, out=da_o)
    multiply(dc, i, out=da_g)
    multiply(dc, g, out=da_i)
    multiply(dc, c_prev, out=da_f)
    multiply(a, a, out=dtanh)
    np.subtract(1, dtanh, out=dtanh)
    da *= dtanh  # δgate ⊙ (1 − t²), t = tanh(a'), the σ's ½ left out
    dc *= f  # δc_{t−1}


def lstm_backward_kernel(a, gates, c, tanh_c, z, dh, dA, dc, t, one):
    """The same step as :func:`lstm_backward_reference`, in its order of operations, as one
    loop over the (n, H) entries (numba): a, dA (4, T, n, H) blocks i, f, o, g; gates
    (T, 3, n, H) σ i, f, o; c (T + 1, n, H); h_t = z[t, :, :H]; ``one`` 1 in the dtype."""
    n, H = dc.shape
    for j in range(n):
        for k in range(H):
            tc = tanh_c[t, j, k]
            d = dh[j, k]
            v = dc[j, k] + (gates[t, 2, j, k] - z[t + 1, j, k] * tc) * d
            t_i, t_f, t_o, t_g = a[0, t, j, k], a[1, t, j, k], a[2, t, j, k], a[3, t, j, k]
            dA[2, t, j, k] = (d * tc) * (one - t_o * t_o)
            dA[3, t, j, k] = (v * gates[t, 0, j, k]) * (one - t_g * t_g)
            dA[0, t, j, k] = (v * t_g) * (one - t_i * t_i)
            dA[1, t, j, k] = (v * c[t, j, k]) * (one - t_f * t_f)
            dc[j, k] = v * gates[t, 1, j, k]
    return None


def gru_backward_reference(views, da, dh, tmp, tmp2, drz) -> None:
    """One GRU BPTT step's elementwise part in NumPy: ε per block into ``da`` (4, n, H),
    δr ⊙ (1 − t_r²), δz ⊙ (1 − t_z²) (the σ's ½ left out), δm, δa_n; ``views`` an entry of
    ``GRU``'s per-step ``s.steps``."""
    _, _, rz, m, n, _, r, z, h_prev, _ = views
    da_r, da_z, dm, da_n = da
    multiply = np.multiply
    np.subtract(1, z, out=tmp)
    tmp *= dh
    multiply(n, n, out=tmp2)
    np.subtract(1, tmp2, out=tmp2)
    multiply(tmp, tmp2, out=da_n)  # δh ⊙ (1 − z) ⊙ (1 − n²)
    multiply(da_n, r, out=dm)
    multiply(da_n, m, out=da_r)
    np.subtract(h_prev, n, out=da_z)
    da_z *= dh
    multiply(rz, rz, out=drz)
    np.subtract(1, drz, out=drz)
    da[:2] *= drz


def gru_backward_kernel(a, gates, zs, dh, dA, t, one):
    """The same step as :func:`gru_backward_reference`, in its order of operations, as one
    loop over the (n, H) entries (numba): a, dA (4, T, n, H) blocks r, z, m, n; gates
    (T, 2, n, H) σ r, z; h_{t−1} = zs[t, :, :H]; ``one`` 1 in the dtype."""
    n, H = dh.shape
    for j in range(n):
        for k in range(H):
            d, v = dh[j, k], a[3, t, j, k]
            dn = ((one - gates[t, 1, j, k]) * d) * (one - v * v)
            t_r, t_z = a[0, t, j, k], a[1, t, j, k]
            dA[3, t, j, k] = dn
            dA[2, t, j, k] = dn * gates[t, 0, j, k]
            dA[0, t, j, k] = (dn * a[2, t, j, k]) * (one - t_r * t_r)
            dA[1, t, j, k] = ((zs[t, j, k] - v) * d) * (one - t_z * t_z)
    return None
