"""The HTML of the report: escaping, numbers, tables and the page with its inline style.

Every text that reaches the page goes through :func:`escape`; the page links nothing and fetches
nothing (system fonts, inline CSS).
"""

from __future__ import annotations

import html
import json

import numpy as np

from ..evaluation import label_text


def escape(text) -> str:
    """``text`` as HTML text (``&``, ``<``, ``>`` and quotes escaped)."""
    return html.escape(str(text), quote=True)


def format_number(value) -> str:
    """A metric in a cell: 4 decimals, scientific beyond 1e6 or below 1e-3, "n/a" for None/NaN."""
    if value is None:
        return "n/a"
    value = float(value)
    if not np.isfinite(value):
        return "n/a" if np.isnan(value) else str(value)
    return f"{value:.3e}" if 0 < abs(value) < 1e-3 or abs(value) >= 1e6 else f"{value:.4f}"


def describe(config: dict) -> str:
    """``adam (learning_rate=0.001, beta_1=0.9)``: the name, then the arguments that are set."""
    config = dict(config)
    name = config.pop("name", "")
    arguments = ", ".join(
        f"{key}={json.dumps(value) if isinstance(value, (dict, list)) else value}"
        for key, value in config.items()
        if value is not None
    )
    return f"{name} ({arguments})" if arguments else str(name)


def key_values(rows) -> str:
    """A two-column table of (name, value) rows, names as row headers."""
    body = "".join(
        f'<tr><th scope="row">{escape(key)}</th><td>{escape(value)}</td></tr>'
        for key, value in rows
    )
    return f'<table class="keys"><tbody>{body}</tbody></table>'


def html_table(head, rows, numeric=frozenset(), caption=None) -> str:
    """A table; the cells of the ``numeric`` column indices are right-aligned."""
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    th = "".join(f'<th scope="col">{escape(cell)}</th>' for cell in head)
    cells = ('<td class="num">' if j in numeric else "<td>" for j in range(len(head)))
    opening = list(cells)
    body = "".join(
        "<tr>" + "".join(f"{opening[j]}{escape(cell)}</td>" for j, cell in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table>{cap}<thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


_CSS = """
body { margin: 0; background: #eef0f3; color: #1d2330;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; }
main { max-width: 960px; margin: 0 auto; padding: 28px 32px 56px; background: #fff;
  box-sizing: border-box; min-height: 100vh; }
h1 { font-size: 1.75rem; margin: 0 0 0.2em; }
h2 { font-size: 1.25rem; margin: 1.8em 0 0.6em; padding-bottom: 0.25em;
  border-bottom: 1px solid #dde1e7; }
h3 { font-size: 1.05rem; margin: 1.2em 0 0.4em; }
.subtitle { margin: 0; color: #5b6473; }
table { border-collapse: collapse; margin: 0.4em 0 1.2em; font-variant-numeric: tabular-nums; }
caption { caption-side: top; text-align: left; font-weight: 600; padding-bottom: 0.3em;
  white-space: nowrap; }
th, td { border: 1px solid #dde1e7; padding: 4px 12px; text-align: left; }
thead th, table.keys th { background: #f3f5f8; font-weight: 600; }
td.num { text-align: right; white-space: nowrap; }
.history table { font-size: 13px; }
.history th, .history td { padding: 2px 8px; }
.warnings { margin: 1.4em 0; padding: 0.2em 1.2em 0.4em; background: #fff7e6;
  border: 1px solid #f0c36d; border-left: 6px solid #d98e04; border-radius: 4px; }
.warnings h2 { margin: 0.5em 0 0.2em; border: 0; color: #8a5a00; }
.warnings li { margin: 0.3em 0; }
figure { margin: 1.6em 0; text-align: center; }
figure img { max-width: 100%; height: auto; border: 1px solid #e4e7ec; }
figcaption { margin-top: 0.4em; color: #5b6473; font-size: 0.92rem; }
pre { padding: 0.8em 1em; overflow-x: auto; background: #f6f7f9; border: 1px solid #e4e7ec;
  border-radius: 4px; font: 13px/1.45 ui-monospace, Menlo, Consolas, monospace; }
details summary { cursor: pointer; margin-bottom: 0.5em; }
.scroll { overflow-x: auto; }
td.status-ok { color: #1e7b34; font-weight: 600; }
td.status-warn { color: #8a5a00; background: #fff7e6; font-weight: 600; }
td.status-fail { color: #a1160a; background: #fdecea; font-weight: 600; }
td.array { white-space: pre; font: 12px/1.35 ui-monospace, Menlo, Consolas, monospace; }
"""


def page(title: str, body: str) -> str:
    """The HTML5 document around ``body``."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def label_cell(label) -> str:
    """A class label in a table or caption: as the user wrote it (``>50K``, ``True``, ``3``)."""
    return label if isinstance(label, str) else label_text(label)
