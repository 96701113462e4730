"""``[search.space]``: each entry read by ``mk.search.Space.from_config`` and checked against
the parameters of the ``[model]`` estimator, and the strategy built on it, before any data.

The space's keys are ``[model]`` keys (``alpha = {log_uniform = [1e-6, 1e-2]}``); a search over
an explicit network (``model.layers``) is not offered by the file, since its parameters are
layer arguments, not estimator parameters.
"""

from __future__ import annotations

import re

from ..exceptions import ConfigError
from .errors import NO_VALUE, Issue
from .kinds import rephrase, suggestion
from .model import build_estimator
from .model_keys import ESTIMATORS

_ENTRY_PREFIX = re.compile(r"^Search space entry '[^']*'(?: = \{.*?\})?: ")


def space_issues(values: dict, model_ok: bool) -> list[Issue]:
    """The problems of ``[search.space]`` and ``search.strategy`` (paths inside [search]);
    the entries' parameter names only when ``[model]`` is valid (``model_ok``)."""
    from ..search.space import KINDS, Space

    search, model = values["search"], values["model"]
    table = search["space"]
    if not table:
        return []
    if "layers" in model:
        return [
            Issue(
                ("space",),
                "a search sets estimator parameters; with model.layers there are none. Describe "
                "the model with estimator keys (hidden_layer_sizes, ...) to search it",
            )
        ]
    issues, entries = [], {}
    for name, form in table.items():
        try:
            entries[name] = Space.from_config({name: form})
        except ConfigError as error:
            message = _ENTRY_PREFIX.sub("", str(error))
            if isinstance(form, dict):
                unknown = [k for k in form if k not in (*KINDS, "log")]
                message = message.rstrip(".") + (suggestion(unknown[0], KINDS) if unknown else "")
            issues.append(Issue(("space", name), message, form))
    if issues or not model_ok:
        return issues
    try:
        space = Space.from_config(table)
    except ConfigError as error:
        return [Issue(("space",), rephrase(str(error)))]
    issues = _parameter_issues(model, entries)
    if issues:
        return issues
    from ..search.strategies.registry import make_strategy

    try:
        make_strategy(search["strategy"], space, search["random_state"])
    except ConfigError as error:
        return [Issue(("strategy",), rephrase(str(error)), search["strategy"])]
    return []


def _parameter_issues(model: dict, entries: dict) -> list[Issue]:
    """Space entries that set a parameter the estimator does not take."""
    kinds = [model["kind"]] if model["kind"] in ESTIMATORS else list(ESTIMATORS)
    allowed = set()
    for kind in kinds:
        allowed |= set(build_estimator(kind, model).get_params(deep=True))
    owner = " / ".join(ESTIMATORS[kind].__name__ for kind in kinds)
    issues = []
    for name, entry in entries.items():
        for parameter in entry.parameters():
            if parameter not in allowed:
                message = f"{parameter!r} is not a parameter of {owner}"
                hint = suggestion(parameter, sorted(allowed))
                issues.append(Issue(("space", name), message + (hint or "; see [model]"), NO_VALUE))
    return issues
