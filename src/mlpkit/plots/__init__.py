"""Pictures of a network and its training, drawn with matplotlib and safe to run headless.

Every function returns a :class:`matplotlib.figure.Figure` built directly (never through
``pyplot``), so nothing global is touched: no backend switch, no figure registry, no rcParams;
the figures are safe to make from worker threads and are freed when no longer referenced. Pass
``path="name.png"`` (110 dpi) or ``"name.svg"`` to also save the picture, and ``title=`` to
replace the default title.

    from mlpkit import plots
    plots.learning_curves(history, path="curves.png")
    plots.architecture(net, path="net.svg")

matplotlib is needed only here: ``import mlpkit`` does not import it.
"""

from ._figure import save
from .architecture import architecture
from .diagnostics import histograms, layer_statistics, lr_finder
from .functions import activation_functions, decision_boundary
from .scores import confusion_matrix, lift_gain, roc_curve
from .training import complexity_curve, gradient_norms, learning_curves

__all__ = [
    "learning_curves",
    "gradient_norms",
    "complexity_curve",
    "confusion_matrix",
    "roc_curve",
    "lift_gain",
    "activation_functions",
    "architecture",
    "decision_boundary",
    "layer_statistics",
    "histograms",
    "lr_finder",
    "save",
]
