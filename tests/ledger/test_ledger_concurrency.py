"""Many worker processes on one ledger: every trial claimed and finished exactly once, a killed
worker's trial reaped and re-run with its seed (issue 11, Proof)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time

import pytest

from mlpkit.ledger import open_ledger

N_WORKERS, N_TRIALS = 8, 200 * 8
CONTEXT = multiprocessing.get_context(
    "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
)


def fake_score(number: int) -> float:
    return (number * 7919 % 1000) / 1000


def claim_until_empty(url, search_id, worker, start, results):
    """A worker: claim, 'run' (a millisecond's sleep), finish with a fake score; until nothing
    waits."""
    ledger = open_ledger(url)
    start.wait()
    claimed = []
    while (trial := ledger.claim(search_id, worker)) is not None:
        number = trial["number"]
        time.sleep(0.001)
        recorded = ledger.finish(
            search_id,
            number,
            worker,
            "complete",
            score=fake_score(number),
            fold_scores=[fake_score(number)] * 3,
        )
        claimed.append((number, recorded))
    results.put((worker, claimed))


def claim_and_hang(url, search_id, worker, claimed):
    """A worker that claims one trial and never finishes it (it is killed mid-trial)."""
    trial = open_ledger(url).claim(search_id, worker)
    claimed.put(trial["number"])
    time.sleep(600)


def claim_and_beat(url, search_id, worker, claimed, stop):
    """A live worker: claims one trial and beats its heartbeat until told to finish."""
    ledger = open_ledger(url)
    trial = ledger.claim(search_id, worker)
    claimed.put(trial["number"])
    while not stop.is_set():
        ledger.heartbeat(search_id, trial["number"], worker)
        time.sleep(0.05)
    ledger.finish(search_id, trial["number"], worker, "complete", score=1.0)


def test_8_workers_claim_1600_trials_exactly_once(ledger_url):
    ledger = open_ledger(ledger_url)
    ledger.create_search("many", {"strategy": "fake"}, [0, 1])
    rows = [{"number": i, "config": {"i": i}, "seed": 10_000 + i} for i in range(N_TRIALS)]
    assert ledger.add_trials("many", rows) == N_TRIALS
    start, results = CONTEXT.Event(), CONTEXT.Queue()
    workers = [
        CONTEXT.Process(
            target=claim_until_empty, args=(ledger_url, "many", f"w{k}", start, results)
        )
        for k in range(N_WORKERS)
    ]
    for process in workers:
        process.start()
    began = time.perf_counter()
    start.set()
    claimed = dict(results.get(timeout=120) for _ in workers)
    elapsed = time.perf_counter() - began
    for process in workers:
        process.join(timeout=30)
        assert process.exitcode == 0
    numbers = sorted(number for worker in claimed.values() for number, _ in worker)
    assert numbers == list(range(N_TRIALS)), "a trial was claimed twice or never"
    assert all(recorded for worker in claimed.values() for _, recorded in worker)
    assert sum(1 for worker in claimed.values() if worker) >= 2, "no concurrency happened"
    trials = ledger.trials("many")
    assert len(trials) == N_TRIALS
    owner = {number: worker for worker, pairs in claimed.items() for number, _ in pairs}
    for trial in trials:
        assert trial["status"] == "complete" and trial["lost_count"] == 0
        assert trial["worker"] == owner[trial["number"]]
        assert trial["score"] == fake_score(trial["number"])
        assert trial["seed"] == 10_000 + trial["number"]
    backend = ledger.backend.name
    per_worker = sorted(len(pairs) for pairs in claimed.values())
    print(
        f"\n{backend}: {N_WORKERS} workers x {N_TRIALS // N_WORKERS} trials -> "
        f"{len(trials)} complete rows in {elapsed:.2f} s (claims per worker {per_worker})"
    )


def test_a_worker_killed_mid_trial_is_reaped_and_its_trial_rerun(ledger_url):
    ledger = open_ledger(ledger_url)
    ledger.create_search("kill", {}, [0, 1])
    ledger.add_trials(
        "kill", [{"number": i, "config": {"i": i}, "seed": 500 + i} for i in range(3)]
    )
    claimed, stop = CONTEXT.Queue(), CONTEXT.Event()
    doomed = CONTEXT.Process(target=claim_and_hang, args=(ledger_url, "kill", "doomed", claimed))
    doomed.start()
    assert claimed.get(timeout=60) == 0
    alive = CONTEXT.Process(
        target=claim_and_beat, args=(ledger_url, "kill", "alive", claimed, stop)
    )
    alive.start()
    assert claimed.get(timeout=60) == 1
    os.kill(doomed.pid, signal.SIGKILL)
    doomed.join(timeout=30)
    assert doomed.exitcode == -signal.SIGKILL
    time.sleep(1.0)
    assert ledger.reap("kill", stale_after=0.5) == [0]  # the live worker's trial stays
    lost = ledger.trials("kill")[0]
    assert (lost["status"], lost["lost_count"], lost["seed"]) == ("waiting", 1, 500)
    assert not ledger.finish("kill", 0, "doomed", "complete", score=0.0)
    rerun = ledger.claim("kill", "rescuer")
    assert (rerun["number"], rerun["seed"], rerun["config"]) == (0, 500, {"i": 0})
    assert ledger.finish("kill", 0, "rescuer", "complete", score=0.9)
    stop.set()
    alive.join(timeout=30)
    assert alive.exitcode == 0
    statuses = [(t["status"], t["worker"], t["lost_count"]) for t in ledger.trials("kill")]
    assert statuses == [("complete", "rescuer", 1), ("complete", "alive", 0), ("waiting", None, 0)]


def use_inherited(ledger, results):
    """In a forked child: the parent's Ledger object reconnects and works."""
    trial = ledger.claim("fork", "child")
    results.put(ledger.finish("fork", trial["number"], "child", "complete", score=0.5))


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs os.fork")
def test_a_forked_child_opens_its_own_connection(ledger_url):
    ledger = open_ledger(ledger_url)
    ledger.create_search("fork", {}, [0, 1])
    ledger.add_trials("fork", [{"number": i, "config": {}} for i in range(2)])
    fork = multiprocessing.get_context("fork")
    results = fork.Queue()
    child = fork.Process(target=use_inherited, args=(ledger, results))
    child.start()
    assert results.get(timeout=60) is True
    child.join(timeout=30)
    assert ledger.claim("fork", "parent")["number"] == 1  # the parent's connection still works
    assert [t["worker"] for t in ledger.trials("fork")] == ["child", "parent"]


def in_memory_child(ledger, results):
    try:
        ledger.trials("x")
    except Exception as error:  # noqa: BLE001 (sent back to the test)
        results.put(str(error))


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs os.fork")
def test_an_in_memory_ledger_refuses_another_process():
    ledger = open_ledger(None)
    fork = multiprocessing.get_context("fork")
    results = fork.Queue()
    child = fork.Process(target=in_memory_child, args=(ledger, results))
    child.start()
    assert "in-memory ledger cannot be used by another process" in results.get(timeout=60)
    child.join(timeout=30)


def open_and_record(url, start, results):
    start.wait()
    results.put(open_ledger(url).record_fit({"config": {"pid": os.getpid()}}))


def test_processes_opening_a_new_ledger_at_once_create_it_once(ledger_url):
    start, results = CONTEXT.Event(), CONTEXT.Queue()
    openers = [
        CONTEXT.Process(target=open_and_record, args=(ledger_url, start, results))
        for _ in range(N_WORKERS)
    ]
    for process in openers:
        process.start()
    start.set()
    run_ids = {results.get(timeout=60) for _ in openers}
    for process in openers:
        process.join(timeout=30)
        assert process.exitcode == 0
    assert len(run_ids) == N_WORKERS
    assert {run["run_id"] for run in open_ledger(ledger_url).select()} == run_ids
