"""Selection-corrected claims on constructed searches: pure noise lands on chance, signal on truth.

The "searches" here are matrices of out-of-fold predictions made to order: a configuration that
guesses (accuracy 0.5 in truth) or one right on each row with probability 0.8, so each claim
can be checked against the number it should find.
"""

import doctest
import time

import numpy as np
import pytest

from mlpkit.exceptions import ConfigError
from mlpkit.search.claims import (
    bbc_cv,
    bootstrap,
    effective_n,
    effective_trials,
    expected_max,
    expected_maximum,
    null_spread,
    pbo_cscv,
    permutation,
    permutation_pvalue,
    permuted_scores,
)


def accuracy(y_true, y_pred):
    return float(np.mean(y_true == y_pred))


def noise_search(seed, n_rows=500, n_configs=50):
    """Labels with no signal and configurations that guess: every true accuracy is 0.5."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 2, (n_configs, n_rows)), rng.integers(0, 2, n_rows)


def signal_search(seed, n_rows=1000, n_good=10, n_noise=40, truth=0.8):
    """n_good configurations right on each row with probability ``truth``, then guessers."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n_rows)
    good = np.where(rng.random((n_good, n_rows)) < truth, y, 1 - y)
    return np.vstack([good, rng.integers(0, 2, (n_noise, n_rows))]), y


@pytest.mark.parametrize(
    "module",
    [bootstrap, expected_maximum, permutation, effective_trials],
    ids=lambda m: m.__name__,
)
def test_the_docstring_examples_run(module):
    assert doctest.testmod(module).failed == 0


# -- bbc_cv --------------------------------------------------------------------------------------


def test_on_pure_noise_the_naive_best_is_luck_and_bbc_lands_on_chance():
    estimates, naives = [], []
    for seed in range(6):
        oof, y = noise_search(seed)
        result = bbc_cv(per_row=(oof == y).astype(float), random_state=seed)
        assert result.naive > 0.525  # the best of 50 guessers on 500 rows
        assert abs(result.estimate - 0.5) < 0.045
        assert result.low < 0.5 < result.high
        estimates.append(result.estimate)
        naives.append(result.naive)
    assert abs(np.mean(estimates) - 0.5) < 0.015
    # the naive best is what expected_max predicts for 50 trials of spread sqrt(0.25 / 500)
    assert np.mean(naives) == pytest.approx(expected_max(50, 0.5, np.sqrt(0.25 / 500)), abs=0.01)


def test_with_real_signal_bbc_lands_on_the_true_accuracy():
    estimates = []
    for seed in range(4):
        oof, y = signal_search(seed)
        result = bbc_cv(per_row=(oof == y).astype(float), random_state=seed)
        assert abs(result.estimate - 0.8) < 0.04
        assert result.low < 0.8 < result.high
        assert sum(result.chosen[:10]) == result.n_bootstrap == 1000  # a good one, every time
        assert result.naive > result.estimate
        estimates.append(result.estimate)
    assert abs(np.mean(estimates) - 0.8) < 0.015


def test_the_per_row_fast_path_draws_the_same_samples_as_the_score_path():
    oof, y = signal_search(1, n_rows=200, n_good=3, n_noise=7)
    slow = bbc_cv(oof, y, accuracy, n_bootstrap=300, random_state=5)
    fast = bbc_cv(per_row=(oof == y).astype(float), n_bootstrap=300, random_state=5)
    assert fast == slow


def test_probabilities_are_scored_by_the_score_function():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 3, 150)
    proba = rng.dirichlet(np.ones(3), size=(6, 150))  # (n_configs, n_rows, n_classes)
    result = bbc_cv(list(proba), y, lambda t, p: accuracy(t, p.argmax(axis=1)), n_bootstrap=200)
    per_row = (proba.argmax(axis=2) == y).astype(float)
    assert result == bbc_cv(per_row=per_row, n_bootstrap=200)
    assert abs(result.estimate - 1 / 3) < 0.06


