"""What ``mk.explain`` returns: the step's numbers, and the same as text, Markdown or HTML."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .report import html_page, markdown_row


def format_array(value: np.ndarray) -> str:
    """An array as NumPy prints it, 6 significant decimals."""
    return np.array2string(np.asarray(value), precision=6, suppress_small=True, separator=", ")


@dataclass
class Explanation:
    """One training step, number by number.

    Attributes:
        X, y: the batch as the network took it (float64), y in the network's units.
        loss: the ``mk.losses`` object; ``value`` L on the batch.
        fused: whether the loss was computed from the output layer's logits.
        layers: a :class:`~.explain.LayerStep` per layer: ``layers[i]["z"]``, ``["a"]``,
            ``["dL/da"]``, ``["f'(z)"]``, ``["dL/dz"]``, ``["dL/dW"]``, ``["dL/db"]``,
            ``["dL/dx"]``, ``["W_new"]``, ``["b_new"]`` as they apply; ``.quantity(name)``
            holds the formula and the finite-difference ``check``.
        optimizer: the optimizer whose update is shown (after its step).
        formulas: (L, dL/d output) of the loss.
        penalty: Ω, the network's weight penalty at the batch's weights, or None without one
            (its gradient is then part of each kernel's step: ``layers[i]["dΩ/dW"]``).
    """

    X: np.ndarray
    y: np.ndarray
    loss: object
    value: float
    fused: bool
    layers: list
    optimizer: object
    formulas: tuple[str, str]
    penalty: float | None = None

    @property
    def max_check_error(self) -> float:
        """The largest |gradient − finite difference| over every checked gradient."""
        errors = [q.error for s in self.layers for q in s.backward if q.error is not None]
        return max(errors, default=0.0)

    def sections(self):
        """(heading, [(name, formula, value, check or None)]) in reading order."""
        yield "Inputs", [("x", "the batch", self.X, None), ("y", "the targets", self.y, None)]
        for step in self.layers:
            yield f"Forward, layer {step.index}: {step.title}", _rows(step.forward)
        loss = [("L", self.formulas[0], np.asarray(self.value), None)]
        if self.penalty is not None:
            loss.append(
                (
                    "Ω",
                    "Ω = the weight penalty (λ₁Σ|w| + λ₂Σw² + ...)",
                    np.asarray(self.penalty),
                    None,
                )
            )
        yield "Loss", loss
        for step in reversed(self.layers):
            yield f"Backward, layer {step.index}: {step.title}", _rows(step.backward)
        for step in self.layers:
            if step.update:
                yield f"Update, layer {step.index}: {step.title}", _rows(step.update)

    def __str__(self) -> str:
        lines = [self._headline()]
        for heading, rows in self.sections():
            lines.append(f"\n{heading}")
            for name, formula, value, check in rows:
                lines.append(f"  {name}    {formula}")
                lines.append(_indent(format_array(value), 6))
                if check is not None:
                    error = float(np.max(np.abs(value - check)))
                    lines.append(f"      finite difference (max |Δ| = {error:.1e}):")
                    lines.append(_indent(format_array(check), 6))
        return "\n".join(lines)

    def _headline(self) -> str:
        return (
            f"One training step on {self.X.shape[0]} row(s): loss {self.loss.name} "
            f"(gradient {self.formulas[1]}), optimizer {self.optimizer.name}, float64"
        )

    def to_dict(self) -> dict:
        """The step as plain JSON types: the loss and, per layer, every quantity's formula,
        value and finite-difference check (nested lists)."""

        def entry(q):
            check = None if q.check is None else q.check.tolist()
            return {"formula": q.formula, "value": q.value.tolist(), "check": check}

        return {
            "loss": {"name": self.loss.name, "formula": self.formulas[0], "value": self.value},
            "optimizer": self.optimizer.get_config(),
            "max_check_error": self.max_check_error,
            "layers": [
                {
                    "index": step.index,
                    "layer": step.title,
                    **{q.name: entry(q) for q in (*step.forward, *step.backward, *step.update)},
                }
                for step in self.layers
            ],
        }

    def to_markdown(self) -> str:
        """The step as Markdown: a table per section, formulas beside the numbers."""
        parts = [f"# {self._headline()}"]
        for heading, rows in self.sections():
            parts += [f"\n## {heading}\n", "| quantity | formula | value | finite difference |"]
            parts.append("|---|---|---|---|")
            for name, formula, value, check in rows:
                cells = [name, formula, _one_line(value), "" if check is None else _one_line(check)]
                parts.append(markdown_row(cells))
        return "\n".join(parts) + "\n"

    def to_html(self, path=None, *, overwrite=False) -> str:
        """The step as a self-contained HTML page; written to ``path`` too when given (a file
        already there only with ``overwrite=True``)."""
        return html_page(_page(self), path, overwrite)

    def __repr__(self) -> str:
        return (
            f"Explanation(rows={self.X.shape[0]}, loss={self.value:.6g}, "
            f"max_check_error={self.max_check_error:.1e})"
        )


def _page(explanation: Explanation) -> str:
    """A page of the step: a table per section, formulas beside the numbers."""
    from ..html_report.markup import escape, html_table, page

    parts = ["<h1>One training step, number by number</h1>"]
    head = ["Quantity", "Formula", "Value", "Finite difference"]
    for heading, rows in explanation.sections():
        cells = [
            [name, formula, format_array(value), "" if check is None else format_array(check)]
            for name, formula, value, check in rows
        ]
        table = html_table(head, cells).replace("<td>[", '<td class="array">[')
        parts.append(
            f'<section><h2>{escape(heading)}</h2><div class="scroll">{table}</div></section>'
        )
    return page("mlpkit explain", "\n".join(parts))


def _rows(quantities):
    return [(q.name, q.formula, q.value, q.check) for q in quantities]


def _indent(text: str, width: int) -> str:
    return "\n".join(" " * width + line for line in text.splitlines())


def _one_line(value) -> str:
    return " ".join(format_array(value).split())


__all__ = ["Explanation", "format_array"]
