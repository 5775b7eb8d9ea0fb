"""Indicator formulas, group aggregation, national series, catalogue and labels."""

from __future__ import annotations

from datetime import date

import hypothesis.strategies as st
import ibis
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from kuva.errors import KuvaInputError, KuvaLookupError
from kuva.indicators import codes, render_markdown
from kuva.indicators.catalogue import INDICATORS, indicator
from kuva.indicators.groups import aggregate, membership, national
from kuva.indicators.rates import unemployment_share, with_activation
from kuva.privacy.engine import protect_table
from kuva.privacy.policy import policy
from kuva.privacy.spec import Count, Derived, TableSpec
from kuva.registry import activating_service_types, area_registry, measures

EXACT = 1e-9
S = codes.SERVICES
PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def municipal_frame(rows: list[tuple[str, int, list[int]]], period: date = date(2021, 3, 1)) -> pd.DataFrame:
    """(area, unemployed, seven service counts) → a wide municipal frame."""
    data = {"area_code": [r[0] for r in rows], "period": [period] * len(rows),
            codes.UNEMPLOYED: [float(r[1]) for r in rows], "synthetic": [False] * len(rows)}
    for k, s in enumerate(S):
        data[s] = [float(r[2][k]) for r in rows]
    return pd.DataFrame(data)


def run(expr: ibis.expr.types.Table) -> pd.DataFrame:
    return expr.to_pandas()


def test_group_rate_from_sums_not_mean_of_rates() -> None:
    # A: 10 % (U 90, P 10); B: 80 % (U 10, P 40). Mean of rates 45 %, rate of sums 50/150 = 33.3 %
    df = municipal_frame([("KU091", 90, [10, 0, 0, 0, 0, 0, 0]), ("KU092", 10, [0, 40, 0, 0, 0, 0, 0])])
    mapping = pd.DataFrame({"municipality_code": ["KU091", "KU092"], "group_code": "g", "group_name": "g"})
    out = run(with_activation(aggregate(ibis.memtable(df), mapping, [codes.UNEMPLOYED, *S])))
    assert out["activation_rate"].iloc[0] == pytest.approx(50 / 150 * 100, abs=EXACT)
    assert out["n_areas"].iloc[0] == 2


counts = st.integers(min_value=0, max_value=5000)
municipality_rows = st.lists(st.tuples(counts, st.lists(counts, min_size=7, max_size=7)), min_size=1, max_size=8)


@PROPERTY
@given(municipality_rows)
def test_property_group_rate_equals_rate_of_summed_counts(rows: list[tuple[int, list[int]]]) -> None:
    codes_ = [m.code for m in area_registry().municipalities()][: len(rows)]
    df = municipal_frame([(c, u, p) for c, (u, p) in zip(codes_, rows, strict=True)])
    mapping = pd.DataFrame({"municipality_code": codes_, "group_code": "g", "group_name": "g"})
    out = run(with_activation(aggregate(ibis.memtable(df), mapping, [codes.UNEMPLOYED, *S])))
    u = sum(r[0] for r in rows)
    p = sum(sum(r[1]) for r in rows)
    got = out["activation_rate"].iloc[0]
    if u + p == 0:
        assert pd.isna(got)
    else:
        assert got == pytest.approx(100 * p / (u + p), rel=1e-12)
        comps = sum(out[f"rate_{s}"].iloc[0] for s in S)
        assert comps == pytest.approx(got, rel=1e-9, abs=1e-9)  # components add up to the rate


@PROPERTY
@given(municipality_rows)
def test_property_service_shares_sum_to_100(rows: list[tuple[int, list[int]]]) -> None:
    codes_ = [m.code for m in area_registry().municipalities()][: len(rows)]
    df = municipal_frame([(c, u, p) for c, (u, p) in zip(codes_, rows, strict=True)])
    out = run(with_activation(ibis.memtable(df)))
    for _, r in out.iterrows():
        total = sum(r[f"share_{s}"] for s in S)
        if r["in_services"] > 0:
            assert total == pytest.approx(100.0, rel=1e-9)
        else:
            assert all(pd.isna(r[f"share_{s}"]) for s in S)


