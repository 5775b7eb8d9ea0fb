"""Seminar indicators and the Kela CSV adapter."""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path

import pytest

from kuva.analysis import municipal_share_tmt, municipal_share_tmt_monthly, outcomes_after_services, services_yoy
from kuva.errors import BadRowError, KuvaInputError
from kuva.i18n import has_label
from kuva.sources.kela import load_kela, read_kela_csv
from kuva.warehouse import Warehouse
from tests.analysis import tiny

EXACT = 1e-9

#: monthly municipal share (euros) per municipality and year
KELA = {"KU091": {2020: 100, 2021: 90}, "KU092": {2020: 50, 2021: 50}, "KU005": {2020: 40, 2021: 44},
        "KU009": {2020: 10, 2021: 11}}


def kela_csv(path: Path) -> Path:
    """A file in Kela's open-data layout: semicolons, decimal commas, day classes and annual rows."""
    lines = ["KUNTANRO;KUNTA_NIMI;TILASTOVUOSI;TILASTOKUUKAUSI;AIKATYYPPI;TYOMARKKINATUKIPAIVA_LUOKKA;"
             "SAAJAT;MAKSETUT_ETUUDET;KUNTAOSUUS"]
    for code, years in KELA.items():
        for year, eur in years.items():
            for m in range(1, 13):
                lines.append(f"{code[2:]};x;{year};{m};Kuukausi;Yhteensä;7;{eur * 2},00;{eur},00")
                lines.append(f"{code[2:]};x;{year};{m};Kuukausi;300-499;3;1 000,50;999,00")
            lines.append(f"{code[2:]};x;{year};;Vuosi;Yhteensä;9;1,00;1,00")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_services_yoy(tiny_wh: Warehouse, pilots_csv: Path) -> None:
    r = services_yoy(tiny_wh, start=date(2021, 1, 1), pilots_csv=pilots_csv)
    assert r.numbers["month"] == "2021-02-01"
    assert r.numbers["yoy_pilot"] == pytest.approx(60 / 75 * 100 - 100, abs=EXACT)
    assert r.numbers["yoy_comparison"] == pytest.approx(30 / 20 * 100 - 100, abs=EXACT)


def test_outcomes_after_services(tiny_wh: Warehouse, pilots_csv: Path) -> None:
    r = outcomes_after_services(tiny_wh, year=2020, area="Alpha", pilots_csv=pilots_csv, min_cell=5)
    t = r.table.set_index(["group", "service"])
    pilot = t.loc[("pilot", "trials")]
    assert (pilot["ended"], pilot["unemployed_3m"], pilot["services_3m"], pilot["other_3m"]) == (150, 50, 50, 50)
    assert pilot["share_unemployed_3m"] == pytest.approx(100 / 3, abs=EXACT)
    assert t.loc[("area", "trials"), "share_other_3m"] == pytest.approx(30.0, abs=EXACT)
    nation = t.loc[("nation", "trials")]  # the published total, not the municipal sum
    assert (nation["ended"], nation["unemployed_3m"], nation["services_3m"]) == (1000, 400, 300)
    assert r.numbers["unemployed_nation"] == pytest.approx(40.0, abs=EXACT)
    shares = r.table.dropna(subset=["ended"])
    total = shares["share_unemployed_3m"] + shares["share_services_3m"] + shares["share_other_3m"]
    assert total.to_numpy() == pytest.approx([100.0] * len(shares))
    # KU009's 5 unemployed alone would be disclosive only at municipal level; groups are sums
    r2 = outcomes_after_services(tiny_wh, year=2020, area="Beta", pilots_csv=pilots_csv, min_cell=25)
    beta = r2.table.set_index(["group", "service"]).loc[("area", "trials")]
    assert bool(beta["suppressed"]) and math.isnan(beta["share_unemployed_3m"])


def test_read_kela_csv(tmp_path: Path) -> None:
    frame = read_kela_csv(kela_csv(tmp_path / "kela.csv"))
    # only monthly totals: 4 municipalities × 24 months × 3 measures
    assert len(frame) == 4 * 24 * 3
    row = frame[(frame.area_code == "KU091") & (frame.period == "2020-05-01") & (frame.measure == "KELA_TMT_MAKSETUT")]
    assert float(row["value"].iloc[0]) == 200.0


def test_read_kela_csv_bad_row(tmp_path: Path) -> None:
    p = tmp_path / "bad.csv"
    p.write_text("KUNTANRO,TILASTOVUOSI,TILASTOKUUKAUSI,KUNTAOSUUS\n091,2020,1,10\n999,2020,2,5\n", encoding="utf-8")
    with pytest.raises(BadRowError, match=r"row 3.*KUNTANRO"):
        read_kela_csv(p)
    p.write_text("KUNTANRO,TILASTOVUOSI,TILASTOKUUKAUSI,KUNTAOSUUS\n091,2020,13,10\n", encoding="utf-8")
    with pytest.raises(BadRowError, match="not a month"):
        read_kela_csv(p)
    p.write_text("KUNTANRO,TILASTOVUOSI,TILASTOKUUKAUSI,KUNTAOSUUS\n091,2020,1,abc\n", encoding="utf-8")
    with pytest.raises(BadRowError, match="not a number"):
        read_kela_csv(p)


