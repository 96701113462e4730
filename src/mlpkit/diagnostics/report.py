"""What ``mk.doctor`` returns: the verdicts, and the same as text, Markdown, HTML or JSON."""

from __future__ import annotations

from dataclasses import dataclass, field

from .rules import FAIL, OK, WARN

#: Worst first.
_ORDER = {FAIL: 0, WARN: 1, OK: 2}


@dataclass
class DoctorReport:
    """A verdict per rule.

    Attributes:
        verdicts: ``[{"rule", "status": "ok" | "warn" | "fail", "evidence", "advice",
            "threshold", "numbers"}]``, one per rule that could judge, in rule order.
        skipped: ``[{"rule", "reason"}]``: the rules that could not judge this case.
        history: the probe run's per-epoch logs (or the History judged).
        statistics: the probe run's :class:`~.statistics.LayerStatistics` (None when a History
            was judged).
        notes: the warnings the probe run raised (each once).
        thresholds: the :class:`~.thresholds.Thresholds` used.
    """

    verdicts: list[dict]
    skipped: list[dict] = field(default_factory=list)
    history: dict = field(default_factory=dict)
    statistics: object = None
    notes: list[str] = field(default_factory=list)
    thresholds: object = None

    @property
    def status(self) -> str:
        """The worst status of all verdicts: "fail", "warn" or "ok"."""
        return min((v["status"] for v in self.verdicts), key=_ORDER.get, default=OK)

    def verdict(self, rule: str) -> dict:
        """The verdict of ``rule`` (e.g. ``"dying_relu"``); KeyError naming the rules judged."""
        for one in self.verdicts:
            if one["rule"] == rule:
                return one
        judged = ", ".join(v["rule"] for v in self.verdicts)
        skipped = {s["rule"]: s["reason"] for s in self.skipped}
        why = f" (skipped: {skipped[rule]})" if rule in skipped else ""
        raise KeyError(f"doctor has no verdict for {rule!r}{why}; judged: {judged}.")

    def problems(self) -> list[dict]:
        """The verdicts that are not ok, worst first."""
        return sorted(
            (v for v in self.verdicts if v["status"] != OK), key=lambda v: _ORDER[v["status"]]
        )

    def to_dict(self) -> dict:
        """The verdicts, skipped rules and notes as plain JSON types."""
        return {
            "status": self.status,
            "verdicts": self.verdicts,
            "skipped": self.skipped,
            "notes": self.notes,
        }

    def __str__(self) -> str:
        lines = [f"Training doctor: {self.status.upper()}"]
        for one in self.verdicts:
            lines.append(f"  {one['status'].upper():4}  {one['rule']}: {one['evidence']}")
            lines.append(f"        threshold: {one['threshold']}")
            if one["advice"]:
                lines.append(f"        fix: {one['advice']}")
        for one in self.skipped:
            lines.append(f"  --    {one['rule']}: not judged ({one['reason']})")
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)

    def to_markdown(self) -> str:
        """The verdicts as a Markdown table."""
        rows = ["| rule | status | evidence | threshold | fix |", "|---|---|---|---|---|"]
        for one in self.verdicts:
            cells = [one["rule"], one["status"].upper(), one["evidence"], one["threshold"]]
            cells.append(one["advice"] or "–")
            rows.append(markdown_row(cells))
        rows += [f"\nNot judged: {s['rule']} ({s['reason']})." for s in self.skipped]
        return f"# Training doctor: {self.status.upper()}\n\n" + "\n".join(rows) + "\n"

    def to_html(self, path=None, *, overwrite=False) -> str:
        """The verdicts as a self-contained HTML page; written to ``path`` too when given (a
        file already there only with ``overwrite=True``)."""
        from ..html_report.doctor import doctor_page

        return html_page(doctor_page(self), path, overwrite)

    def __repr__(self) -> str:
        counts = {s: sum(v["status"] == s for v in self.verdicts) for s in (FAIL, WARN, OK)}
        return f"DoctorReport(status={self.status!r}, {counts})"


def markdown_row(cells) -> str:
    """One row of a Markdown table, ``|`` in the cells escaped."""
    return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"


def html_page(text: str, path=None, overwrite: bool = False) -> str:
    """``text`` (a whole HTML page), written atomically to ``path`` too when given (a file
    already there only with ``overwrite``)."""
    if path is not None:
        from ..html_report import write

        write(path, text, overwrite)
    return text


__all__ = ["DoctorReport", "html_page", "markdown_row"]