@PROPERTY
@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=30), st.integers(3, 12))
def test_property_suppression_never_reveals_a_small_cell(values: list[int], min_cell: int) -> None:
    df = pd.DataFrame({"unemployed": [float(v) for v in values], "rate": [1.0] * len(values)})
    spec = TableSpec(counts=(Count("unemployed", ()),), derived=(Derived("rate", ("unemployed",)),))
    out = protect_table(df, spec, policy(min_cell)).frame
    shown = out["unemployed"].dropna()
    assert not ((shown > 0) & (shown < min_cell)).any()
    assert out.loc[out["unemployed"].isna(), "rate"].isna().all()


def test_unemployment_share_joins_annual_labour_force() -> None:
    monthly = pd.DataFrame({"area_code": ["KU091"] * 2, "period": [date(2020, 1, 1), date(2020, 6, 1)],
                            codes.UNEMPLOYED: [50.0, 80.0]})
    annual = pd.DataFrame({"area_code": ["KU091"], "period": [date(2020, 1, 1)], codes.LABOUR_FORCE: [1000.0]})
    out = run(unemployment_share(ibis.memtable(monthly), ibis.memtable(annual))).sort_values("period")
    assert out["unemployed_share"].tolist() == pytest.approx([5.0, 8.0])


def test_national_prefers_published_values() -> None:
    sss = pd.DataFrame({"area_code": "SSS", "period": [date(2020, 1, 1)], "measure": codes.UNEMPLOYED,
                        "breakdown": "", "value": [1000.0], "source_id": "real", "synthetic": False})
    ku = pd.DataFrame({"area_code": ["KU091", "KU091"], "period": [date(2020, 1, 1), date(2020, 2, 1)],
                       codes.UNEMPLOYED: [10.0, 20.0], "synthetic": [True, True]})
    out = run(national(ibis.memtable(sss), ibis.memtable(ku), [codes.UNEMPLOYED])).sort_values("period")
    assert out[codes.UNEMPLOYED].tolist() == [1000.0, 20.0]
    assert out[f"basis_{codes.UNEMPLOYED}"].tolist() == ["published", "municipal_sum"]
    assert out["synthetic"].tolist() == [False, True]


def test_membership_excludes_aland_and_follows_pilot_list() -> None:
    m = membership("pilot_group")
    aland = {x.code for x in area_registry().municipalities() if not x.mainland}
    assert aland and not aland & set(m["municipality_code"])
    assert set(m["group_code"]) == {"pilot", "comparison"}
    assert len(membership("nation", mainland_only=False)) == len(area_registry().municipalities())
    areas = membership("pilot_area")
    assert (areas["group_name"] == "Helsinki").sum() == 1
    before = membership("pilot_group", on=date(2020, 1, 1))
    assert (before["group_code"] == "pilot").sum() == 0  # the pilots had not started
    with pytest.raises(KuvaInputError, match="pilot_group"):
        membership("county")


def test_measure_codes_exist_and_match_registry() -> None:
    assert tuple(s.measure for s in activating_service_types()) == S
    cat = measures()
    for ind in INDICATORS:
        missing = [m for m in ind.sources if m not in cat]
        assert missing == [], f"{ind.code}: unknown measures {missing}"


def test_catalogue_markdown() -> None:
    md = render_markdown()
    assert md.startswith("## Indicators (indikaattorit)")
    for ind in INDICATORS:
        assert f"`{ind.code}`" in md
        assert ind.name("sv") == ind.name_sv
    assert indicator("activation_rate").unit == "percent"
    with pytest.raises(KuvaLookupError, match="activation_rate"):
        indicator("activation_rat")


def test_every_indicator_and_analysis_is_documented() -> None:
    from pathlib import Path

    from kuva.analysis import ANALYSES

    doc = (Path(__file__).resolve().parents[2] / "docs" / "indicators.md").read_text(encoding="utf-8")
    for ind in INDICATORS:
        assert f"`{ind.code}`" in doc, ind.code
    for key in ANALYSES:
        assert f"`{key}`" in doc, key
