"""What every command does the same way: exit codes, --help with an example, --version,
``python -m mlpkit`` as ``mlpkit``, errors in one line (tracebacks only with --debug), --json
and shell completion."""

import argparse
import json
import shutil
import subprocess

import pytest

from mlpkit import __version__
from mlpkit.cli import build_parser, main
from mlpkit.cli.completion import walk
from mlpkit.cli.conventions import Console, run


def commands():
    return [key for key, parser in walk(build_parser(), "") if key and parser.commands is None]


@pytest.mark.parametrize("command", commands())
def test_every_command_has_help_with_an_example(command, capsys):
    with pytest.raises(SystemExit) as stop:
        main([*command.split(), "--help"])
    assert stop.value.code == 0
    shown = capsys.readouterr().out
    assert shown.startswith(f"usage: mlpkit {command}")
    assert "\nexample:\n  " in shown and "mlpkit " in shown.split("example:")[1]


def test_python_dash_m_mlpkit_is_the_mlpkit_command(cli, tmp_path):
    by_module = cli("--version", cwd=tmp_path)
    assert by_module.returncode == 0 and by_module.stdout.strip() == f"mlpkit {__version__}"
    script = shutil.which("mlpkit")
    if script is None:
        pytest.skip("the mlpkit console script is not installed (pip install .)")
    for args in (["--version"], ["--help"]):
        command = subprocess.run([script, *args], capture_output=True, text=True, cwd=tmp_path)
        module = cli(*args, cwd=tmp_path)
        assert (command.returncode, command.stdout) == (module.returncode, module.stdout)


def test_bad_usage_exits_2_with_one_error_line_and_no_traceback(cli, quick, tmp_path):
    for run_it, args, message in [
        (cli, ["train-it"], "invalid choice: 'train-it'"),
        (quick, ["evaluate"], "the following arguments are required"),
        (quick, ["evaluate", "nope.mlpk", "nope.csv"], "no model file at 'nope.mlpk'"),
        (quick, ["summary", "--bogus", "m.mlpk"], "unrecognized arguments: --bogus"),
    ]:
        done = run_it(*args, cwd=tmp_path)
        assert done.returncode == 2, (args, done.stderr)
        assert message in done.stderr and done.stdout == ""
        assert "Traceback" not in done.stderr and done.stderr.count("error:") == 1


def test_debug_shows_the_traceback_before_or_after_the_command(cli, tmp_path):
    (tmp_path / "not-a-model.mlpk").write_text("a,b\n1,2\n")
    plain = cli("summary", "not-a-model.mlpk", cwd=tmp_path)
    assert plain.returncode == 2 and "is not a model file" in plain.stderr
    assert "Traceback" not in plain.stderr
    for args in (
        ["summary", "not-a-model.mlpk", "--debug"],
        ["--debug", "summary", "not-a-model.mlpk"],
    ):
        debug = cli(*args, cwd=tmp_path)
        assert debug.returncode == 2 and "Traceback (most recent call last)" in debug.stderr
        assert debug.stderr.rstrip().splitlines()[-1].startswith("mlpkit summary: error:")


def test_an_unforeseen_error_is_a_failure_in_one_line(capsys):
    parser = argparse.ArgumentParser(prog="mlpkit thing")

    def broken(args, console):
        raise RuntimeError("the disk\nwent away")

    assert run(broken, argparse.Namespace(), parser) == 1
    err = capsys.readouterr().err
    assert err == "mlpkit thing: failed: RuntimeError: the disk went away\n"
    assert run(broken, argparse.Namespace(debug=True), parser) == 1
    assert "Traceback" in capsys.readouterr().err


def test_warnings_are_one_line_each_on_stderr_and_quiet_silences_them(capsys):
    import warnings

    def warns(args, console):
        for _ in range(3):
            warnings.warn("the same\nthing", UserWarning, stacklevel=1)
        console.note("a note")
        console.result("the result")
        return 0

    assert run(warns, argparse.Namespace(), argparse.ArgumentParser()) == 0
    out, err = capsys.readouterr()
    assert out == "the result\n" and err == "a note\nwarning: the same thing\n"
    assert run(warns, argparse.Namespace(quiet=True), argparse.ArgumentParser()) == 0
    assert capsys.readouterr() == ("the result\n", "")


def test_json_output_is_one_document_with_no_nan(capsys):
    console = Console(json=True)
    console.result("not printed with --json")
    console.emit({"score": float("nan"), "shape": (2, 3)}, "text")
    assert json.loads(capsys.readouterr().out) == {"score": None, "shape": [2, 3]}


def test_progress_only_on_a_terminal(monkeypatch):
    assert not Console().progress  # pytest captures stdout: not a terminal
    monkeypatch.setattr("sys.stdout.isatty", lambda: True, raising=False)
    monkeypatch.delenv("CI", raising=False)
    assert Console().progress and not Console(json=True).progress
    assert not Console(quiet=True).progress
    monkeypatch.setenv("CI", "true")
    assert not Console().progress


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
@pytest.mark.parametrize(
    "line, expected",
    [
        ("mlpkit ev", ["evaluate"]),
        ("mlpkit runs co", ["compare"]),
        ("mlpkit runs list --le", ["--ledger"]),
        ("mlpkit predict --fo", ["--force"]),
        ("mlpkit completion z", ["zsh"]),
    ],
)
def test_bash_completion_completes_commands_options_and_choices(cli, tmp_path, line, expected):
    script = tmp_path / "mlpkit.bash"
    script.write_text(cli("completion", "bash", cwd=tmp_path).stdout)
    words = line.split(" ")
    program = (
        f"source {script}\nCOMP_WORDS=({' '.join(words)})\nCOMP_CWORD={len(words) - 1}\n"
        f'_mlpkit_complete\nprintf "%s\\n" "${{COMPREPLY[@]}}"\n'
    )
    done = subprocess.run(["bash", "-c", program], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == expected


def test_zsh_completion_is_the_bash_function_through_bashcompinit(cli, tmp_path):
    text = cli("completion", "zsh", cwd=tmp_path).stdout
    assert text.startswith("#compdef mlpkit\n") and "bashcompinit" in text
    assert "complete -o filenames -F _mlpkit_complete mlpkit" in text
    if shutil.which("zsh"):
        assert subprocess.run(["zsh", "-n"], input=text, text=True).returncode == 0
    assert subprocess.run(["bash", "-n"], input=text, text=True).returncode == 0
