"""A configuration file loads, reads its data and trains (the early, minimal contract)."""

import pytest

from mlpkit.config import ConfigFileError, load_config

AI4I = "ai4i.csv"


@pytest.fixture
def folder(tmp_path):
    from importlib.resources import files

    rows = (files("mlpkit.datasets") / "ai4i2020.csv").read_text(encoding="utf-8-sig")
    (tmp_path / AI4I).write_text("\n".join(rows.splitlines()[:301]) + "\n")
    return tmp_path


def test_a_small_classifier_config_loads_reads_and_fits(folder):
    (folder / "run.toml").write_text(
        f'[data]\npath = "{AI4I}"\ntarget = "Machine failure"\ndrop = ["UDI", "Product ID"]\n'
        '[model]\nhidden_layer_sizes = [8]\nmax_iter = 5\npreprocessor = "auto"\n'
    )
    config = load_config(folder / "run.toml", ["model.random_state=0"])
    X, y = config.read_data()
    X_train, X_test, y_train, y_test = config.split(X, y)
    model = config.build_model().fit(X_train, y_train)
    assert config.task == "classifier" and model.predict(X_test).shape == y_test.shape
    assert config.sources["model.random_state"] == "--set"


def test_an_unknown_key_is_one_line_with_a_suggestion(folder):
    (folder / "run.toml").write_text(
        f'[data]\npath = "{AI4I}"\ntarget = "Machine failure"\n[model]\noptimiser = "adam"\n'
    )
    with pytest.raises(ConfigFileError) as caught:
        load_config(folder / "run.toml")
    assert str(caught.value).endswith(
        "run.toml:5: model.optimiser: unknown key; did you mean 'optimizer'?"
    )
