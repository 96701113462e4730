"""[model] builds the estimator or network it describes, trains on a small table, and any
model's configuration (config_of) goes through a file and back unchanged."""

import numpy as np
import pytest

import mlpkit as mk
from mlpkit.config import ConfigFileError, config_of, load_config
from mlpkit.config.toml_text import format_value
from mlpkit.config.writing import write_toml

DATA = (
    '[data]\npath = "ai4i.csv"\ntarget = "Machine failure"\n'
    'drop = ["UDI", "Product ID", "TWF", "HDF", "PWF", "OSF", "RNF"]\n'
)


def through_a_file(write, model_section: dict, extra: str = ""):
    """The model a file with this [model] section builds (and its config)."""
    text = DATA + write_toml({"model": model_section}) + extra
    config = load_config(write(text, "round.toml"))
    return config, config.build_model()


def test_an_estimator_config_trains_and_predicts_on_a_small_table(write):
    config = load_config(
        write(
            DATA + '[model]\nhidden_layer_sizes = [8]\nmax_iter = 10\npreprocessor = "auto"\n'
            "random_state = 0\n"
        )
    )
    X, y = config.read_data()
    X_train, X_test, y_train, y_test = config.split(X, y)
    model = config.build_model()
    assert isinstance(model, mk.MLPClassifier) and config.task == "classifier"
    assert config.fit_params() == {}
    model.fit(X_train, y_train, **config.fit_params())
    assert model.predict(X_test).shape == (len(y_test),)
    assert model.score(X_test, y_test) > 0.5


def test_a_regressor_is_built_when_the_target_is_numbers(write):
    config = load_config(
        write(
            DATA.replace("Machine failure", "Torque [Nm]")
            + '[model]\nmax_iter = 3\npreprocessor = "auto"\n'
        )
    )
    X, y = config.read_data()
    model = config.build_model()
    assert isinstance(model, mk.MLPRegressor) and config.task == "regressor"
    assert model.fit(X, y).predict(X).shape == y.shape


def test_auto_needs_the_target_before_it_can_build(write):
    config = load_config(write(DATA))
    with pytest.raises(mk.ConfigError, match="read_data"):
        config.build_model()
    assert isinstance(config.build_model(y=np.array([1.5, 2.5, 3.25])), mk.MLPRegressor)


def test_a_classifier_parameter_on_a_numeric_target_is_a_problem_at_its_line(write):
    path = write(
        DATA.replace("Machine failure", "Torque [Nm]") + '[model]\nclass_weight = "balanced"\n'
    )
    config = load_config(path)
    config.read_data()
    with pytest.raises(ConfigFileError, match=f"{path}:6: model.class_weight"):
        config.build_model()


def test_an_explicit_network_trains_with_the_training_section(write):
    config = load_config(
        write(
            DATA + "[model]\nlayers = [\n"
            '    {class = "Dense", units = 8, activation = "relu"},\n'
            '    {class = "Dropout", rate = 0.1},\n'
            '    {class = "Dense", units = 1, activation = "sigmoid"},\n]\n'
            'preprocessor = "auto"\nrandom_state = 0\n'
            '[training]\nepochs = 3\noptimizer = {name = "adam", learning_rate = 0.01}\n'
            'callbacks = [{name = "EarlyStopping", monitor = "loss", patience = 1}]\n'
            'metrics = ["accuracy"]\n'
        )
    )
    X, y = config.read_data()
    net = config.build_model()
    params = config.fit_params()
    assert params["loss"] == "binary_cross_entropy"  # "auto" for a sigmoid output
    assert isinstance(params["optimizer"], mk.optim.Adam)
    assert isinstance(params["callbacks"][0], mk.callbacks.EarlyStopping)
    history = net.fit(X, y, **params)
    assert len(history.history["accuracy"]) <= 3 and net.classes_.tolist() == [0, 1]
    assert config.values["model"]["kind"] == "classifier"


@pytest.mark.parametrize("fitted", [False, True])
def test_config_of_an_mlpclassifier_round_trips_through_a_file(write, fitted):
    model = mk.MLPClassifier(
        hidden_layer_sizes=(16, 8),
        activation=["relu", "tanh"],
        alpha=1e-3,
        optimizer={"name": "rmsprop", "learning_rate": 0.01},
        batch_size=32,
        max_iter=3,
        early_stopping=False,
        random_state=3,
        preprocessor=mk.data.Preprocessor(missing="median", scaler="minmax"),
        class_weight={0: 1.0, 1: 5.0},
        callbacks=[mk.callbacks.TerminateOnNaN()],
        clip_norm=5.0,
    )
    if fitted:
        X = np.random.default_rng(0).normal(size=(40, 3))
        model.fit(X, (X[:, 0] > 0).astype(int))
    section = config_of(model)
    config, rebuilt = through_a_file(write, section)
    assert config.values["model"] == section
    assert config_of(rebuilt) == section
    original, again = model.get_params(), rebuilt.get_params()
    assert repr(original.pop("preprocessor")) == repr(again.pop("preprocessor"))
    assert [type(c) for c in original.pop("callbacks")] == [type(c) for c in again.pop("callbacks")]
    assert {k: format_value(v) for k, v in original.items()} == {
        k: format_value(v) for k, v in again.items()
    }


def test_config_of_an_mlpregressor_keeps_its_own_parameters(write):
    model = mk.MLPRegressor(hidden_layer_sizes=(4,), loss="huber", scale_target=False)
    section = config_of(model)
    assert section["kind"] == "regressor" and "class_weight" not in section
    config, rebuilt = through_a_file(write, section)
    assert isinstance(rebuilt, mk.MLPRegressor) and config_of(rebuilt) == section


def test_config_of_an_explicit_network_round_trips_through_a_file(write):
    L = mk.layers
    net = mk.Sequential(
        [
            L.Dense(8, activation={"name": "leaky_relu", "negative_slope": 0.2}),
            L.BatchNorm(momentum=0.8),
            L.ReLU(),
            L.Residual([L.Dense(8, activation="tanh")]),
            L.Dropout(0.1),
            L.Dense(3, activation="softmax", kernel_initializer="glorot_normal", use_bias=False),
        ],
        random_state=1,
        dtype="float64",
        regularizer={"name": "l2", "l2": 1e-4},
        preprocessor=mk.data.Preprocessor(missing="median"),
    )
    section = config_of(net)
    assert section["kind"] == "classifier"
    assert section["layers"][0] == {
        "class": "Dense",
        "units": 8,
        "activation": {"name": "leaky_relu", "negative_slope": 0.2},
        "kernel_initializer": {"name": "he_normal"},
        "bias_initializer": {"name": "zeros"},
        "use_bias": True,
        "kernel_regularizer": None,
        "bias_regularizer": None,
    }
    config, rebuilt = through_a_file(write, section, "[training]\nepochs = 2\n")
    assert config_of(rebuilt) == section == config.values["model"]
    assert rebuilt.get_config() == net.get_config()
    assert config.values["training"]["loss"] == "categorical_cross_entropy"


def test_config_of_a_trained_network_is_its_architecture(write, table):
    net = mk.Sequential([mk.layers.Dense(1)], random_state=0)
    net.fit(np.eye(3), np.arange(3.0), loss="mse", epochs=1)
    config, rebuilt = through_a_file(write, config_of(net))
    assert rebuilt.get_config() == net.get_config() and not rebuilt.built


def test_config_of_refuses_what_it_cannot_write():
    with pytest.raises(TypeError, match="config_of takes"):
        config_of(object())
