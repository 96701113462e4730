"""Running one batch of waiting trials: in this process, in worker processes, or on Dask.

Whatever runs them, the driver waits until every trial of the batch has a result, and while it
waits it reaps trials whose worker stopped beating (:meth:`Ledger.reap`: counted lost, put back
with their seed) and starts a new worker when trials wait and fewer workers live than asked.
"""

from __future__ import annotations

import multiprocessing
import time

from ..exceptions import ConfigError
from .workers import FINISHED, TrialContext, work


def run_batch(ledger, url, context: TrialContext, numbers, *, n_workers, dask, stale_after):
    """Run the waiting trials ``numbers`` of the search; return when all have a result."""
    if n_workers == 1 and dask is None:
        _here(ledger, context, numbers, stale_after)
        return
    if url is None:
        raise ConfigError(
            "Search with n_workers > 1 or dask needs a ledger the workers can share: a SQLite "
            "file path or a database URL; received ledger=None."
        )
    if dask is not None:
        _on_dask(ledger, url, context, numbers, n_workers, dask, stale_after)
    else:
        _on_processes(ledger, url, context, numbers, n_workers, stale_after)


def _pending(ledger, context: TrialContext, numbers) -> tuple[int, int]:
    """(waiting, running) trials among ``numbers``."""
    wanted = set(numbers)
    statuses = [t["status"] for t in ledger.trials(context.search_id) if t["number"] in wanted]
    waiting = sum(s == "waiting" for s in statuses)
    return waiting, sum(s not in FINISHED and s != "waiting" for s in statuses)


def _here(ledger, context, numbers, stale_after) -> None:
    """Run the trials in this process; wait out (and reap) those a killed run left running."""
    while True:
        ledger.reap(context.search_id, stale_after)
        work(ledger, context, heartbeat_every=None)
        if _pending(ledger, context, numbers) == (0, 0):
            return
        time.sleep(0.2)


def _on_processes(ledger, url, context, numbers, n_workers, stale_after) -> None:
    spawn = multiprocessing.get_context("spawn")  # no fork of a process with threads
    workers: list = []
    started = 0
    while True:
        ledger.reap(context.search_id, stale_after)
        waiting, running = _pending(ledger, context, numbers)
        if not waiting and not running:
            break
        workers = [w for w in workers if w.is_alive()]
        while waiting and len(workers) < min(n_workers, waiting + running):
            process = spawn.Process(target=work, args=(str(url), context, started), daemon=True)
            process.start()
            workers.append(process)
            started += 1
        time.sleep(0.2)
    for process in workers:
        process.join(timeout=10)


def _on_dask(ledger, url, context, numbers, n_workers, dask, stale_after) -> None:
    client, cluster = _client(dask, n_workers)
    try:
        futures: list = []
        started = 0
        while True:
            ledger.reap(context.search_id, stale_after)
            waiting, running = _pending(ledger, context, numbers)
            if not waiting and not running:
                break
            futures = [f for f in futures if not f.done()]
            while waiting and len(futures) < min(n_workers, waiting + running):
                futures.append(client.submit(work, str(url), context, started, pure=False))
                started += 1
            time.sleep(0.2)
    finally:
        if client is not dask:
            client.close()
        if cluster is not None:
            cluster.close()


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
