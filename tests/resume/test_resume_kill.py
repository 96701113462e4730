"""Kill -9 a fit at random moments, resume it each time, and check that it ends exactly as
the uninterrupted fit: the same weights bit for bit, the same History and stop reason
(early stopping with restored best weights and ReduceLROnPlateau's reductions included)."""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

WORKER = Path(__file__).with_name("resume_worker.py")
KILLS = 6


def _start(directory: Path, out: Path, log: Path) -> subprocess.Popen:
    with open(log, "w") as stream:
        return subprocess.Popen(
            [sys.executable, str(WORKER), str(directory), str(out)],
            stdout=stream,
            stderr=subprocess.STDOUT,
        )


def _wait_for_epochs(log: Path, count: int, process: subprocess.Popen) -> None:
    while _epochs_done(log) < count and process.poll() is None:
        time.sleep(0.005)


def _epochs_done(log: Path) -> int:
    """The epochs this run finished (the resumed run prints from where it resumed)."""
    return sum(line.startswith("epoch ") for line in log.read_text().splitlines())


def test_killed_fits_resume_bit_identical(tmp_path):
    reference = tmp_path / "reference.npz"
    done = _start(tmp_path / "reference", reference, tmp_path / "reference.log")
    assert done.wait(timeout=120) == 0, (tmp_path / "reference.log").read_text()

    rng, out, killed_after = random.Random(14), tmp_path / "resumed.npz", []
    directory, log = tmp_path / "resumed", tmp_path / "run.log"
    for _ in range(KILLS):
        process = _start(directory, out, log)
        _wait_for_epochs(log, rng.randint(1, 4), process)  # progress, whatever the load
        time.sleep(rng.uniform(0.0, 0.1))  # then a random moment: mid-epoch or mid-save
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        killed_after.append(_epochs_done(log))
    process = _start(directory, out, log)
    assert process.wait(timeout=120) == 0, log.read_text()

    expected, found = np.load(reference), np.load(out)
    print(f"kills after epochs: {killed_after}")
    assert sum(killed_after) > 0, killed_after  # some kills came after checkpoints were written
    assert np.array_equal(found["params"], expected["params"]), killed_after
    assert np.array_equal(found["val_loss"], expected["val_loss"])
    assert np.array_equal(found["epochs"], expected["epochs"])
    assert str(found["reason"]) == str(expected["reason"])
    assert str(expected["reason"]).startswith("early stopping")
