"""Figures in the report: an analysis figure rendered to SVG (vector, text as paths so no font
is needed by the reader), with a visible SYNTHETIC badge when the result rests on synthetic data.

The analysis draws its own figure in the project's one colour-blind-safe style; the report
renders it inside :func:`kuva.analysis.style.styled`.
"""

from __future__ import annotations

import contextlib
import io
import re
from typing import TYPE_CHECKING

import matplotlib

from kuva.analysis.result import AnalysisResult
from kuva.i18n import label

if TYPE_CHECKING:
    from matplotlib.figure import Figure

BADGE_GID = "kuva-synthetic-badge"
BADGE_COLOUR = "#B2182B"


def _style() -> contextlib.AbstractContextManager[None]:
    """The project's figure style (:func:`kuva.analysis.style.styled`)."""
    from kuva.analysis.style import styled

    return styled()


def has_synthetic_label(fig: Figure, lang: str) -> bool:
    """True if the analysis already drew a synthetic label on ``fig`` (see ``style.finish``)."""
    words = {label("report.synthetic", lang).casefold(), label("synthetic", lang).casefold()}
    return any(t.get_text().strip().casefold() in words for t in fig.texts)


def add_synthetic_badge(fig: Figure, lang: str) -> None:
    """Draw the SYNTHETIC badge in the top-right corner of ``fig`` unless one is there."""
    if has_synthetic_label(fig, lang):
        return
    fig.text(
        0.995, 0.995, label("report.synthetic", lang), ha="right", va="top", fontsize=9,
        fontweight="bold", color="white", gid=BADGE_GID,
        bbox={"boxstyle": "round,pad=0.3", "facecolor": BADGE_COLOUR, "edgecolor": "none"},
    )


def reserve_footer(fig: Figure) -> None:
    """Keep figure-level notes at the bottom edge (source line, labels) clear of the axes.

    Constrained layout does not see ``fig.text`` artists; when some sit in the bottom 4 % of
    the figure, the layout is told to leave that strip free.
    """
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    engine = fig.get_layout_engine()
    low = [t for t in fig.texts if t.get_position()[1] < 0.04 and t.get_text().strip()]
    if not low or not isinstance(engine, ConstrainedLayoutEngine):
        return
    height_in = float(fig.get_size_inches()[1])
    strip = min(0.12, 0.22 / max(height_in, 1.0))  # about 0.22 inch for one line of small text
    engine.set(rect=(0.0, strip, 1.0, 1.0 - strip))


def render_svg(result: AnalysisResult, lang: str) -> str | None:
    """The result's figure in ``lang`` as SVG text (no XML prolog), or None if it has none."""
    if result.figure is None:
        return None
    import matplotlib.pyplot as plt

    with _style(), matplotlib.rc_context({"svg.hashsalt": result.key, "svg.fonttype": "path"}):
        fig = result.figure(lang)
        try:
            reserve_footer(fig)
            if result.synthetic:
                add_synthetic_badge(fig, lang)
            buf = io.StringIO()
            fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
        finally:
            plt.close(fig)
    return strip_prolog(buf.getvalue())


def strip_prolog(svg: str) -> str:
    """SVG text without the XML declaration, DOCTYPE and comments, ready to inline in HTML."""
    svg = re.sub(r"<\?xml[^>]*\?>", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>", "", svg, flags=re.S)
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    return svg.strip()


def svg_for_html(svg: str, fig_id: str) -> str:
    """Inline-ready SVG: ids made unique per figure, a scalable width, a title for readers."""
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{fig_id}-{m.group(1)}"', svg)
    svg = re.sub(r'(xlink:href|href)="#([^"]+)"', lambda m: f'{m.group(1)}="#{fig_id}-{m.group(2)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{fig_id}-{m.group(1)})", svg)
    svg = re.sub(r'<svg([^>]*?)\swidth="[^"]*"\s+height="[^"]*"', r'<svg\1 class="figure-svg"', svg, count=1)
    return svg
