"""MLPRegressor: a multi-layer perceptron regressor with scikit-learn's interface."""

from __future__ import annotations

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.utils.validation import check_array

from ..targets import as_values
from .base import MLPBase, declare_parameters, input_tags
from .inputs import as_target_array


class MLPRegressor(RegressorMixin, MLPBase):
    """A multi-layer perceptron regressor with scikit-learn's interface.

    Single or multi-output y; the target is standardised with training statistics
    (``scale_target=True``, the default) and predictions come back in its units. Parameters as
    :class:`MLPClassifier`. Loss: mean squared error (``loss="mse"``, or "mae", "huber").
    """

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        loss="mse",
        scale_target=True,
        **kwargs,
    ):
        super().__init__(hidden_layer_sizes, activation, **kwargs)
        self.loss = loss
        self.scale_target = scale_target

    def _check_targets(self, y) -> np.ndarray:
        y = as_values(as_target_array(y))
        return check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")

    def _output_layer(self, y, classes) -> tuple[int, str]:
        return (1 if y.ndim == 1 else y.shape[1]), "linear"

    def _loss_name(self):
        return self.loss

    def _target_scaler(self):
        return "standard" if self.scale_target else None

    def partial_fit(self, X, y, sample_weight=None):
        """One epoch on this batch of data, continuing from the current weights."""
        return self._fit(X, y, partial=True, sample_weight=sample_weight)

    def predict(self, X) -> np.ndarray:
        """Predictions in the target's units (``network_.predict``), (n,) for one target."""
        output = self._network_output(X)
        return output if self.network_.target.multi_output else output.ravel()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return input_tags(self, tags)


declare_parameters(MLPRegressor, loss="mse", scale_target=True)
