"""What every ``mlpkit`` command does the same way: exit codes, output, errors, files.

* **Exit codes** (sysexits.h for bad data): 0 done, 1 failure (a bug, a failed write, a run that
  went wrong), 2 bad usage or configuration (an unknown option, no such file or column, a
  configuration file with problems, an output file that exists without ``--force``), 65 bad
  data (a table that cannot be read or scored), 130 interrupted (Ctrl-C).
* **Results on standard output**; with ``--json``, exactly one JSON document there and nothing
  else. **Diagnostics on standard error**: notes, one ``warning: …`` line per distinct warning
  (``--quiet`` silences both), and errors as ``mlpkit <command>: error: …`` lines, one per root
  cause. A traceback only with ``--debug``.
* **Files**: an output file that exists is never replaced unless ``--force`` is given; every file
  is written whole or not at all (a temporary file beside it, then moved over it).
* **Progress** (a bar) only when standard output is a terminal, and never with ``--json`` or
  ``--quiet``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import textwrap
import traceback
import warnings
from pathlib import Path

#: Exit codes.
OK, FAILURE, USAGE, BAD_DATA, INTERRUPTED = 0, 1, 2, 65, 130


class CommandError(Exception):
    """An error to report as one line per root cause (``message`` may hold several lines) and
    exit with ``code``; ``usage=True`` also prints the command's usage line (a wrong use of
    its arguments)."""

    def __init__(self, message: str, code: int = FAILURE, *, usage: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.usage = usage


class Console:
    """Where one command's output goes: results to stdout, diagnostics to stderr.

    Args:
        json: results are one JSON document on stdout (:meth:`emit`); text results are dropped.
        quiet: no notes, warnings or progress on stderr (errors are always reported).
        debug: errors come with their traceback.
    """

    def __init__(self, *, json: bool = False, quiet: bool = False, debug: bool = False) -> None:
        self.json, self.quiet, self.debug = json, quiet, debug

    def result(self, text: str = "") -> None:
        """A line of the result (stdout), unless the result is JSON."""
        if not self.json:
            print(text, file=sys.stdout, flush=True)

    def emit(self, data, text: str | None = None) -> None:
        """The whole result: ``data`` as JSON with ``--json``, else ``text`` (if any)."""
        if self.json:
            print(json.dumps(jsonable(data), indent=2), flush=True)
        elif text is not None:
            print(text, file=sys.stdout, flush=True)

    def note(self, text: str) -> None:
        """A diagnostic line on stderr (what is happening), unless ``--quiet``."""
        if not self.quiet:
            print(text, file=sys.stderr, flush=True)

    def warning(self, text: str) -> None:
        if not self.quiet:
            print(f"warning: {text}", file=sys.stderr, flush=True)

    @property
    def progress(self) -> bool:
        """Whether to show a progress bar: stdout is a terminal, and not ``--json``/``--quiet``."""
        return not (self.json or self.quiet) and is_terminal(sys.stdout)

    @contextlib.contextmanager
    def warnings_as_lines(self):
        """Collect the warnings raised inside, then print each distinct one as one line."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                yield
            finally:
                for message in dict.fromkeys(one_line(str(w.message)) for w in caught):
                    self.warning(message)


