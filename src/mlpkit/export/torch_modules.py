"""The torch module classes of the exports (scalers, fills, the binary complement, and the
layers torch has no module for), created on first use so that importing mlpkit never imports
torch; ``mlpkit.export.<Name>`` reaches them (the package's ``__getattr__``)."""

from __future__ import annotations

import functools

import numpy as np

from ..data.scaling import Z_MAX

#: The classes :func:`torch_modules` creates.
TORCH_MODULES = (
    "FillMissing",
    "StandardScale",
    "MinMaxScale",
    "TanhScale",
    "InverseStandardScale",
    "InverseMinMaxScale",
    "InverseTanhScale",
    "BinaryProbabilities",
    "Step",
    "Residual",
    "GlobalAveragePool",
    "Recurrent",
)


@functools.cache
def torch_modules():
    """Create the torch module classes once, on first use (torch is imported only here).

    They are registered as ``mlpkit.export.<Name>`` (the package's ``__getattr__``), so
    ``torch.save(module)`` pickles them like any importable class.
    """
    import torch

    class Columnwise(torch.nn.Module):
        """Per-column statistics as float64 buffers (n_columns,); computes in float64, as
        scikit-learn does, and returns the input's dtype."""

        def __init__(self, **columns) -> None:
            super().__init__()
            for name, values in columns.items():
                tensor = torch.as_tensor(np.asarray(values, dtype=np.float64).copy())
                self.register_buffer(name, tensor)

        def forward(self, x):
            return self.formula(x.to(torch.float64)).to(x.dtype)

    class FillMissing(Columnwise):
        """x where it is finite, else the column's learned fill (NaN where none was learned,
        as the "raise" strategy refuses such rows)."""

        def formula(self, x):
            return torch.where(torch.isfinite(x), x, self.fill)

    class StandardScale(Columnwise):
        """z = (x − mean)/scale (scikit-learn's StandardScaler)."""

        def formula(self, x):
            return (x - self.mean) / self.scale

    class InverseStandardScale(Columnwise):
        """x = z·scale + mean (StandardScaler.inverse_transform)."""

        def formula(self, z):
            return z * self.scale + self.mean

    class MinMaxScale(Columnwise):
        """z = x·scale + min, then clipped to [a, b] when the scaler clips (MinMaxScaler)."""

        def __init__(self, *, scale, min, clip=None) -> None:
            super().__init__(scale=scale, min=min)
            self.clip = None if clip is None else (float(clip[0]), float(clip[1]))

        def formula(self, x):
            z = x * self.scale + self.min
            return z if self.clip is None else z.clamp(*self.clip)

    class InverseMinMaxScale(Columnwise):
        """x = (z − min)/scale (MinMaxScaler.inverse_transform)."""

        def formula(self, z):
            return (z - self.min) / self.scale

    class TanhScale(Columnwise):
        """z = tanh(k·(x − mean)/scale) (mlpkit's TanhScaler)."""

        def __init__(self, *, mean, scale, k) -> None:
            super().__init__(mean=mean, scale=scale)
            self.k = float(k)

        def formula(self, x):
            return torch.tanh(self.k * (x - self.mean) / self.scale)

        def extra_repr(self) -> str:
            return f"k={self.k}"

    class InverseTanhScale(TanhScale):
        """x = mean + scale·artanh(clip(z, −Z_MAX, Z_MAX))/k (TanhScaler.inverse_transform;
        Z_MAX, the largest float64 below 1, keeps x finite)."""

        def formula(self, z):
            return self.mean + self.scale * torch.atanh(z.clamp(-Z_MAX, Z_MAX)) / self.k

    class BinaryProbabilities(torch.nn.Module):
        """p (n, 1) → [1 − p, p] (n, 2): predict_proba's columns for one sigmoid unit."""

        def forward(self, p):
            return torch.cat([1 - p, p], dim=1)

    class Step(torch.nn.Module):
        """Heaviside step: 1 where z > 0, else 0 (as mlpkit's Step)."""

        def forward(self, z):
            return (z > 0).to(z.dtype)

    class Residual(torch.nn.Module):
        """y = x + f(x), or x·P + f(x) with a bias-free projection P."""

        def __init__(self, body, projection) -> None:
            super().__init__()
            self.body, self.projection = body, projection

        def forward(self, x):
            skip = x if self.projection is None else self.projection(x)
            return self.body(x) + skip

    class GlobalAveragePool(torch.nn.Module):
        """(n, C, *S) → (n, C): each channel's mean over every axis after it."""

        def forward(self, x):
            return x.flatten(2).mean(dim=2)

    class Recurrent(torch.nn.Module):
        """An ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` (batch_first) on (n, T, F) that returns
        every state (n, T, H) with ``return_sequences``, else the last (n, H)."""

        def __init__(self, cell, return_sequences: bool) -> None:
            super().__init__()
            self.cell, self.return_sequences = cell, bool(return_sequences)

        def forward(self, x):
            states, _ = self.cell(x)
            return states if self.return_sequences else states[:, -1]

        def extra_repr(self) -> str:
            return f"return_sequences={self.return_sequences}"

    classes = {name: value for name, value in locals().items() if name in TORCH_MODULES}
    for name, cls in classes.items():
        cls.__module__, cls.__qualname__ = "mlpkit.export", name
    return type("TorchModules", (), classes)
