"""Fixtures of the configuration tests: a small slice of the shipped AI4I table, a file writer."""

from importlib.resources import files

import pytest

#: The shipped machine-failure data (AI4I 2020): 10,000 rows, target "Machine failure".
AI4I = files("mlpkit.datasets") / "ai4i2020.csv"
#: Columns of AI4I that are row identifiers or leak the label.
LEFT_OUT = ["UDI", "Product ID", "TWF", "HDF", "PWF", "OSF", "RNF"]


@pytest.fixture
def table(tmp_path):
    """The first 300 rows of AI4I as ``tmp_path / "ai4i.csv"`` (its name in the configs)."""
    lines = AI4I.read_text(encoding="utf-8-sig").splitlines()[:301]
    (tmp_path / "ai4i.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path / "ai4i.csv"


@pytest.fixture
def write(tmp_path, table):
    """``write(text) -> path``: a run.toml in the table's folder; ``DATA`` in the text stands
    for a [data] section reading the table (target "Machine failure", leaks dropped)."""

    def write(text: str, name: str = "run.toml"):
        data = (
            f'[data]\npath = "ai4i.csv"\ntarget = "Machine failure"\ndrop = {LEFT_OUT!r}\n'.replace(
                "'", '"'
            )
        )
        path = tmp_path / name
        path.write_text(text.replace("DATA\n", data), encoding="utf-8")
        return path

    return write
