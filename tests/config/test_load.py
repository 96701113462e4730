"""load_config resolves every key (defaults from the signatures), says where each value came
from, and writes itself back as TOML that loads to the same values: every section."""

import inspect

import pytest

import mlpkit as mk
from mlpkit.config import load_config
from mlpkit.data.state import plain

#: A value other than the default for keys of every section (the model an estimator).
SECTIONS = {
    "data": '[data]\npath = "ai4i.csv"\ntarget = "Machine failure"\nfeatures = ["Type", '
    '"Torque [Nm]"]\ndrop = ["UDI"]\nheader = true\nseparator = ","\nmissing = ["?", "-"]\n'
    'test_size = 0.25\nstratify = false\ntime_ordered = true\nrow_id = "UDI"\nrandom_state = 7\n',
    "model": '[model]\nkind = "classifier"\nhidden_layer_sizes = [16, 8]\nactivation = '
    '["relu", "tanh"]\nalpha = 1e-3\nbatch_size = 32\nearly_stopping = false\noptimizer = '
    '{name = "rmsprop", learning_rate = 0.01}\nrandom_state = 3\npreprocessor = {missing = '
    '"median", scaler = "minmax"}\nclass_weight = {0 = 1.0, 1 = 5.0}\ncallbacks = [{name = '
    '"TerminateOnNaN"}]\nlr_schedule = {name = "cosine_decay", initial_learning_rate = 0.01, '
    'decay_steps = 10}\nclip_norm = 5.0\nkernel_initializer = "glorot_uniform"\n',
    "evaluation": '[evaluation]\nmetrics = ["accuracy", "f1"]\nthreshold = 0.3\nk = 5\n',
    "search": '[search]\nstrategy = "tpe"\nn_trials = 12\ncv = 3\nscoring = "roc_auc"\n'
    'random_state = 4\npruner = "median"\nworkers = 2\nbatch_size = 4\ntime_budget = 60\n'
    'test_size = "none"\n[search.space]\nalpha = {log_uniform = [1e-6, 1e-2]}\n'
    "hidden_layer_sizes = {choice = [[32], [64, 32]]}\nbatch_size = {int_uniform = [16, 256], "
    "log = true}\n",
    "ledger": '[ledger]\nurl = "runs.sqlite"\n',
    "output": '[output]\ndir = "out"\nmodel = "m.mlpk"\nreport = "r.html"\npredictions = '
    '"p.csv"\nforce = true\n',
    "training": '[model]\nlayers = [{class = "Dense", units = 1, activation = "sigmoid"}]\n'
    '[training]\nloss = "binary_cross_entropy"\noptimizer = {name = "sgd", momentum = 0.9}\n'
    'epochs = 4\nbatch_size = "none"\nshuffle = false\nvalidation_split = 0.1\ncallbacks = '
    '[{name = "EarlyStopping", patience = 3}]\nmetrics = ["accuracy"]\nclip_value = 1.0\n'
    "clip_norm = 2.0\nverbose = 0\n",
}
DATA = '[data]\npath = "ai4i.csv"\ntarget = "Machine failure"\n'


@pytest.mark.parametrize("section", SECTIONS)
def test_every_section_round_trips_through_to_toml(write, section):
    text = SECTIONS[section] if section == "data" else DATA + SECTIONS[section]
    config = load_config(write(text))
    again = load_config(write(config.to_toml(), "again.toml"))
    assert again.values == config.values
    written = load_config(write(config.resolved_text(), "resolved.toml"))
    assert written.values == config.values


@pytest.mark.parametrize("section", SECTIONS)
def test_the_values_a_file_gives_are_the_values_and_the_file_is_their_source(write, section):
    text = SECTIONS[section] if section == "data" else DATA + SECTIONS[section]
    path = write(text)
    config = load_config(path)
    lines = path.read_text().splitlines()
    name = "training" if section == "training" else section
    for key in config.values[name]:
        source = config.sources.get(f"{name}.{key}")
        if source not in (None, "default"):
            number = int(source.rsplit(":", 1)[1])
            assert lines[number - 1].startswith(f"{key} ="), (key, lines[number - 1])
    given = [
        line.split(" =")[0] for line in text.split(f"[{name}]\n")[1].split("\n[")[0].splitlines()
    ]
    assert all(config.sources[f"{name}.{key}"] != "default" for key in given if key)


