"""The disclosure engine against an attacker: each adversarial fixture first shows that hiding the
small cells alone (the naive method) leaks — the audit recovers a hidden count — and then that
the engine's output leaks nothing. Property tests do the same on random additive tables."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kuva.errors import KuvaConfigError, KuvaInputError
from kuva.privacy.audit import AuditReport, audit_tables
from kuva.privacy.engine import ProtectedTable, Publication, protect_table
from kuva.privacy.policy import policy
from kuva.privacy.spec import ColumnSum, Count, Derived, Hierarchy, Ratio, SumOver, TableSpec

MIN_CELL = 5
POLICY = policy(MIN_CELL)


def naive(frame: pd.DataFrame, counts: list[str], derived: Mapping[str, list[str]] | None = None) -> pd.DataFrame:
    """Hide counts in [1, MIN_CELL) and the derived values of their row: the method that leaks."""
    out = frame.copy()
    hide = np.zeros(len(out), dtype=bool)
    for c in counts:
        small = (out[c] > 0) & (out[c] < MIN_CELL)
        hide |= small.to_numpy()
        out[c] = out[c].astype(float).where(~small)
    for col in derived or {}:
        out[col] = out[col].astype(float).where(~hide)
    return out


def audit(pt: ProtectedTable, frame: pd.DataFrame | None = None) -> AuditReport:
    """The attacker over one published table (``frame`` replaces what was published)."""
    return audit_tables([(pt.name, pt.sidecar, pt.frame if frame is None else frame)])


def audit_many(tables: Mapping[str, ProtectedTable]) -> AuditReport:
    return audit_tables([(name, t.sidecar, t.frame) for name, t in tables.items()])


def hidden(pt: ProtectedTable, column: str) -> list[bool]:
    return pt.frame[column].isna().tolist()


# -- adversarial fixtures ----------------------------------------------------------------------

ROW_SPEC = TableSpec(counts=(Count("persons", ("area", "service")), Count("total", ("area",))),
                     relations=(SumOver("total", "persons", "service"),))


def row_with_total() -> pd.DataFrame:
    return pd.DataFrame({"area": ["A"] * 4, "service": ["s1", "s2", "s3", "s4"],
                         "persons": [3, 20, 30, 40], "total": [93] * 4})


def test_single_hidden_cell_in_a_row_with_its_total() -> None:
    df = row_with_total()
    pt = protect_table(df, ROW_SPEC, POLICY, name="row")
    leaked = audit(pt, naive(df, ["persons"]))
    assert leaked.exposed == 1 and leaked.exposures[0].low == leaked.exposures[0].high == 3
    assert audit(pt).exposed == 0
    assert sum(hidden(pt, "persons")) == 2  # one complementary cell is enough here
    assert pt.frame["total"].tolist() == [93] * 4  # the total stays published


def two_way() -> tuple[pd.DataFrame, TableSpec]:
    """Areas × services with both margins and the grand total (a 2-D table)."""
    cells = {("a", "x"): 2, ("a", "y"): 30, ("b", "x"): 40, ("b", "y"): 50, ("c", "x"): 60, ("c", "y"): 70}
    rows = [(a, s, v) for (a, s), v in cells.items()]
    for a in "abc":
        rows.append((a, "ALL", sum(v for (aa, _), v in cells.items() if aa == a)))
    for s in "xy":
        rows.append(("ALL", s, sum(v for (_, ss), v in cells.items() if ss == s)))
    rows.append(("ALL", "ALL", sum(cells.values())))
    df = pd.DataFrame(rows, columns=["area", "service", "persons"])
    spec = TableSpec(counts=(Count("persons", ("area", "service")),), relations=(
        Hierarchy("persons", "service", {"ALL": ["x", "y"]}), Hierarchy("persons", "area", {"ALL": ["a", "b", "c"]})))
    return df, spec


def test_hidden_cell_recoverable_through_the_second_dimension() -> None:
    df, spec = two_way()
    pt = protect_table(df, spec, POLICY, name="twoway")
    # hiding the small cell and one more in its row is not enough: its column gives it away
    row_only = naive(df, ["persons"])
    row_only.loc[(row_only["area"] == "a") & (row_only["service"] == "y"), "persons"] = np.nan
    assert audit(pt, row_only).exposed >= 1
    assert audit(pt).exposed == 0
    assert sum(hidden(pt, "persons")) >= 4  # a cycle of four cells at least


def test_share_with_its_base_gives_the_count_away() -> None:
    df = pd.DataFrame({"area": ["A", "B"], "ended": [21, 40], "in_services": [3, 12],
                       "share": [3 / 21 * 100, 12 / 40 * 100]})
    spec = TableSpec(counts=(Count("ended", ("area",)), Count("in_services", ("area",))),
                     derived=(Ratio("share", "in_services", ("ended",)),))
    pt = protect_table(df, spec, POLICY, name="shares")
    count_only = df.assign(in_services=df["in_services"].where(df["in_services"] >= MIN_CELL))
    leaked = audit(pt, count_only)
    assert leaked.exposed >= 1  # 14.2857 % of 21 is 3
    assert audit(pt).exposed == 0
    assert math.isnan(pt.frame["share"][0]) and pt.frame["share"][1] == pytest.approx(30.0)


def test_shown_zeros_do_not_reveal_their_neighbours() -> None:
    # Kykyviisari-like: an area's classes add up to its total; zeros are shown
    df = pd.DataFrame({"area": ["P"] * 5, "cls": ["work", "student", "health", "home", "other"],
                       "n": [0, 1, 1, 0, 0], "total": [2] * 5})
    spec = TableSpec(counts=(Count("n", ("area", "cls")), Count("total", ("area",))),
                     relations=(SumOver("total", "n", "cls"),))
    pt = protect_table(df, spec, POLICY, name="zeros")
    leaked = audit(pt, naive(df, ["n", "total"]).assign(total=2))
    assert leaked.exposed == 2  # student = health = 1
    assert audit(pt).exposed == 0
    assert pt.frame["n"].tolist()[0] == 0  # zeros stay shown
    assert pt.frame["total"].isna().all()  # the small total must go too


def test_differencing_two_overlapping_area_groups() -> None:
    members = ["m1", "m2", "m3", "m4", "m5"]
    values = {"m1": 40, "m2": 50, "m3": 60, "m4": 70, "m5": 2}
    rows = [("A", sum(values.values())), ("A_minus_m5", sum(v for k, v in values.items() if k != "m5"))]
    rows += list(values.items())
    df = pd.DataFrame(rows, columns=["area", "persons"])
    spec = TableSpec(counts=(Count("persons", ("area",)),),
                     relations=(Hierarchy("persons", "area", {"A": members, "A_minus_m5": members[:4]}),))
    pt = protect_table(df, spec, POLICY, name="groups")
    leaked = audit(pt, naive(df, ["persons"]))
    assert leaked.exposed == 1  # A − (A minus m5) = m5
    assert audit(pt).exposed == 0


def test_differencing_across_two_tables_of_one_publication() -> None:
    members = {"m1": 40, "m2": 50, "m5": 2}
    total = pd.DataFrame({"area": ["A"], "persons": [sum(members.values())]})
    parts = pd.DataFrame({"area": list(members), "persons": list(members.values())})
    hier = Hierarchy("persons", "area", {"A": list(members)})
    pub = Publication(POLICY)
    pub.add("totals", total, TableSpec(counts=(Count("persons", ("area",)),), relations=(hier,)))
    pub.add("parts", parts, TableSpec(counts=(Count("persons", ("area",)),)))
    out = pub.protect()
    assert audit_many(out).exposed == 0
    # each table protected on its own leaks when both are published
    alone = {"totals": protect_table(total, TableSpec(counts=(Count("persons", ("area",)),), relations=(hier,)),
                                     POLICY, name="totals"),
             "parts": protect_table(parts, TableSpec(counts=(Count("persons", ("area",)),)), POLICY, name="parts")}
    assert audit_many(alone).exposed >= 1


def test_public_cells_pass_unchanged_and_derived_values_follow_their_counts() -> None:
    df = pd.DataFrame({"area": ["A", "B"], "unemployed": [2, 40], "in_services": [30, 3],
                       "rate": [93.75, 6.98], "mean_age": [41.0, 38.0]})
    spec = TableSpec(counts=(Count("unemployed", ("area",), public=True), Count("in_services", ("area",))),
                     derived=(Ratio("rate", "in_services", ("unemployed", "in_services")),
                              Derived("mean_age", ("in_services",))))
    pt = protect_table(df, spec, POLICY, name="mixed")
    out = pt.frame
    assert out["unemployed"].tolist() == [2, 40]  # public: shown though small
    assert out["in_services"].tolist()[0] == 30 and math.isnan(out["in_services"][1])
    assert math.isnan(out["rate"][1]) and math.isnan(out["mean_age"][1]) and out["mean_age"][0] == 41.0
    assert out["suppressed"].tolist() == [False, True]
    assert pt.note.public_cells == 2 and pt.note.hidden_cells == 1 and pt.note.hidden_derived == 2
    assert audit(pt).exposed == 0


def test_protected_zero_policy_hides_zeros_and_the_attacker_knows_less() -> None:
    df = pd.DataFrame({"area": ["A"] * 3, "service": ["x", "y", "z"], "persons": [0, 30, 40], "total": [70] * 3})
    spec = TableSpec(counts=(Count("persons", ("area", "service")), Count("total", ("area",))),
                     relations=(SumOver("total", "persons", "service"),))
    pt = protect_table(df, spec, policy(MIN_CELL, zeros="protected"), name="z")
    assert math.isnan(pt.frame["persons"][0])
    assert audit(pt).exposed == 0


def test_a_declared_total_that_does_not_add_up_is_refused() -> None:
    df = row_with_total().assign(total=94)
    with pytest.raises(KuvaInputError, match=r"declared total total\|area=A = 94 but its 4 parts sum to 93"):
        protect_table(df, ROW_SPEC, POLICY, name="bad")


def test_undeclared_columns_and_conflicting_values_are_refused() -> None:
    with pytest.raises(KuvaInputError, match=r"declared column\(s\) \['total'\] not in the table"):
        protect_table(row_with_total().drop(columns="total"), ROW_SPEC, POLICY)
    df = row_with_total()
    df.loc[1, "total"] = 90  # the same cell (area A's total) with two values
    with pytest.raises(KuvaInputError, match="has two values"):
        protect_table(df, ROW_SPEC, POLICY)


def test_the_note_never_says_which_cells_were_small() -> None:
    pt = protect_table(row_with_total(), ROW_SPEC, POLICY, name="row")
    text = repr(dict(pt.sidecar))
    assert "primary" not in text and "secondary" not in text
    assert pt.note.hidden_cells == 2 and "2 of 5 confidential counts hidden" in pt.note.text()


def test_results_are_copies() -> None:
    pt = protect_table(row_with_total(), ROW_SPEC, POLICY, name="row")
    frame = pt.frame
    frame.loc[0, "persons"] = 3
    assert math.isnan(pt.frame["persons"][0])


def test_minimum_cell_below_three_needs_the_override() -> None:
    with pytest.raises(KuvaConfigError, match="KUVA_MIN_CELL_OVERRIDE"):
        policy(2)
    assert policy(2, override=True).describe()["override"] is True
    with pytest.raises(KuvaConfigError, match="at least 1"):
        policy(0, override=True)
    with pytest.raises(KuvaConfigError, match=r"zeros must be one of \['shown', 'protected'\], got 'x'"):
        policy(5, zeros="x")


# -- random additive tables --------------------------------------------------------------------

def additive_table(values: np.ndarray) -> tuple[pd.DataFrame, TableSpec]:
    """Every cell of an n-dimensional table and every margin (sums over any set of dimensions)."""
    dims = [f"d{k}" for k in range(values.ndim)]
    rows: list[dict[str, Any]] = []
    for idx in np.ndindex(*(s + 1 for s in values.shape)):
        sel = tuple(slice(None) if i == s else i for i, s in zip(idx, values.shape, strict=True))
        rows.append({**{d: ("T" if i == s else str(i)) for d, i, s in zip(dims, idx, values.shape, strict=True)},
                     "n": int(np.sum(values[sel]))})
    spec = TableSpec(counts=(Count("n", tuple(dims)),), relations=tuple(
        Hierarchy("n", d, {"T": [str(i) for i in range(s)]}) for d, s in zip(dims, values.shape, strict=True)))
    return pd.DataFrame(rows), spec


small_counts = st.sampled_from([0, 1, 1, 2, 3, 4, 5, 6, 8, 12, 20, 40])


@st.composite
def tables(draw: st.DrawFn) -> np.ndarray:
    ndim = draw(st.sampled_from([2, 2, 3]))
    shape = tuple(draw(st.integers(2, 4 if ndim == 2 else 3)) for _ in range(ndim))
    flat = draw(st.lists(small_counts, min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))
    return np.array(flat, dtype=int).reshape(shape)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_random_additive_tables_leave_nothing_exposed(values: np.ndarray) -> None:
    df, spec = additive_table(values)
    pt = protect_table(df, spec, POLICY, name="random")
    report = audit(pt)
    assert report.exposed == 0, [e.text() for e in report.exposures]
    shown = pt.frame["n"].dropna()
    assert not ((shown > 0) & (shown < MIN_CELL)).any()
    kept = pt.frame["n"].notna()
    assert (pt.frame.loc[kept, "n"] == df.loc[kept, "n"]).all()  # shown values are the true ones


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(small_counts, small_counts, small_counts), min_size=1, max_size=6))
def test_rows_with_totals_and_shares(rows: list[tuple[int, int, int]]) -> None:
    df = pd.DataFrame(rows, columns=["a", "b", "c"]).assign(area=[f"k{i}" for i in range(len(rows))])
    df["total"] = df["a"] + df["b"] + df["c"]
    df["share_a"] = np.where(df["total"] > 0, df["a"] / df["total"].where(df["total"] > 0) * 100, np.nan)
    spec = TableSpec(counts=tuple(Count(c, ("area",)) for c in ("a", "b", "c", "total")),
                     relations=(ColumnSum("total", ("a", "b", "c")),),
                     derived=(Ratio("share_a", "a", ("total",)),))
    pt = protect_table(df, spec, POLICY, name="rows")
    assert audit(pt).exposed == 0


# -- controlled rounding -----------------------------------------------------------------------

ROUNDED = policy(MIN_CELL, rounding=5)


def test_controlled_rounding_keeps_the_totals_additive() -> None:
    df, spec = two_way()
    df = df.assign(persons=df["persons"] + np.where(df["persons"] > 10, 3, 0))  # break the multiples
    # recompute margins so the declared totals hold
    inner = df[(df["area"] != "ALL") & (df["service"] != "ALL")]
    for a in "abc":
        df.loc[(df["area"] == a) & (df["service"] == "ALL"), "persons"] = inner.loc[inner["area"] == a, "persons"].sum()
    for sv in "xy":
        total = inner.loc[inner["service"] == sv, "persons"].sum()
        df.loc[(df["area"] == "ALL") & (df["service"] == sv), "persons"] = total
    df.loc[(df["area"] == "ALL") & (df["service"] == "ALL"), "persons"] = inner["persons"].sum()
    pt = protect_table(df, spec, ROUNDED, name="rounded")
    out = pt.frame
    shown = out["persons"].dropna()
    assert (shown % 5 == 0).all()
    assert ((shown - df.loc[shown.index, "persons"]).abs() < 5).all()  # one of the two next multiples
    pub = out.set_index(["area", "service"])["persons"]
    for a in "abc":  # every total whose cells are all shown still adds up
        cells = [pub[(a, s)] for s in "xy"]
        if not any(np.isnan(cells)) and not np.isnan(pub[(a, "ALL")]):
            assert sum(cells) == pub[(a, "ALL")]
    assert pt.note.non_additive_totals == 0
    assert audit(pt).exposed == 0


def test_rounded_shares_are_computed_from_the_rounded_counts() -> None:
    df = pd.DataFrame({"area": ["A", "B"], "ended": [23, 41], "in_services": [12, 18]})
    df["share"] = df["in_services"] / df["ended"] * 100
    spec = TableSpec(counts=(Count("ended", ("area",)), Count("in_services", ("area",))),
                     derived=(Ratio("share", "in_services", ("ended",)),))
    out = protect_table(df, spec, ROUNDED, name="s").frame
    assert (out["ended"] % 5 == 0).all() and (out["in_services"] % 5 == 0).all()
    assert out["share"].tolist() == pytest.approx((out["in_services"] / out["ended"] * 100).tolist())


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_random_tables_with_rounding_leave_nothing_exposed(values: np.ndarray) -> None:
    df, spec = additive_table(values)
    pt = protect_table(df, spec, policy(MIN_CELL, rounding=10), name="random")
    small = {c["key"] for c, v in zip(pt.sidecar["cells"], df["n"], strict=True) if 0 < v < MIN_CELL}
    report = audit_tables([(pt.name, pt.sidecar, pt.frame)], sensitive=small)
    assert report.exposed == 0, [e.text() for e in report.exposures]
    assert (pt.frame["n"].dropna() % 10 == 0).all()
