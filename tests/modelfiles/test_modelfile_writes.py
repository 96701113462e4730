"""Atomic model-file writes: a temporary file left by a killed save is removed by the next
save to that folder, one a live writer holds is not, and the folder is fsynced after the
rename."""

import fcntl
import os
import signal
import stat
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import mlpkit as mk
from mlpkit.persistence import atomic


@pytest.fixture(scope="module")
def net():
    model = mk.Sequential([mk.layers.Dense(2)], random_state=0)
    return model.build(3)


def age(path, seconds=60):
    then = os.stat(path).st_mtime - seconds
    os.utime(path, (then, then))


def test_the_temporary_file_of_a_killed_save_is_removed_by_the_next_save(net, tmp_path):
    script = textwrap.dedent(
        f"""
        import os, signal
        from mlpkit.persistence.atomic import write_atomically

        def write_to(stream):
            stream.write(b"half a model")
            stream.flush()
            os.kill(os.getpid(), signal.SIGKILL)

        write_atomically({str(tmp_path / "model.mlpk")!r}, write_to)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert done.returncode == -signal.SIGKILL
    (left,) = [name for name in os.listdir(tmp_path) if name.endswith(".tmp")]
    age(tmp_path / left)
    net.save(tmp_path / "model.mlpk")
    assert os.listdir(tmp_path) == ["model.mlpk"]
    mk.load(tmp_path / "model.mlpk")


def test_a_temporary_file_a_live_writer_holds_or_a_fresh_one_is_kept(net, tmp_path):
    held, fresh = tmp_path / ".mlpkit-held.tmp", tmp_path / ".mlpkit-fresh.tmp"
    held.write_bytes(b"being written")
    fresh.write_bytes(b"just created")
    age(held)
    with open(held, "rb") as stream:
        fcntl.flock(stream, fcntl.LOCK_EX)
        net.save(tmp_path / "model.mlpk")
        assert sorted(os.listdir(tmp_path)) == sorted([held.name, fresh.name, "model.mlpk"])
    assert atomic.remove_stale(str(tmp_path)) == [held.name]
    other = tmp_path / "notes.tmp"
    other.write_bytes(b"not ours")
    age(other)
    net.save(tmp_path / "model.mlpk", overwrite=True)
    assert other.exists()


def test_the_folder_is_fsynced_after_the_rename(net, tmp_path, monkeypatch):
    synced = []
    fsync = os.fsync

    def record(fd):
        is_folder = stat.S_ISDIR(os.fstat(fd).st_mode)
        synced.append(("folder" if is_folder else "file", os.path.exists(tmp_path / "m.mlpk")))
        fsync(fd)

    monkeypatch.setattr(os, "fsync", record)
    net.save(tmp_path / "m.mlpk")
    assert synced == [("file", False), ("folder", True)]
    np.testing.assert_array_equal(mk.load(tmp_path / "m.mlpk").params, net.params)
