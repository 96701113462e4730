"""Export of ledger runs to MLflow, through MLflow's own client (imported only here, on use).

What goes where:

- a search → a parent run named "search <id>": its specification as params (one per top-level
  key, JSON), the counts of its trials by status and the best score as metrics
  (``n_trials``, ``n_complete``, ..., ``best_score``), tags ``mlpkit.search_id`` and
  ``mlpkit.kind`` = "search";
- a trial → a child run named "trial <number>" (tag ``mlflow.parentRunId``): its
  configuration as params; the per-fold scores as one metric series ``fold_score`` (step = fold
  index); the summary metrics apart: ``score``, ``score_mean`` and ``score_std`` (over the folds,
  population std as scikit-learn's ``cv_results_``), ``duration``, ``value_<i>`` for the
  objectives of a multi-objective search; the per-epoch history as series (step = epoch,
  nested histories by "/"-joined names); the ledger's status and bookkeeping as tags
  ``mlpkit.status``, ``mlpkit.seed``, ``mlpkit.worker``, ``mlpkit.lost_count``, ... ;
- a plain fit → a run of its own, the same way (its nested configuration by dotted names).

MLflow run statuses: complete / pruned / duplicate → FINISHED, failed → FAILED, waiting /
running (not finished when exported) → KILLED; the tag ``mlpkit.status`` says which.

Tracking stores: mlflow-skinny writes a database store (``sqlite:///mlflow.db``) when
SQLAlchemy and Alembic are installed (optuna brings both); its file store (``file:./mlruns``)
is refused by MLflow 3 unless the environment sets ``MLFLOW_ALLOW_FILE_STORE=true``.
"""

from __future__ import annotations

import json
import math
import re
import time

from ..exceptions import ConfigError
from .records import flat_params

MLFLOW_STATUS = {
    "complete": "FINISHED",
    "pruned": "FINISHED",
    "duplicate": "FINISHED",
    "failed": "FAILED",
    "waiting": "KILLED",
    "running": "KILLED",
}
TAGS = ("status", "config_hash", "seed", "worker", "lost_count", "stop_reason", "error")
TAGS += ("fingerprint", "folds_id", "duplicate_of", "number", "search_id", "run_id")
BATCH = 100  # params and tags per log_batch (MLflow's limit); metrics are sent 1000 a batch
MAX_VALUE = 5000  # characters of a param or tag value (MLflow allows 6000 and 8000)


def client_for(tracking_uri: str):
    """MLflow's client for ``tracking_uri``, with a clear error when MLflow is absent."""
    try:
        from mlflow.tracking import MlflowClient
    except ImportError:
        raise ImportError(
            "Exporting runs to MLflow needs MLflow: pip install mlflow-skinny (or mlpkit[mlflow])."
        ) from None
    if not isinstance(tracking_uri, str) or not tracking_uri:
        raise ConfigError(
            f"tracking_uri must be an MLflow tracking URI such as 'sqlite:///mlflow.db' or "
            f"'http://host:5000'; received tracking_uri={tracking_uri!r}."
        )
    return MlflowClient(tracking_uri)


def export(rows: list[dict], specs: dict, tracking_uri: str, experiment: str) -> dict:
    """Log ``rows`` (decoded runs) and their searches' ``specs`` to ``experiment``."""
    client = client_for(tracking_uri)
    found = client.get_experiment_by_name(experiment)
    experiment_id = found.experiment_id if found else client.create_experiment(experiment)
    exported = exported_runs(client, experiment_id)
    ids = {"experiment_id": experiment_id, "searches": {}, "runs": {}}
    for search_id, spec in specs.items():
        trials = [row for row in rows if row["search_id"] == search_id]
        key = f"search:{search_id}"
        if key not in exported:
            exported[key] = log_search(client, experiment_id, search_id, spec, trials)
        ids["searches"][search_id] = exported[key]
    for row in rows:
        if row["run_id"] not in exported:
            parent = ids["searches"].get(row["search_id"])
            exported[row["run_id"]] = log_run(client, experiment_id, row, parent)
        ids["runs"][row["run_id"]] = exported[row["run_id"]]
    return ids


def exported_runs(client, experiment_id: str) -> dict:
    """``{mlpkit.run_id or "search:<id>": MLflow run id}`` of the runs already exported."""
    found, token = {}, None
    while True:
        page = client.search_runs([experiment_id], max_results=1000, page_token=token)
        for run in page:
            tags = run.data.tags
            if tags.get("mlpkit.kind") == "search":
                found[f"search:{tags.get('mlpkit.search_id')}"] = run.info.run_id
            elif "mlpkit.run_id" in tags:
                found[tags["mlpkit.run_id"]] = run.info.run_id
        token = page.token
        if not token:
            return found


