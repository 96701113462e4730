"""Search end to end: reproducible proposals, worker counts, resume, lost workers, the claims."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification

import mlpkit as mk
from mlpkit.search import Choice, IntUniform, LogUniform, Search

HERE = Path(__file__).resolve().parent


def data(n=240, seed=0, noise=False):
    X, y = make_classification(
        n_samples=n, n_features=6, n_informative=4, random_state=seed, flip_y=0.05
    )
    if noise:
        y = np.random.default_rng(seed).integers(0, 2, n)
    return X, y


SPACE = {
    "hidden_layer_sizes": Choice([(4,), (8,), (16,)]),
    "learning_rate_init": LogUniform(1e-3, 3e-2),
    "alpha": LogUniform(1e-5, 1e-1),
}


def small(**kw):
    return mk.MLPClassifier(max_iter=15, **kw)


def ledger_columns(result):
    frame = result.trials_
    return frame[["number", "status", "score", "seed", "config_hash"]].to_dict("records"), [
        None if s is None else list(s) for s in frame["fold_scores"]
    ]


def test_the_same_seed_proposes_and_scores_the_same_trials():
    X, y = data()
    first = Search(small(), SPACE, n_trials=6, cv=3, random_state=3).fit(X, y)
    again = Search(small(), SPACE, n_trials=6, cv=3, random_state=3).fit(X, y)
    other = Search(small(), SPACE, n_trials=6, cv=3, random_state=4).fit(X, y)
    assert ledger_columns(first) == ledger_columns(again)
    assert first.trials_["config_hash"].tolist() != other.trials_["config_hash"].tolist()
    assert first.n_trials_["complete"] == 6
    assert first.best_score_ == max(first.trials_["score"])
    assert set(first.best_params_) == set(SPACE)


def test_one_and_four_worker_processes_write_the_same_ledger(tmp_path):
    X, y = data()
    kw = dict(n_trials=8, cv=3, random_state=0, batch_size=4, strategy="random")
    one = Search(small(), SPACE, ledger=tmp_path / "one.sqlite", **kw).fit(X, y)
    four = Search(small(), SPACE, ledger=tmp_path / "four.sqlite", n_workers=4, **kw).fit(X, y)
    assert ledger_columns(one) == ledger_columns(four)
    assert four.trials_["worker"].nunique() > 1  # the trials really ran in several processes
    assert one.search_id == four.search_id


def test_a_repeated_configuration_is_recorded_as_a_duplicate_and_counted_once():
    X, y = data(n=120)
    space = {"hidden_layer_sizes": Choice([(4,), (8,)])}
    result = Search(small(), space, n_trials=8, cv=2, strategy="random").fit(X, y)
    assert result.n_trials_["duplicate"] == 8 - result.n_trials_["complete"]
    assert result.n_configurations == result.n_trials_["complete"] <= 2
    duplicates = result.trials_[result.trials_["status"] == "duplicate"]
    originals = result.trials_.set_index("number")["score"]
    for _, row in duplicates.iterrows():
        assert row["score"] == originals[row["duplicate_of"]]


def test_the_winner_is_refitted_and_scored_once_on_the_test_split():
    X, y = data()
    result = Search(small(), SPACE, n_trials=4, cv=3, test_size=0.25).fit(X, y)
    assert result.best_estimator_.n_features_in_ == 6
    assert result.best_estimator_.get_params()["alpha"] == result.best_params_["alpha"]
    assert 0.5 < result.test_score_ <= 1.0
    assert "untouched test split" in result.report()


def test_pure_noise_the_corrected_estimate_is_near_chance_the_naive_best_above_it():
    X, y = data(n=300, noise=True)
    result = Search(small(), SPACE, n_trials=16, cv=3, random_state=1).fit(X, y)
    claims = result.claims_
    assert result.best_score_ > 0.5
    assert result.corrected_score_ < result.best_score_
    assert abs(result.corrected_score_ - 0.5) < 0.06
    assert claims["expected_best_under_null"] > claims["null"].mean
    text = result.report()
    assert "16 trials" in text and "16 complete" in text and "BBC-CV" in text


def test_real_signal_the_corrected_estimate_stays_near_the_test_score():
    X, y = data(n=400, seed=2)
    result = Search(small(), SPACE, n_trials=8, cv=3, random_state=0).fit(X, y)
    assert result.corrected_score_ > 0.75
    assert abs(result.corrected_score_ - result.test_score_) < 0.1


def test_the_median_pruner_stops_hopeless_trials_after_their_first_fold():
    X, y = data()
    space = {"learning_rate_init": Choice([3e-2, 1e-9]), "hidden_layer_sizes": IntUniform(4, 16)}
    result = Search(
        small(),
        space,
        n_trials=16,
        cv=4,
        pruner=mk.search.MedianPruner(n_startup=2),
        batch_size=4,
        random_state=0,
    ).fit(X, y)
    pruned = result.trials_[result.trials_["status"] == "pruned"]
    assert len(pruned) >= 2
    assert all(len(s) < 4 for s in pruned["fold_scores"])
    assert set(pruned["param.learning_rate_init"]) == {1e-9}


def test_a_failed_trial_is_recorded_with_its_error_and_not_the_winner():
    X, y = data(n=120)
    space = {"activation": Choice(["relu", "no-such-activation"])}
    result = Search(small(), space, n_trials=4, cv=2, strategy="grid").fit(X, y)
    failed = result.trials_[result.trials_["status"] == "failed"]
    assert len(failed) == 1 and "no-such-activation" in failed["error"].iloc[0]
    assert result.best_params_ == {"activation": "relu"}


def test_a_search_over_a_network_built_by_a_function():
    X, y = data(n=160)

    def build(width, random_state):
        return mk.Sequential(
            [mk.layers.Dense(width, activation="relu"), mk.layers.Dense(1, activation="sigmoid")],
            random_state=random_state,
        )

    result = Search(
        build,
        {"width": Choice([2, 8])},
        strategy="grid",
        cv=2,
        fit_params={"loss": "binary_cross_entropy", "epochs": 5, "verbose": 0},
    ).fit(X, y)
    assert result.n_trials_["complete"] == 2
    assert isinstance(result.best_estimator_, mk.Sequential)


def test_an_unknown_parameter_is_named():
    with pytest.raises(mk.ConfigError, match="hidden_layer_size"):
        Search(small(), {"hidden_layer_size": Choice([(4,)])}).fit(*data(n=60))


def test_a_killed_search_resumes_without_repeating_a_finished_trial(tmp_path):
    path = tmp_path / "runs.sqlite"
    script = tmp_path / "run.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import sys
            sys.path.insert(0, {str(HERE)!r})
            from test_search import data, small, SPACE
            from mlpkit.search import Search
            Search(small(), SPACE, n_trials=12, cv=3, batch_size=4, ledger={str(path)!r},
                   stale_after=1.0).fit(*data())
            """
        )
    )
    process = subprocess.Popen([sys.executable, str(script)])
    deadline = time.time() + 120
    first_batch = []
    while time.time() < deadline and len(first_batch) < 4:
        time.sleep(0.2)
        if path.exists():
            first_batch = [
                t for t in mk.runs(path) if t["status"] == "complete" and t["number"] < 4
            ]
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    before = {t["number"]: t["finished"] for t in mk.runs(path) if t["status"] == "complete"}
    assert 4 <= len(before) < 12
    time.sleep(1.1)  # the killed run's trial in progress goes stale
    result = Search(
        small(), SPACE, n_trials=12, cv=3, batch_size=4, ledger=path, stale_after=1.0
    ).fit(*data())
    after = {t["number"]: t["finished"] for t in mk.runs(path) if t["status"] == "complete"}
    assert len(after) == 12 and result.n_trials_["complete"] == 12
    assert all(after[n] == finished for n, finished in before.items())


