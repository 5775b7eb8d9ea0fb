"""Every analysis declares its person-count columns (``AnalysisResult.count_columns``): each
declared column is in the table, none shows a count in ``[1, min_cell)``, and every column the
report would recognise as a count on its own is declared too.

Runs each analysis on the tiny hand-made warehouses (``tiny.py``; a Kela file for the municipal
share; a small Kykyviisari answer set for the wellbeing analyses). The effects chapter's results
are checked where their battery is built (``tests/evaluate/test_battery.py``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pytest

from kuva.analysis import (
    AnalysisResult,
    change_vs_nation,
    counterfactual_activation,
    largest_municipalities,
    monthly_paths,
    municipal_share_tmt,
    outcomes_after_services,
    pilot_vs_comparison,
    service_mix,
    services_yoy,
)
from kuva.report.tables import count_columns
from kuva.sources.kela import load_kela
from kuva.warehouse import Warehouse
from kuva.wellbeing import basic_situation_distribution, coverage, score_change, score_means
from kuva.wellbeing.analyses import score_distribution
from tests.analysis import tiny
from tests.analysis.test_seminar_kela import kela_csv
from tests.wellbeing.conftest import Answer, store_answers, store_service_starts, store_stock

Call = Callable[..., AnalysisResult]

#: (warehouse, analysis) → keyword arguments besides ``min_cell``; ``p`` is the tiny pilot list
TINY: dict[str, tuple[str, Call, Callable[[Path], dict[str, object]]]] = {
    "pilot_vs_comparison": ("tiny", pilot_vs_comparison, lambda p: {"year": 2020, "pilots_csv": p}),
    "monthly_paths": ("tiny", monthly_paths, lambda p: {"start": date(2020, 2, 1), "pilots_csv": p}),
    "counterfactual_activation": ("tiny", counterfactual_activation, lambda p: {"pilots_csv": p}),
    "largest_municipalities": ("tiny", largest_municipalities,
                               lambda p: {"month": date(2021, 3, 1), "thresholds": (1, 100), "pilots_csv": p}),
    "change_vs_nation": ("tiny", change_vs_nation,
                         lambda p: {"start": date(2020, 2, 1), "end": date(2021, 3, 1), "pilots_csv": p}),
    "service_mix": ("tiny", service_mix,
                    lambda p: {"areas": ["Alpha", "Beta"], "start": date(2020, 2, 1), "pilots_csv": p}),
    "services_yoy": ("tiny", services_yoy, lambda p: {"start": date(2021, 1, 1), "pilots_csv": p}),
    "outcomes_after_services": ("tiny", outcomes_after_services,
                                lambda p: {"year": 2020, "area": "Alpha", "pilots_csv": p}),
    "municipal_share_tmt": ("kela", municipal_share_tmt, lambda p: {"base_year": 2020, "pilots_csv": p}),
    "kykyviisari_coverage": ("wellbeing", coverage,
                             lambda p: {"start": date(2022, 1, 1), "end": date(2022, 12, 31), "on": date(2022, 6, 1)}),
    "kykyviisari_basic_situation": ("wellbeing", basic_situation_distribution, lambda p: {}),
    "kykyviisari_score_distribution": ("wellbeing", score_distribution, lambda p: {}),
    "kykyviisari_score_means": ("wellbeing", score_means, lambda p: {"min_n": 2}),
    "kykyviisari_change": ("wellbeing", score_change, lambda p: {}),
}

#: municipalities and answer counts: Kainuun seutu (KU205 Kajaani, KU765 Sotkamo), the
#: comparison area (KU285 Kotka) and Helsinki (KU091) — big and small cells at min_cell 5 and 11
PEOPLE = {"KU205": 14, "KU765": 3, "KU285": 12, "KU091": 2}
SITUATIONS = ("paid_work", "unemployed_jobseeker", "student", "work_trial", "pension")


def _answers() -> list[Answer]:
    out: list[Answer] = []
    for muni, n in PEOPLE.items():
        for i in range(n):
            person = f"{muni}-{i}"
            wa, wl = float((i * 3) % 11), float((i * 7) % 11)
            out.append((person, f"2022-03-{1 + i % 28:02d}", muni, None, wa, wl, (SITUATIONS[i % len(SITUATIONS)],)))
            if i % 2 == 0:  # about half answer again
                out.append((person, "2022-10-01", muni, None, min(wa + 1, 10.0), wl, ("paid_work",)))
    return out


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("count_columns")
    tiny.write_pilots(folder)
    paths = {"tiny": tiny.build(folder / "tiny.duckdb"), "kela": tiny.build(folder / "kela.duckdb",
                                                                                with_services=False),
             "wellbeing": folder / "wellbeing.duckdb"}
    with Warehouse(paths["kela"]) as wh:
        load_kela(wh, kela_csv(folder / "kela.csv"), vintage=datetime(2024, 2, 1))
    with Warehouse(paths["wellbeing"]) as wh:
        store_answers(wh, _answers())
        store_service_starts(wh, [(f"KU205-{i}", "2022-06-01") for i in range(0, 14, 4)])
        store_stock(wh, date(2022, 6, 1), {"KU205": 1000, "KU765": 300, "KU285": 2000, "KU091": 30000})
    return {"pilots": folder / "pilots.csv", **paths}


@pytest.mark.parametrize("min_cell", [5, 11])
@pytest.mark.parametrize("key", sorted(TINY))
def test_declared_count_columns_hold_no_small_count(key: str, min_cell: int, warehouses: dict[str, Path]) -> None:
    kind, analysis, kwargs = TINY[key]
    extra = dict(kwargs(warehouses["pilots"]))
    if "min_cell" in inspect.signature(analysis).parameters:
        extra["min_cell"] = min_cell
    with Warehouse(warehouses[kind], read_only=True) as wh:
        result = analysis(wh, **extra)
    assert result.key == key
    table = result.table
    declared = result.count_columns
    assert isinstance(declared, tuple) and len(set(declared)) == len(declared)
    missing = [c for c in declared if c not in table.columns]
    assert not missing, f"{key}: declared count columns not in the table: {missing}"
    for col in declared:
        values = table[col].to_numpy(dtype=float)
        small = (values >= 1) & (values < min_cell)
        assert not small.any(), f"{key}: {col!r} shows {values[small].tolist()} below {min_cell}"
    # the declaration is complete: nothing the report would take for a count is left out
    recognised = set(count_columns(table))
    assert recognised <= set(declared), f"{key}: undeclared count columns {sorted(recognised - set(declared))}"


def test_declared_counts_are_the_suppressed_ones(warehouses: dict[str, Path]) -> None:
    """On the tiny data min_cell 11 masks counts an analysis shows at 5 (the test above bites)."""
    with Warehouse(warehouses["tiny"], read_only=True) as wh:
        kw = {"start": date(2020, 2, 1), "end": date(2021, 3, 1), "pilots_csv": warehouses["pilots"]}
        lo, hi = change_vs_nation(wh, min_cell=5, **kw), change_vs_nation(wh, min_cell=11, **kw)
    cols = list(hi.count_columns)
    shown_lo = lo.table[cols].to_numpy(dtype=float)
    assert ((shown_lo >= 5) & (shown_lo < 11)).any()
    assert np.isnan(hi.table[cols].to_numpy(dtype=float)).sum() > np.isnan(shown_lo).sum()
