"""The keys of ``[data]``, ``[training]``, ``[evaluation]``, ``[search]``, ``[ledger]`` and
``[output]``: kind, default, meaning and check of each.

Defaults are the ones of the functions the keys feed, read from their signatures where they
have one: ``read_table`` (separator, names, missing tokens), ``Sequential.fit`` ([training]),
``mk.evaluate`` ([evaluation]) and ``mk.search.Search`` ([search], and the test split of
``[data]``, which is the same held-out share a search sets aside).
"""

from __future__ import annotations

from functools import cache

from .. import metrics
from .._checks import check_fraction, check_integer, check_positive
from ..data.tables import read_table
from ..evaluation import evaluate
from ..evaluation.scoring import REPORT_METRICS
from ..exceptions import ConfigError
from ..ledger.urls import backend_for
from ..network import Sequential
from .components import check_callbacks, check_component
from .kinds import (
    BOOL,
    COMPONENT,
    COMPONENTS,
    INTEGER,
    NUMBER,
    REQUIRED,
    TABLE,
    TEXT,
    TEXTS,
    Field,
    choice,
    either,
    list_of,
    nullable,
    one_of,
    suggestion,
)
from .signatures import defaults

#: The sections of a run configuration, in the order they are written.
SECTIONS = ("data", "model", "training", "evaluation", "search", "ledger", "output")


def _fraction(name: str, interval: str):
    return lambda value: value is None or check_fraction(name, value, interval=interval)


def _at_least(name: str, low: int):
    return lambda value: value is None or check_integer(name, value, low=low)


def _positive(name: str):
    return lambda value: value is None or check_positive(name, value)


def _search_defaults() -> dict:
    from ..search.search import Search  # the search machinery loads only when asked

    return defaults(Search)


@cache
def data_fields() -> dict[str, Field]:
    read, search = defaults(read_table), _search_defaults()
    return {
        "path": Field(TEXT, REQUIRED, "the CSV or Parquet table, relative to this file's folder"),
        "target": Field(
            either(TEXT, INTEGER),
            REQUIRED,
            "the column to predict (its index for a file without a header line)",
            check=lambda v: isinstance(v, str) or check_integer("target", v, low=0),
        ),
        "features": Field(
            nullable(TEXTS),
            read["features"],
            'the feature columns; "none": every column but target, drop and row_id',
        ),
        "drop": Field(TEXTS, [], "columns left out (identifiers, columns that leak the target)"),
        "header": Field(BOOL, True, "the first line holds the column names"),
        "names": Field(nullable(TEXTS), read["names"], "column names of a file without header"),
        "separator": Field(nullable(TEXT), read["sep"], 'the field separator; "none": guessed'),
        "missing": Field(TEXTS, list(read["missing_tokens"]), "cells read as missing"),
        "test_size": Field(
            NUMBER,
            search["test_size"],
            "share of rows held out to test the trained model",
            check=_fraction("test_size", "(0, 1)"),
        ),
        "stratify": Field(BOOL, True, "keep each class's share in the test rows (classifiers)"),
        "time_ordered": Field(
            BOOL, search["time_ordered"], "rows are in time order: the test rows are the last"
        ),
        "row_id": Field(nullable(TEXT), None, "a column kept with predictions (not a feature)"),
        "streaming": Field(
            BOOL,
            False,
            "read the file in chunks, for tables larger than memory (docs/scale.md)",
        ),
        "chunk_rows": Field(
            INTEGER, 65_536, "rows per chunk read when streaming", check=_at_least("chunk_rows", 1)
        ),
        "random_state": Field(
            INTEGER,
            search["random_state"],
            "seed of the test split",
            check=_at_least("random_state", 0),
        ),
    }


def _check_loss(value) -> None:
    if value != "auto":
        check_component("loss", value)


def _check_metrics(names, known=tuple(metrics.METRICS)) -> None:
    for name in names:
        if name not in known:
            raise ConfigError(f"Unknown metric {name!r}. Choose one of: {', '.join(known)}.")


def _check_report_metrics(names) -> None:
    _check_metrics(names, REPORT_METRICS)


@cache
def training_fields() -> dict[str, Field]:
    fit = defaults(Sequential.fit)
    return {
        "loss": Field(
            either(choice("auto"), COMPONENT),
            "auto",
            '"auto": from the last layer (sigmoid: binary, softmax: categorical cross-entropy, '
            "else mse)",
            check=_check_loss,
        ),
        "optimizer": Field(
            nullable(COMPONENT),
            fit["optimizer"],
            'by name or {name = "adam", learning_rate = 1e-3}; "none": Adam',
            check=lambda v: check_component("optimizer", v),
        ),
        "epochs": Field(
            INTEGER, fit["epochs"], "passes over the data", check=_at_least("epochs", 0)
        ),
        "batch_size": Field(
            nullable(INTEGER),
            fit["batch_size"],
            'rows per mini-batch; "none": the full batch',
            check=_at_least("batch_size", 1),
        ),
        "shuffle": Field(BOOL, fit["shuffle"], "reshuffle the rows every epoch"),
        "validation_split": Field(
            NUMBER,
            fit["validation_split"],
            "share of training rows held out to watch val_loss",
            check=_fraction("validation_split", "[0, 1)"),
        ),
        "callbacks": Field(
            COMPONENTS,
            list(fit["callbacks"]),
            'e.g. [{name = "EarlyStopping", patience = 10, restore_best_weights = true}]',
            check=check_callbacks,
        ),
        "metrics": Field(
            TEXTS, list(fit["metrics"]), "extra per-epoch scores", check=_check_metrics
        ),
        "clip_value": Field(
            nullable(NUMBER),
            fit["clip_value"],
            "clip each gradient entry",
            check=_positive("clip_value"),
        ),
        "clip_norm": Field(
            nullable(NUMBER),
            fit["clip_norm"],
            "clip the gradient's L2 norm",
            check=_positive("clip_norm"),
        ),
        "verbose": Field(INTEGER, fit["verbose"], "1: a progress bar on a terminal"),
    }