def test_values_are_read_into_the_types_the_code_takes(write):
    config = load_config(write(DATA + SECTIONS["model"] + SECTIONS["search"]))
    model = config.build_model()
    assert model.hidden_layer_sizes == (16, 8)
    assert model.class_weight == {0: 1.0, 1: 5.0}
    assert isinstance(model.preprocessor, mk.data.Preprocessor)
    assert model.preprocessor.get_params()["scaler"] == "minmax"
    assert isinstance(model.callbacks[0], mk.callbacks.TerminateOnNaN)
    assert config.values["search"]["test_size"] is None


def test_defaults_are_the_estimators_own(write):
    config = load_config(write(DATA))
    for cls in (mk.MLPClassifier, mk.MLPRegressor):
        for name, parameter in inspect.signature(cls).parameters.items():
            assert config.values["model"][name] == plain(parameter.default), name
            assert config.sources[f"model.{name}"] == "default"
    assert config.values["model"]["kind"] == "auto"


def test_network_and_fit_defaults_are_their_signatures(write):
    config = load_config(write(DATA + '[model]\nlayers = [{class = "Dense", units = 1}]\n'))
    fit = inspect.signature(mk.Sequential.fit).parameters
    for name in ("epochs", "batch_size", "shuffle", "validation_split", "clip_norm", "verbose"):
        assert config.values["training"][name] == fit[name].default
    assert config.values["training"]["loss"] == "mse"  # "auto" for a linear output
    assert config.values["model"]["dtype"] == "float32"


def test_overrides_are_toml_values_else_strings_and_their_source_is_set(write):
    path = write(DATA + "[model]\nalpha = 0.5\n")
    config = load_config(
        path,
        [
            "model.alpha=1e-3",
            "model.hidden_layer_sizes=[8, 4]",
            "model.solver=sgd",
            "model.optimizer={name = 'sgd', learning_rate = 0.1}",
            "search.space.alpha={log_uniform = [1e-5, 1e-1]}",
            "model.random_state=none",
        ],
    )
    model = config.values["model"]
    assert (model["alpha"], model["hidden_layer_sizes"], model["solver"]) == (1e-3, [8, 4], "sgd")
    assert model["optimizer"] == {"name": "sgd", "learning_rate": 0.1}
    assert model["random_state"] is None
    for key in ("model.alpha", "model.solver", "model.random_state", "search.space.alpha"):
        assert config.sources[key] == "--set"
    assert config.sources["data.target"] == f"{path}:3"
    assert config.sources["model.tol"] == "default"


def test_later_overrides_win(write):
    config = load_config(write(DATA), ["model.max_iter=5", "model.max_iter=7"])
    assert config.values["model"]["max_iter"] == 7


def test_resolved_text_says_where_every_value_came_from(write):
    path = write(DATA + "[model]\nalpha = 0.5\n")
    text = load_config(path, ["model.max_iter=9"]).resolved_text()
    assert f"alpha = 0.5                             # {path}:5" in text
    assert "max_iter = 9" in text and "# --set" in text.split("max_iter = 9")[1].splitlines()[0]
    assert "tol = 0.0001                            # default" in text


def test_paths_are_resolved_against_the_configuration_folder(write, tmp_path, monkeypatch):
    config = load_config(write(DATA + SECTIONS["ledger"] + SECTIONS["output"]))
    monkeypatch.chdir("/")
    assert config.data_path == tmp_path / "ai4i.csv"
    assert config.ledger_url == str(tmp_path / "runs.sqlite")
    out = config.output
    assert (out.dir, out.model, out.report) == (
        tmp_path / "out",
        tmp_path / "out" / "m.mlpk",
        tmp_path / "out" / "r.html",
    )
    assert out.predictions == tmp_path / "out" / "p.csv" and out.force is True


@pytest.mark.parametrize(
    "url, expected",
    [
        ("none", None),
        ("sqlite:///runs.sqlite", "{folder}/runs.sqlite"),
        ("sqlite:////abs/runs.sqlite", "/abs/runs.sqlite"),
        ("/abs/runs.sqlite", "/abs/runs.sqlite"),
        ("postgresql://u:p@host:5432/db", "postgresql://u:p@host:5432/db"),
    ],
)
def test_ledger_urls_keep_their_form_and_files_are_found_beside_the_config(
    write, tmp_path, url, expected
):
    config = load_config(write(DATA + f'[ledger]\nurl = "{url}"\n'))
    assert config.ledger_url == (None if expected is None else expected.format(folder=tmp_path))
