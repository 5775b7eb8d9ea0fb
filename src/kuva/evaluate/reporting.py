"""Rendering of estimator results as plain text and HTML (shared by every results class)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes


@dataclass(frozen=True)
class Summary:
    """A rendered summary: a title, header facts, a coefficient table and notes.

    ``str(summary)`` is the text form; ``summary.as_html()`` the HTML form (also used by
    Jupyter through ``_repr_html_``).
    """

    title: str
    facts: tuple[tuple[str, str], ...]
    table: pd.DataFrame
    notes: tuple[str, ...] = ()

    def as_text(self) -> str:
        lines = [self.title, "=" * len(self.title)]
        width = max((len(k) for k, _ in self.facts), default=0)
        lines += [f"{k:<{width}}  {v}" for k, v in self.facts]
        lines.append("")
        lines.append(self.table.to_string(float_format=lambda x: f"{x:.4f}"))
        if self.notes:
            lines.append("")
            lines += [f"Note: {n}" for n in self.notes]
        return "\n".join(lines)

    def as_html(self) -> str:
        facts = "".join(
            f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in self.facts
        )
        table = self.table.to_html(float_format=lambda x: f"{x:.4f}", border=0)
        notes = "".join(f"<p><em>Note:</em> {html.escape(n)}</p>" for n in self.notes)
        return (
            f'<div class="kuva-summary"><h4>{html.escape(self.title)}</h4>'
            f"<table>{facts}</table>{table}{notes}</div>"
        )

    def __str__(self) -> str:
        return self.as_text()

    def _repr_html_(self) -> str:
        return self.as_html()


def make_summary(
    title: str,
    facts: Sequence[tuple[str, object]],
    table: pd.DataFrame,
    notes: Sequence[str] = (),
) -> Summary:
    """Build a :class:`Summary`, formatting fact values as strings."""

    def fmt(v: object) -> str:
        if isinstance(v, float):
            return f"{v:.4g}"
        return str(v)

    return Summary(
        title=title,
        facts=tuple((k, fmt(v)) for k, v in facts),
        table=table,
        notes=tuple(notes),
    )


def new_axes(ax: Axes | None) -> Axes:
    """``ax`` itself, or the axes of a new 7 × 4 inch figure."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=(7, 4))
    return new
