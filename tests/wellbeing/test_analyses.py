"""Analyses on tiny hand-computable data, and disclosure control of every output."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kuva.errors import KuvaLookupError
from kuva.privacy.audit import audit_directory, audit_tables
from kuva.warehouse import Warehouse
from kuva.wellbeing import (
    basic_situation_distribution,
    coverage,
    export_results,
    score_change,
    score_means,
    wellbeing_data,
    wellbeing_summary,
)
from kuva.wellbeing.stats import mean_ci, paired_change, welch_difference

from .conftest import Answer, store_answers, store_service_starts, store_stock

COUNT_COLUMNS = ("n", "respondents", "repeat_respondents")

# Kainuun seutu (Kajaani KU205, Sotkamo KU765) and the comparison area (Kotka KU285).
TINY: list[Answer] = [
    ("p1", "2022-03-01", "KU205", None, 4, 2, ("unemployed_jobseeker",)),
    ("p1", "2022-09-01", "KU205", None, 6, 5, ("work_trial",)),
    ("p2", "2022-03-05", "KU765", None, 8, 9, ("paid_work", "sick_leave")),
    ("p3", "2022-04-01", "KU205", "Kainuun seutu", 2, 1, ("pension",)),
    ("p3", "2022-10-01", "KU205", "Kainuun seutu", 3, 1, ("pension",)),
    ("c1", "2022-03-02", "KU285", "vertailualue", 5, 5, ()),
    ("c2", "2022-05-02", "KU285", None, 7, 6, ("student", "unemployed_jobseeker")),
    ("c2", "2022-11-02", "KU285", None, 9, 8, ("paid_work",)),
]


@pytest.fixture(autouse=True)
def _tiny_cells_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hand-computed tests use min_cell=1 (every count shown), which needs the override."""
    monkeypatch.setenv("KUVA_MIN_CELL_OVERRIDE", "yes")


def test_hand_computed_means_and_coverage(wh: Warehouse) -> None:
    store_answers(wh, TINY)
    store_stock(wh, date(2022, 6, 1), {"KU205": 1000, "KU765": 300, "KU285": 2000})
    means = score_means(wh, min_cell=1, min_n=2).table.set_index(["item", "area"])
    # first answers: pilots p1=4, p2=8, p3=2 -> 14/3; comparison c1=5, c2=7 -> 6
    assert means.loc[("work_ability", "kainuun_seutu"), "mean"] == pytest.approx(14 / 3)
    assert means.loc[("work_ability", "comparison"), "mean"] == pytest.approx(6.0)
    assert means.loc[("work_ability", "all"), "n"] == 5
    sd = np.std([4, 8, 2], ddof=1)
    half = 4.302652729911275 * sd / math.sqrt(3)  # t(0.975, 2)
    assert means.loc[("work_ability", "kainuun_seutu"), "ci_low"] == pytest.approx(14 / 3 - half)
    cov = coverage(wh, start=date(2022, 1, 1), end=date(2022, 12, 31), on=date(2022, 6, 15), min_cell=1)
    t = cov.table.set_index("area")
    assert t.loc["kainuun_seutu", "respondents"] == 3
    assert t.loc["kainuun_seutu", "repeat_respondents"] == 2
    assert t.loc["kainuun_seutu", "unemployed_jobseekers"] == 1300
    assert t.loc["kainuun_seutu", "coverage_pct"] == pytest.approx(100 * 3 / 1300)
    assert t.loc["comparison", "respondents"] == 2
    # the comparison area has 15 municipalities; only Kotka has a stock in this warehouse
    assert t.loc["comparison", "unemployed_jobseekers"] == 2000
    assert t.loc["comparison", "members_without_stock"] == 14
    assert "flow" in cov.text("en") and "virran" in cov.text("fi")
    # a shorter period counts only the answers in it
    spring = coverage(wh, start=date(2022, 3, 1), end=date(2022, 3, 31), on=date(2022, 6, 1), min_cell=1)
    assert spring.table.set_index("area").loc["kainuun_seutu", "respondents"] == 2


