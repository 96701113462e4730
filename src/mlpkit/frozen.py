r"""A model frozen for prediction: a copy of its weights taken once, predicted fast.

``frozen = mk.freeze(model)`` copies a built network or fitted estimator (through its model
document, :meth:`~mlpkit.network.Sequential.to_document`, so the copy is what a saved file
would load as) and gives the copy's network a :class:`~mlpkit.packed.PackedPredictor`: every
float32 Dense kernel packed once for the register-tile GEMM (:mod:`mlpkit.kernels.gemm`), as
an ONNX Runtime session packs its constant weights when it starts. ``frozen.predict(X)``
gives what ``model.predict(X)`` gave at the time of freezing (the same checks and messages,
the same preprocessing and decoding; the numbers agree to float32 rounding), and a later fit
or change of ``model`` does not reach it: freeze again after training.

It answers the model's names in :data:`PREDICTING` only: its prediction methods, ``score``,
and what they are read with (``classes_``, ``n_features``, ``n_features_in_``,
``feature_names_in_``, ``n_outputs``, ``input_columns``, and scikit-learn's tags, so its
scorers take it). Without numba, with ``MLPKIT_KERNELS=numpy`` (or numba told to compile for
another CPU, ``NUMBA_CPU_NAME``), on a CPU without AVX2 and FMA, or for a network with no
float32 Dense layer, the copy keeps the ordinary inference path
(:class:`~mlpkit.inference.Predictor`): still a snapshot, not faster (``packed`` is False).
"""

from __future__ import annotations

from . import kernels
from ._checks import check_integer
from .inference import Predictor
from .network import Sequential

#: The names a frozen model answers: prediction and what it is read with.
PREDICTING = (
    "predict",
    "predict_proba",
    "predict_log_proba",
    "predict_classes",
    "score",
    "classes_",
    "n_features",
    "n_features_in_",
    "n_outputs",
    "input_columns",
    "feature_names_in_",
    "__sklearn_tags__",
    "_estimator_type",
)


class FrozenModel:
    """The prediction methods of a copy of a model whose weights no one changes.

    Args:
        model: a built :class:`~mlpkit.network.Sequential` or a fitted estimator.
        threads: threads a large call may use (None: as many as NumPy's BLAS uses now).

    Raises:
        TypeError: ``model`` is neither.
        ConfigError: ``threads`` is not a positive integer.
    """

    def __init__(self, model, threads: int | None = None) -> None:
        if not hasattr(model, "to_document") or not hasattr(type(model), "from_document"):
            raise TypeError(
                f"mk.freeze expected a network (mk.Sequential) or an mlpkit estimator, got "
                f"model={type(model).__name__}."
            )
        threads = blas_threads() if threads is None else check_integer("threads", threads, low=1)
        self.kind = type(model).__name__
        self._model = type(model).from_document(*model.to_document())
        network = self._model if isinstance(self._model, Sequential) else self._model.network_
        network.predictor = predictor(network, threads)
        self._predictor = network.predictor
        for name in PREDICTING:  # bound once: a call need not pass through __getattr__
            method = getattr(self._model, name, None)
            if callable(method) and not name.startswith("_"):
                self.__dict__[name] = method

    @property
    def packed(self) -> bool:
        """Whether any of the copy's layers runs the packed GEMM."""
        return bool(getattr(self._predictor, "packs", False))

    def __getattr__(self, name: str):
        model = self.__dict__.get("_model")
        if name in PREDICTING and model is not None:
            return getattr(model, name)
        kind = self.__dict__.get("kind", "model")
        if model is not None and hasattr(model, name):
            public = ", ".join(n for n in PREDICTING if not n.startswith("_"))
            raise AttributeError(
                f"a frozen {kind} has only its prediction methods and what they read ({public}); "
                f"{name!r} is the original model's (freeze again after training it)."
            )
        raise AttributeError(f"a frozen {kind} has no attribute {name!r}.")

    def __del__(self) -> None:
        close = getattr(self.__dict__.get("_predictor"), "close", None)
        if close is not None:
            close()  # its worker threads, which the network ↔ predictor cycle would keep

    def __repr__(self) -> str:
        path = "packed GEMM" if self.packed else "inference path"
        return f"FrozenModel({self.kind}, {path})"


def predictor(network: Sequential, threads: int) -> Predictor:
    """The frozen copy's predictor: packed where numba may run and the CPU has the vectors."""
    if kernels.may_compile():
        from .kernels import gemm

        if gemm.supported():
            from .packed import PackedPredictor

            return PackedPredictor(network, threads)
    return Predictor(network)


def blas_threads() -> int:
    """The threads NumPy's BLAS runs on now (``threadpoolctl``; 1 if it reports none)."""
    from threadpoolctl import threadpool_info

    found = [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]
    return max(found, default=1)


def freeze(model, threads: int | None = None) -> FrozenModel:
    """A frozen copy of ``model`` for fast prediction (see :mod:`mlpkit.frozen`); ``threads``
    a large call may use (None: as many as NumPy's BLAS uses at the time of freezing)."""
    return FrozenModel(model, threads)
