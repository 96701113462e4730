"""Bad configurations: each is exactly one line naming file:line (or the --set), the key, the
value, what was expected and (for names) a did-you-mean; all before any data is read."""

import pytest

from mlpkit.config import ConfigFileError, load_config

# DATA is lines 1-4 of every file (see conftest), so the first line after it is line 5.
CASES = [
    # (case, file text, overrides, location, fragments of the one line)
    ("unknown key", "DATA\n[model]\noptimiser = 'adam'\n", [], "run.toml:6",
     ["model.optimiser: unknown key; did you mean 'optimizer'?"]),
    ("unknown section", "DATA\n[trainig]\nepochs = 3\n", [], "run.toml:5",
     ["trainig: unknown section; the sections are", "did you mean 'training'?"]),
    ("wrong type", "DATA\n[model]\nmax_iter = 'many'\n", [], "run.toml:6",
     ['model.max_iter = "many": expected an integer']),
    ("a bool is not an integer", "DATA\n[model]\nmax_iter = true\n", [], "run.toml:6",
     ["model.max_iter = true: expected an integer"]),
    ("out of range", "DATA\n[model]\nalpha = -1\n", [], "run.toml:6",
     ["model.alpha = -1: expected a non-negative number"]),
    ("hidden layer of no units", "DATA\n[model]\nhidden_layer_sizes = [16, 0]\n", [], "run.toml:6",
     ["model.hidden_layer_sizes = [16, 0]: expected every entry to be a positive integer"]),
    ("missing target", '[data]\npath = "ai4i.csv"\n', [], "run.toml:1",
     ["data.target: missing; expected the column to predict"]),
    ("data file missing", 'DATA\n[output]\ndir = "out"\n', ["data.path=nowhere.csv"],
     "--set data.path=nowhere.csv", ['data.path = "nowhere.csv": no such file (looked for']),
    ("data path in the file", '[data]\npath = "train.csv"\ntarget = "y"\n', [], "run.toml:2",
     ['data.path = "train.csv": no such file']),
    ("test share out of range", "DATA\n", ["data.test_size=1.5"], "--set data.test_size=1.5",
     ["data.test_size = 1.5: expected a value in (0, 1)"]),
    ("target also a feature", '[data]\npath = "ai4i.csv"\ntarget = "Type"\nfeatures = ["Type"]\n',
     [], "run.toml:4", ['data.features = ["Type"]: the target \'Type\' is listed as a feature']),
    ("bad strategy name", "DATA\n[search]\nstrategy = 'tpe2'\n", [], "run.toml:6",
     ["search.strategy = \"tpe2\": expected one of 'grid', 'random', 'tpe', 'gp', 'genetic'; "
      "did you mean 'tpe'?"]),
    ("bad space entry", "DATA\n[search.space]\nalpha = {log_unif = [1e-6, 1e-2]}\n", [],
     "run.toml:6", ["search.space.alpha = {log_unif = [1e-06, 0.01]}: unknown key(s)",
                    "did you mean 'log_uniform'?"]),
    ("space entry not a model key", "DATA\n[search.space]\nalpah = {uniform = [0.0, 1.0]}\n", [],
     "run.toml:6", ["search.space.alpah: 'alpah' is not a parameter of", "did you mean 'alpha'?"]),
    ("space range reversed", "DATA\n[search.space]\ndropout = {uniform = [0.5, 0.1]}\n", [],
     "run.toml:6", ["search.space.dropout = {uniform = [0.5, 0.1]}: ", "low < high"]),
    ("search count", "DATA\n[search]\nn_trials = 0\n", [], "run.toml:6",
     ["search.n_trials = 0: expected a positive integer"]),
    ("scoring name", "DATA\n[search]\nscoring = 'roc-auc'\n", [], "run.toml:6",
     ['search.scoring = "roc-auc": unknown scoring', "did you mean 'roc_auc'?"]),
    ("layer of unknown class",
     "DATA\n[model]\nlayers = [\n    {class = 'Dense', units = 8},\n"
     "    {class = 'Dense2', units = 1},\n]\n",
     [], "run.toml:8", ['model.layers[1].class = "Dense2": unknown layer class',
                        "did you mean 'Dense'?"]),
    ("layer argument misspelled", "DATA\n[model]\nlayers = [{class = 'Dense', unit = 8}]\n", [],
     "run.toml:6", ["model.layers[0].unit = 8: Dense takes no argument 'unit'",
                    "did you mean 'units'?"]),
    ("layer argument out of range", "DATA\n[model]\nlayers = [{class = 'Dense', units = 0}]\n", [],
     "run.toml:6", ["model.layers[0].units = 0: expected a positive integer"]),
    ("classifier kind on a linear output",
     "DATA\n[model]\nkind = 'classifier'\nlayers = [{class = 'Dense', units = 1}]\n", [],
     "run.toml:6", ['model.kind = "classifier": the last layer\'s activation is \'linear\'']),
    ("estimator key beside layers",
     "DATA\n[model]\nlayers = [{class = 'Dense', units = 1}]\nmax_iter = 5\n", [], "run.toml:7",
     ["model.max_iter: unknown key with model.layers", "go in [training]"]),
    ("training for an estimator", "DATA\n[training]\nepochs = 5\n", [], "run.toml:5",
     ["training: [training] sets Sequential.fit for an explicit network"]),
    ("training value out of range",
     "DATA\n[model]\nlayers = [{class = 'Dense', units = 1}]\n[training]\nepochs = -1\n", [],
     "run.toml:8", ["training.epochs = -1: expected an integer >= 0"]),
    ("regressor key for a classifier", "DATA\n[model]\nkind = 'classifier'\nloss = 'mae'\n", [],
     "run.toml:7", ['model.loss: unknown key for this kind; it is a parameter of MLPRegressor: '
                    'set kind = "regressor"']),
    ("solver name", "DATA\n[model]\nsolver = 'adamm'\n", [], "run.toml:6",
     ['model.solver = "adamm": expected one of (\'adam\', \'sgd\', \'lbfgs\')',
      "Did you mean 'adam'?"]),
    ("activation name", "DATA\n[model]\nactivation = 'relu6'\n", [], "run.toml:6",
     ['model.activation = "relu6": unknown activation; expected one of', "did you mean 'relu'?"]),
    ("one of the activations", "DATA\n[model]\nhidden_layer_sizes = [4, 4]\n"
     "activation = ['relu', 'tahn']\n", [], "run.toml:7",
     ['model.activation[1] = "tahn": unknown activation', "did you mean 'tanh'?"]),
    ("optimizer name", "DATA\n[model]\noptimizer = {name = 'adamm', learning_rate = 0.1}\n", [],
     "run.toml:6", ["model.optimizer = {name = \"adamm\", learning_rate = 0.1}: unknown optimizer",
                    "did you mean 'adam'?"]),
    ("preprocessor argument", "DATA\n[model]\npreprocessor = {missng = 'median'}\n", [],
     "run.toml:6", ["model.preprocessor.missng: Preprocessor takes no argument 'missng'; "
                    "did you mean 'missing'?"]),
    ("preprocessor value", "DATA\n[model]\npreprocessor = {scaler = 'zscore'}\n", [],
     "run.toml:6", ['model.preprocessor.scaler = "zscore": expected a str among']),
    ("callback name", "DATA\n[model]\ncallbacks = [{name = 'EarlyStop'}]\n", [], "run.toml:6",
     ['model.callbacks[0].name = "EarlyStop": unknown callback', "did you mean 'EarlyStopping'?"]),
    ("a combination the estimator refuses", "DATA\n[model]\nsolver = 'lbfgs'\ndropout = 0.2\n", [],
     "run.toml:6", ['model.solver = "lbfgs": solver=\'lbfgs\' needs a deterministic objective']),
    ("ledger url", "DATA\n[ledger]\nurl = 'mysql://host/db'\n", [], "run.toml:6",
     ['ledger.url = "mysql://host/db": ', "scheme 'mysql'"]),
    ("none where no none is allowed", "DATA\n[output]\ndir = 'none'\nforce = 'none'\n", [],
     "run.toml:7", ['output.force = "none": expected true or false']),
    ("TOML syntax", "DATA\n[model]\nalpha = 1e-3 3\n", [], "run.toml:6",
     ["TOML syntax error: "]),
    ("override of a bad value", "DATA\n", ["model.alpha=-1"], "--set model.alpha=-1",
     ["model.alpha = -1: expected a non-negative number"]),
    ("override without =", "DATA\n", ["model.alpha"], "--set model.alpha",
     ["--set takes section.key=value"]),
    ("override of an unknown key", "DATA\n", ["training.epocs=3"], "--set training.epocs=3",
     ["[training] sets Sequential.fit"]),
    ("unknown evaluation metric", "DATA\n[evaluation]\nmetrics = ['accuracy', 'bal_acc']\n", [],
     "run.toml:6", ['metrics = ["accuracy", "bal_acc"]: unknown metric; expected one of',
                    "balanced_accuracy"]),
    ("header-less target by name", '[data]\npath = "ai4i.csv"\ntarget = "y"\nheader = false\n',
     [], "run.toml:3", ['data.target = "y": a file without a header line has columns 0, 1']),
]  # fmt: skip


