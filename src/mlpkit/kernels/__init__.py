"""Compiled loops over flat buffers, and the switch between them and plain NumPy.

A *kernel* is a plain Python function of arrays and scalars, written as one loop over the
entries (each read once, each written once). When numba is installed it is compiled on its
first call (``numba.njit(cache=True)``: the machine code is kept on disk, so later processes
load it instead of compiling); importing mlpkit never imports numba. Every kernel has a
reference twin in NumPy, the code that runs when the backend is ``"numpy"``, and the tests
check the two against each other.

The backend is ``"auto"``: the NumPy reference first, numba once the reference has done
enough work in this process to repay loading it, counted in entries, not seconds, so the switch
comes at the same step on every machine (:mod:`mlpkit.kernels.jit`); ``"numba"``
compiles from the first step, ``"numpy"`` never, and without numba installed every backend
is ``"numpy"``. Choose it with the environment variable ``MLPKIT_KERNELS=numba`` (``auto``,
``numpy``), or in code::

    >>> from mlpkit import kernels
    >>> with kernels.using("numpy"):
    ...     kernels.backend()
    'numpy'
"""

from .jit import backend, compiled, may_compile, reference_work, use, using

__all__ = ["backend", "compiled", "may_compile", "reference_work", "use", "using"]
