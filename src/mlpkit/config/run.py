"""``load_config`` and :class:`RunConfig`: a checked run configuration and what it builds.

config = load_config("run.toml", ["model.alpha=1e-3"])   # ConfigFileError if anything is off
X, y = config.read_data()                                 # DataFileError for bad data
X_train, X_test, y_train, y_test = config.split(X, y)
model = config.build_model(y)
model.fit(X_train, y_train, **config.fit_params())
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .. import losses, optim
from ..exceptions import ConfigError
from ..targets import detect_task
from . import data as data_io
from .components import make_callback
from .errors import ConfigFileError, Issue, Problem
from .model import build_estimator, build_network
from .model_keys import ESTIMATORS, estimator_only
from .signatures import defaults
from .toml_text import locate, parse_override, syntax_error
from .validate import Where, resolve
from .writing import write_toml


def load_config(path, overrides=()) -> RunConfig:
    """Read, override and check a run configuration; no data is read.

    Args:
        path: the TOML file.
        overrides: ``"section.key=value"`` strings (``--set``), applied in order; the value is
            read as a TOML value (``0.01``, ``[64, 32]``, ``true``, ``{name = "adam"}``) or,
            when it is not one, as a string (``model.solver=sgd``).

    Returns:
        The :class:`RunConfig`.

    Raises:
        ConfigFileError: one line per problem, each naming the file and line (or the ``--set``
            text), the key, the value, what was expected and the allowed values.
    """
    path = Path(path)
    shown = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        looked = path.resolve()
        raise ConfigFileError(
            [Problem(shown, None, "", f"no such file (looked for {looked})")]
        ) from None
    except (UnicodeDecodeError, IsADirectoryError) as error:
        raise ConfigFileError(
            [Problem(shown, None, "", f"cannot be read as text: {error}")]
        ) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line, message = syntax_error(error, text)
        raise ConfigFileError([Problem(shown, line, "", f"TOML syntax error: {message}")]) from None
    where = Where(shown, locate(text))
    _apply_overrides(raw, list(overrides), where)
    values, sources, given = resolve(raw, where, path.parent)
    return RunConfig(path, values, sources, given, where)


def _apply_overrides(raw: dict, overrides: list[str], where: Where) -> None:
    problems = []
    for text in overrides:
        try:
            keys, value = parse_override(text)
        except ValueError as error:
            problems.append(Problem(where.file, None, "", str(error), override=text))
            continue
        table = raw
        for depth, key in enumerate(keys[:-1]):
            table = table.setdefault(key, {})
            if not isinstance(table, dict):
                above = ".".join(keys[: depth + 1])
                message = f"{above} is not a table, so it has no key {keys[depth + 1]!r}"
                problems.append(Problem(where.file, None, ".".join(keys), message, override=text))
                break
        else:
            table[keys[-1]] = value
            where.overrides[tuple(keys)] = text
    if problems:
        raise ConfigFileError(problems)


@dataclass(frozen=True)
class Output:
    """Where a run writes, every path absolute (``[output]``, relative to the config's folder).

    Attributes:
        dir: the folder of the outputs.
        model, report: the model file and the HTML report, in ``dir`` unless absolute.
        predictions: the predictions file, or None.
        force: whether existing files may be overwritten.
    """

    dir: Path
    model: Path
    report: Path
    predictions: Path | None
    force: bool


class RunConfig:
    """A checked run configuration (made by :func:`load_config`).

    Attributes:
        path: the configuration file.
        values: every key of every section, resolved (defaults filled in, ``[model]`` as
            :func:`~mlpkit.config.config_of` writes it); ``[training]`` only with
            ``model.layers``.
        sources: ``{"model.alpha": "run.toml:12" | "default" | "--set", ...}``.
    """

    def __init__(self, path: Path, values: dict, sources: dict, given: dict, where: Where):
        self.path, self.values, self.sources = Path(path), values, sources
        self.folder = self.path.resolve().parent
        self._given, self._where = given, where
        self._task: str | None = None

    def __repr__(self) -> str:
        return f"RunConfig({str(self.path)!r})"

    # -- where things are ----------------------------------------------------------------------
    @property
    def data_path(self) -> Path:
        """The data file, resolved against the configuration's folder."""
        return self.folder / self.values["data"]["path"]

    @property
    def ledger_url(self) -> str | None:
        """``[ledger] url``: a SQLite file as an absolute path, a database URL as written."""
        url = self.values["ledger"]["url"]
        if url is None or (url.partition("://")[1] and not url.startswith("sqlite:///")):
            return url
        relative = url.removeprefix("sqlite:///")
        return url if relative in ("", ":memory:") else str(self.folder / relative)

    @property
    def output(self) -> Output:
        """The output paths, absolute."""
        out = self.values["output"]
        folder = self.folder / out["dir"]
        predictions = None if out["predictions"] is None else folder / out["predictions"]
        return Output(
            folder, folder / out["model"], folder / out["report"], predictions, out["force"]
        )

    @property
    def task(self) -> str | None:
        """ "classifier" or "regressor": ``model.kind``, or detected from the target by
        :meth:`read_data` when it is "auto" (None before)."""
        kind = self.values["model"]["kind"]
        return kind if kind in ESTIMATORS else self._task

    # -- data ----------------------------------------------------------------------------------
    def read_data(self, *, with_ids: bool = False):
        """``(X, y)`` of ``[data]`` (``(X, y, row_ids)`` with ``with_ids``; row_ids is None
        without ``data.row_id``): X a DataFrame of the feature columns, y the target Series.

        Raises:
            DataFileError: the file cannot be read, or the target has missing values.
            ConfigFileError: a column the configuration names is not in the file.
        """
        shown = Path(self.path.parent, self.values["data"]["path"])
        frame = data_io.read_frame(self.data_path, self.values["data"])
        X, y, ids = data_io.select(frame, self.values["data"], self._locate, shown)
        self._task = detect_task(y)
        return (X, y, ids) if with_ids else (X, y)

    def stream_source(self):
        """``[data]`` as an ``mk.data.FileSource`` for ``streaming = true`` (the file is not
        read; its columns are checked as :meth:`read_data` checks them)."""
        shown = Path(self.path.parent, self.values["data"]["path"])
        return data_io.stream_source(self.data_path, self.values["data"], self._locate, shown)

    def _locate(self, path: tuple, message: str, value) -> Problem:
        return self._where.problem("data", Issue(path, message, value))

    def split(self, X, y):
        """``X_train, X_test, y_train, y_test``: ``data.test_size`` held out (stratified for a
        classifier, the last rows when ``time_ordered``), seeded by ``data.random_state``."""
        classify = (self.task or detect_task(y)) == "classifier"
        shown = Path(self.path.parent, self.values["data"]["path"])
        return data_io.split(X, y, self.values["data"], classify, shown)

    # -- the model -----------------------------------------------------------------------------
    def build_model(self, y=None):
        """An unfitted MLPClassifier / MLPRegressor, or with ``layers`` an mk.Sequential.

        Args:
            y: the target, to decide ``kind = "auto"`` (else the one :meth:`read_data` read).

        Raises:
            ConfigError: "auto" with no target seen yet.
            ConfigFileError: a parameter of the other estimator was set (at its line).
        """
        model = self.values["model"]
        if "layers" in model:
            return build_network(model)
        kind = model["kind"]
        if kind not in ESTIMATORS:
            kind = detect_task(y) if y is not None else self._task
        if kind is None:
            raise ConfigError(
                'model.kind = "auto" decides from the target: call read_data() first or pass '
                'y, or set model.kind = "classifier" or "regressor".'
            )
        self._refuse_other_estimator_keys(kind)
        return build_estimator(kind, model)

    def _refuse_other_estimator_keys(self, kind: str) -> None:
        other = "regressor" if kind == "classifier" else "classifier"
        default = defaults(ESTIMATORS[other])
        wrong = [
            k
            for k in sorted(estimator_only(other) & self._given["model"])
            if self.values["model"][k] != default[k]
        ]
        message = (
            f"a parameter of {ESTIMATORS[other].__name__} only, but the target makes this a "
            f'{kind}; remove it, or set kind = "{other}"'
        )
        problems = [
            self._where.problem("model", Issue((k,), message, self.values["model"][k]))
            for k in wrong
        ]
        if problems:
            raise ConfigFileError(problems)

    def fit_params(self) -> dict:
        """Keyword arguments of ``Sequential.fit`` from ``[training]`` ({} for an estimator)."""
        if "training" not in self.values:
            return {}
        training = copy.deepcopy(self.values["training"])
        if isinstance(training["loss"], dict):
            training["loss"] = losses.get(training["loss"])
        if training["optimizer"] is not None:
            training["optimizer"] = optim.get(training["optimizer"])
        training["callbacks"] = [make_callback(table) for table in training["callbacks"]]
        return training

    def build_search(self, model):
        """An ``mk.search.Search`` of ``model`` over ``[search.space]``, configured by
        ``[search]``, recording in ``[ledger]`` (in memory without one)."""
        from ..search.search import Search
        from ..search.space import Space

        search = self.values["search"]
        if not search["space"]:
            line = self._where.problem(
                "search",
                Issue(
                    ("space",),
                    "nothing to search: add entries, e.g. alpha = {log_uniform = [1e-6, 1e-2]}",
                ),
            )
            raise ConfigFileError([line])
        return Search(
            model,
            Space.from_config(search["space"]),
            strategy=search["strategy"],
            n_trials=search["n_trials"],
            cv=search["cv"],
            scoring=search["scoring"],
            random_state=search["random_state"],
            ledger=self.ledger_url,
            n_workers=search["workers"],
            test_size=search["test_size"],
            time_ordered=self.values["data"]["time_ordered"],
            pruner=search["pruner"],
            batch_size=search["batch_size"],
            time_budget=search["time_budget"],
            points_to_evaluate=search["points_to_evaluate"] or None,
        )

    # -- writing back --------------------------------------------------------------------------
    def resolved_text(self) -> str:
        """Every value as TOML, each with a comment saying where it came from (the file's
        line, the default, or ``--set``); the text loads back to the same values."""
        head = (
            f"# {self.path}: the resolved configuration; after '#', where each value came from\n\n"
        )
        return head + write_toml(self.values, lambda key: self.sources.get(key, ""))

    def to_toml(self) -> str:
        """Every value as TOML (loads back to the same values)."""
        return write_toml(self.values)