@pytest.mark.parametrize(
    "text, overrides, location, fragments", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_bad_configuration_is_one_clear_line(write, text, overrides, location, fragments):
    path = write(text)
    with pytest.raises(ConfigFileError) as caught:
        load_config(path, overrides)
    lines = str(caught.value).splitlines()
    assert len(caught.value.problems) == 1 and len(lines) == 1, lines
    assert lines[0].startswith(f"{path}:" if location.startswith("run.toml") else location)
    assert lines[0].startswith(location.replace("run.toml", str(path))), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_there_are_more_than_twenty_bad_configurations():
    assert len(CASES) >= 20


def test_independent_problems_are_one_line_each_in_file_order(write):
    path = write("DATA\n[model]\nalpha = -1\nmax_iter = 0\noptimiser = 'sgd'\n[search]\ncv = 1\n")
    with pytest.raises(ConfigFileError) as caught:
        load_config(path, ["model.tol=-1"])
    lines = str(caught.value).splitlines()
    assert [line.split(": ")[0] for line in lines] == [
        f"{path}:6",
        f"{path}:7",
        f"{path}:8",
        f"{path}:10",
        "--set model.tol=-1",
    ]
    assert "model.max_iter = 0: expected a positive integer" in lines[1]


def test_a_config_error_is_a_mlpkit_config_error_with_problems_as_data(write):
    import mlpkit as mk

    path = write("DATA\n[model]\nalpha = -1\n")
    with pytest.raises(mk.ConfigError) as caught:
        load_config(path)
    problem = caught.value.problems[0]
    assert (problem.line, problem.key, problem.value) == (6, "model.alpha", -1)
    assert problem.to_dict()["text"] == str(problem)


def test_a_missing_configuration_file_says_where_it_looked(tmp_path):
    with pytest.raises(ConfigFileError, match="no such file"):
        load_config(tmp_path / "absent.toml")


def test_a_syntax_error_names_its_line_and_says_what(tmp_path):
    path = tmp_path / "run.toml"
    path.write_text('[data]\npath = "a.csv"\ntarget = "y\n')
    with pytest.raises(ConfigFileError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}:3: TOML syntax error: ")


def test_every_score_of_the_evaluation_report_can_be_named(write):
    from mlpkit.evaluation.scoring import REPORT_METRICS

    names = ", ".join(f"'{name}'" for name in REPORT_METRICS)
    config = load_config(write(f"DATA\n[evaluation]\nmetrics = [{names}]\n"))
    assert config.values["evaluation"]["metrics"] == list(REPORT_METRICS)
