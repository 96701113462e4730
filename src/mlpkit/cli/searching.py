"""``mlpkit search CONFIG``: ``config.build_search(model).fit(X, y)`` and its report.

``--trials`` and ``--workers`` are ``--set search.n_trials=N`` and ``--set search.workers=K``
(checked as the file's values are). A search's identity is its data and settings: run again
with the same ledger, it continues where it stopped, repeating no finished trial. ``--resume``
says that this is meant: it needs ``[ledger] url`` to name a ledger that exists, and warns when
the search was not found there (its data or settings changed, so it started anew).
"""

from __future__ import annotations

import re

from .conventions import OK, USAGE, CommandError, as_bad_data, output_path
from .outputs import save_model


def search(args, console) -> int:
    from mlpkit.config import load_config

    overrides = list(args.set)
    if args.trials is not None:
        overrides.append(f"search.n_trials={args.trials}")
    if args.workers is not None:
        overrides.append(f"search.workers={args.workers}")
    config = load_config(args.config, overrides)
    if args.out is not None:
        output_path(args.out, force=args.force, what="model file")
    known = searches_before(config.ledger_url, args.resume)
    X, y = config.read_data()
    found = config.build_search(config.build_model(y))
    settings = config.values["search"]
    console.note(
        f"searching {settings['n_trials']} trials ({settings['strategy']}, {settings['cv']}-fold "
        f"CV, {settings['workers']} worker(s)) on {len(y):,} rows"
    )
    result = as_bad_data(lambda: searched(found, X, y), f"cannot search on {config.data_path}")
    resumed = result.search_id in known
    if args.resume and not resumed:
        console.warning(
            f"the ledger held no earlier run of this search (its data or settings differ), so "
            f"search {result.search_id} started anew."
        )
    elif resumed and not args.resume:
        console.note(f"search {result.search_id} was in the ledger: its finished trials were kept")
    saved = None
    if args.out is not None:
        saved = str(save_model(result.best_estimator_, args.out, force=args.force))
    text = result.report() + (f"\nwinner saved: {saved}" if saved else "")
    console.emit(summary(result, config.ledger_url, resumed, saved), text)
    return OK


#: How the ledger records a trial that failed on the data: the error's type, then its words.
DATA_ERROR = re.compile(r"(?:ValueError|TypeError): (?P<message>.*)", re.S)


def searched(found, X, y):
    """``found.fit(X, y)``; a search whose every trial failed on a ``ValueError`` or
    ``TypeError`` (the data, as a plain fit would have said) raises the first one's message
    as a ``ValueError``, to be reported as bad data."""
    from mlpkit.exceptions import NoTrialCompletedError

    try:
        return found.fit(X, y)
    except NoTrialCompletedError as error:
        failed = [DATA_ERROR.fullmatch(text or "") for text in error.failures]
        if not failed or len(failed) < error.n_trials or not all(failed):
            raise
        raise ValueError(f"every trial failed; the first: {failed[0]['message']}") from error


def searches_before(url, resume: bool) -> set:
    """The searches the ledger holds before this one runs (none without a ledger)."""
    from mlpkit.ledger import open_ledger

    if url is None:
        if resume:
            raise CommandError(
                "--resume continues a search recorded in a ledger, and this configuration has "
                'none; set [ledger] url (e.g. url = "runs.sqlite").',
                USAGE,
            )
        return set()
    try:
        ledger = open_ledger(url, create=False)
    except FileNotFoundError:
        if resume:
            raise CommandError(
                f"--resume: there is no ledger at {url!r} yet to resume.", USAGE
            ) from None
        return set()
    with ledger:
        return set(ledger.searches())


def summary(result, url, resumed: bool, saved) -> dict:
    return {
        "search_id": result.search_id,
        "ledger": url,
        "resumed": resumed,
        "best_params": result.best_params_,
        "best_score": result.best_score_,
        "corrected_score": result.corrected_score_,
        "test_score": result.test_score_,
        "n_trials": result.n_trials_,
        "winner": saved,
        "report": result.report(),
    }
