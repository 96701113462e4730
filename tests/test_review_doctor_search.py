"""Review findings on the doctor, the search, export and class_weight: each one pinned."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer

import mlpkit as mk
from mlpkit.exceptions import ConfigError
from mlpkit.search import claims


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return X[:200], y[:200]


# -- 1. the corrected score is compared with the naive one computed the same way ---------------


def test_bbc_estimate_never_exceeds_the_uncorrected_maximum_on_the_same_rows():
    rng = np.random.default_rng(0)
    # one configuration far ahead wins every sample: the selection costs nothing, and the
    # estimate differs from the pooled naive best by bootstrap noise only
    per_row = np.vstack([rng.random((2, 160)) < 0.6, rng.random((1, 160)) < 0.86]).astype(float)
    for seed in range(20):
        fast = claims.bbc_cv(per_row=per_row, n_bootstrap=200, random_state=seed)
        assert fast.estimate <= fast.oob_best
    y = rng.integers(0, 2, 80)
    oof = np.where(rng.random((3, 80)) < [[0.6], [0.55], [0.9]], y, 1 - y)

    def accuracy(t, p):
        return float(np.mean(t == p))

    scored = claims.bbc_cv(oof, y, accuracy, n_bootstrap=100, random_state=1)
    assert scored.estimate <= scored.oob_best


def test_search_corrected_score_is_below_the_like_with_like_naive_and_the_report_says_so(cancer):
    space = {
        "hidden_layer_sizes": mk.search.Choice([(8,), (16,)]),
        "alpha": mk.search.LogUniform(1e-5, 1e-2),
    }
    result = mk.search.Search(
        mk.MLPClassifier(max_iter=10), space, n_trials=3, cv=2, random_state=0
    ).fit(*cancer)
    uncorrected = result.claims_["corrected"].oob_best
    assert result.corrected_score_ <= uncorrected + 1e-12
    assert f"against {uncorrected:.4f} uncorrected on the same out-of-bag rows" in result.report()


# -- 2. a list in a space is a Choice; a range the estimator refuses fails at once -------------


def test_a_plain_list_in_a_space_is_read_as_a_choice():
    space = mk.search.Space({"alpha": [1e-4, 1e-3], "hidden_layer_sizes": (8,)})
    assert space.mapping["alpha"] == mk.search.Choice([1e-4, 1e-3])
    assert [c["alpha"] for c in space.grid()] == [1e-4, 1e-3]
    assert space.mapping["hidden_layer_sizes"] == (8,)  # a tuple stays fixed
    with pytest.raises(ConfigError, match=r"'alpha' is a list, read as Choice"):
        mk.search.Space({"alpha": []})


def test_a_fixed_list_survives_the_config_file_round_trip():
    space = mk.search.Space({"hidden_layer_sizes": (16, 8), "alpha": [1e-4, 1e-3]})
    back = mk.search.Space.from_config(space.to_config())
    assert back == space


def test_a_plain_list_search_runs_its_values(cancer):
    result = mk.search.Search(
        mk.MLPClassifier(max_iter=5),
        {"alpha": [1e-4, 1e-3]},
        strategy="grid",
        cv=2,
        random_state=0,
    ).fit(*cancer)
    assert result.n_trials_["failed"] == 0 and result.best_params_["alpha"] in (1e-4, 1e-3)


def test_a_range_the_estimator_refuses_fails_before_any_trial(cancer):
    search = mk.search.Search(
        mk.MLPClassifier(max_iter=5),
        {"alpha": mk.search.Uniform(-1, -0.5)},
        n_trials=2,
        cv=2,
        random_state=0,
    )
    with pytest.raises(ConfigError, match=r"'alpha' = Uniform\(low=-1.0.*reaches alpha=-1.0"):
        search.fit(*cancer)


def test_an_end_refused_only_with_another_value_is_left_to_the_trials():
    from mlpkit.search.bounds import check_bounds
    from mlpkit.search.trial import Model

    space = mk.search.Space(
        {"solver": mk.search.Choice(["adam", "sgd"]), "dropout": mk.search.Uniform(0.0, 0.5)}
    )
    check_bounds(space, Model(mk.MLPClassifier(solver="lbfgs")), 0)  # no error


# -- 3. and 4. the doctor on dead ReLUs: verdict and words agree; advice fits the network -----


@pytest.fixture(scope="module")
def dead_relu_report():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 8))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    dead = {"activation": "relu", "bias_initializer": mk.initializers.Constant(-10.0)}
    hidden = [mk.layers.Dense(16, **dead) for _ in range(3)]
    net = mk.Sequential([*hidden, mk.layers.Dense(1, activation="sigmoid")], random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return mk.doctor(net, X, y, loss="binary_cross_entropy", epochs=3)


def test_a_model_no_better_than_the_majority_guess_is_not_ok(dead_relu_report):
    found = dead_relu_report.verdict("accuracy_paradox")
    assert found["status"] == "warn"
    assert "paradox" not in found["evidence"].replace("no paradox", "")
    assert "no better than always predicting the majority class" in found["evidence"]


# -- 5. probe rows of the wrong width: predict's message, not onnxruntime's -------------------


@pytest.mark.parametrize("include_preprocessor", [True, False])
def test_to_onnx_checks_the_probe_rows_width_first(tmp_path, include_preprocessor):
    pytest.importorskip("onnxruntime")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 5))
    y = (X[:, 0] > 0).astype(int)
    layers = [mk.layers.Dense(4, activation="relu"), mk.layers.Dense(1, activation="sigmoid")]
    net = mk.Sequential(layers, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net.fit(X, y, loss="binary_cross_entropy", epochs=2)
    with pytest.raises(ValueError, match=r"has 3 features, but the network was built for 5") as e:
        mk.export.to_onnx(
            net, tmp_path / "y.onnx", probe_rows=X[:, :3], include_preprocessor=include_preprocessor
        )
    assert "INVALID_ARGUMENT" not in str(e.value)
    assert not (tmp_path / "y.onnx").exists()


# -- 6. class_weight names the label at fault ---------------------------------------------------


@pytest.fixture(scope="module")
def labelled():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    return X, (X[:, 0] > 0).astype(int)


def _fit(class_weight, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return mk.MLPClassifier(max_iter=2, class_weight=class_weight, random_state=0).fit(X, y)


def test_an_unknown_class_weight_label_is_named_with_the_classes(labelled):
    with pytest.raises(
        ValueError, match=r"label\(s\) 5, which are not classes of y \(classes: 0, 1\)"
    ):
        _fit({0: 1, 5: 2}, *labelled)


def test_class_weight_keys_of_another_type_are_named_as_such(labelled):
    with pytest.raises(ValueError, match=r"'0', '1'.*keys are str but the labels are int"):
        _fit({"0": 2, "1": 1}, *labelled)


def test_a_class_the_dict_leaves_out_keeps_weight_1(labelled):
    from mlpkit.estimators.class_weights import row_class_weights

    X, y = labelled
    weights = row_class_weights({0: 2.0}, y, "MLPClassifier")
    assert np.array_equal(weights, np.where(y == 0, 2.0, 1.0))
    _fit({0: 2}, X, y)
    labels = np.where(y == 1, "yes", "no")
    assert np.array_equal(row_class_weights({"yes": 3}, labels, "M"), np.where(y, 3.0, 1.0))
