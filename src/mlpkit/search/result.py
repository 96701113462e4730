"""The result of a search: the winner, and the claim about it with its denominators.

A best cross-validation score is the maximum over trials, and a maximum over many noisy trials
is biased upwards even when no configuration is better than another. So a :class:`SearchResult`
never gives a best score without the count of trials behind it, and its :meth:`report` sets the
naive best beside (see :mod:`mlpkit.search.claims` for the formulas):

* the selection-corrected estimate of the winner (bootstrap bias-corrected CV) with an interval;
* the expected best of that many trials when no configuration has any skill (the null spread of
  one trial's score from label permutations of the stored out-of-fold predictions);
* the probability of backtest overfitting (combinatorially symmetric cross-validation);
* the effective number of independent trials (correlated trials count less);
* the winner's one score on the untouched test split, and on request
  (:meth:`permutation_test`) the p-value of the whole search against permuted labels.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from .._validation import take_rows
from ..ensemble import Ensemble
from ..exceptions import NoTrialCompletedError
from ..outputs import outputs_of
from .claims.bootstrap import BBCResult, bbc_cv
from .claims.effective_trials import effective_n
from .claims.expected_maximum import expected_max, null_spread
from .claims.pbo import pbo_cscv
from .claims.permutation import permutation_pvalue, permuted_scores
from .ensemble import select
from .trial import run_trial

STATUSES = ("complete", "pruned", "failed", "lost", "duplicate")


@dataclass(frozen=True)
class _Stored:
    """The complete trials' pooled predictions over the rows every one of them predicted."""

    numbers: list[int]
    oof: np.ndarray  # (n_trials, n_rows, ...)
    rows: np.ndarray  # the training rows held out in some fold
    scores: np.ndarray  # (n_trials,) pooled scores