def test_per_row_losses_give_minus_the_winners_loss():
    rng = np.random.default_rng(3)
    y = rng.normal(size=2000)
    spreads = np.array([1.0, 1.5, 1.5, 2.0])  # true mean squared error: spread²
    oof = y + spreads[:, None] * rng.normal(size=(4, 2000))
    result = bbc_cv(per_row=-((oof - y) ** 2), n_bootstrap=300)
    assert result.estimate == pytest.approx(-1.0, abs=0.08)
    assert result.chosen[0] == 300


def test_the_fast_path_runs_1000_bootstraps_of_50_configs_on_1000_rows_in_seconds():
    oof, y = noise_search(0, n_rows=1000)
    start = time.perf_counter()
    result = bbc_cv(per_row=(oof == y).astype(float), n_bootstrap=1000)
    assert time.perf_counter() - start < 5.0  # about 0.05 s measured on 2 cores
    assert result.n_bootstrap == 1000


def test_constant_predictions_give_the_majority_share_not_nan():
    y = np.array([1] * 70 + [0] * 30)
    result = bbc_cv(np.ones((5, 100), dtype=int), y, accuracy, n_bootstrap=200)
    assert result.naive == 0.7
    assert result.estimate == pytest.approx(0.7, abs=0.02)
    assert result.chosen == (200, 0, 0, 0, 0)  # ties go to the first configuration


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"oof": np.zeros((2, 5)), "per_row": np.zeros((2, 5))}, "either per_row or"),
        ({"oof": np.zeros((2, 5)), "y": np.zeros(5)}, "callable score"),
        ({"oof": np.zeros(5), "y": np.zeros(5), "score": accuracy}, "received shape (5,)"),
        ({"oof": np.zeros((2, 5)), "y": np.zeros(4), "score": accuracy}, "one entry per row"),
        ({"oof": [np.zeros(5), np.zeros(4)], "y": np.zeros(5), "score": accuracy}, "stack"),
        ({"per_row": [[0.0, np.nan], [1.0, 1.0]]}, "per_row[0, 1] is nan"),
        ({"per_row": np.zeros((3, 1))}, "at least 2 rows"),
        ({"per_row": np.zeros((2, 5)), "alpha": 1.0}, "alpha"),
        ({"per_row": np.zeros((2, 5)), "n_bootstrap": 0}, "n_bootstrap"),
        ({"oof": np.zeros((2, 5)), "y": np.zeros(5), "score": lambda t, p: np.nan}, "score"),
        ({"per_row": np.zeros((2, 5)), "random_state": -1}, "random_state"),
        ({"oof": np.zeros((2, 1)), "y": np.zeros(1), "score": accuracy}, "no bootstrap sample"),
    ],
)
def test_bbc_cv_names_the_bad_argument(kwargs, words):
    with pytest.raises(ConfigError) as error:
        bbc_cv(**kwargs)
    assert words in str(error.value)


# -- expected_max and null_spread ----------------------------------------------------------------


@pytest.mark.parametrize("n_trials", [2, 10, 100, 1000])
def test_expected_max_matches_monte_carlo_within_its_stated_error(n_trials):
    rng = np.random.default_rng(n_trials)
    repeats = 2_000_000 // n_trials
    maxima = rng.standard_normal((repeats, n_trials)).max(axis=1)
    standard_error = maxima.std() / np.sqrt(repeats)
    # the approximation is 0.044 std low at N = 2 and at most 0.036 std high from N = 3 on
    assert abs(expected_max(n_trials) - maxima.mean()) < 0.045 + 4 * standard_error
    scaled = expected_max(n_trials, mean=0.5, std=0.02)
    assert scaled == pytest.approx(0.5 + 0.02 * expected_max(n_trials))


def test_expected_max_grows_with_n_and_never_falls_below_the_mean():
    values = [expected_max(n, mean=0.5, std=0.02) for n in (1, 1.1, 1.5, 2, 5, 50, 500)]
    assert values[0] == values[1] == 0.5  # exact at N = 1, floored just above it
    assert np.all(np.diff(values[1:]) > 0)
    assert expected_max(50, mean=0.5, std=0.0) == 0.5


