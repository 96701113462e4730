"""MLPClassifier and MLPRegressor keep scikit-learn's contract and work inside its tools."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

import mlpkit as mk
from mlpkit.datasets import load_machine_failure


@parametrize_with_checks([mk.MLPClassifier(random_state=0), mk.MLPRegressor(random_state=0)])
def test_estimators_pass_scikit_learns_checks(estimator, check):
    # skipped by scikit-learn itself: check_array_api_input (needs SCIPY_ARRAY_API=1 and an
    # array-API backend; mlpkit computes with NumPy only) and, for the classifier,
    # check_classifiers_multilabel_output_format_decision_function (no decision_function)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(estimator)


@parametrize_with_checks([mk.MLPClassifier(preprocessor="auto", random_state=0, max_iter=50)])
def test_an_estimator_with_its_own_preprocessor_passes_scikit_learns_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(estimator)


def classification(n=600, classes=3, seed=0):
    return make_classification(
        n_samples=n, n_features=8, n_informative=5, n_classes=classes, random_state=seed
    )


def test_string_labels_come_back_as_given_with_probabilities_that_sum_to_one():
    X, y = classification()
    names = np.array(["low", "mid", "high"])[y]
    model = mk.MLPClassifier(hidden_layer_sizes=(32,), random_state=0).fit(X, names)
    assert set(model.classes_) == {"low", "mid", "high"}
    assert set(model.predict(X)) <= set(model.classes_)
    np.testing.assert_allclose(model.predict_proba(X).sum(axis=1), 1, rtol=1e-9)
    assert model.score(X, names) > 0.85


def test_binary_and_multilabel_targets():
    X, y = classification(classes=2)
    binary = mk.MLPClassifier(random_state=0).fit(X, y)
    assert binary.predict_proba(X).shape == (600, 2) and binary.score(X, y) > 0.85
    Y = np.column_stack([y, 1 - y, (X[:, 0] > 0).astype(int)])
    multi = mk.MLPClassifier(random_state=0).fit(X, Y)
    assert multi.predict(X).shape == (600, 3)


def test_pipeline_and_grid_search_and_cross_val_score_work():
    X, y = classification()
    pipe = Pipeline(
        [("scale", mk.data.StandardScaler()), ("mlp", mk.MLPClassifier(random_state=0))]
    )
    search = GridSearchCV(
        pipe, {"mlp__hidden_layer_sizes": [(8,), (32,)], "mlp__alpha": np.logspace(-4, -2, 2)}, cv=3
    )
    search.fit(X, y)
    assert search.best_score_ > 0.8
    assert (
        cross_val_score(
            mk.MLPRegressor(random_state=0), *make_regression(200, 5, random_state=0), cv=3
        ).mean()
        > 0.8
    )


def test_dataframes_keep_their_feature_names():
    X, y = classification()
    frame = pd.DataFrame(X, columns=[f"sensor {i}" for i in range(8)])
    model = mk.MLPClassifier(random_state=0, max_iter=20).fit(frame, y)
    assert list(model.feature_names_in_) == list(frame.columns)


def test_regressor_scales_the_target_and_answers_in_its_units_for_several_outputs():
    X, Y = make_regression(400, 6, n_targets=2, noise=1.0, random_state=0)
    Y = Y * 1000 + 50_000
    model = mk.MLPRegressor(random_state=0, hidden_layer_sizes=(64,)).fit(X, Y)
    predicted = model.predict(X)
    assert predicted.shape == (400, 2) and model.score(X, Y) > 0.9
    assert abs(predicted.mean() - Y.mean()) < 0.05 * abs(Y.mean())


def test_partial_fit_over_chunks_comes_within_one_percent_of_full_batch_accuracy():
    X, y, _ = load_machine_failure()
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=0
    )
    full = mk.MLPClassifier(
        hidden_layer_sizes=(32,), random_state=0, max_iter=30, early_stopping=False
    ).fit(X_train, y_train)
    online = mk.MLPClassifier(hidden_layer_sizes=(32,), random_state=0)
    for _ in range(30):
        for chunk in np.array_split(np.arange(len(y_train)), 7):
            online.partial_fit(X_train[chunk], y_train[chunk], classes=[0, 1])
    assert online.score(X_test, y_test) >= full.score(X_test, y_test) - 0.01


def test_warm_start_continues_from_the_previous_weights():
    X, y = classification()
    model = mk.MLPClassifier(random_state=0, max_iter=5, warm_start=True, early_stopping=False)
    model.fit(X, y)
    first = model.network_.params.copy()
    model.fit(X, y)
    assert model.n_iter_ == 10 or len(model.loss_curve_) == 10
    assert not np.array_equal(first, model.network_.params)


def test_defaults_train_well_on_real_tabular_data():
    X, y, _ = load_machine_failure()
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=0
    )
    model = mk.MLPClassifier(random_state=0).fit(X_train, y_train)  # raw, unscaled inputs
    assert model.score(X_test, y_test) > 0.97


def test_bad_parameters_are_named():
    X, y = classification()
    with pytest.raises(mk.ConfigError, match="hidden_layer_sizes"):
        mk.MLPClassifier(hidden_layer_sizes=(0,)).fit(X, y)
    with pytest.raises(mk.ConfigError, match="activation lists 1 names for 2 hidden layers"):
        mk.MLPClassifier(hidden_layer_sizes=(4, 4), activation=["relu"]).fit(X, y)


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_saved_estimators_load_back_and_predict_bit_for_bit(kind, tmp_path):
    if kind == "classifier":
        X, y = classification()
        y = np.array(["a", "b", "c"])[y]
        model = mk.MLPClassifier(
            random_state=0, max_iter=20, lr_schedule=mk.schedules.ExponentialDecay(1e-2, 0.01)
        )
    else:
        X, y = make_regression(300, 6, n_targets=2, random_state=0)
        model = mk.MLPRegressor(random_state=0, max_iter=20)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    model.fit(frame, y)
    loaded = mk.load(model.save(tmp_path / "model.mlpk"))
    assert type(loaded) is type(model) and loaded.get_params().keys() == model.get_params().keys()
    np.testing.assert_array_equal(loaded.predict(frame), model.predict(frame))
    assert list(loaded.feature_names_in_) == list(frame.columns)
    if kind == "classifier":
        np.testing.assert_array_equal(loaded.predict_proba(frame), model.predict_proba(frame))
        loaded.partial_fit(frame, y)  # training continues after loading


def test_class_weight_and_sample_weight_shift_the_decision():
    X, y, _ = load_machine_failure()
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=0
    )
    plain = mk.MLPClassifier(hidden_layer_sizes=(32,), random_state=0, max_iter=30)
    balanced = mk.MLPClassifier(
        hidden_layer_sizes=(32,), random_state=0, max_iter=30, class_weight="balanced"
    )
    recall = [
        (m.fit(X_train, y_train).predict(X_test)[y_test == 1] == 1).mean()
        for m in (plain, balanced)
    ]
    assert recall[1] > recall[0] + 0.1  # the rare failures are found far more often
    weights = np.where(y_train == 1, 1 / y_train.mean(), 1.0)
    weighted = mk.MLPClassifier(hidden_layer_sizes=(32,), random_state=0, max_iter=30)
    weighted.fit(X_train, y_train, sample_weight=weights)
    assert (weighted.predict(X_test)[y_test == 1] == 1).mean() > recall[0] + 0.1


def test_randomized_search_tunes_the_regressor():
    from scipy.stats import loguniform
    from sklearn.model_selection import RandomizedSearchCV

    X, y = make_regression(300, 5, noise=5.0, random_state=0)
    search = RandomizedSearchCV(
        mk.MLPRegressor(random_state=0, max_iter=100),
        {"learning_rate_init": loguniform(1e-3, 1e-2), "hidden_layer_sizes": [(16,), (64,)]},
        n_iter=3,
        cv=3,
        random_state=0,
    ).fit(X, y)
    assert search.best_score_ > 0.8


def test_partial_fit_trains_one_epoch_per_call_from_the_first():
    X, y = classification()
    model = mk.MLPClassifier(hidden_layer_sizes=(8,), max_iter=50, random_state=0)
    model.partial_fit(X[:300], y[:300], classes=[0, 1, 2])
    assert model.n_iter_ == 1
    model.partial_fit(X[300:], y[300:])
    assert model.n_iter_ == 2


def test_a_warm_start_refit_keeps_early_stopping():
    X, y = make_classification(300, 20, flip_y=0.3, random_state=0)
    model = mk.MLPClassifier(
        hidden_layer_sizes=(64,), max_iter=300, warm_start=True, early_stopping=True, random_state=0
    )
    model.fit(X, y)
    first = model.n_iter_
    model.fit(X, y)
    assert model.stop_reason_.startswith("early stopping") and model.n_iter_ < first + 300


def test_search_style_parameters_save_and_clone_after_loading(tmp_path):
    from sklearn.base import clone

    X, y = classification(classes=2)
    model = mk.MLPClassifier(
        max_iter=10, random_state=np.int64(3), class_weight={0: 1, 1: 2}, l1=1e-4
    ).fit(X, y)
    loaded = mk.load(model.save(tmp_path / "m.mlpk"))
    assert loaded.class_weight == {0: 1, 1: 2} and loaded.random_state == 3
    clone(loaded).fit(X, y)
    mk.MLPClassifier(max_iter=5, random_state=np.random.RandomState(0)).fit(X, y)


def test_warm_start_refuses_a_changed_architecture_instead_of_ignoring_it():
    X, y = classification(200)
    model = mk.MLPClassifier(hidden_layer_sizes=(8,), warm_start=True, max_iter=3, random_state=0)
    model.fit(X, y)
    model.set_params(hidden_layer_sizes=(4,))
    with pytest.raises(mk.ConfigError, match=r"hidden_layer_sizes=\(4,\).*warm_start=False"):
        model.fit(X, y)


def test_regression_targets_that_are_not_numbers_are_named():
    X, _ = classification(20)
    for y in (np.array([b"a"] * 20, dtype=object), np.array(["1.5"] * 19 + ["high"])):
        with pytest.raises(TypeError, match="numeric targets"):
            mk.MLPRegressor(max_iter=2).fit(X, y)


def test_preprocessor_parameters_come_back_from_a_model_file_as_they_went_in(tmp_path):
    frame = pd.DataFrame({"c": ["a", "b"] * 30, "x": np.arange(60.0)})
    y = np.arange(60) % 2
    prep = mk.data.Preprocessor(categorical=["c"], missing_columns={"x": "median"})
    model = mk.MLPClassifier(preprocessor=prep, hidden_layer_sizes=[8], max_iter=3).fit(frame, y)
    loaded = mk.load(model.save(tmp_path / "prep.mlpk"))
    assert loaded.get_params()["preprocessor"].get_params() == prep.get_params()
    assert loaded.hidden_layer_sizes == [8]
    np.testing.assert_array_equal(loaded.predict_proba(frame), model.predict_proba(frame))


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_weights_equal_repeated_rows_in_training(solver):
    from sklearn.utils.estimator_checks import check_sample_weight_equivalence_on_dense_data

    # L-BFGS is equivalent too, but its line searches amplify rounding differences (the sums
    # run over other rows) past the check's rtol=1e-7 after ~50 iterations: 20 here
    budget = {"max_iter": 20} if solver == "lbfgs" else {}
    for model in (
        mk.MLPClassifier(random_state=0, scale_inputs=False, solver=solver, **budget),
        mk.MLPRegressor(
            random_state=0, scale_inputs=False, scale_target=False, solver=solver, **budget
        ),
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            check_sample_weight_equivalence_on_dense_data(type(model).__name__, model)


def test_twenty_epochs_learn_scikit_learns_training_checks():
    from sklearn.utils.estimator_checks import check_classifiers_train, check_regressors_train

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_classifiers_train("MLPClassifier", mk.MLPClassifier(max_iter=20, random_state=0))
        check_regressors_train("MLPRegressor", mk.MLPRegressor(max_iter=20, random_state=0))


def test_scikit_learn_solver_parameters_run_as_written():
    X, y = classification(300, classes=2)
    for params in (
        {"solver": "sgd", "learning_rate": "constant", "nesterovs_momentum": False},
        {"solver": "sgd", "learning_rate": "invscaling", "learning_rate_init": 0.3},
        {"solver": "sgd", "learning_rate": "adaptive"},
        {"solver": "lbfgs", "max_fun": 15000},
        {"solver": "adam", "optimizer": "rmsprop"},
    ):
        model = mk.MLPClassifier(random_state=0, max_iter=60, **params).fit(X, y)
        assert model.score(X, y) > 0.85, params
        assert model.n_iter_ == len(model.loss_curve_) and model.stop_reason_


def test_sgd_follows_momentum_and_nesterov():
    X, y = classification(200, classes=2)
    model = mk.MLPClassifier(solver="sgd", momentum=0.5, max_iter=2, random_state=0).fit(X, y)
    assert isinstance(model.optimizer_, mk.optim.SGD)
    assert model.optimizer_.nesterov and model.optimizer_.momentum == 0.5
    plain = mk.MLPClassifier(solver="sgd", nesterovs_momentum=False, max_iter=2).fit(X, y)
    assert not plain.optimizer_.nesterov


def test_invscaling_divides_the_rate_by_rows_seen_to_the_power_t():
    X, y = classification(150, classes=2)
    model = mk.MLPClassifier(
        solver="sgd", learning_rate="invscaling", power_t=0.5, max_iter=3, random_state=0
    ).fit(X, y)
    assert model.t_ == 450  # 150 rows (no validation split below 10,000 rows) x 3 epochs
    assert model.optimizer_.current_learning_rate() == pytest.approx(3e-3 / 451**0.5)
    model.partial_fit(X, y)
    assert model.t_ == 600
    assert model.optimizer_.current_learning_rate() == pytest.approx(3e-3 / 601**0.5)


def test_adaptive_divides_the_rate_by_five_after_two_epochs_without_progress():
    X, y = classification(100, classes=2)
    model = mk.MLPClassifier(
        solver="sgd", learning_rate="adaptive", tol=10.0, n_iter_no_change=6, max_iter=50
    ).fit(X, y)
    # epoch 1 sets the best; nothing later improves by tol=10: the rate drops after epochs 3, 5
    # and 7 (two bad epochs each), and training stops on the 7th bad epoch (scikit-learn's
    # n_iter_no_change + 1), at epoch 8
    assert model.n_iter_ == 8
    assert model.optimizer_.current_learning_rate() == pytest.approx(3e-3 / 125)


def test_lbfgs_respects_max_iter_and_max_fun_and_saves(tmp_path):
    X, y = make_regression(200, 5, noise=1.0, random_state=0)
    model = mk.MLPRegressor(solver="lbfgs", max_iter=30, random_state=0).fit(X, y)
    assert model.n_iter_ == 30 and "iterations" in model.stop_reason_
    assert model.score(X, y) > 0.95
    assert np.all(np.diff(model.loss_curve_) <= 1e-12)  # L-BFGS never goes up
    few = mk.MLPRegressor(solver="lbfgs", max_fun=10, random_state=0).fit(X, y)
    assert few.n_iter_ <= 10 and "evaluations" in few.stop_reason_  # each iteration evaluates
    loaded = mk.load(model.save(tmp_path / "lbfgs.mlpk"))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    with pytest.raises(mk.ConfigError, match="partial_fit"):
        model.partial_fit(X, y)


def test_solver_and_optimizer_that_contradict_are_refused():
    X, y = classification(60)
    with pytest.raises(mk.ConfigError, match="solver"):
        mk.MLPClassifier(solver="newton").fit(X, y)
    with pytest.raises(mk.ConfigError, match="name different optimizers"):
        mk.MLPClassifier(solver="sgd", optimizer="rmsprop").fit(X, y)
    with pytest.raises(mk.ConfigError, match="takes no optimizer"):
        mk.MLPClassifier(solver="lbfgs", optimizer="adam").fit(X, y)
    with pytest.raises(mk.ConfigError, match="learning_rate"):
        mk.MLPClassifier(learning_rate="cosine").fit(X, y)


def test_early_stopping_auto_holds_out_a_split_only_from_ten_thousand_rows():
    small, y_small = classification(300)
    large, y_large = classification(10_000)
    assert "val_loss" not in mk.MLPClassifier(max_iter=3).fit(small, y_small).history_
    assert "val_loss" in mk.MLPClassifier(max_iter=3).fit(large, y_large).history_
    assert (
        "val_loss" in mk.MLPClassifier(max_iter=3, early_stopping=True).fit(small, y_small).history_
    )


@pytest.mark.parametrize("sizes", [(16, 8), [16, 8], 16])
def test_hidden_layer_sizes_come_back_from_a_model_file_as_their_type(sizes, tmp_path):
    X, y = classification(100)
    model = mk.MLPClassifier(hidden_layer_sizes=sizes, max_iter=2, random_state=0).fit(X, y)
    loaded = mk.load(model.save(tmp_path / "sizes.mlpk"))
    assert loaded.hidden_layer_sizes == sizes
    assert type(loaded.hidden_layer_sizes) is type(sizes)


def test_n_iter_no_change_stops_on_the_same_epoch_as_scikit_learn():
    from sklearn.neural_network import MLPClassifier as Reference

    X, y = classification(100, classes=2)
    settings = dict(learning_rate_init=1e-9, n_iter_no_change=3, tol=0.1, max_iter=50)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = Reference(random_state=0, **settings).fit(X, y)
    ours = mk.MLPClassifier(random_state=0, early_stopping=False, **settings).fit(X, y)
    assert ours.n_iter_ == reference.n_iter_ == 5


def test_lbfgs_minimises_the_l1_penalty_it_reports():
    X, y = make_regression(120, 6, noise=1.0, random_state=0)
    model = mk.MLPRegressor(solver="lbfgs", alpha=0.0, l1=1e-2, max_iter=60, random_state=0)
    model.fit(X, y)
    plain = mk.MLPRegressor(solver="lbfgs", alpha=0.0, max_iter=60, random_state=0).fit(X, y)
    l1 = lambda m: np.abs(m.network_.layers[0].W).sum()  # noqa: E731
    assert l1(model) < l1(plain)
