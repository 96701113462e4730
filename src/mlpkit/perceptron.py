"""Rosenblatt's perceptron: one layer of step units and the perceptron learning rule."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ._checks import check_integer, check_positive
from ._validation import check_random_state


class Perceptron(ClassifierMixin, BaseEstimator):
    """The perceptron of Rosenblatt (1958), a scikit-learn classifier.

    Each unit outputs ŷ = step(x·w + b) = 1 if x·w + b > 0 else 0. Training visits the samples
    one at a time and, after each, applies the perceptron rule

        w ← w + η (t − ŷ) x,    b ← b + η (t − ŷ)

    so weights move only on mistakes. It stops after an epoch with no mistake — which happens
    after finitely many updates whenever the classes are linearly separable (AND, OR), and never
    when they are not (XOR), in which case it warns after ``max_iter`` epochs. With more than two
    classes there is one unit per class (one-vs-rest) and the largest x·w + b wins.

    Args:
        learning_rate: η > 0. Defaults to 1.0.
        max_iter: the most epochs. Defaults to 100.
        shuffle: visit the samples in a new seeded order each epoch. Defaults to True.
        random_state: int, None or numpy Generator for the shuffling.

    Attributes:
        classes_: the class labels, shape (n_classes,).
        coef_: weights, shape (1, n_features) for two classes, else (n_classes, n_features).
        intercept_: biases, shape (1,) or (n_classes,).
        n_iter_: epochs run.
        mistakes_: the number of updates (mistakes) in each epoch.
        n_features_in_, feature_names_in_: as in scikit-learn.
    """

    def __init__(self, learning_rate=1.0, max_iter=100, shuffle=True, random_state=None):
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state

    def fit(self, X, y):
        """Learn the weights by the perceptron rule. Returns self."""
        check_positive("learning_rate", self.learning_rate, owner="Perceptron")
        check_integer("max_iter", self.max_iter, low=1, owner="Perceptron")
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        self.classes_, labels = np.unique(y, return_inverse=True)
        if self.classes_.size < 2:
            raise ValueError(
                f"The perceptron needs samples of at least 2 classes; "
                f"y has 1 class: {self.classes_}."
            )
        targets = self._targets(labels)
        W = np.zeros((X.shape[1], targets.shape[1]))
        b = np.zeros(targets.shape[1])
        rng = check_random_state(self.random_state)
        self.mistakes_ = []
        for _ in range(self.max_iter):
            order = rng.permutation(X.shape[0]) if self.shuffle else range(X.shape[0])
            self.mistakes_.append(self._epoch(X, targets, W, b, order))
            if self.mistakes_[-1] == 0:
                break
        else:
            warnings.warn(
                f"The perceptron still made {self.mistakes_[-1]} mistakes in epoch "
                f"{self.max_iter}: the classes may not be linearly separable (e.g. XOR), which "
                f"a single layer cannot learn; use a network with a hidden layer.",
                ConvergenceWarning,
                stacklevel=2,
            )
        self.n_iter_ = len(self.mistakes_)
        self.coef_, self.intercept_ = W.T.copy(), b
        return self

    def _targets(self, labels: np.ndarray) -> np.ndarray:
        if self.classes_.size == 2:
            return labels.reshape(-1, 1).astype(np.float64)
        return np.eye(self.classes_.size)[labels]

    def _epoch(self, X, targets, W, b, order) -> int:
        """One pass of the perceptron rule over the samples in ``order``; returns the mistakes."""
        mistakes = 0
        for i in order:
            predicted = (X[i] @ W + b > 0).astype(np.float64)
            error = targets[i] - predicted
            if error.any():
                W += self.learning_rate * np.outer(X[i], error)
                b += self.learning_rate * error
                mistakes += 1
        return mistakes

    def decision_function(self, X):
        """x·w + b: shape (n_samples,) for two classes, else (n_samples, n_classes)."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        scores = X @ self.coef_.T + self.intercept_
        return scores.ravel() if self.classes_.size == 2 else scores

    def predict(self, X):
        """The class of each sample: step(x·w + b) for two classes, else the top unit."""
        scores = self.decision_function(X)
        if self.classes_.size == 2:
            return self.classes_[(scores > 0).astype(int)]
        return self.classes_[scores.argmax(axis=1)]
