"""The doctor's part of the HTML report: a section of verdicts (``mk.report(..., doctor=)``)
and the standalone page of a :class:`~mlpkit.diagnostics.DoctorReport` (``.to_html()``)."""

from __future__ import annotations

from .markup import escape, html_table, page
from .pictures import data_uri
from .sections import figures

#: The words of the statuses on the page.
_STATUS = {"ok": "OK", "warn": "WARN", "fail": "FAIL"}


def doctor_section(report) -> str:
    """The verdicts as a table, worst status in the heading; the rules not judged below."""
    head = ["Rule", "Status", "Evidence", "Threshold", "Fix"]
    rows = [
        [
            v["rule"].replace("_", " "),
            _STATUS[v["status"]],
            v["evidence"],
            v["threshold"],
            v["advice"] or "–",
        ]
        for v in report.verdicts
    ]
    table = html_table(head, rows, caption="A verdict per rule (thresholds: docs/doctor.md)")
    for status, word in _STATUS.items():  # colour the status cells
        table = table.replace(f"<td>{word}</td>", f'<td class="status-{status}">{word}</td>')
    skipped = "".join(
        f"<li>{escape(s['rule'].replace('_', ' '))}: {escape(s['reason'])}</li>"
        for s in report.skipped
    )
    notes = "".join(f"<li>{escape(note)}</li>" for note in report.notes)
    pictures = figures(statistics_pictures(report.statistics)).replace("<h2>Pictures</h2>", "")
    return (
        f"<section><h2>Training doctor: {_STATUS[report.status]}</h2>"
        f'<div class="scroll">{table}</div>'
        + (f"<h3>Not judged</h3><ul>{skipped}</ul>" if skipped else "")
        + (f"<h3>Notes from the probe run</h3><ul>{notes}</ul>" if notes else "")
        + pictures
        + "</section>"
    )


#: The probe run's statistics drawn in the doctor section, with their captions.
_PICTURES = {
    "grad_norm": "Probe run: gradient norm of each layer per epoch (log scale).",
    "update_ratio": "Probe run: update/weight ratio ‖Δθ‖/‖θ‖ of each layer (≈1e-3 is healthy).",
    "dead_fraction": "Probe run: share of dead ReLU units per layer.",
    "saturated_fraction": "Probe run: share of saturated sigmoid/tanh units per layer.",
}


def statistics_pictures(statistics) -> list[tuple[str, str]]:
    """``[(caption, data URI)]`` of the probe run's per-layer statistics that were recorded
    (none without a probe run)."""
    from .. import plots

    if statistics is None:
        return []
    recorded = {key.partition("/")[0] for key in statistics.history}
    return [
        (caption, data_uri(plots.layer_statistics(statistics, name)))
        for name, caption in _PICTURES.items()
        if name in recorded
    ]


def doctor_page(report) -> str:
    """A whole page holding :func:`doctor_section`."""
    title = f"mlpkit training doctor: {_STATUS[report.status]}"
    return page(title, f"<h1>{escape(title)}</h1>\n{doctor_section(report)}")


__all__ = ["doctor_page", "doctor_section"]
