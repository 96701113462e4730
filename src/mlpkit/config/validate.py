"""Check a parsed configuration completely and resolve it: every value, its default, its source.

:func:`resolve` walks the sections in order and collects one :class:`Problem` per root cause
(a key with the wrong type is not checked further, so it is reported once): unknown sections
and keys (with a did-you-mean), wrong types, required keys, values their owners refuse (ranges,
names: the estimators, registries, ``Space.from_config`` and ``mlpkit._checks``), and what
spans sections (the data file exists, the search space names model parameters). Nothing reads
the data.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

from ..exceptions import ConfigError
from .errors import NO_VALUE, ConfigFileError, Issue, Problem, dotted
from .kinds import REQUIRED, Mismatch, NestedProblem, rephrase, suggestion
from .model import build_estimator, build_network, check_model, config_of, output_kind
from .model_keys import ESTIMATORS, estimator_fields, estimator_only, network_fields
from .search_space import space_issues
from .sections import SECTIONS, fields


@dataclass
class Where:
    """Where the values came from: the file's name and lines, and the ``--set`` overrides."""

    file: str
    lines: dict[tuple, int] = field(default_factory=dict)
    overrides: dict[tuple, str] = field(default_factory=dict)

    def override(self, path: tuple) -> str | None:
        """The ``--set`` text that gave the value at ``path`` (or the table around it, or,
        for a table the file does not write, a key inside it)."""
        for depth in range(len(path), 0, -1):
            if path[:depth] in self.overrides:
                return self.overrides[path[:depth]]
        inside = [text for key, text in self.overrides.items() if key[: len(path)] == path]
        return inside[0] if inside and path not in self.lines else None

    def line(self, path: tuple) -> int | None:
        """The line of ``path``, else of the closest table around it that the file writes."""
        for depth in range(len(path), 0, -1):
            if path[:depth] in self.lines:
                return self.lines[path[:depth]]
        return None

    def problem(self, section: str, issue: Issue) -> Problem:
        path = (section, *issue.path)
        return Problem(
            self.file,
            self.line(path),
            dotted(section, issue.path),
            issue.message,
            issue.value,
            self.override(path),
        )

    def source(self, path: tuple) -> str:
        """ "--set", "run.toml:12" or "default"."""
        if any(key[: len(path)] == path for key in self.overrides):
            return "--set"
        return f"{self.file}:{self.lines[path]}" if path in self.lines else "default"


def resolve(raw: dict, where: Where, folder: Path) -> tuple[dict, dict, dict]:
    """``(values, sources, given)`` of a parsed configuration, or :class:`ConfigFileError`.

    ``values`` holds every key of every section, defaults filled in; ``sources`` maps each
    ``section.key`` (and ``search.space.<name>``) to where its value came from; ``given`` maps
    each section to the keys the file or ``--set`` wrote.
    """
    problems: list[Problem] = []
    for name in raw:
        if name not in SECTIONS:
            hint = suggestion(name, SECTIONS)
            message = f"unknown section; the sections are {', '.join(SECTIONS)}{hint}"
            problems.append(where.problem(name, Issue((), message)))
    model = raw.get("model") if isinstance(raw.get("model"), dict) else {}
    layers = "layers" in model
    values, sources, given = {}, {}, {}
    for section in SECTIONS:
        table = raw.get(section, {})
        if not isinstance(table, dict):
            problems.append(
                where.problem(section, Issue((), f"expected a table [{section}]", table))
            )
            table = {}
        if section == "training" and not layers:
            if table:
                problems.append(where.problem(section, Issue((), TRAINING_WITHOUT_LAYERS)))
            continue
        keys = _model_fields(table) if section == "model" else fields(section)
        read, issues = _read_section(section, table, keys)
        problems += [where.problem(section, issue) for issue in issues]
        values[section] = {k: copy.deepcopy(read.get(k, f.default)) for k, f in keys.items()}
        given[section] = set(read)
        for key in keys:
            if key != "space":
                sources[f"{section}.{key}"] = where.source((section, key))
    for name in values["search"]["space"]:
        sources[f"search.space.{name}"] = where.source(("search", "space", name))
    problems += _model_problems(values, given, where)
    problems += _data_problems(values["data"], given["data"], where, folder)
    model_ok = not any(p.key.startswith("model") for p in problems)
    issues = space_issues(values, model_ok)
    problems += [where.problem("search", issue) for issue in issues]
    if problems:
        raise ConfigFileError(sorted(problems, key=lambda p: (p.override is not None, p.line or 0)))
    return values, sources, given


