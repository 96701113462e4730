"""The backend switch and lazy numba compilation (see :mod:`mlpkit.kernels`).

Compilation is lazy twice over: numba is imported on the first call of the first kernel
(``import numba`` costs about 0.3 s, which ``import mlpkit`` does not pay), and each kernel
is compiled, or loaded from numba's on-disk cache, on its own first call.
"""

from __future__ import annotations

import importlib.util
import os
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ..exceptions import ConfigError

BACKENDS = ("numba", "numpy")
#: Set by :func:`use`; None means "from ``MLPKIT_KERNELS``, else numba when installed".
_chosen: str | None = None
_available: bool | None = None
_compiled: dict[Callable, Callable] = {}


def _check(name: str, where: str) -> str:
    if name not in BACKENDS:
        raise ConfigError(f"{where} must be one of {BACKENDS}; received {name!r}.")
    return name


def _numba_available() -> bool:
    global _available
    if _available is None:
        _available = importlib.util.find_spec("numba") is not None
    return _available


def backend() -> str:
    """``"numba"`` (compiled kernels) or ``"numpy"`` (the reference code) for the next call."""
    chosen = _chosen or os.environ.get("MLPKIT_KERNELS") or "numba"
    _check(chosen, "MLPKIT_KERNELS" if _chosen is None else "the kernel backend")
    return "numba" if chosen == "numba" and _numba_available() else "numpy"


def use(name: str | None) -> None:
    """Choose the backend for this process: ``"numba"``, ``"numpy"``, or None (the default)."""
    global _chosen
    _chosen = None if name is None else _check(name, "the kernel backend")


@contextmanager
def using(name: str | None) -> Iterator[None]:
    """:func:`use` ``name`` inside a ``with`` block, then put back the previous choice."""
    previous = _chosen
    use(name)
    try:
        yield
    finally:
        use(previous)


def compiled(kernel: Callable) -> Callable | None:
    """``kernel`` compiled by numba (compiled or loaded from the cache on its first call), or
    None when the backend is ``"numpy"``: the caller then runs its NumPy reference."""
    if backend() != "numba":
        return None
    found = _compiled.get(kernel)
    if found is None:
        found = _compiled[kernel] = _compile(kernel)
    return found


def _compile(kernel: Callable) -> Callable:
    global _available
    try:
        import numba
    except Exception as exc:  # noqa: BLE001 - a broken install: fall back, once, loudly
        _available = False
        warnings.warn(
            f"numba could not be imported ({type(exc).__name__}: {exc}); mlpkit uses its NumPy "
            "kernels instead (set MLPKIT_KERNELS=numpy to silence this).",
            RuntimeWarning,
            stacklevel=3,
        )
        return None
    # error_model="numpy": x/0 gives inf or nan as in NumPy (no exception check in the loop).
    return numba.njit(cache=True, nogil=True, error_model="numpy")(kernel)