def test_basic_situation_from_first_answers(wh: Warehouse) -> None:
    store_answers(wh, TINY)
    t = basic_situation_distribution(wh, min_cell=1).table.set_index(["area", "basic_situation"])
    assert t.loc[("kainuun_seutu", "unemployed"), "n"] == 1  # p1 first answer
    assert t.loc[("kainuun_seutu", "working"), "n"] == 1  # p2: paid work beats sick leave
    assert t.loc[("kainuun_seutu", "health"), "n"] == 1  # p3
    assert t.loc[("comparison", "other_unknown"), "n"] == 1  # c1 chose nothing
    assert t.loc[("comparison", "student"), "n"] == 1  # c2: student beats unemployed
    assert t.loc[("all", "total"), "n"] == 5
    assert t.loc[("kainuun_seutu", "working"), "share_pct"] == pytest.approx(100 / 3)


def test_change_with_and_without_services(wh: Warehouse) -> None:
    store_answers(wh, TINY)
    # p1: service between its answers; p3: service after its second answer; c2: on the first answer day
    store_service_starts(wh, [("p1", "2022-05-01"), ("p3", "2022-12-01"), ("c2", "2022-05-02")])
    res = score_change(wh, min_cell=1)
    t = res.table.set_index(["item", "subgroup", "area"])
    row = t.loc[("work_ability", "all", "all")]  # type: ignore[index]
    # changes: p1 +2, p3 +1, c2 +2
    assert row["n"] == 3 and row["mean_change"] == pytest.approx(5 / 3)
    ref = paired_change([4, 2, 7], [6, 3, 9])
    assert row["p_value"] == pytest.approx(ref.p)
    svc = t.loc[("work_ability", "service", "all")]  # type: ignore[index]
    none = t.loc[("work_ability", "no_service", "all")]  # type: ignore[index]
    assert svc["n"] == 2 and svc["mean_change"] == pytest.approx(2.0)  # p1, c2
    assert none["n"] == 1 and none["mean_change"] == pytest.approx(1.0)  # p3
    assert t.loc[("work_ability", "one_time", "all"), "mean_first"] == pytest.approx((8 + 5) / 2)
    assert res.numbers["repeat_share_pct"] == pytest.approx(60.0)
    assert "not an effect" in res.text("en")


def test_stats_kernels() -> None:
    ci = mean_ci([1, 2, 3, 4])
    assert ci.mean == 2.5 and ci.low < 2.5 < ci.high
    assert math.isnan(mean_ci([3]).low)
    flat = paired_change([1, 2], [2, 3])
    assert flat.mean_change == 1 and math.isnan(flat.p)  # no spread: no test, no warning
    d = welch_difference([1, 2, 3], [1, 2, 3, 4, 5])
    assert d.diff == pytest.approx(-1.0) and 0 < d.p < 1


def _smallest_shown(frame: pd.DataFrame, counts: list[str]) -> float:
    vals = frame[counts].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float).ravel()
    vals = vals[np.isfinite(vals) & (vals > 0)]
    return float(vals.min()) if len(vals) else float("inf")


def _check_no_small_cells(table: pd.DataFrame, min_cell: int) -> None:
    cols = [c for c in COUNT_COLUMNS if c in table.columns]
    assert _smallest_shown(table, cols) >= min_cell


def _random_answers(seed: int, n: int) -> list[Answer]:
    rng = np.random.default_rng(seed)
    munis = ["KU205", "KU765", "KU285", "KU405", "KU091"]  # Kainuu x2, comparison x2, Helsinki
    codes = ["paid_work", "work_trial", "student", "sick_leave", "unemployed_jobseeker", "at_home"]
    out: list[Answer] = []
    for i in range(n):
        m = munis[int(rng.integers(len(munis)))]
        k = int(rng.integers(0, 3))
        sits = tuple(sorted({codes[int(j)] for j in rng.integers(0, len(codes), k)}))
        out.append((f"x{i}", f"2022-0{1 + int(rng.integers(6))}-10", m, None, float(rng.integers(0, 11)),
                    float(rng.integers(0, 11)), sits))
        if rng.random() < 0.3:
            out.append((f"x{i}", "2022-11-20", m, None, float(rng.integers(0, 11)), float(rng.integers(0, 11)), ()))
    return out


