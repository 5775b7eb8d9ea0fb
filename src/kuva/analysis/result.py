"""The shape every analysis returns, so the report, the portal and the CLI render them alike.

An analysis is a pure function ``f(wh_or_frames, params...) -> AnalysisResult``. The table is
tidy and already disclosure-controlled; figure, title and text are rendered per language
(``fi``, ``sv``, ``en``) from the same numbers. ``count_columns`` names the table's person-count
columns, so the report's output check need not guess them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from kuva.privacy.engine import ProtectedTable

Lang = str  #: "fi", "sv" or "en"


@dataclass(frozen=True)
class AnalysisResult:
    """One analysis: a tidy table, a figure, key numbers and short generated text."""

    key: str  #: stable id, e.g. ``pilot_vs_comparison``
    title: Callable[[Lang], str]
    table: pd.DataFrame  #: tidy, disclosure-controlled; column names are i18n label keys
    figure: Callable[[Lang], Figure] | None  #: renders the figure in a language
    text: Callable[[Lang], str]  #: a short paragraph generated from ``numbers``
    numbers: Mapping[str, float | str] = field(default_factory=dict)  #: the key numbers quoted in text
    sources: tuple[str, ...] = ()  #: source_ids of the warehouse data used
    synthetic: bool = False  #: True if any input is synthetic (shown as a label everywhere)
    parameters: Mapping[str, str] = field(default_factory=dict)  #: parameters used, for the appendix
    #: The table's columns that count persons (a cell in ``[1, min_cell)`` could identify
    #: someone). The report suppresses and checks exactly these, in addition to the columns it
    #: recognises by name and the persons measures of a long ``measure``/``value`` table. Counts
    #: of municipalities or areas, means and euros are not person counts and are not listed.
    count_columns: tuple[str, ...] = ()
    #: the table as the disclosure engine protected it: its note (what was hidden) and the
    #: sidecar that lets ``kuva privacy audit`` check the published file. ``table`` is its frame.
    disclosure: ProtectedTable | None = None