@pytest.mark.parametrize(
    "args, words",
    [((0.5,), "n_trials must be a number >= 1"), ((10, 0.0, -1.0), "std"), ((10, np.nan), "mean")],
)
def test_expected_max_names_the_bad_argument(args, words):
    with pytest.raises(ConfigError, match=words):
        expected_max(*args)


def test_null_spread_removes_the_level_a_permuted_search_shares():
    rng = np.random.default_rng(4)
    level = rng.normal(0.0, 0.05, size=(200, 1))  # each permuted search's own luck
    scores = 0.5 + level + rng.normal(0.0, 0.02, size=(200, 30))
    spread = null_spread(scores)
    assert spread.mean == pytest.approx(0.5, abs=0.01)
    assert spread.std == pytest.approx(0.02, rel=0.03)  # not the total 0.054
    assert (spread.n_permutations, spread.n_trials) == (200, 30)
    flat = null_spread(scores[:, 0])
    assert flat.std == pytest.approx(scores[:, 0].std(ddof=1))
    assert null_spread(np.full((4, 3), 0.5)).std == 0.0


@pytest.mark.parametrize(
    "scores, words", [([0.5], "at least 2 scores"), ([[0.5, np.nan]], "finite"), ([], "shape")]
)
def test_null_spread_names_the_bad_argument(scores, words):
    with pytest.raises(ConfigError, match="permuted_scores") as error:
        null_spread(scores)
    assert words in str(error.value)


def test_the_null_of_permuted_labels_predicts_the_naive_best_of_a_noise_search():
    oof, y = noise_search(5)
    permuted = permuted_scores(oof, y, accuracy, n_permutations=200, random_state=1)
    assert permuted.shape == (200, 50)
    spread = null_spread(permuted)
    assert spread.mean == pytest.approx(0.5, abs=0.005)
    assert spread.std == pytest.approx(np.sqrt(0.25 / 500), rel=0.1)
    naive = max(accuracy(y, pred) for pred in oof)
    assert expected_max(50, spread.mean, spread.std) == pytest.approx(naive, abs=0.025)
    p_noise = permutation_pvalue(naive, permuted.max(axis=1))
    assert p_noise > 0.05


def test_a_search_with_signal_beats_every_permuted_search():
    oof, y = signal_search(6, n_rows=300, n_good=2, n_noise=8)
    permuted = permuted_scores(oof, y, accuracy, n_permutations=99)
    naive = max(accuracy(y, pred) for pred in oof)
    assert permutation_pvalue(naive, permuted.max(axis=1)) == 0.01


def test_permuted_scores_names_the_bad_argument():
    with pytest.raises(ConfigError, match="permuted_scores n_permutations"):
        permuted_scores(np.zeros((2, 5)), np.zeros(5), accuracy, n_permutations=0)
    with pytest.raises(ConfigError, match="permuted_scores y must have one entry per row"):
        permuted_scores(np.zeros((2, 5)), np.zeros(3), accuracy)


# -- permutation_pvalue --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "observed, null, expected",
    [(5, [1, 2, 5, 7], 3 / 5), (10, [1, 2, 3], 1 / 4), (0, [1, 2, 3], 1.0), (2.0, [2.0], 1.0)],
)
def test_permutation_pvalue_counts_the_observed_search_among_the_null(observed, null, expected):
    assert permutation_pvalue(observed, null) == pytest.approx(expected)


def test_permutation_pvalue_names_the_bad_argument():
    with pytest.raises(ConfigError, match="max\\(axis=1\\)"):
        permutation_pvalue(0.6, np.zeros((3, 4)))
    with pytest.raises(ConfigError, match="observed_best"):
        permutation_pvalue(np.nan, [0.5])


# -- pbo_cscv ------------------------------------------------------------------------------------


def test_pbo_is_about_one_half_when_no_trial_is_better():
    values = []
    for seed in range(8):
        result = pbo_cscv(np.random.default_rng(seed).normal(size=(1000, 50)))
        assert result.n_combinations == 12_870 == len(result.logits)
        values.append(result.pbo)
    assert 0.4 < np.mean(values) < 0.6


