"""Compiled loops over flat buffers, and the switch between them and plain NumPy.

A *kernel* is a plain Python function of arrays and scalars, written as one loop over the
entries (each read once, each written once). When numba is installed it is compiled on its
first call (``numba.njit(cache=True)``: the machine code is kept on disk, so later processes
load it instead of compiling); importing mlpkit never imports numba. Every kernel has a
reference twin in NumPy, the code that runs when the backend is ``"numpy"``, and the tests
check the two against each other.

The backend is ``"numba"`` when numba can be imported, else ``"numpy"``. Choose it with the
environment variable ``MLPKIT_KERNELS=numpy`` (or ``numba``), or in code::

    >>> import mlpkit as mk
    >>> with mk.kernels.using("numpy"):
    ...     mk.kernels.backend()
    'numpy'
"""

from .jit import backend, compiled, use, using

__all__ = ["backend", "compiled", "use", "using"]
