"""The command line's bad input (issue 14's CLI cases): an output path into a missing folder or
onto a folder, a demo folder that is a file, a negative epoch count — each exit 2 with one
line naming the path or the value, never a traceback, and refused before any training."""

import pytest

CASES = [
    # (case, arguments (MODEL, DATA, FOLDER, FILE filled in), the one line's words)
    ("report into a missing folder", ["report", "MODEL", "DATA", "--target", "failure", "--out",
     "FOLDER/nowhere/r.html"], "the folder 'FOLDER/nowhere' does not exist"),
    ("report onto a folder", ["report", "MODEL", "DATA", "--target", "failure", "--out", "FOLDER"],
     "cannot write 'FOLDER': it is a folder; name a file inside it"),
    ("predict into a missing folder", ["predict", "MODEL", "DATA", "-o", "FOLDER/no/p.csv"],
     "the folder 'FOLDER/no' does not exist"),
    ("predict onto a folder", ["predict", "MODEL", "DATA", "-o", "FOLDER"],
     "cannot write 'FOLDER': it is a folder"),
    ("demo with negative epochs", ["demo", "--epochs", "-1", "--out", "FOLDER/demo"],
     "model.max_iter = -1: expected a positive integer"),
    ("demo folder that is a file", ["demo", "--out", "FILE"],
     "cannot write in 'FILE': it is a file, not a folder"),
    ("train results folder that is a file", ["train", "FOLDER/run.toml", "--set",
     "output.dir=FILE"], "cannot write in 'FILE': it is a file, not a folder"),
]  # fmt: skip


@pytest.fixture
def place(tmp_path, machines, estimator_file):
    """What the arguments' capitals stand for, and a run file for ``train``."""
    (tmp_path / "a-file").write_text("not a folder")
    (tmp_path / "run.toml").write_text(
        f'[data]\npath = "{machines / "train.csv"}"\ntarget = "failure"\n'
    )
    return {
        "MODEL": str(estimator_file),
        "DATA": str(machines / "test.csv"),
        "FOLDER": str(tmp_path),
        "FILE": str(tmp_path / "a-file"),
    }


def filled(text: str, place: dict) -> str:
    for capital, value in place.items():
        text = text.replace(capital, value)
    return text


@pytest.mark.parametrize("arguments, words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_command_line_input_is_one_line_and_exit_2(quick, place, tmp_path, arguments, words):
    done = quick(*[filled(argument, place) for argument in arguments], cwd=tmp_path)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and lines[-1].startswith("mlpkit ")
    assert filled(words, place) in lines[-1], lines[-1]
    assert "training" not in done.stderr  # refused before any work
