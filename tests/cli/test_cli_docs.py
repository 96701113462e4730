"""Every shell example of docs/cli.md runs as written: the ``sh`` blocks, in order, in one bash
session in a scratch folder (``set -e``: any command that fails, fails the test), ``mlpkit``
being this Python's ``python -m mlpkit``. (The ``python`` blocks run in tests/test_docs.py.)"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", PAGE.read_text(), re.S)


def test_the_page_shows_every_command():
    text = "\n".join(blocks("sh"))
    for command in ("init-config", "check", "train", "evaluate", "predict", "report",
                    "summary", "search", "runs list", "runs show", "completion", "doctor",
                    "explain", "export onnx"):  # fmt: skip
        assert re.search(rf"^mlpkit {command}\b", text, re.M), command


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
def test_every_shell_example_runs_in_order(tmp_path):
    session = "\n".join(
        ["set -eo pipefail", f'mlpkit() {{ "{sys.executable}" -m mlpkit "$@"; }}', *blocks("sh")]
    )
    done = subprocess.run(
        ["bash", "-c", session], cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    assert "model:       " in out and "Search " in out and "Total parameters" in out
    assert out.count("exit code 2") == 2  # the shown errors, and only those
    for written in ("results/model.mlpk", "predictions.csv", "machines.html", "scores.json",
                    "mine/model.mlpk", "best.mlpk", "_mlpkit", "runs.sqlite"):  # fmt: skip
        assert (tmp_path / written).is_file(), written
    assert "Traceback" not in done.stderr
