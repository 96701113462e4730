"""Who runs the trials: this process, worker processes on this machine, or a Dask cluster.

An executor lives for one ``Search.fit``. For each batch, :meth:`run` returns when every trial
of the batch has a result; while it waits it reaps trials whose worker stopped beating
(:meth:`Ledger.reap`: counted lost, put back with their seed) and starts a worker when trials
wait and fewer workers live than asked. Worker processes are started once and stay for the
whole search (a process pays for importing mlpkit once, not per batch); Dask workers are
already running, so each batch submits the claim loop to them.
"""

from __future__ import annotations

import multiprocessing
import time

from ..exceptions import ConfigError
from .workers import FINISHED, References, TrialContext, work


def make_executor(ledger, url, context: TrialContext, *, n_workers, dask, stale_after):
    """The executor for ``n_workers`` and ``dask`` (see :class:`~mlpkit.search.Search`)."""
    if n_workers == 1 and dask is None:
        return InProcess(ledger, context, stale_after)
    if url is None:
        raise ConfigError(
            "Search with n_workers > 1 or dask needs a ledger the workers can share: a SQLite "
            "file path or a database URL; received ledger=None."
        )
    if dask is not None:
        return OnDask(ledger, str(url), context, stale_after, n_workers, dask)
    return InProcesses(ledger, str(url), context, stale_after, n_workers)


class InProcess:
    """Trials run one after another in this process."""

    def __init__(self, ledger, context: TrialContext, stale_after: float) -> None:
        self.ledger, self.context, self.stale_after = ledger, context, stale_after
        self.references = References()

    def run(self, numbers) -> None:
        """Run the batch here; wait out (and reap) trials a killed run left running. Past the
        search's deadline, the trials not begun stay waiting (a resumed search runs them)."""
        while True:
            self.ledger.reap(self.context.search_id, self.stale_after)
            work(self.ledger, self.context, heartbeat_every=None, references=self.references)
            waiting, running = self.pending(numbers)
            if not running and (not waiting or self.out_of_time()):
                return
            time.sleep(0.2)

    def out_of_time(self) -> bool:
        """Whether the search's time budget has ended (no worker starts a trial then)."""
        deadline = self.context.deadline
        return deadline is not None and time.time() > deadline

    def pending(self, numbers) -> tuple[int, int]:
        """(waiting, running) trials among ``numbers``."""
        trials = self.ledger.trials(self.context.search_id, ("number", "status"), numbers)
        statuses = [t["status"] for t in trials]
        waiting = sum(s == "waiting" for s in statuses)
        return waiting, sum(s not in FINISHED and s != "waiting" for s in statuses)

    def close(self) -> None:
        pass


class _Supervised(InProcess):
    """Workers elsewhere: ``run`` watches the ledger and keeps enough workers alive."""

    def __init__(self, ledger, url: str, context, stale_after: float, n_workers: int) -> None:
        super().__init__(ledger, context, stale_after)
        self.url, self.n_workers, self.started = url, n_workers, 0

    def run(self, numbers) -> None:
        while True:
            self.ledger.reap(self.context.search_id, self.stale_after)
            waiting, running = self.pending(numbers)
            if not running and (not waiting or self.out_of_time()):
                return
            if self.out_of_time():  # the running trials stop at their next epoch end
                time.sleep(0.1)
                continue
            while waiting and self.alive() < min(self.n_workers, waiting + running):
                self.start_worker(self.started)
                self.started += 1
            time.sleep(0.1)


class InProcesses(_Supervised):
    """Worker processes (spawned: no fork of a process with threads) that claim trials until
    the search closes them; one that dies is replaced."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.spawn = multiprocessing.get_context("spawn")
        self.stop = self.spawn.Event()
        self.workers: list = []

    def alive(self) -> int:
        self.workers = [w for w in self.workers if w.is_alive()]
        return len(self.workers)

    def start_worker(self, index: int) -> None:
        args = (self.url, self.context, index, 1.0, self.stop)
        process = self.spawn.Process(target=work, args=args, daemon=True)
        process.start()
        self.workers.append(process)

    def close(self) -> None:
        self.stop.set()
        for process in self.workers:
            process.join(timeout=30)


class OnDask(_Supervised):
    """The claim loop submitted to a Dask cluster's workers, once per batch."""

    def __init__(self, ledger, url, context, stale_after, n_workers, dask) -> None:
        super().__init__(ledger, url, context, stale_after, n_workers)
        self.given = dask
        self.client, self.cluster = _client(dask, n_workers)
        self.futures: list = []

    def alive(self) -> int:
        self.futures = [f for f in self.futures if not f.done()]
        return len(self.futures)

    def start_worker(self, index: int) -> None:
        self.futures.append(self.client.submit(work, self.url, self.context, index, pure=False))

    def close(self) -> None:
        if self.client is not self.given:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _client(dask, n_workers):
    """(client, cluster): the given Client, one connected to a scheduler address, or one of an
    embedded LocalCluster of ``n_workers`` single-threaded processes (``dask=True``), which is
    then returned to be closed (else None)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ConfigError(
            "Search dask=... needs dask.distributed: pip install 'dask[distributed]'."
        ) from None
    if isinstance(dask, Client):
        return dask, None
    if dask is True:
        cluster = LocalCluster(
            n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        return Client(cluster), cluster
    if isinstance(dask, str):
        return Client(dask), None
    raise ConfigError(
        f"Search dask must be None, True (an embedded LocalCluster), a scheduler address or a "
        f"distributed.Client; received dask={dask!r}."
    )
