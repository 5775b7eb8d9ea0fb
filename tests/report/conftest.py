"""Fixtures for report tests: analysis results built here (the report renders any
AnalysisResult), so these tests do not depend on the analyses' numbers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from kuva.analysis.result import AnalysisResult
from kuva.report import Chapter

TITLES = {"fi": "Työttömät kuukausittain", "sv": "Arbetslösa per månad", "en": "Unemployed by month"}


def make_result(key: str, *, synthetic: bool = False, small_count: bool = False,
                figure: bool = True, rows: int = 24) -> AnalysisResult:
    """A result shaped like the real ones: tidy table, figure, text, numbers."""
    periods = [date(2022 + i // 12, i % 12 + 1, 1) for i in range(rows)]
    persons = np.arange(rows, dtype=float) * 10 + 50
    if small_count:
        persons[0] = 3.0
    table = pd.DataFrame({
        "group": ["pilot"] * rows,
        "period": periods,
        "n_persons": persons,
        "activation_rate": np.linspace(20.0, 30.0, rows),
    })

    def draw(lang: str) -> Figure:
        fig = Figure(figsize=(6, 3))
        ax = fig.subplots()
        ax.plot(pd.to_datetime(table["period"]), table["activation_rate"], label=TITLES[lang])
        ax.legend()
        return fig

    return AnalysisResult(
        key=key,
        title=lambda lang: f"{TITLES[lang]} ({key})",
        table=table,
        figure=draw if figure else None,
        text=lambda lang: f"[{lang}] {key}: the activation rate rose from 20 to 30.",
        numbers={"activation_rate": 30.0, "unemployed": 1234.0},
        sources=("statfin:12r5",),
        synthetic=synthetic,
        parameters={"start": "2022-01"},
    )


def make_chapter(key: str, results: list[AnalysisResult]) -> Chapter:
    return Chapter(key=key, title=lambda lang: f"Chapter {key} ({lang})",
                   intro=lambda lang: f"Intro {key}.", results=tuple(results))


@pytest.fixture
def result_factory() -> Callable[..., AnalysisResult]:
    return make_result


@pytest.fixture
def two_chapters() -> list[Chapter]:
    return [
        make_chapter("first", [make_result("alpha"), make_result("beta", figure=False)]),
        make_chapter("second", [make_result("gamma", rows=60)]),
    ]