class SlowOnce(mk.MLPClassifier):
    """Sleeps in its first fit (writing its pid), so the test can kill the worker mid-trial."""

    def fit(self, X, y):
        try:  # exactly one fit, in one worker, gets to create the marker
            marker = os.open(os.environ["MLPKIT_TEST_MARKER"], os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return super().fit(X, y)
        os.write(marker, str(os.getpid()).encode())
        os.close(marker)
        time.sleep(60)


def test_a_worker_killed_mid_trial_is_detected_and_its_trial_run_again(tmp_path, monkeypatch):
    marker = tmp_path / "pid"
    monkeypatch.setenv("MLPKIT_TEST_MARKER", str(marker))

    def kill_when_started():
        while not marker.exists() or not marker.read_text():
            time.sleep(0.1)
        os.kill(int(marker.read_text()), signal.SIGKILL)

    import threading

    killer = threading.Thread(target=kill_when_started, daemon=True)
    killer.start()
    result = Search(
        SlowOnce(max_iter=10),
        {"alpha": Choice([1e-4, 1e-3])},
        strategy="grid",
        cv=2,
        n_workers=2,
        ledger=tmp_path / "runs.sqlite",
        stale_after=2.0,
    ).fit(*data(n=100))
    killer.join(timeout=5)
    assert result.n_trials_["lost"] == 1
    assert result.n_trials_["complete"] == 2
    assert sorted(result.trials_["lost_count"]) == [0, 1]


@pytest.mark.parametrize(
    "strategy, options",
    [
        ("tpe", {}),
        ("gp", {"n_startup_trials": 2}),
        ("genetic", {"population_size": 4}),
        ("genetic", {"population_size": 4, "objectives": 2}),
    ],
)
def test_every_strategy_runs_a_search_and_reproduces_it(strategy, options):
    X, y = data(n=160)
    kw = dict(strategy=strategy, strategy_options=options, n_trials=8, cv=2, batch_size=4)
    first = Search(small(), SPACE, **kw).fit(X, y)
    again = Search(small(), SPACE, **kw).fit(X, y)
    assert first.n_trials_["complete"] + first.n_trials_["duplicate"] == 8
    assert ledger_columns(first) == ledger_columns(again)


def test_a_dask_cluster_writes_the_same_ledger_as_one_process(tmp_path):
    pytest.importorskip("distributed")
    X, y = data(n=160)
    kw = dict(n_trials=4, cv=2, batch_size=4, random_state=5)
    here = Search(small(), SPACE, **kw).fit(X, y)
    cluster = Search(small(), SPACE, ledger=tmp_path / "d.sqlite", dask=True, n_workers=2, **kw)
    assert ledger_columns(cluster.fit(X, y)) == ledger_columns(here)


def test_auto_searches_the_built_in_space_in_one_line():
    X, y = data(n=160)
    result = mk.search.auto(X, y, n_trials=4, max_iter=5, cv=2)
    assert callable(mk.search.auto)  # still the function after its module was imported
    assert sum(result.n_trials_.values()) == 4
    assert {"hidden_layer_sizes", "alpha", "learning_rate_init"} <= set(result.best_params_)
    assert isinstance(result.best_params_["hidden_layer_sizes"], tuple)
    assert 0.5 <= result.test_score_ <= 1.0


def test_auto_tries_the_estimators_defaults_first():
    X, y = data(n=160)
    result = mk.search.auto(X, y, n_trials=3, max_iter=5, cv=2, test_size=None)
    first = result.trials_.sort_values("number").iloc[0]
    assert first["number"] == 0
    assert first["param.hidden_layer_sizes.width_1"] == 100
    assert first["param.learning_rate_init"] == mk.MLPClassifier().learning_rate_init
    assert first["param.batch_size"] == "auto" and first["status"] == "complete"


def test_auto_searches_the_scaling_of_a_raw_table_for_values():
    rng = np.random.default_rng(0)
    area = np.exp(rng.normal(8.0, 1.0, size=150))  # a long right tail, as lot areas have
    table = pd.DataFrame({"area": area, "kind": rng.choice(["a", "b", "c"], size=150)})
    table.loc[::10, "area"] = np.nan
    y = np.log(np.nan_to_num(area, nan=3000.0)) + (table["kind"] == "b") + rng.normal(0, 0.1, 150)
    result = mk.search.auto(table, y, n_trials=6, max_iter=5, cv=2, test_size=None, ensemble=0)
    trials = result.trials_.sort_values("number")
    assert trials["param.preprocessor__scaler"].iloc[0] == "standard"  # the defaults first
    assert set(trials["param.preprocessor__scaler"]) == {"standard", "tanh"}
    assert (
        trials.loc[trials["param.preprocessor__scaler"] == "tanh", "status"] == "complete"
    ).any()
    scaler = result.best_estimator_.network_.preprocessor.scaler
    assert scaler == result.best_params_["preprocessor__scaler"]
    assert np.isfinite(result.best_estimator_.predict(table.head(5))).all()
    classes = mk.search.auto(table, y > np.median(y), n_trials=1, max_iter=2, cv=2, test_size=None)
    assert "param.preprocessor__scaler" not in classes.trials_  # measured worse for classes


def test_auto_searches_class_weights_for_classes():
    # Measured over 5 splits at 30 s (benchmarks/README.md): with class weights in the space,
    # red wine's balanced accuracy went from 0.327 to 0.430 (HGB 0.360).
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    labels = np.where(X[:, 0] > 1.0, "rare", "common")  # about 16 % "rare"
    kw = dict(max_iter=5, cv=2, test_size=None, ensemble=0, scoring="balanced_accuracy")
    result = mk.search.auto(X, labels, n_trials=6, **kw)
    trials = result.trials_.sort_values("number")
    weights = trials["param.class_weight"]
    assert pd.isna(weights.iloc[0])  # the defaults first: None, scikit-learn's (NaN in pandas)
    assert (weights == "balanced").any()
    assert result.best_estimator_.class_weight == result.best_params_["class_weight"]
    values = mk.search.auto(X, X[:, 1], n_trials=1, max_iter=2, cv=2, test_size=None)
    assert "param.class_weight" not in values.trials_  # a regressor has no class weights


def test_auto_calls_whole_valued_prices_a_regression():
    # California house values are whole dollars: scikit-learn's type_of_target calls them
    # 1,165 classes, and the search once trained a 1,165-way classifier on them (R² 0.42).
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    y = np.round(100_000 + 20_000 * X[:, 0] + 1_000 * rng.normal(size=120))
    result = mk.search.auto(X, y, n_trials=1, max_iter=5, cv=2, test_size=None)
    assert isinstance(result.best_estimator_, mk.MLPRegressor)
    labels = (X[:, 0] > 0).astype(float)  # 0.0 / 1.0: classes
    classes = mk.search.auto(X, labels, n_trials=1, max_iter=2, cv=2, test_size=None)
    assert isinstance(classes.best_estimator_, mk.MLPClassifier)


def test_points_to_evaluate_are_the_first_trials_and_the_strategy_goes_on_after_them():
    X, y = data(n=160)
    point = {"hidden_layer_sizes": (8,), "learning_rate_init": 0.01, "alpha": 0.001}
    kw = dict(n_trials=5, cv=2, batch_size=2, random_state=0, strategy="random", test_size=None)
    search = Search(small(), SPACE, points_to_evaluate=[point, dict(point, alpha=0.01)], **kw)
    result = search.fit(X, y)
    trials = result.trials_.sort_values("number")
    assert trials["param.alpha"].tolist()[:2] == [0.001, 0.01]
    assert (trials["param.learning_rate_init"].iloc[:2] == 0.01).all()
    plain = Search(small(), SPACE, **kw).fit(X, y)
    # the strategy's own proposals keep their trial numbers: random trial i is drawn for i
    hashes = plain.trials_.sort_values("number")["config_hash"].tolist()
    assert trials["config_hash"].tolist()[2:] == hashes[2:]
    assert plain.search_id != result.search_id  # the points are part of the search's identity


def test_points_to_evaluate_are_checked_against_the_space_and_refused_with_a_grid():
    X, y = data(n=60)
    with pytest.raises(mk.exceptions.ConfigError, match=r"points_to_evaluate\[0\].*alpha"):
        Search(small(), SPACE, points_to_evaluate=[{"alpha": 1e-3}]).fit(X, y)
    grid = {"alpha": Choice([1e-4, 1e-3])}
    with pytest.raises(mk.exceptions.ConfigError, match="grid"):
        Search(small(), grid, strategy="grid", points_to_evaluate=[{"alpha": 1e-3}]).fit(X, y)


def test_the_time_budget_stops_a_running_trial_not_just_the_next_batch():
    """Both trials are proposed in one batch; the second would train for 100,000 epochs. The
    budget stops it at an epoch end (pruned, with the reason) instead of after its folds."""
    X, y = data()
    slow = mk.MLPClassifier(tol=0.0, n_iter_no_change=10**6, random_state=0)
    space = {"max_iter": Choice([5, 100_000])}
    result = Search(
        slow, space, strategy="grid", n_trials=2, batch_size=2, cv=2, time_budget=1.0
    ).fit(X, y)
    trials = result.trials_.set_index("number")
    assert trials.loc[0, "status"] == "complete"
    assert trials.loc[1, "status"] == "pruned"
    assert "time budget ran out" in trials.loc[1, "stop_reason"]
    assert result.best_params_ == {"max_iter": 5}


def test_the_time_budget_ends_a_search_of_worker_processes_with_trials_still_waiting(tmp_path):
    """Two workers, eight slow trials: once the budget ends no worker starts one, the running
    ones stop at an epoch end (pruned), and the search returns (it used to wait for the rest
    forever), saying that the budget ended before any trial completed."""
    X, y = data()
    slow = mk.MLPClassifier(max_iter=100_000, tol=0.0, n_iter_no_change=10**6, random_state=0)
    space = {"alpha": LogUniform(1e-5, 1e-1)}
    ledger = tmp_path / "runs.sqlite"
    search = Search(slow, space, n_trials=8, cv=2, n_workers=2, time_budget=10.0, ledger=ledger)
    with pytest.raises(RuntimeError, match="time budget ended first"):
        search.fit(X, y)
    statuses = [t["status"] for t in mk.runs(ledger)]
    assert len(statuses) == 8 and set(statuses) <= {"pruned", "waiting"}
    assert 1 <= statuses.count("pruned") <= 4 and statuses.count("waiting") >= 4


def test_a_budget_too_short_for_any_trial_says_so():
    X, y = data()
    slow = mk.MLPClassifier(max_iter=100_000, tol=0.0, n_iter_no_change=10**6, random_state=0)
    search = Search(slow, {"alpha": LogUniform(1e-5, 1e-1)}, n_trials=4, cv=2, time_budget=0.3)
    with pytest.raises(RuntimeError, match="time budget ended first.*raise time_budget"):
        search.fit(X, y)
