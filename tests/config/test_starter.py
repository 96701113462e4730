"""starter_config (``mlpkit init-config``) writes every key with its meaning and default, detects
the task, and its output loads and trains as it is."""

import re
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mlpkit as mk
from mlpkit.config import load_config, starter_config
from mlpkit.config.model_keys import estimator_fields
from mlpkit.config.sections import fields

AI4I = Path(str(files("mlpkit.datasets") / "ai4i2020.csv"))


def written(tmp_path, text: str):
    path = tmp_path / "run.toml"
    path.write_text(text)
    return load_config(path)


def key_lines(text: str) -> dict[str, tuple[str, str]]:
    """``{"section.key": (the comment above, the key line)}`` of a starter file."""
    found, section, lines = {}, None, text.splitlines()
    for index, line in enumerate(lines):
        header = re.fullmatch(r"\[([\w.]+)\]", line)
        if header:
            section = header.group(1)
        elif re.match(r"\w+ = ", line):
            found[f"{section}.{line.split(' =')[0]}"] = (lines[index - 1], line)
    return found


def test_the_shipped_machine_failure_data_gives_a_classifier_that_loads(tmp_path):
    text = starter_config(AI4I, "Machine failure", config_dir=tmp_path)
    config = written(tmp_path, text)
    assert config.values["model"]["kind"] == "classifier"
    assert config.values["data"]["drop"] == ["UDI", "Product ID"]  # identifiers
    assert config.values["model"]["preprocessor"] == "auto"  # "Type" is text
    assert config.data_path.resolve() == AI4I


def test_every_key_is_written_with_its_meaning_and_default(tmp_path):
    text = starter_config(AI4I, "Machine failure", config_dir=tmp_path)
    lines = key_lines(text)
    expected = {f"model.{key}" for key in estimator_fields("classifier")}
    for section in ("data", "evaluation", "search", "ledger", "output"):
        expected |= {f"{section}.{key}" for key in fields(section) if key != "space"}
    assert set(lines) == expected
    for key, (comment, _) in lines.items():
        assert comment.startswith("# "), key
        if key not in ("data.path", "data.target", "data.drop"):
            assert "; default: " in comment, (key, comment)
    assert "# the column to predict: 2 classes (0: " in lines["data.target"][0]
    assert lines["model.alpha"] == ("# elastic-net penalty strength (L2 when l1_ratio = 0); "
                                    "default: 0.0001", "alpha = 0.0001")  # fmt: skip


def test_a_text_target_with_missing_values_loads_reads_and_trains(tmp_path):
    rng = np.random.default_rng(0)
    n = 120
    frame = pd.DataFrame(
        {
            "size": rng.normal(size=n).round(3),
            "colour": rng.choice(["red", "blue", "green"], size=n),
            "weight": rng.normal(10, 2, size=n).round(2),
        }
    )
    frame["grade"] = np.where(frame["size"] + (frame["colour"] == "red") > 0.5, "good", "poor")
    frame.loc[::7, "weight"] = np.nan
    frame.loc[3::11, "colour"] = "?"
    frame.to_csv(tmp_path / "grades.csv", index=False)
    text = starter_config(tmp_path / "grades.csv", "grade", config_dir=tmp_path)
    config = written(tmp_path, text.replace("max_iter = 200", "max_iter = 30"))
    assert config.values["data"]["path"] == "grades.csv"
    assert config.values["model"]["kind"] == "classifier"
    assert config.values["model"]["preprocessor"] == "auto"
    X, y = config.read_data()
    assert X["weight"].isna().sum() == len(range(0, n, 7)) and X["colour"].isna().any()
    X_train, X_test, y_train, y_test = config.split(X, y)
    model = config.build_model().fit(X_train, y_train)
    assert set(model.predict(X_test)) <= {"good", "poor"}


def test_a_numeric_target_gives_a_regressor(tmp_path):
    text = starter_config(AI4I, "Torque [Nm]", config_dir=tmp_path)
    config = written(tmp_path, text)
    assert config.values["model"]["kind"] == "regressor" and "loss" in config.values["model"]
    assert "class_weight" not in config.values["model"]


def test_read_options_are_written_as_data_keys(tmp_path):
    (tmp_path / "t.csv").write_text("a;b;y\n1;-;x\n2;3;z\n")
    text = starter_config(
        tmp_path / "t.csv", "y", separator=";", missing=["-"], config_dir=tmp_path
    )
    config = written(tmp_path, text)
    assert (config.values["data"]["separator"], config.values["data"]["missing"]) == (";", ["-"])
    X, _ = config.read_data()
    assert X["b"].isna().tolist() == [True, False]


def test_a_target_that_is_not_a_column_suggests_one(tmp_path):
    with pytest.raises(mk.ConfigError, match="did you mean 'Machine failure'"):
        starter_config(AI4I, "Machine failur")


def test_an_unknown_read_option_is_refused(tmp_path):
    with pytest.raises(mk.ConfigError, match="did you mean 'separator'"):
        starter_config(AI4I, "Machine failure", seperator=",")
