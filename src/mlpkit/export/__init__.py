"""Export a trained model to run where mlpkit is not installed: PyTorch and ONNX.

- :func:`to_torch` (:mod:`.torch`; the layers by :mod:`.torch_layers`, the module classes torch
  lacks in :mod:`.torch_modules`): an equivalent ``torch.nn.Sequential``.
- :func:`to_onnx` (:mod:`.onnx`): an ONNX file that takes the user's columns, verified in
  onnxruntime before it is written.

Both read the model through the same two descriptions, so there is one walk of the network
and one reading of the preprocessor: :mod:`.steps` (the layers as inference steps with their
arrays) and :mod:`.tables` (fills, one-hot categories and scalers as plain specs). torch, onnx
and onnxruntime are imported only when an export is asked for.
"""

from .onnx import ExportMismatchError, onnx_feed, to_onnx
from .torch import to_torch
from .torch_modules import TORCH_MODULES, torch_modules


def __getattr__(name: str):
    """``mlpkit.export.StandardScale`` etc.: the torch module classes, created on first use."""
    if name in TORCH_MODULES:
        return getattr(torch_modules(), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["ExportMismatchError", "onnx_feed", "to_onnx", "to_torch"]