def log_search(client, experiment_id, search_id, spec, trials) -> str:
    """The parent run of a search; returns its id."""
    from mlflow.entities import Metric, Param, RunTag

    created = min((t["created"] for t in trials if t["created"]), default=time.time())
    run = client.create_run(
        experiment_id,
        start_time=millis(created),
        tags={"mlpkit.kind": "search", "mlpkit.search_id": search_id},
        run_name=f"search {search_id}",
    )
    run_id, now = run.info.run_id, millis(time.time())
    params = [Param(key(name), text(value)) for name, value in (spec or {}).items()]
    counts = {status: 0 for status in MLFLOW_STATUS}
    for trial in trials:
        counts[trial["status"]] += 1
    values = {"n_trials": len(trials), **{f"n_{k}": v for k, v in counts.items()}}
    lost = sum(trial["lost_count"] or 0 for trial in trials)
    values["n_lost"] = lost
    scores = [t["score"] for t in trials if t["status"] == "complete" and t["score"] is not None]
    if scores:
        values["best_score"] = max(scores)
    metrics = [Metric(name, float(value), now, 0) for name, value in values.items()]
    log_batches(client, run_id, metrics, params, [RunTag("mlpkit.n_trials", str(len(trials)))])
    finished = max((t["finished"] for t in trials if t["finished"]), default=None)
    client.set_terminated(run_id, "FINISHED", end_time=millis(finished or time.time()))
    return run_id


def log_run(client, experiment_id, row: dict, parent: str | None) -> str:
    """One trial (a child of ``parent``) or plain fit; returns its MLflow run id."""
    from mlflow.entities import Param, RunTag

    tags = {"mlpkit.kind": "trial" if row["search_id"] is not None else "fit"}
    tags.update({f"mlpkit.{name}": text(row[name]) for name in TAGS if row[name] is not None})
    if row["environment"] is not None:
        tags["mlpkit.environment"] = text(row["environment"])
    if parent is not None:
        tags["mlflow.parentRunId"] = parent
    name = f"trial {row['number']}" if row["search_id"] is not None else row["run_id"]
    run = client.create_run(
        experiment_id,
        start_time=millis(row["started"] or row["created"] or time.time()),
        tags=tags,
        run_name=name,
    )
    run_id = run.info.run_id
    params = [Param(key(k), text(v)) for k, v in flat_params(row["config"]).items()]
    log_batches(client, run_id, run_metrics(row), params, [RunTag("mlpkit.exported", "1")])
    end = row["finished"] or row["heartbeat"] or row["started"] or row["created"]
    client.set_terminated(run_id, MLFLOW_STATUS[row["status"]], end_time=millis(end or time.time()))
    return run_id


def run_metrics(row: dict) -> list:
    """The summary metrics, the per-fold series and the per-epoch series of one run."""
    from mlflow.entities import Metric

    stamp = millis(row["finished"] or row["created"] or time.time())
    metrics = []

    def add(name, value, step=0):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            metrics.append(Metric(key(name), float(value), stamp, int(step)))

    add("score", row["score"])
    add("duration", row["duration"])
    folds = row["fold_scores"] or []
    for fold, value in enumerate(folds):
        add("fold_score", value, fold)
    finite = [s for s in folds if isinstance(s, (int, float)) and math.isfinite(s)]
    if finite:
        mean = sum(finite) / len(finite)
        add("score_mean", mean)
        add("score_std", math.sqrt(sum((s - mean) ** 2 for s in finite) / len(finite)))
    for index, value in enumerate(row["values"] or []):
        add(f"value_{index}", value)
    for name, series in flat_series(row["history"] or {}).items():
        for epoch, value in enumerate(series):
            add(name, value, epoch)
    return metrics


def flat_series(history, prefix: str = "") -> dict:
    """Per-epoch series by "/"-joined names: ``{"loss": [...], "fold 0": {"loss": [...]}}`` →
    ``{"loss": [...], "fold 0/loss": [...]}``, and a list of histories (one per fold) by index:
    ``{"folds": [{"loss": [...]}, ...]}`` → ``{"folds/0/loss": [...], ...}``."""
    flat = {}
    for name, value in history.items():
        if isinstance(value, list) and any(isinstance(item, dict) for item in value):
            value = {str(index): item for index, item in enumerate(value)}
        if isinstance(value, dict):
            flat.update(flat_series(value, f"{prefix}{name}/"))
        elif isinstance(value, list):
            flat[f"{prefix}{name}"] = value
    return flat


def log_batches(client, run_id, metrics, params, tags) -> None:
    """``log_batch`` within MLflow's limits per call."""
    for start in range(0, max(len(params), len(tags), 1), BATCH):
        client.log_batch(
            run_id, params=params[start : start + BATCH], tags=tags[start : start + BATCH]
        )
    for start in range(0, len(metrics), 1000):
        client.log_batch(run_id, metrics=metrics[start : start + 1000])


def key(name: str) -> str:
    """A name as an MLflow key (letters, digits, ``_ - . space : /``; at most 250 chars)."""
    return re.sub(r"[^\w\-. :/]", "_", str(name))[:250]


def text(value) -> str:
    """A value as a param or tag value: strings as they are, the rest as JSON."""
    value = value if isinstance(value, str) else json.dumps(value)
    return value if len(value) <= MAX_VALUE else value[: MAX_VALUE - 1] + "…"


def millis(seconds: float) -> int:
    return int(round(seconds * 1000))