@cache
def evaluation_fields() -> dict[str, Field]:
    scoring = defaults(evaluate)
    return {
        "metrics": Field(
            TEXTS, [], "the scores to show (empty: all of the task)", check=_check_report_metrics
        ),
        "threshold": Field(
            NUMBER,
            scoring["threshold"],
            "a binary prediction is positive above this probability",
            check=_fraction("threshold", "(0, 1)"),
        ),
        "k": Field(
            NUMBER,
            scoring["k"],
            "regression accuracy: right within std(y) / k",
            check=_positive("k"),
        ),
    }


def _check_scoring(value) -> None:
    from sklearn.metrics import get_scorer_names

    names = get_scorer_names()
    if value is not None and value not in names:
        raise ConfigError(
            "unknown scoring; expected a scikit-learn scorer name such as 'accuracy', "
            f"'roc_auc', 'f1', 'r2', 'neg_mean_squared_error'{suggestion(value, names)}"
        )


@cache
def search_fields() -> dict[str, Field]:
    from ..search.pruning import PRUNERS
    from ..search.strategies.registry import STRATEGIES

    search = _search_defaults()
    return {
        "strategy": Field(choice(*STRATEGIES), search["strategy"], f"one of {one_of(STRATEGIES)}"),
        "n_trials": Field(
            INTEGER,
            search["n_trials"],
            "how many configurations to try",
            check=_at_least("n_trials", 1),
        ),
        "cv": Field(
            INTEGER,
            search["cv"],
            "folds of each trial's cross-validation",
            check=_at_least("cv", 2),
        ),
        "scoring": Field(
            nullable(TEXT),
            search["scoring"],
            'a scikit-learn scorer; "none": accuracy or R²',
            check=_check_scoring,
        ),
        "random_state": Field(
            INTEGER, search["random_state"], "the search's seed", check=_at_least("random_state", 0)
        ),
        "pruner": Field(
            nullable(choice(*PRUNERS)),
            search["pruner"],
            f'{one_of(PRUNERS)} or "none": stop poor trials early',
        ),
        "workers": Field(
            INTEGER,
            search["n_workers"],
            "trials run in parallel processes",
            check=_at_least("workers", 1),
        ),
        "batch_size": Field(
            INTEGER,
            search["batch_size"],
            "trials proposed at a time",
            check=_at_least("batch_size", 1),
        ),
        "time_budget": Field(
            nullable(NUMBER),
            search["time_budget"],
            "seconds after which no new batch starts",
            check=_positive("time_budget"),
        ),
        "test_size": Field(
            nullable(NUMBER),
            search["test_size"],
            'share of rows held out to test the winner once; "none": none',
            check=_fraction("test_size", "(0, 1)"),
        ),
        "space": Field(TABLE, {}, "what to search: [search.space]"),
        "points_to_evaluate": Field(
            list_of(TABLE, what="an array of tables"),
            [],
            "configurations tried first, e.g. [{alpha = 1e-4}] (names as in the ledger)",
        ),
    }


@cache
def ledger_fields() -> dict[str, Field]:
    return {
        "url": Field(
            nullable(TEXT),
            None,
            'a SQLite file relative to this folder, or a database URL; "none": no ledger',
            check=lambda v: v is None or backend_for(v),
        )
    }


@cache
def output_fields() -> dict[str, Field]:
    return {
        "dir": Field(TEXT, "results", "folder of the outputs, relative to this file's folder"),
        "model": Field(TEXT, "model.mlpk", "the trained model, in dir"),
        "report": Field(TEXT, "report.html", "the HTML report, in dir"),
        "predictions": Field(
            nullable(TEXT), None, 'predictions of the test rows, in dir; "none": not written'
        ),
        "force": Field(BOOL, False, "overwrite existing outputs"),
    }


def fields(section: str) -> dict[str, Field]:
    """The keys of a section other than ``[model]`` (see :mod:`mlpkit.config.model_keys`)."""
    return {
        "data": data_fields,
        "training": training_fields,
        "evaluation": evaluation_fields,
        "search": search_fields,
        "ledger": ledger_fields,
        "output": output_fields,
    }[section]()
