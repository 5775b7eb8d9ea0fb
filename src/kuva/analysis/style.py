"""One figure style for every analysis: the Okabe–Ito colour-blind-safe palette, fonts and
sizes, fixed colours for the pilot group, the comparison group and the nation.

Figures are built with :class:`matplotlib.figure.Figure` (no pyplot state), inside
:func:`styled` so the rc settings apply to every artist.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any

from kuva.i18n import label

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Okabe & Ito (2008), "Color Universal Design": safe for the common colour-vision deficiencies.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
#: Fixed colours of the groups (never reassigned).
GROUP_COLOURS: dict[str, str] = {
    "pilot": OKABE_ITO["vermillion"],
    "comparison": OKABE_ITO["blue"],
    "nation": OKABE_ITO["black"],
    "SSS": OKABE_ITO["black"],
    "area": OKABE_ITO["bluish_green"],
}
#: Cycle for categories without a fixed colour (e.g. service types), in a fixed order.
CYCLE: tuple[str, ...] = (
    OKABE_ITO["orange"], OKABE_ITO["sky_blue"], OKABE_ITO["bluish_green"], OKABE_ITO["reddish_purple"],
    OKABE_ITO["blue"], OKABE_ITO["vermillion"], OKABE_ITO["yellow"], OKABE_ITO["black"],
)
MARKER_LINE = "#777777"  #: grey for reference lines (pilot start, zero)

FIG_WIDTH = 8.0  #: inches (fits an A4 page with margins)
FIG_HEIGHT = 4.5
RC: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.6,
    "lines.linewidth": 1.8,
    "figure.dpi": 100,
    "savefig.dpi": 200,
}


def colour(key: str, index: int = 0) -> str:
    """The fixed colour of a group key, else the ``index``-th colour of the cycle."""
    return GROUP_COLOURS.get(key, CYCLE[index % len(CYCLE)])


@contextmanager
def styled() -> Iterator[None]:
    """Apply the KuVa rc settings while a figure is built."""
    import matplotlib as mpl

    with mpl.rc_context(RC):  # type: ignore[arg-type]
        yield


def new_figure(nrows: int = 1, ncols: int = 1, *, width: float = FIG_WIDTH, height: float = FIG_HEIGHT,
               **kwargs: Any) -> tuple[Figure, Any]:
    """A figure with a grid of axes (call inside :func:`styled`)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **kwargs)
    return fig, axes


def finish(fig: Figure, title: str, lang: str, *, synthetic: bool, source: str = "") -> Figure:
    """Title, source line and (if synthetic) a clear label on the figure."""
    fig.suptitle(title, fontsize=RC["axes.titlesize"] + 1, fontweight="bold")
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    engine = fig.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):  # keep a footer strip for the source and label
        strip = min(0.3 / float(fig.get_figheight()), 0.15)  # 0.3 inch
        engine.set(rect=(0.0, strip, 1.0, 1.0 - strip))
    note = f"{label('source', lang)}: {source}" if source else ""
    if synthetic:
        fig.text(0.99, 0.0, label("synthetic", lang), ha="right", va="bottom", fontsize=9, fontweight="bold",
                 color=OKABE_ITO["vermillion"])
    if note:
        fig.text(0.01, 0.0, note, ha="left", va="bottom", fontsize=7, color="#555555")
    return fig


def mark_month(ax: Axes, day: date, text: str) -> None:
    """A vertical dashed line at ``day`` with a small label (e.g. the pilot start)."""
    import matplotlib.dates as mdates

    x = float(mdates.date2num(day))  # type: ignore[no-untyped-call]
    ax.axvline(x, color=MARKER_LINE, linestyle="--", linewidth=1.0)
    ax.annotate(text, xy=(x, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -3),
                textcoords="offset points", ha="left", va="top", fontsize=7, color="#555555")


def year_axis(ax: Axes) -> None:
    """Ticks at January of each year, labelled with the year."""
    import matplotlib.dates as mdates

    ax.xaxis.set_major_locator(mdates.YearLocator())  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))  # type: ignore[no-untyped-call]
