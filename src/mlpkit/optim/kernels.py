"""One-pass updates: each optimizer's rule as a single loop over the flat buffer.

Each function here is the loop a :mod:`mlpkit.kernels` backend compiles; the NumPy reference
of the same rule is the optimizer's ``_update`` (several whole-array passes), and the tests
hold the two equal. Every entry i is read once and written once:

    ĝ = clip(gᵢ, −c, c) · s        (value clipping at c, then the global-norm factor s)
    then the optimizer's rule on ĝ, its state entries and θᵢ.

c = ∞ and s = 1 mean no clipping. Scalars arrive in the buffer's dtype, so a float32 buffer
is updated in float32 arithmetic, as the NumPy reference does it.

Shapes: ``p`` (parameters), ``g`` (gradients) and every state array are (n_params,).
"""

from __future__ import annotations

import numpy as np


def sgd(p, g, lr, c, s):
    """θ ← θ − η·ĝ."""
    for i in range(p.size):
        gi = min(max(g[i], -c), c) * s
        p[i] -= gi * lr


def sgd_momentum(p, g, b, lr, mu, nesterov, c, s):
    """b ← μ·b + ĝ;  θ ← θ − η·b (classical) or θ ← θ − η·(ĝ + μ·b) (Nesterov)."""
    for i in range(p.size):
        gi = min(max(g[i], -c), c) * s
        b[i] = b[i] * mu + gi
        p[i] -= (b[i] * mu + gi) * lr if nesterov else b[i] * lr


def adam(p, g, g_sum, g2_sum, beta_1, beta_2, step, eps, decay, c, s):
    """S ← β₁·S + ĝ;  Q ← β₂·Q + ĝ²;  θ ← θ·decay − step · S / (√Q + eps).

    With step = η·√w₂/w₁ and eps = ε·√w₂ this is Adam (decay = 1) or AdamW (decay = 1 − ηλ);
    see :class:`mlpkit.optim.Adam` for w₁, w₂.
    """
    for i in range(p.size):
        gi = min(max(g[i], -c), c) * s
        g_sum[i] = g_sum[i] * beta_1 + gi
        g2_sum[i] = g2_sum[i] * beta_2 + gi * gi
        p[i] = p[i] * decay - g_sum[i] / (np.sqrt(g2_sum[i]) + eps) * step


def adagrad(p, g, total, lr, eps, c, s):
    """Σ ← Σ + ĝ²;  θ ← θ − η_t · ĝ / (√Σ + ε)."""
    for i in range(p.size):
        gi = min(max(g[i], -c), c) * s
        total[i] += gi * gi
        p[i] -= gi / (np.sqrt(total[i]) + eps) * lr


def rmsprop(p, g, v, b, lr, rho, one_minus_rho, eps, mu, c, s):
    """v ← ρ·v + (1 − ρ)·ĝ²;  d = ĝ / (√v + ε);  θ ← θ − η·d, or with momentum μ > 0
    b ← μ·b + d;  θ ← θ − η·b (``b`` unused, and may be empty, when μ = 0)."""
    for i in range(p.size):
        gi = min(max(g[i], -c), c) * s
        v[i] = v[i] * rho + gi * gi * one_minus_rho
        d = gi / (np.sqrt(v[i]) + eps)
        if mu:
            b[i] = b[i] * mu + d
            d = b[i]
        p[i] -= d * lr


def adadelta(p, g, v, u, lr, rho, one_minus_rho, eps, c, s):
    """v ← ρ·v + (1 − ρ)·ĝ²;  Δ = √((u + ε)/(v + ε))·ĝ;  u ← ρ·u + (1 − ρ)·Δ²;  θ ← θ − η·Δ."""
    for i in range(p.size):
        gi = min(max(g[i], -c), c) * s
        v[i] = v[i] * rho + gi * gi * one_minus_rho
        delta = np.sqrt((u[i] + eps) / (v[i] + eps)) * gi
        u[i] = u[i] * rho + one_minus_rho * delta * delta
        p[i] -= delta * lr
