"""Workers: claim a waiting trial from the ledger, run it, record it, until none is left.

The same loop runs in the search's own process (``n_workers=1``), in worker processes on one
machine, or as Dask tasks on a cluster: the ledger hands each trial to exactly one worker
(:meth:`Ledger.claim` is atomic), so the workers need no other coordination. While a trial runs
in a worker process, a thread beats its heartbeat in the ledger; a worker that dies stops
beating, and the search's driver counts its trial lost and puts it back, to be run again with its
recorded seed and folds (:meth:`Ledger.reap`).
"""

from __future__ import annotations

import os
import socket
import threading
import time
import traceback
from dataclasses import dataclass

import numpy as np

from ..ledger import open_ledger
from .folds import Folds
from .scoring import Scorer
from .trial import Model, Pruned, TrialOutcome, run_trial

#: Statuses of a trial that has a result.
FINISHED = ("complete", "pruned", "failed", "duplicate")


@dataclass
class TrialContext:
    """Everything a worker needs to run any trial of one search (sent once per worker)."""

    search_id: str
    model: Model
    space: object
    X: object
    y: object
    folds: Folds
    scorer: Scorer
    pruner: object
    batch_size: int
    threads: int | None = 1
    #: ``time.time()`` seconds at which the search's time budget ends (None: no budget).
    deadline: float | None = None


def trial_seed(seed: int, number: int) -> int:
    """The seed of trial ``number``: a function of (search seed, trial number) only."""
    return int(np.random.SeedSequence([seed, number]).generate_state(1)[0])


def worker_name(index: int = 0) -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{index}"


def work(
    ledger,
    context: TrialContext,
    index: int = 0,
    heartbeat_every: float | None = 1.0,
    stop=None,
    references=None,
):
    """Run waiting trials of the search; return how many this worker ran.

    ``ledger`` is a Ledger or its URL (a worker process opens its own connection). With
    ``heartbeat_every`` (seconds), a thread refreshes the running trial's heartbeat. Without
    ``stop`` the worker returns when no trial waits; with an Event, it waits for the next
    batch's trials until the event is set. ``references`` (:class:`References`) keeps the
    pruner's comparison between calls (a new one by default).
    """
    url = ledger if isinstance(ledger, str | os.PathLike) else None
    ledger = open_ledger(url) if url is not None else ledger
    name, done = worker_name(index), 0
    references = References() if references is None else references
    while True:
        if context.deadline is not None and time.time() > context.deadline:
            return done  # the trials not begun stay waiting, for a resumed search
        trial = ledger.claim(context.search_id, name)
        if trial is None:
            if stop is None or stop.wait(0.05):
                return done
            continue
        beating = _Heartbeat(url, context.search_id, trial["number"], name, heartbeat_every)
        with beating:
            status, results = _run(ledger, context, trial, references)
        ledger.finish(context.search_id, trial["number"], name, status, **results)
        done += 1
    return done


def _run(ledger, context: TrialContext, trial: dict, references) -> tuple[str, dict]:
    pruner = context.pruner
    if pruner is not None:
        pruner = pruner.with_reference(*references.before(ledger, context, trial["number"]))
    params = context.space.assemble(trial["config"])
    try:
        outcome = run_trial(
            context.model,
            params,
            trial["seed"],
            context.X,
            context.y,
            context.folds,
            context.scorer,
            pruner,
            context.threads,
            context.deadline,
        )
    except Pruned as pruned:
        return "pruned", _results(pruned.args[0])
    except Exception as error:  # a failed trial is a result, recorded with its error
        text = "".join(traceback.format_exception_only(type(error), error)).strip()
        return "failed", {"error": text}
    return "complete", _results(outcome)


def _results(outcome: TrialOutcome) -> dict:
    return {
        "score": outcome.score,
        "fold_scores": outcome.fold_scores,
        "oof": outcome.oof,
        "history": {"folds": outcome.histories},
        "stop_reason": "; ".join(sorted({r for r in outcome.stop_reasons if r})) or None,
        "duration": outcome.duration,
        "values": None if outcome.size is None else [outcome.score, -float(outcome.size)],
    }


class References:
    """The pruner's comparison for a trial: the fold scores and per-fold histories of the
    trials of earlier proposal batches that completed or were pruned.

    A worker keeps what it has read: a finished trial's result never changes, so each one is
    read from the ledger once per worker, and a search of N trials reads O(N) rows rather than
    the O(N²) of reading every earlier trial again for each new one.
    """

    def __init__(self) -> None:
        self.finished: dict[int, tuple | None] = {}  # number → (fold scores, histories) or None
        self.unsettled: set[int] = set()  # read, but not finished then
        self.asked = 0  # every number below has been read at least once

    def before(self, ledger, context: TrialContext, number: int) -> tuple[list, list]:
        """(fold scores, per-fold histories) of the earlier batches' trials, by number."""
        start = number - number % context.batch_size
        wanted = [n for n in self.unsettled if n < start] + list(range(self.asked, start))
        self.asked = max(self.asked, start)
        self.unsettled.update(wanted)
        columns = ("number", "status", "fold_scores", "history")
        for t in ledger.trials(context.search_id, columns, numbers=wanted):
            if t["status"] in FINISHED:
                self.finished[t["number"]] = _comparison(t)
                self.unsettled.discard(t["number"])
        earlier = [self.finished.get(n) for n in range(start)]
        earlier = [c for c in earlier if c is not None]
        return [c[0] for c in earlier], [c[1] for c in earlier]


def _comparison(trial: dict) -> tuple | None:
    """What the pruner compares with of one finished trial (None: nothing to compare)."""
    if trial["status"] not in ("complete", "pruned") or not trial["fold_scores"]:
        return None
    return list(trial["fold_scores"]), (trial.get("history") or {}).get("folds", [])


class _Heartbeat:
    """A thread that beats the trial's heartbeat every ``every`` seconds on its own connection."""

    def __init__(self, url, search_id: str, number: int, worker: str, every: float | None):
        self.args = (search_id, number, worker)
        self.url, self.every = url, every
        self.stopped = threading.Event()
        self.thread = None

    def __enter__(self):
        if self.url is not None and self.every:
            self.thread = threading.Thread(target=self._beat, daemon=True)
            self.thread.start()
        return self

    def _beat(self) -> None:
        ledger = open_ledger(self.url)
        while not self.stopped.wait(self.every):
            ledger.heartbeat(*self.args)

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        if self.thread is not None:
            self.thread.join()