@pytest.mark.parametrize("min_cell", [3, 5, 10])
def test_no_cell_below_min_in_any_output(wh: Warehouse, tmp_path: Path, min_cell: int) -> None:
    store_answers(wh, _random_answers(min_cell, 60))
    store_service_starts(wh, [(f"x{i}", "2022-08-01") for i in range(0, 60, 4)])
    store_stock(wh, date(2022, 6, 1), {"KU205": 1000, "KU765": 300, "KU285": 2000, "KU405": 1500, "KU091": 30000})
    results = wellbeing_summary(wh, min_cell=min_cell, on=date(2022, 6, 1))
    assert [r.key for r in results] == ["kykyviisari_coverage", "kykyviisari_basic_situation",
                                        "kykyviisari_score_distribution", "kykyviisari_score_means",
                                        "kykyviisari_change"]
    for r in results:
        _check_no_small_cells(r.table, min_cell)
        assert r.table["suppressed"].dtype == bool
        for lang in ("fi", "sv", "en"):
            assert r.title(lang) and r.text(lang)
        assert r.figure is not None
        r.figure("en")  # renders without warnings (matplotlib Figure, no pyplot state)
    # the exported files carry the same protected tables
    for f in export_results(results, tmp_path / "out"):
        if f.suffix == ".csv":
            _check_no_small_cells(pd.read_csv(f, sep=";", encoding="utf-8-sig"), min_cell)
    [xlsx] = export_results(results, tmp_path / "out.xlsx", lang="en")
    sheets = pd.read_excel(xlsx, sheet_name=None)
    assert "README" in sheets and len(sheets) == 6
    for name, frame in sheets.items():
        if name != "README":
            _check_no_small_cells(frame, min_cell)


@pytest.mark.parametrize("seed", range(4))
def test_the_five_tables_together_resist_the_lp_attacker(wh: Warehouse, tmp_path: Path, seed: int) -> None:
    """The tables share cells (respondents, answers per item) and are protected jointly: the
    attacker's LP over all five, with the cells that really are small marked, narrows none of
    them below the protection interval. Four seeds of random data with small areas."""
    store_answers(wh, _random_answers(100 + seed, 40))
    store_service_starts(wh, [(f"x{i}", "2022-08-01") for i in range(0, 40, 3)])
    store_stock(wh, date(2022, 6, 1), {"KU205": 1000, "KU765": 300, "KU285": 2000, "KU405": 1500, "KU091": 30000})
    results = wellbeing_summary(wh, min_cell=5, on=date(2022, 6, 1))
    tables = [(r.key, r.disclosure.sidecar, r.table) for r in results if r.disclosure is not None]
    assert len(tables) == 5
    report = audit_tables(tables, min_cell=5)
    assert report.hidden_cells > 0  # the data have small areas, so something was attacked
    assert report.exposures == (), report.exposures[:3]
    # the exported folder carries a sidecar per table and audits the same
    written = export_results(results, tmp_path / "export")
    assert sum(f.name.endswith(".disclosure.json") for f in written) == 5
    exported = audit_directory(tmp_path / "export", min_cell=5)
    assert exported.tables == 5 and exported.hidden_cells == report.hidden_cells and exported.exposures == ()


def test_area_filter_and_empty_warehouse(wh: Warehouse) -> None:
    with pytest.raises(KuvaLookupError, match="no Kykyviisari answers"):
        wellbeing_summary(wh)
    store_answers(wh, TINY)
    t = score_means(wh, areas=["Kainuun seutu"], min_cell=1).table
    assert set(t["area"]) == {"kainuun_seutu", "pilots_total", "comparison", "all"}
    with pytest.raises(KuvaLookupError, match="unknown area"):
        score_means(wh, areas=["Atlantis"], min_cell=1)


def test_simulator_style_rows_are_read(wh: Warehouse) -> None:
    """The simulator writes area 'pilot' and its own situation codes: areas come from the
    municipality and the codes are mapped through the aliases."""
    store_answers(wh, [("s1", "2022-03-01", "KU205", "pilot", 5, 5, ("unemployed", "part_time_work"))])
    a = wellbeing_data(wh).answers.iloc[0]
    assert a["area"] == "kainuun_seutu" and a["basic_situation"] == "working"
