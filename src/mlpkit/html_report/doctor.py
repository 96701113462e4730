"""The doctor's part of the HTML report: a section of verdicts (``mk.report(..., doctor=)``)
and the standalone page of a :class:`~mlpkit.diagnostics.DoctorReport` (``.to_html()``)."""

from __future__ import annotations

from .markup import escape, html_table, page

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
    return (
        f"<section><h2>Training doctor: {_STATUS[report.status]}</h2>"
        f'<div class="scroll">{table}</div>'
        + (f"<h3>Not judged</h3><ul>{skipped}</ul>" if skipped else "")
        + (f"<h3>Notes from the probe run</h3><ul>{notes}</ul>" if notes else "")
        + "</section>"
    )


def doctor_page(report) -> str:
    """A whole page holding :func:`doctor_section`."""
    title = f"mlpkit training doctor: {_STATUS[report.status]}"
    return page(title, f"<h1>{escape(title)}</h1>\n{doctor_section(report)}")


__all__ = ["doctor_page", "doctor_section"]
