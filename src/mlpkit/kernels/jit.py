"""The backend switch and lazy numba compilation (see :mod:`mlpkit.kernels`).

Compilation is lazy twice over: numba is imported on the first call of the first kernel, and
each kernel is compiled, or loaded from numba's on-disk cache, on its own first call.

**When.** Importing numba and loading the first cached kernel cost about 1.5 s of a process's
start (measured: 0.7 s ``import numba``, 0.8 s the first cached kernel), more than a short fit
spends in its optimizer. So the default backend, ``"auto"``, runs the NumPy reference until the
reference kernels have done :data:`LOAD_AFTER` seconds of work in this process, and only then
loads numba: the rule of renting skis until the rent paid would have bought them, here the load
(1.5 s) over the share of the reference's time a fused pass saves (about 3/4 of it), 2 s. A
short fit never pays the load; a long one pays it once; no run pays more than about twice
what the better choice in hindsight would have cost.

**Work, not the clock.** The compiled kernels agree with their references to rounding, not to
the bit, so the step at which ``"auto"`` switches must not depend on how fast the machine is or
how loaded: each reference call counts its entries times its measured cost per entry
(:func:`reference_work`), and the switch comes after the same step of the same script on any
machine. The same seed gives the same bits.
``"numba"`` compiles on the first step; ``"numpy"`` never does.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import os
import types
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ..exceptions import ConfigError

BACKENDS = ("auto", "numba", "numpy")
#: Seconds of reference-kernel work in one process after which ``"auto"`` loads numba.
LOAD_AFTER = 2.0
#: The reference kernels' cost in ns per entry, measured with NumPy 2.4 on the project VM
#: (float32, OpenBLAS Haswell): what :func:`reference_work` counts.
COST_NS = {
    "optimizer": 2.6,  # Adam's update, the default optimizer's (SGD's is cheaper)
    "bias_relu": 0.65,
    "relu_backward": 0.78,
    "binary_cross_entropy": 5.0,
    "cross_entropy": 8.8,
    "softmax": 5.0,  # 4096 x 2 to 4096 x 10: 4.5-7.6 ns an entry (NumPy 2.4, AVX-512 VM)
    "lstm_backward": 12.0,  # one LSTM BPTT step's elementwise part, per entry of (n, H)
    "gru_backward": 10.0,  # one GRU BPTT step's elementwise part, per entry of (n, H)
}
#: Set by :func:`use`; None means "from ``MLPKIT_KERNELS``, else auto".
_chosen: str | None = None
_reference_seconds = 0.0
_available: bool | None = None
_compiled: dict[Callable, Callable] = {}
_jitted: dict[Callable, Callable] = {}


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
    chosen = _chosen or os.environ.get("MLPKIT_KERNELS") or "auto"
    _check(chosen, "MLPKIT_KERNELS" if _chosen is None else "the kernel backend")
    if chosen == "numpy" or not _numba_available():
        return "numpy"
    if chosen == "auto" and not _compiled and _reference_seconds < LOAD_AFTER:
        return "numpy"
    return "numba"


def may_compile() -> bool:
    """Whether compiled code may run in this process: numba is installed and the backend is
    not ``"numpy"``. For work a caller asked to be fast up front (:func:`mlpkit.freeze`), where
    ``"auto"``'s wait for :data:`LOAD_AFTER` seconds of reference work does not apply."""
    chosen = _chosen or os.environ.get("MLPKIT_KERNELS") or "auto"
    _check(chosen, "MLPKIT_KERNELS" if _chosen is None else "the kernel backend")
    return chosen != "numpy" and _numba_available()


@contextmanager
def reference_work(kernel: str, entries: int) -> Iterator[None]:
    """``with reference_work("bias_relu", z.size): ...`` around a reference kernel: its
    ``entries`` times ``COST_NS[kernel]`` count towards ``"auto"``'s :data:`LOAD_AFTER` —
    a measure of the work done, the same on every machine (see the module docstring)."""
    global _reference_seconds
    _reference_seconds += entries * COST_NS[kernel] * 1e-9
    yield


def reference_seconds() -> float:
    """The reference kernels' work counted so far in this process, in seconds of COST_NS."""
    return _reference_seconds


def use(name: str | None) -> None:
    """Choose the backend for this process: ``"auto"``, ``"numba"``, ``"numpy"``, or None
    (``MLPKIT_KERNELS``, else ``"auto"``)."""
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
        import numba  # noqa: F401 - whether the install imports, before compiling with it
    except Exception as exc:  # noqa: BLE001 - a broken install: fall back, once, loudly
        _available = False
        warnings.warn(
            f"numba could not be imported ({type(exc).__name__}: {exc}); mlpkit uses its NumPy "
            "kernels instead (set MLPKIT_KERNELS=numpy to silence this).",
            RuntimeWarning,
            stacklevel=3,
        )
        return None
    return jitted(kernel)


def jitted(kernel: Callable) -> Callable:
    """``kernel`` as a numba function (the caller may import numba), with every plain
    Python function it calls by a global name compiled the same way: a kernel can call
    another kernel, which numba cannot call uncompiled. One numba function a kernel, kept;
    not counted as a load by ``"auto"`` (:mod:`mlpkit.frozen` compiles its kernels this way,
    whatever the backend).

    numba's disk cache checks only the source file of the function it compiles, not of those
    it calls, so a kernel with callees is cached under a name that carries a hash of their
    source (:func:`_callee_stamp`): an edited callee makes its callers compile afresh instead
    of loading stale machine code.
    """
    found = _jitted.get(kernel)
    if found is not None:
        return found
    import numba

    callees = {
        name: value
        for name in kernel.__code__.co_names
        if isinstance(value := kernel.__globals__.get(name), types.FunctionType)
        and value is not kernel  # numba types a function's call of itself on its own
    }
    compiled_kernel = kernel
    if callees:
        compiled_kernel = types.FunctionType(
            kernel.__code__,
            {**kernel.__globals__, **{name: jitted(f) for name, f in callees.items()}},
            kernel.__name__,
            kernel.__defaults__,
            kernel.__closure__,
        )
        compiled_kernel.__qualname__ = f"{kernel.__qualname__}_{_callee_stamp(callees)}"
    # error_model="numpy": x/0 gives inf or nan as in NumPy (no exception check in the loop).
    found = numba.njit(cache=True, nogil=True, error_model="numpy")(compiled_kernel)
    _jitted[kernel] = found
    return found


def _callee_stamp(callees: dict[str, Callable]) -> str:
    """8 hex digits of a hash of the callees' source, and of their own callees' (a name of
    :func:`jitted`'s cache)."""
    digest = hashlib.sha256()
    for name in sorted(callees):
        digest.update(inspect.getsource(callees[name]).encode())
        digest.update(_jitted[callees[name]].py_func.__qualname__.encode())
    return digest.hexdigest()[:8]