def test_pbo_is_near_zero_when_one_trial_is_truly_better():
    rng = np.random.default_rng(9)
    performance = (rng.random((1000, 50)) < 0.5).astype(float)  # per-row correctness
    performance[:, 7] = rng.random(1000) < 0.6
    result = pbo_cscv(performance)
    assert result.pbo < 0.1
    assert np.median(result.logits) == pytest.approx(np.log(50 / 1))  # rank 50 of 50: ω = 50/51


def test_pbo_by_hand_on_two_partitions():
    flips = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])  # the best half swaps
    result = pbo_cscv(flips, n_partitions=2)
    assert result.pbo == 1.0 and result.n_combinations == 2
    np.testing.assert_allclose(result.logits, np.log([0.5, 0.5]))  # ω = 1/3: ranked worst
    steady = pbo_cscv(np.tile([1.0, 0.0], (4, 1)), n_partitions=2)
    assert steady.pbo == 0.0
    np.testing.assert_allclose(steady.logits, np.log([2.0, 2.0]))  # ω = 2/3: ranked best
    same = pbo_cscv(np.ones((8, 3)), n_partitions=4)
    assert same.pbo == 1.0 and np.all(same.logits == 0.0)  # choosing among equals bought nothing


@pytest.mark.parametrize(
    "shape, n_partitions, words",
    [
        ((100, 5), 15, "must be even"),
        ((100, 5), 22, "at most 20"),
        ((10, 5), 16, "fewer than n_partitions=16"),
        ((100, 1), 16, "at least 2 trials"),
        ((100,), 16, "received shape (100,)"),
    ],
)
def test_pbo_cscv_names_the_bad_argument(shape, n_partitions, words):
    with pytest.raises(ConfigError) as error:
        pbo_cscv(np.zeros(shape), n_partitions=n_partitions)
    assert words in str(error.value)


# -- effective_n ---------------------------------------------------------------------------------


def test_independent_trials_count_fully():
    losses = np.random.default_rng(10).normal(size=(2000, 50))
    assert 49.0 < effective_n(losses) <= 50.0
    assert 48.0 < effective_n(losses, method="participation_ratio") <= 50.0  # 50/(1 + 49/2000)


def test_copies_of_a_trial_count_once():
    base = np.random.default_rng(11).normal(size=(500, 1))
    copies = np.hstack([base * scale + shift for scale, shift in [(1, 0), (2, 1), (0.5, -3)] * 7])
    assert effective_n(copies) == pytest.approx(1.0, abs=1e-9)
    groups = np.repeat(np.random.default_rng(12).normal(size=(500, 2)), 10, axis=1)
    assert effective_n(groups) == pytest.approx(2.0, abs=0.01)
    assert effective_n(np.zeros((10, 5))) == pytest.approx(1.0)  # five perfect trials: one


def test_equicorrelated_trials_match_the_closed_forms():
    rng = np.random.default_rng(13)
    rho, n = 0.5, 20
    losses = np.sqrt(rho) * rng.normal(size=(20_000, 1)) + np.sqrt(1 - rho) * rng.normal(
        size=(20_000, n)
    )
    galwey = (np.sqrt(1 + (n - 1) * rho) + (n - 1) * np.sqrt(1 - rho)) ** 2 / n  # 13.90
    assert effective_n(losses) == pytest.approx(galwey, abs=0.3)
    ratio = effective_n(losses, method="participation_ratio")
    assert ratio == pytest.approx(n / (1 + (n - 1) * rho**2), abs=0.2)  # 3.48


@pytest.mark.parametrize(
    "losses, method, words",
    [
        (np.zeros((1, 3)), "galwey", "at least 2 rows"),
        ([[0.0, np.inf], [1.0, 2.0]], "galwey", "losses[0, 1] is inf"),
        (np.zeros((5, 3)), "kish", "method must be"),
    ],
)
def test_effective_n_names_the_bad_argument(losses, method, words):
    with pytest.raises(ConfigError) as error:
        effective_n(losses, method=method)
    assert words in str(error.value)
