"""The command line as a user meets it: ``python -m mlpkit ...`` run as a subprocess on the
machine-failure data shipped with mlpkit (src/mlpkit/datasets/ai4i2020.csv)."""

import contextlib
import io
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
import pytest


def mlpkit(*args, cwd, input=None, env=None) -> subprocess.CompletedProcess:
    """``python -m mlpkit *args`` in ``cwd``: its exit code, stdout and stderr."""
    return subprocess.run(
        [sys.executable, "-m", "mlpkit", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        input=input,
        env=env,
        timeout=600,
    )


def in_process(*args, cwd, env=None) -> subprocess.CompletedProcess:
    """``mlpkit.cli.main(args)`` in this process, in ``cwd``, its output captured: the same
    outcome as :func:`mlpkit` without starting Python again (for the variations of a command
    whose subprocess run is tested elsewhere)."""
    from mlpkit.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        with pytest.MonkeyPatch.context() as patch:
            for name, value in (env or {}).items():
                patch.setenv(name, value)
            try:
                code = main([str(arg) for arg in args])
            except SystemExit as stop:  # bad usage, --help
                code = stop.code
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="session")
def cli():
    """Run ``python -m mlpkit`` as a subprocess."""
    return mlpkit


@pytest.fixture(scope="session")
def quick():
    """Run the command line in this process (see :func:`in_process`)."""
    return in_process


@pytest.fixture(scope="session")
def machines(tmp_path_factory):
    """The AI4I 2020 table as a newcomer's CSV files: a text target ("failure": "yes"/"no"),
    missing values ("?" in Type, empty cells in Torque), a row-id column (Product ID), the
    leaking failure-mode flags and UDI dropped. ``train.csv`` (first 2,000 rows), ``test.csv``
    (the next 500, labelled) and ``new.csv`` (the same 500 without the target), in one folder."""
    folder = tmp_path_factory.mktemp("machines")
    path = files("mlpkit.datasets") / "ai4i2020.csv"
    frame = pd.read_csv(path, encoding="utf-8-sig")
    frame = frame.drop(columns=["UDI", "TWF", "HDF", "PWF", "OSF", "RNF"])
    frame["failure"] = np.where(frame.pop("Machine failure") == 1, "yes", "no")
    rng = np.random.default_rng(0)
    frame["Torque [Nm]"] = frame["Torque [Nm]"].mask(rng.random(len(frame)) < 0.05)
    frame["Type"] = frame["Type"].mask(rng.random(len(frame)) < 0.03, "?")
    frame.iloc[:2000].to_csv(folder / "train.csv", index=False)
    frame.iloc[2000:2500].to_csv(folder / "test.csv", index=False)
    frame.iloc[2000:2500].drop(columns=["failure"]).to_csv(folder / "new.csv", index=False)
    return folder


@pytest.fixture(scope="session")
def estimator_file(machines):
    """An estimator trained in Python on train.csv (a preprocessor inside: raw tables in)."""
    import mlpkit as mk

    table = mk.data.read_table(machines / "train.csv", target="failure")
    X = table.X.drop(columns=["Product ID"])
    model = mk.MLPClassifier(
        hidden_layer_sizes=(16,), max_iter=5, preprocessor="auto", random_state=0
    )
    model.fit(X, table.y)
    return Path(model.save(machines / "python-model.mlpk"))