def jsonable(value):
    """``value`` in plain JSON types: NaN and infinity as null, NumPy scalars and arrays as
    numbers and lists, tuples as lists, anything else as its text."""
    import math

    import numpy as np

    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, np.ndarray)):
        return [jsonable(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)


def is_terminal(stream) -> bool:
    """An interactive terminal (and not CI, whose logs are not one)."""
    isatty = getattr(stream, "isatty", None)
    ci = os.environ.get("CI", "").strip().lower()
    return bool(isatty and isatty()) and ci in ("", "0", "false")


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def output_path(path, *, force: bool, what: str = "output file") -> Path:
    """``path`` as a place to write: its folder must exist, and the file must not, unless
    ``force`` (bad usage otherwise, saying how to proceed)."""
    path = Path(path)
    folder = path.resolve().parent
    if not folder.is_dir():
        raise CommandError(
            f"cannot write {str(path)!r}: the folder {str(folder)!r} does not exist.", USAGE
        )
    if path.is_dir():
        raise CommandError(
            f"cannot write {str(path)!r}: it is a folder; name a file inside it.", USAGE
        )
    if path.exists() and not force:
        raise CommandError(
            f"the {what} {str(path)!r} exists; pass --force to replace it, or choose another path.",
            USAGE,
        )
    return path


def output_folder(path) -> Path:
    """``path`` as a folder to write in, made (with its parents) if need be; a file there, or a
    folder that cannot be made, is bad usage."""
    path = planned_folder(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise CommandError(f"cannot make the folder {str(path)!r}: {reason}.", USAGE) from None
    return path


def planned_folder(path) -> Path:
    """``path`` as a folder to write in later, checked now and not made: a file there, or a
    first existing parent that is a file or not writable, is bad usage. (Made only when the
    first file is written, by :func:`output_folder`, so a run that fails leaves none behind.)"""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise CommandError(f"cannot write in {str(path)!r}: it is a file, not a folder.", USAGE)
    existing = next(folder for folder in (path, *path.parents) if folder.exists())
    if not existing.is_dir():
        raise CommandError(
            f"cannot make the folder {str(path)!r}: {str(existing)!r} is a file.", USAGE
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise CommandError(
            f"cannot write in {str(path)!r}: the folder {str(existing)!r} is not writable.", USAGE
        )
    return path


def as_bad_data(run, lead: str):
    """``run()``, a ``ValueError`` or ``TypeError`` it raises turned into exit 65 with the line
    ``<lead>: <its message>``: a model given values it cannot take is bad data, not a bug. An
    invalid setting (``mk.ConfigError``, the configuration file's problems) stays exit 2, and
    an error :func:`classify` already places (a :class:`CommandError`, a ``DataFileError``)
    is raised as it is."""
    from ..exceptions import ConfigError

    _, data_file_error = config_errors()
    try:
        return run()
    except (ConfigError, data_file_error):
        raise
    except (ValueError, TypeError) as error:
        raise CommandError(f"{lead}: {error}", BAD_DATA) from error


def input_file(path, what: str = "file") -> Path:
    """``path`` as a file to read; none there is bad usage."""
    if Path(path).is_dir():
        raise CommandError(f"the {what} {str(path)!r} is a folder, not a file.", USAGE)
    if not Path(path).is_file():
        raise CommandError(f"no {what} at {str(path)!r}.", USAGE)
    return Path(path)


# -- the parser ------------------------------------------------------------------------------
class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` that keeps what it was given, for the completion scripts:
    ``options`` (every action added), ``commands`` (its sub-command action, or None)."""

    def __init__(self, *args, **kwargs) -> None:
        self.options: list[argparse.Action] = []  # before argparse adds --help
        self.commands = None
        super().__init__(*args, **kwargs)

    def add_argument(self, *args, **kwargs):
        action = super().add_argument(*args, **kwargs)
        self.options.append(action)
        return action

    def add_subparsers(self, **kwargs):
        self.commands = super().add_subparsers(**kwargs)
        return self.commands


def add_shared(parser, *, json: bool = True, quiet: bool = True) -> None:
    """The options every command takes: ``--debug`` (also accepted before the command),
    ``--json`` and ``--quiet``."""
    parser.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show the full traceback of an error",
    )
    if json:
        parser.add_argument(
            "--json", action="store_true", help="print the result as one JSON document"
        )
    if quiet:
        parser.add_argument(
            "--quiet", "-q", action="store_true", help="no progress, notes or warnings on stderr"
        )


def force_option(parser: argparse.ArgumentParser, what: str = "output files") -> None:
    parser.add_argument("--force", action="store_true", help=f"replace {what} that exist")


def command(commands, name: str, summary: str, text: str, example: str, **shared):
    """A sub-command's parser: ``summary`` in the list of commands, ``text`` atop its
    ``--help``, ``example`` at the end, and the shared options (:func:`add_shared`; ``shared``
    says which)."""
    parser = commands.add_parser(name, help=summary, **with_example(text, example))
    add_shared(parser, **shared)
    parser.set_defaults(command_parser=parser)  # whose name error lines start with
    return parser


def with_example(text: str, example: str) -> dict:
    """``add_parser`` arguments: ``text`` (paragraphs wrapped) and an example."""
    paragraphs = [textwrap.fill(" ".join(part.split()), 88) for part in text.split("\n\n")]
    return {
        "description": "\n\n".join(paragraphs),
        "epilog": "example:\n  " + example.replace("\n", "\n  "),
        "formatter_class": argparse.RawDescriptionHelpFormatter,
    }


# -- running a command -----------------------------------------------------------------------
def run(handler, args, parser: argparse.ArgumentParser) -> int:
    """Call ``handler(args, console)`` and turn what it raises into lines and an exit code.

    Bad usage (exit 2) leaves by ``SystemExit(2)``, as argparse's own usage errors do; every
    other outcome is returned."""
    console = Console(
        json=getattr(args, "json", False),
        quiet=getattr(args, "quiet", False),
        debug=getattr(args, "debug", False),
    )
    try:
        with console.warnings_as_lines():
            return handler(args, console)
    except KeyboardInterrupt:
        print(f"{parser.prog}: interrupted", file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:  # e.g. `mlpkit runs list | head -1`: the reader left
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return FAILURE
    except Exception as error:  # every error ends as lines and an exit code
        code, word, lines = classify(error)
        if console.debug:
            traceback.print_exception(error, file=sys.stderr)
        if getattr(error, "usage", False):
            parser.print_usage(sys.stderr)
        for line in lines:
            print(f"{parser.prog}: {word}: {line}", file=sys.stderr)
        if code == USAGE:
            raise SystemExit(USAGE) from None
        return code


def classify(error: BaseException) -> tuple[int, str, list[str]]:
    """The exit code of an error, the word its lines start with, and its lines: a
    :class:`CommandError` as it says; a configuration file's problems (``ConfigFileError``) one
    line each, exit 2; a data file's (``DataFileError``) exit 65; an invalid setting
    (``mk.ConfigError``) exit 2; anything else is a failure, named by its type."""
    from ..exceptions import ConfigError

    config_file_error, data_file_error = config_errors()
    if isinstance(error, CommandError):
        return error.code, "error", message_lines(error)
    if isinstance(error, data_file_error):
        return BAD_DATA, "error", message_lines(error)
    if isinstance(error, config_file_error):
        return USAGE, "error", message_lines(error)
    if isinstance(error, ConfigError):
        return USAGE, "error", [one_line(str(error))]
    return FAILURE, "failed", [f"{type(error).__name__}: {one_line(str(error))}"]


def config_errors() -> tuple[type, type]:
    """``mlpkit.config``'s ConfigFileError and DataFileError."""
    from ..config import ConfigFileError, DataFileError

    return ConfigFileError, DataFileError


def message_lines(error: BaseException) -> list[str]:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines or [type(error).__name__]