def test_municipal_share_from_kela_file(tmp_path: Path) -> None:
    tiny.write_pilots(tmp_path)
    path = tiny.build(tmp_path / "k.duckdb", with_services=False)
    with Warehouse(path) as wh:
        report = load_kela(wh, kela_csv(tmp_path / "kela.csv"), vintage=datetime(2024, 2, 1))
        assert report.inserted == 4 * 24 * 3
        r = municipal_share_tmt(wh, base_year=2020, pilots_csv=tmp_path / "pilots.csv")
    assert not r.synthetic
    assert r.numbers["data"] == "kela"
    assert r.numbers["index_pilot"] == pytest.approx(1680 / 1800 * 100, abs=EXACT)
    assert r.numbers["index_comparison"] == pytest.approx(660 / 600 * 100, abs=EXACT)
    assert r.numbers["index_nation"] == pytest.approx(2340 / 2400 * 100, abs=EXACT)
    assert r.numbers["difference_eur"] == pytest.approx(1680 - 1800 * 1.1, abs=1e-6)
    assert all(has_label(str(c)) for c in r.table.columns)
    for lang in ("fi", "sv", "en"):
        assert "{" not in r.text(lang)
        assert r.figure is not None
        r.figure(lang).clear()


def test_the_monthly_counterfactual_by_hand(tmp_path: Path) -> None:
    """Pilots (KU091, KU092) pay 150 € a month in 2020 and 140 in 2021, the comparison
    municipalities 50 and 55: the counterfactual is the pilots' mean pre-period share of the two
    groups' sum (Jan 2020 – Feb 2021) times the comparison's euros; the cumulative difference runs
    from 3/2021; the pre-period differences are the placebo."""
    import numpy as np

    tiny.write_pilots(tmp_path)
    path = tiny.build(tmp_path / "k.duckdb", with_services=False)
    with Warehouse(path) as wh:
        load_kela(wh, kela_csv(tmp_path / "kela.csv"), vintage=datetime(2024, 2, 1))
        r = municipal_share_tmt_monthly(wh, pre_start=date(2020, 1, 1), pilots_csv=tmp_path / "pilots.csv")
        with pytest.raises(KuvaInputError, match="at least 6 months before"):
            municipal_share_tmt_monthly(wh, pre_start=date(2021, 1, 1), pilots_csv=tmp_path / "pilots.csv")
    share = (12 * 150 / 200 + 2 * 140 / 195) / 14
    expected_post = share / (1 - share) * 55
    assert r.table["expected_eur"].iloc[-1] == pytest.approx(expected_post, abs=1e-9)
    assert r.numbers["cumulative_difference_eur"] == pytest.approx(10 * (140 - expected_post), abs=1e-6)
    pre = np.array([150 - share / (1 - share) * 50] * 12 + [140 - expected_post] * 2)
    assert r.numbers["band_eur"] == pytest.approx(1.96 * pre.std(ddof=1) * math.sqrt(10), abs=1e-6)
    assert r.numbers["pre_mape_pct"] == pytest.approx(float(np.mean(np.abs(pre) / np.array([150] * 12 + [140] * 2)))
                                                      * 100, abs=1e-9)
    assert r.table["nation_eur"].iloc[-1] == 140 + 55 and not r.synthetic
    assert r.table["cumulative_difference_eur"].isna().sum() == 14  # none before the pilots
    assert all(has_label(str(c)) for c in r.table.columns)
    for lang in ("fi", "sv", "en"):
        assert "{" not in r.text(lang)
        r.figure(lang).clear()


def test_municipal_share_generated_is_synthetic(tiny_wh: Warehouse, pilots_csv: Path) -> None:
    with pytest.raises(KuvaInputError, match="complete 12 months"):
        municipal_share_tmt(tiny_wh, base_year=2020, pilots_csv=pilots_csv)


def test_municipal_share_generated_on_real_data(bundled_wh: Warehouse) -> None:
    r = municipal_share_tmt(bundled_wh, base_year=2020, end=date(2022, 12, 1), seed=7)
    assert r.synthetic and r.numbers["data"] == "generated"
    assert r.sources == ("synthetic:kela_tmt",)
    again = municipal_share_tmt(bundled_wh, base_year=2020, end=date(2022, 12, 1), seed=7)
    assert again.numbers == r.numbers  # reproducible from the seed
    assert r.parameters["data"] == "report.param.value.tmt_data.generated"  # shown as "SYNTHETIC, generated in …"