class SearchResult:
    """What a search found (scikit-learn's ``best_*_`` names) and how much of it is luck.

    Attributes:
        best_params_: the winner's estimator parameters.
        best_score_: its mean fold score (the naive best: biased upwards by the selection).
        best_estimator_: the winner refitted on all training rows with its seed.
        test_score_: its score on the untouched test split (None without one).
        n_trials_: {"complete", "pruned", "failed", "lost", "duplicate"} counts.
        corrected_score_: the selection-corrected estimate of the winner's CV score (BBC-CV).
            It is at most ``claims_["corrected"].oob_best``, the uncorrected maximum on the
            same bootstrap's out-of-bag rows; it may exceed ``best_score_`` by bootstrap noise
            when one configuration wins every sample (the selection then costs nothing).
        ensemble_: after :meth:`ensemble` (``mk.search.auto`` calls it), the weighted average
            of trials chosen by ensemble selection, refitted on all training rows; None before.
        ensemble_test_score_: its score on the untouched test split (None without one).
        claims_: every number of :meth:`report`.
        trials_: one row per trial (pandas DataFrame).
        search_id: the search's identity in the ledger.
    """

    def __init__(self, search_id, trials, context, X_test, y_test, spec, seconds):
        self.search_id, self.spec, self.seconds = search_id, spec, seconds
        self._context = context
        self._trials = sorted(trials, key=lambda t: t["number"])
        scores = {t["number"]: t["score"] for t in self._trials if t["status"] == "complete"}
        for t in self._trials:
            if t["status"] == "duplicate":
                t["score"] = scores.get(t.get("duplicate_of"))
        self.n_trials_ = {status: 0 for status in STATUSES}
        for t in self._trials:
            if t["status"] in self.n_trials_:
                self.n_trials_[t["status"]] += 1
            self.n_trials_["lost"] += int(t.get("lost_count") or 0)
        complete = [t for t in self._trials if t["status"] == "complete"]
        if not complete:
            failures = [t["error"] for t in self._trials if t["status"] == "failed"]
            raise NoTrialCompletedError(_no_winner(self._trials), failures, len(self._trials))
        best = max(complete, key=lambda t: (t["score"], -t["number"]))
        self.best_trial_ = best
        self.best_index_ = best["number"]
        self.best_score_ = float(best["score"])
        self.best_params_ = context.space.assemble(best["config"])
        self.best_estimator_ = self._refit(best, context)
        self._test = (X_test, y_test)
        self.test_score_ = self._test_score(self.best_estimator_)
        self.ensemble_, self.ensemble_test_score_ = None, None
        self._stored = self._pool(complete)
        self.claims_ = self._claims()
        self.corrected_score_ = self.claims_["corrected"].estimate

    @staticmethod
    def _refit(best, context):
        model = context.model.build(context.space.assemble(best["config"]), best["seed"])
        model.fit(context.X, context.y, **context.model.fit_params)  # a network returns History
        return model

    def ensemble(self, size: int = 25) -> Ensemble:
        """Choose an ensemble of the complete trials from their stored out-of-fold predictions
        (forward selection with replacement, ``size`` steps, on the search's score with the log
        loss or squared error breaking ties: :mod:`mlpkit.search.ensemble`), refit its members
        on all training rows (the winner is ``best_estimator_`` itself) and score it once on
        the test split. Sets and returns ``ensemble_``; ``ensemble_test_score_`` is its test
        score. Where no average scores above the best single trial, that trial is the
        ensemble, alone."""
        if not isinstance(size, int | np.integer) or size < 1:
            raise ValueError(f"ensemble size must be a whole number ≥ 1; received size={size!r}.")
        context, stored = self._context, self._stored
        y = np.asarray(take_rows(context.y, stored.rows))
        counts = select(
            stored.oof,
            lambda p: float(context.scorer.of(y, p)),
            lambda p: float(context.scorer.row_losses(y, p[None]).mean()),
            size,
        )
        oof_score = float(context.scorer.of(y, np.tensordot(counts / counts.sum(), stored.oof, 1)))
        chosen = np.flatnonzero(counts)
        trials = {t["number"]: t for t in self._trials}
        numbers = [stored.numbers[i] for i in chosen]
        members = [
            self.best_estimator_ if n == self.best_index_ else self._refit(trials[n], context)
            for n in numbers
        ]
        self.ensemble_ = Ensemble(members, counts[chosen], numbers, context.scorer.classes)
        self.claims_["ensemble"] = {
            "trials": numbers,
            "weights": self.ensemble_.weights.tolist(),
            "oof_score": oof_score,
        }
        self.ensemble_test_score_ = self._test_score(self.ensemble_)
        return self.ensemble_

    def _test_score(self, model) -> float | None:
        """The model's score on the untouched test split (None without one)."""
        X_test, y_test = self._test
        if X_test is None:
            return None
        predicted = outputs_of(model, X_test, self._context.scorer.classes)
        return self._context.scorer(predicted, y_test, np.arange(len(y_test)))

    def _pool(self, complete) -> _Stored:
        tested = self._context.folds.tested()
        oof = np.stack([np.asarray(t["oof"], dtype=np.float64)[tested] for t in complete])
        scorer, y = self._context.scorer, take_rows(self._context.y, tested)
        scores = np.array([scorer.of(y, predictions) for predictions in oof])
        return _Stored([t["number"] for t in complete], oof, tested, scores)

    @property
    def n_configurations(self) -> int:
        """Distinct configurations tried (complete, pruned or failed; duplicates once)."""
        return sum(self.n_trials_[s] for s in ("complete", "pruned", "failed"))

    def _claims(self) -> dict:
        context, stored = self._context, self._stored
        y = take_rows(context.y, stored.rows)
        score = context.scorer.of
        seed = int(self.spec["random_state"])
        corrected = _corrected(context.scorer, stored.oof, np.asarray(y), seed)
        null = null_spread(permuted_scores(stored.oof, np.asarray(y), score, 30, random_state=seed))
        n_eff = (
            effective_n(context.scorer.row_losses(np.asarray(y), stored.oof))
            if len(stored.numbers) > 1
            else 1.0
        )
        found = {
            "naive_best": self.best_score_,
            "pooled_best": float(stored.scores.max()),
            "corrected": corrected,
            "null": null,
            "expected_best_under_null": expected_max(
                max(self.n_configurations, 1), null.mean, null.std
            ),
            "effective_n": n_eff,
            "test_score": self.test_score_,
            "n_trials": dict(self.n_trials_),
        }
        if len(stored.numbers) > 1 and len(stored.rows) >= 16:
            blocks = _block_scores(stored.oof, y, score, 16, seed)
            found["pbo"] = pbo_cscv(blocks, n_partitions=16)
        return found

    @property
    def trials_(self):
        """One row per trial: number, status, score, fold scores, seed, duration, worker, the
        configuration's parameters (``param.<name>``)."""
        import pandas as pd

        rows = []
        for t in self._trials:
            row = {
                k: t.get(k)
                for k in (
                    "number",
                    "status",
                    "score",
                    "fold_scores",
                    "seed",
                    "duration",
                    "worker",
                    "lost_count",
                    "duplicate_of",
                    "config_hash",
                    "stop_reason",
                    "error",
                )
            }
            row.update({f"param.{k}": v for k, v in sorted(t["config"].items())})
            rows.append(row)
        return pd.DataFrame(rows)

    def permutation_test(self, n_permutations: int = 20, random_state: int = 0) -> float:
        """The p-value of the whole search: every complete configuration re-run (same folds,
        seeds) on ``n_permutations`` label permutations; p = (1 + #{null best ≥ best}) / (1 + n).
        Costs n_permutations × (complete trials) cross-validations."""
        context = self._context
        rng = np.random.default_rng(random_state)
        complete = [t for t in self._trials if t["status"] == "complete"]
        null_bests = []
        for _ in range(n_permutations):
            y = take_rows(context.y, rng.permutation(len(context.y)))
            y = y.reset_index(drop=True) if hasattr(y, "reset_index") else y
            best = max(
                run_trial(
                    context.model,
                    context.space.assemble(t["config"]),
                    t["seed"],
                    context.X,
                    y,
                    context.folds,
                    context.scorer,
                    None,
                    context.threads,
                ).score
                for t in complete
            )
            null_bests.append(best)
        p = permutation_pvalue(self.best_score_, np.array(null_bests))
        self.claims_["permutation"] = {"p_value": p, "null_bests": null_bests}
        return p

    def report(self) -> str:
        """The claim with its denominators, in words."""
        c, n = self.claims_, self.n_trials_
        corrected = c["corrected"]
        lines = [
            f"Search {self.search_id}: {self._context.scorer.name}, "
            f"{self._context.folds.n_splits}-fold CV, {sum(n.values()) - n['lost']} trials "
            f"({n['complete']} complete, {n['pruned']} pruned, {n['failed']} failed, "
            f"{n['duplicate']} duplicate; {n['lost']} lost and re-run), "
            f"{self.n_configurations} distinct configurations, {self.seconds:.0f} s.",
            f"  naive best (trial {self.best_index_}): {self.best_score_:.4f} — the maximum "
            f"of {self.n_configurations} noisy estimates, biased upwards",
            f"  selection-corrected (BBC-CV): {corrected.estimate:.4f} "
            f"[{corrected.low:.4f}, {corrected.high:.4f}], against {corrected.oob_best:.4f} "
            f"uncorrected on the same out-of-bag rows (the selection cost "
            f"{corrected.oob_best - corrected.estimate:.4f})",
            f"  expected best of {self.n_configurations} trials with no skill: "
            f"{c['expected_best_under_null']:.4f} (one trial under permuted labels: "
            f"{c['null'].mean:.4f} ± {c['null'].std:.4f})",
            f"  effective number of independent trials: {c['effective_n']:.1f}",
        ]
        if "pbo" in c:
            lines.append(
                f"  probability of backtest overfitting (CSCV): {c['pbo'].pbo:.2f} (near 0: the "
                f"winner on half the rows stays ahead on the other half; near 0.5: which trial "
                f"wins is luck)"
            )
        if self.test_score_ is not None:
            lines.append(f"  winner on the untouched test split: {self.test_score_:.4f}")
        if "ensemble" in c:
            e = c["ensemble"]
            what = f"ensemble of trials {', '.join(map(str, e['trials']))}"
            if len(e["trials"]) == 1:
                what = f"ensemble: trial {e['trials'][0]} alone (no average scored higher)"
            lines.append(
                f"  {what}: out-of-fold {e['oof_score']:.4f} (chosen on those rows: optimistic)"
                + (
                    f"; on the untouched test split: {self.ensemble_test_score_:.4f}"
                    if self.ensemble_test_score_ is not None
                    else ""
                )
            )
        if "permutation" in c:
            lines.append(f"  permutation p-value of the search: {c['permutation']['p_value']:.3f}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"SearchResult(best_score_={self.best_score_:.4f}, corrected_score_="
            f"{self.corrected_score_:.4f}, n_trials_={self.n_trials_})"
        )


def _corrected(scorer, oof, y, seed) -> BBCResult:
    """BBC-CV of the winner: on per-row scores when the score is a mean over rows (exact and
    fast: a matrix product), else through the scorer with about 10,000 scores in all, half
    in-bag and half out-of-bag (between 100 and 1,000 bootstrap samples)."""
    fast = scorer.row_scores(y, oof)
    if fast is None:
        n_bootstrap = int(np.clip(5_000 // len(oof), 100, 1000))
        return bbc_cv(oof, y, scorer.of, n_bootstrap=n_bootstrap, random_state=seed)
    per_row, to_score = fast
    mean = bbc_cv(per_row=per_row, random_state=seed)
    return dataclasses.replace(
        mean,
        **{k: to_score(getattr(mean, k)) for k in ("estimate", "low", "high", "naive", "oob_best")},
    )


def _block_scores(oof, y, score, n_blocks: int, seed) -> np.ndarray:
    """(n_blocks, n_trials): the trials' scores on disjoint, seeded blocks of the rows, each
    block dealt from the rows sorted by label (so each holds every class, or a range of y)."""
    labels = np.asarray(y)
    order = np.random.default_rng([seed, 2]).permutation(len(labels))
    key = labels[order] if labels.ndim == 1 else labels[order, 0]
    order = order[np.argsort(key, kind="stable")]
    blocks = [order[i::n_blocks] for i in range(n_blocks)]
    return np.array([[score(labels[b], p[b]) for p in oof] for b in blocks])


def _no_winner(trials) -> str:
    failed = [t for t in trials if t["status"] == "failed"]
    detail = f" The first failure: {failed[0]['error']}" if failed else ""
    if any(t["status"] in ("waiting", "pruned") for t in trials) and not failed:
        detail = (
            " The time budget ended first (trials still waiting, or pruned when it ran out): "
            "raise time_budget, or run the search again on the same ledger to resume it."
        )
    return (
        f"Search: no trial completed ({len(trials)} trials: "
        f"{', '.join(sorted({t['status'] for t in trials}))}).{detail}"
    )
