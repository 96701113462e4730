"""MLPClassifier and MLPRegressor: scikit-learn estimators over Sequential and its trainer.

A thin façade: the constructor stores scikit-learn-style hyperparameters, and ``fit`` turns them
into an ``mk.Sequential`` (``network_``) with its preprocessor and target inside, trained by the
same loop as everywhere else. So ``network_`` *is* the model: ``predict_proba`` is
``network_.predict``, and ``mk.evaluate``, ``mk.report`` and ``mk.export`` see exactly what
``predict`` does. Defaults aim at tabular data out of the box: inputs standardised by the
network's preprocessor, Adam at 3e-3, He initialisation for ReLU, and (from 10,000 rows on) early
stopping on a 10% validation split that restores the best weights. ``solver="lbfgs"`` is
full-batch L-BFGS (:mod:`.lbfgs`); :mod:`.solvers` says how ``solver``, ``optimizer`` and
``learning_rate`` combine.
"""

from .base import MLPBase
from .classifier import MLPClassifier
from .regressor import MLPRegressor

__all__ = ["MLPBase", "MLPClassifier", "MLPRegressor"]
