"""The doctor's part of the HTML report: a section of verdicts (``mk.report(..., doctor=)``),
and the standalone pages of a :class:`~mlpkit.diagnostics.DoctorReport` and of an explained
step (``.to_html()``)."""

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


def explanation_page(explanation) -> str:
    """A page of one explained step: a table per section, formulas beside the numbers."""
    from ..diagnostics.explanation import format_array

    parts = ["<h1>One training step, number by number</h1>"]
    for heading, rows in explanation.sections():
        cells = [
            [name, formula, format_array(value), "" if check is None else format_array(check)]
            for name, formula, value, check in rows
        ]
        head = ["Quantity", "Formula", "Value", "Finite difference"]
        table = html_table(head, cells).replace("<td>[", '<td class="array">[')
        parts.append(
            f'<section><h2>{escape(heading)}</h2><div class="scroll">{table}</div></section>'
        )
    return page("mlpkit explain", "\n".join(parts))


__all__ = ["doctor_page", "doctor_section", "explanation_page"]
