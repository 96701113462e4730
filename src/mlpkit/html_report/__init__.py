"""A self-contained HTML report of a trained model: one file that opens offline in a browser.

:func:`report` scores a network, an estimator (its ``network_``: preprocessor, labels and
target scaling inside) or a fitted Pipeline ending in one with
:func:`mlpkit.evaluation.evaluate` and writes one HTML5 file holding the configuration (layers,
loss, optimizer, preprocessing), a data summary, the metrics, the evaluation's warnings in a
visible box, every relevant picture as an embedded PNG (``data:`` URI, :mod:`.pictures`) and the
training history as a table (:mod:`.sections`); classes are named by their labels. The page uses
inline CSS and the system fonts only: nothing is fetched, nothing is linked, and every text is
escaped (:mod:`.markup`).

    import mlpkit as mk
    history = net.fit(X_train, y_train, loss="binary_cross_entropy", epochs=50,
                      validation_split=0.2, metrics=["accuracy"])
    path = mk.report(net, X_test, y_test, "report.html", history=history)
    print(path)  # the absolute path of the file written
"""

from __future__ import annotations

from pathlib import Path

from sklearn.pipeline import Pipeline

from ..evaluation import evaluate, scored_model
from ..modelfile import write_atomically
from ..persistence.atomic import refuse_existing
from .doctor import doctor_section
from .markup import page
from .pictures import draw_pictures
from .sections import (
    TASK_NAMES,
    configuration,
    data_summary,
    figures,
    header,
    history_table,
    history_values,
    metrics_section,
    warnings_box,
)

#: Where :func:`report` writes unless told otherwise: relative to the working directory.
DEFAULT_PATH = "report.html"


def report(
    model,
    X_test,
    y_test,
    path=DEFAULT_PATH,
    *,
    history=None,
    X_train=None,
    title=None,
    doctor=None,
    overwrite=False,
):
    """Write a self-contained HTML report of ``model`` scored on (X_test, y_test).

    Args:
        model: a built ``mk.Sequential``; a fitted ``MLPClassifier``/``MLPRegressor`` (its
            ``network_``, the whole model with its preprocessor and labels, is reported); or a
            fitted scikit-learn ``Pipeline`` ending in one (its own predictions are scored, its
            steps listed, and its final step's ``network_`` is the architecture shown).
        X_test, y_test: held-out rows, as :func:`~mlpkit.evaluation.evaluate` takes them (a raw
            table when the model has a preprocessor; y in the user's labels). Tables and
            pictures name the classes by their labels.
        path: the HTML file to write, atomically (a temporary file beside it is moved into
            place). Defaults to ``"report.html"`` in the current working
            directory (``os.getcwd()``): pass a path to write elsewhere.
        history: the ``History`` that ``fit`` returned, or its ``.history`` dict: adds the
            learning curves, the per-layer gradient norms and the history table. Defaults to an
            estimator's ``history_`` (its last fit; a Pipeline's final step's).
        X_train: the training features, for the row count in the data summary.
        title: the page title. Defaults to "mlpkit report: <task>".
        doctor: a :class:`~mlpkit.diagnostics.DoctorReport` (what ``mk.doctor`` returns): adds
            its verdicts as a "Training doctor" section after the warnings.
        overwrite: replace a file already at ``path``; False (the default) refuses it.

    Returns:
        pathlib.Path: the absolute path of the file written (``Path(path).resolve()``), e.g.
        ``/home/me/project/report.html`` for the default.

    Raises:
        FileNotFoundError: the folder of ``path`` does not exist. IsADirectoryError: ``path``
            is a folder. FileExistsError: a file is at ``path`` and ``overwrite`` is False.
            ValueError: ``path`` holds a NUL byte. All before any work.

    When the loss is in the network's units (``net.loss_units``, e.g. a standardised regression
    target), the configuration, the history table and the learning curves say so; the metrics
    are always in the target's own units.
    """
    path = checked_path(path, overwrite)
    if X_train is not None and not hasattr(X_train, "__len__"):
        raise TypeError(
            "report X_train must be the training rows (a table or an array; only their count "
            f"is shown); received X_train={X_train!r}."
        )
    scored = scored_model(model)
    net = scored.network
    history, stop_reason = _history(model, history)
    found = evaluate(model, X_test, y_test).to_dict()
    values, epochs = history_values(history)
    pictures, failures = draw_pictures(scored, X_test, y_test, found, history)
    title = title or f"mlpkit report: {TASK_NAMES.get(found['task'], found['task'])}"
    sections = [
        header(title, found),
        warnings_box(found["warnings"] + failures),
        "" if doctor is None else doctor_section(doctor),
        configuration(net, model, found),
        data_summary(X_test, y_test, X_train, found),
        metrics_section(found),
        figures(pictures),
        history_table(values, epochs, stop_reason, net.loss_units),
    ]
    return write(path, page(title, "\n".join(s for s in sections if s)), overwrite)


def _history(model, history):
    """(history, stop reason): the one given, else the estimator's last fit (a Pipeline's final
    step's), else none."""
    if history is not None:
        return history, getattr(history, "stop_reason", None)
    fitted = model.steps[-1][1] if isinstance(model, Pipeline) else model
    if getattr(fitted, "history_", None):
        return fitted.history_, getattr(fitted, "stop_reason_", None)
    return None, None


def checked_path(path, overwrite: bool = True) -> Path:
    """``path`` made absolute, refused before any work when it cannot be written: a NUL byte in
    it (ValueError), a folder (IsADirectoryError), a folder that does not exist
    (FileNotFoundError), a file already there without ``overwrite`` (FileExistsError)."""
    if "\x00" in str(path):
        raise ValueError(f"report path {str(path)!r} holds a NUL byte (\\x00); remove it.")
    path = Path(path).resolve()
    if path.is_dir():
        raise IsADirectoryError(
            f"report cannot write {str(path)!r}: it is a folder; name a file in it, e.g. "
            f"{str(path / DEFAULT_PATH)!r}."
        )
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f"report cannot write {str(path)!r}: the folder {str(path.parent)!r} does not exist."
        )
    if not overwrite:
        refuse_existing(str(path))
    return path


def write(path, text: str, overwrite: bool = True) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically (:func:`mlpkit.modelfile.write_atomically`)
    and return its absolute path; ``overwrite=False`` refuses a file already there."""
    path = checked_path(path, overwrite)
    write_atomically(
        str(path), lambda stream: stream.write(text.encode("utf-8")), overwrite=overwrite
    )
    return path


__all__ = ["DEFAULT_PATH", "report", "write"]