TRAINING_WITHOUT_LAYERS = (
    "[training] sets Sequential.fit for an explicit network (model.layers); an estimator takes "
    "these settings in [model] (max_iter, batch_size, optimizer, ...). Move them there, or add "
    "model.layers."
)


def _model_fields(table: dict) -> dict:
    if "layers" in table:
        return network_fields()
    kind = table.get("kind", "auto")
    return estimator_fields(kind if kind in ESTIMATORS else "auto")


def _read_section(section: str, table: dict, keys: dict) -> tuple[dict, list[Issue]]:
    """The values of a section's keys that have the right kind and pass their checks."""
    read, issues, failed = {}, [], set()
    for key, value in table.items():
        if key not in keys:
            issues.append(Issue((key,), _unknown(section, key, keys)))
            continue
        try:
            read[key] = keys[key].kind.read(value)
        except Mismatch as mismatch:
            issues.append(Issue((key,), str(mismatch), value))
            failed.add(key)
    for key, spec in keys.items():
        if spec.default is REQUIRED and key not in table:
            issues.append(Issue((key,), f"missing; expected {spec.meaning}"))
    for key in list(read):
        check = keys[key].check
        try:
            if check is not None:
                check(read[key])
        except NestedProblem as problem:
            shown = NO_VALUE if problem.value is None else problem.value
            issues.append(Issue((key, *problem.path), rephrase(str(problem)), shown))
            del read[key]
        except (ConfigError, ValueError) as error:
            issues.append(Issue((key,), rephrase(str(error)), read.pop(key)))
    return read, issues


def _unknown(section: str, key: str, keys: dict) -> str:
    close = suggestion(key, keys)
    if section == "model":
        every = estimator_fields("auto")
        if "layers" in keys and key in every:
            return (
                "unknown key with model.layers (an estimator parameter); Sequential.fit "
                f"settings go in [training]{close}"
            )
        if key in every:
            owner = "MLPRegressor" if key in estimator_only("regressor") else "MLPClassifier"
            kind = "regressor" if owner == "MLPRegressor" else "classifier"
            return f'unknown key for this kind; it is a parameter of {owner}: set kind = "{kind}"'
        if key in network_fields():
            return f"unknown key without model.layers (an mk.Sequential argument){close}"
        if close:
            return f"unknown key{close}"
        return "unknown key; [model] takes the parameters of mk.MLPClassifier / mk.MLPRegressor"
    return f"unknown key{close}" if close else f"unknown key; [{section}] takes {', '.join(keys)}"


def _model_problems(values: dict, given: dict, where: Where) -> list[Problem]:
    """The estimators' and layers' own checks, then the section in its written-back form."""
    model = values["model"]
    issues = check_model(model, given["model"])
    if issues:
        return [where.problem("model", issue) for issue in issues]
    if "layers" in model:
        network = build_network(model)
        values["model"] = config_of(network)
        if "training" in values and values["training"]["loss"] == "auto":
            values["training"]["loss"] = default_loss(network)
    else:
        kind, written = model["kind"], {}
        for name in [kind] if kind in ESTIMATORS else list(ESTIMATORS):
            written.update(config_of(build_estimator(name, model)))
        written.pop("kind")
        values["model"] = {"kind": kind, **written}
    return []


def default_loss(network) -> str:
    """The loss a network's last activation calls for."""
    name = output_kind(network)
    if name == "regressor":
        return "mse"
    softmax = network.output_activation.name == "Softmax"
    return "categorical_cross_entropy" if softmax else "binary_cross_entropy"


def _data_problems(data: dict, given: set, where: Where, folder: Path) -> list[Problem]:
    issues = []
    if "path" in given and not (folder / data["path"]).is_file():
        looked = (folder / data["path"]).resolve()
        issues.append(Issue(("path",), f"no such file (looked for {looked})", data["path"]))
    target = data["target"]
    for key in ("features", "drop"):
        if "target" in given and target in (data[key] or ()):
            what = "listed as a feature" if key == "features" else "dropped"
            issues.append(Issue((key,), f"the target {target!r} is {what}; remove it", data[key]))
    if data["row_id"] is not None and data["row_id"] == target:
        issues.append(Issue(("row_id",), "the row id cannot be the target", data["row_id"]))
    unnamed = not data["header"] and data["names"] is None
    if "target" in given and unnamed and isinstance(target, str) and not target.isdigit():
        issues.append(
            Issue(
                ("target",),
                "a file without a header line has columns 0, 1, ...: give the target's index, "
                "or the column names in data.names",
                target,
            )
        )
    return [where.problem("data", issue) for issue in issues]
