"""Largest municipalities, change against the nation, service mix, background: exact cases."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pytest

from kuva.analysis import change_vs_nation, largest_municipalities, pilot_vs_comparison, service_mix
from kuva.errors import KuvaInputError, KuvaLookupError
from kuva.warehouse import Warehouse

EXACT = 1e-9
NAT_0 = 295 / 1495 * 100  # national rate 2020-02 (sum of all municipalities incl. Åland)
NAT_1 = 600 / 1840 * 100  # national rate 2021-03


def test_largest_municipalities(tiny_wh: Warehouse, pilots_csv: Path) -> None:
    r = largest_municipalities(tiny_wh, month=date(2021, 3, 1), thresholds=(50, 100), pilots_csv=pilots_csv)
    t = r.table.set_index("area_code")
    assert set(t.index) == {"KU091", "KU092", "KU005"}  # KU009 too small, KU035 on Åland
    assert t.loc["KU091", "size_class"] == "over_2000"
    assert t.loc["KU092", "size_class"] == "1000_2000"
    assert t.loc["KU091", "relative_rate"] == pytest.approx(25 / NAT_1 * 100, abs=EXACT)
    assert t.loc["KU005", "activation_rate"] == pytest.approx(25 / 75 * 100, abs=EXACT)
    assert r.numbers["n_over_2000"] == 1
    assert r.numbers["n_pilot_over_2000"] == 1
    assert r.numbers["n_comparison_over_2000"] == 0
    assert r.numbers["national_rate"] == pytest.approx(NAT_1, abs=EXACT)
    with pytest.raises(KuvaInputError):
        largest_municipalities(tiny_wh, thresholds=(2000, 1000))


def test_change_vs_nation(tiny_wh: Warehouse, pilots_csv: Path) -> None:
    r = change_vs_nation(tiny_wh, start=date(2020, 2, 1), end=date(2021, 3, 1), pilots_csv=pilots_csv)
    t = r.table.set_index("area_code")
    nat_change = NAT_1 - NAT_0
    assert r.numbers["national_change"] == pytest.approx(nat_change, abs=EXACT)
    assert t.loc["KU091", "change"] == pytest.approx(25 - 20, abs=EXACT)
    assert t.loc["KU091", "change_vs_nation"] == pytest.approx(5 - nat_change, abs=EXACT)
    assert t.loc["KU009", "change_vs_nation"] == pytest.approx(60 - 50 - nat_change, abs=EXACT)
    assert "KU035" not in t.index
    # groups from summed counts: pilot 75/225 → 60/240, comparison 20/70 → 40/100
    assert r.numbers["pilot_vs_nation"] == pytest.approx(25 - 75 / 225 * 100 - nat_change, abs=EXACT)
    assert r.numbers["comparison_vs_nation"] == pytest.approx(40 - 20 / 70 * 100 - nat_change, abs=EXACT)
    with pytest.raises(KuvaInputError):
        change_vs_nation(tiny_wh, start=date(2021, 3, 1), end=date(2020, 2, 1))


def test_change_vs_nation_suppresses_small_cells(tiny_wh: Warehouse, pilots_csv: Path) -> None:
    r = change_vs_nation(tiny_wh, start=date(2020, 2, 1), end=date(2021, 3, 1), pilots_csv=pilots_csv,
                         min_cell=20)
    t = r.table.set_index("area_code")
    # KU009 had 10 unemployed and 10 in services: masked with every rate derived from them
    assert bool(t.loc["KU009", "suppressed"])
    assert math.isnan(t.loc["KU009", "change_vs_nation"]) and math.isnan(t.loc["KU009", "unemployed_start"])
    counts = r.table[["unemployed_start", "in_services_start", "unemployed_end", "in_services_end"]].to_numpy()
    assert not ((counts > 0) & (counts < 20)).any()


def test_service_mix(tiny_wh: Warehouse, pilots_csv: Path) -> None:
    r = service_mix(tiny_wh, areas=["Alpha", "Beta"], start=date(2020, 2, 1), pilots_csv=pilots_csv, min_cell=5)
    t = r.table.set_index(["area_code", "period", "service"])
    key = ("alpha", date(2021, 3, 1))
    assert t.loc[(*key, "subsidised_employment"), "share_area"] == pytest.approx(50.0, abs=EXACT)
    assert t.loc[(*key, "subsidised_employment"), "share_nation"] == pytest.approx(530 / 600 * 100, abs=EXACT)
    assert t.loc[(*key, "subsidised_employment"), "difference_pp"] == pytest.approx(50 - 530 / 600 * 100,
                                                                                    abs=EXACT)
    assert t.loc[(*key, "rehabilitative_work"), "difference_pp"] == pytest.approx(50 - 45 / 600 * 100, abs=EXACT)
    # shares of an area sum to 100 and differences to 0 in every month with services
    with_services = r.table.dropna(subset=["share_area"])
    assert len(with_services) == 2 * 3 * 7  # two areas, three months with services, seven services
    for (_area, _p), sub in with_services.groupby(["area_code", "period"]):
        assert sub["share_area"].sum() == pytest.approx(100.0, abs=1e-9)
        assert sub["difference_pp"].sum() == pytest.approx(0.0, abs=1e-9)
    with pytest.raises(KuvaLookupError):
        service_mix(tiny_wh, areas=["Nowhere"], pilots_csv=pilots_csv)


def test_service_mix_resolves_default_areas_in_registry(tiny_wh: Warehouse) -> None:
    r = service_mix(tiny_wh, start=date(2020, 2, 1))
    assert "Etelä-Pohjanmaan seutu" in r.parameters["areas"]
    assert "Helsinki (1)" in r.parameters["areas"]


def test_pilot_vs_comparison(tiny_wh: Warehouse, pilots_csv: Path) -> None:
    r = pilot_vs_comparison(tiny_wh, year=2020, pilots_csv=pilots_csv)
    t = r.table.set_index("variable")
    assert t.loc["population", "pilot_mean"] == pytest.approx(2000.0, abs=EXACT)
    assert t.loc["population", "comparison_mean"] == pytest.approx(1000.0, abs=EXACT)
    assert t.loc["population", "weighting"] == "unweighted"
    assert t.loc["population", "std_difference"] == pytest.approx(1000 / math.sqrt((1000**2 + 500**2) / 2),
                                                                  abs=EXACT)
    assert t.loc["share_over_64", "pilot_mean"] == pytest.approx(17.5, abs=EXACT)  # population-weighted
    assert t.loc["share_over_64", "comparison_mean"] == pytest.approx(37.5, abs=EXACT)
    assert t.loc["share_over_64", "std_difference"] == pytest.approx(-20 / math.sqrt(18.75), abs=EXACT)
    assert t.loc["share_over_64", "year"] == 2020
    # monthly average of the unemployed over the months of 2020, then mean over municipalities
    assert t.loc["avg_unemployed", "pilot_mean"] == pytest.approx(((100 + 150 + 180) / 3 + 200 / 3) / 2,
                                                                  abs=EXACT)
    assert t.loc["n_municipalities", "pilot_mean"] == 2
    assert t.loc["n_municipalities", "comparison_mean"] == 293 - 2  # mainland minus the pilots
    assert t.loc["population", "n_comparison"] == 2  # Åland's KU035 is not counted
    assert r.numbers["n_pilot"] == 2


@pytest.mark.parametrize("min_cell", [11, 26, 51, 121])
def test_no_analysis_table_reveals_a_small_count(tiny_wh: Warehouse, pilots_csv: Path, min_cell: int) -> None:
    tables = {
        "change": (change_vs_nation(tiny_wh, start=date(2020, 2, 1), end=date(2021, 3, 1), pilots_csv=pilots_csv,
                                    min_cell=min_cell).table,
                   ["unemployed_start", "in_services_start", "unemployed_end", "in_services_end"]),
        "largest": (largest_municipalities(tiny_wh, month=date(2021, 3, 1), thresholds=(1, 100),
                                           pilots_csv=pilots_csv, min_cell=min_cell).table,
                    ["unemployed", "in_services"]),
        "mix": (service_mix(tiny_wh, areas=["Alpha", "Beta"], start=date(2020, 2, 1), pilots_csv=pilots_csv,
                            min_cell=min_cell).table, ["persons", "in_services"]),
    }
    for name, (table, cols) in tables.items():
        values = table[cols].to_numpy(dtype=float)
        assert not ((values > 0) & (values < min_cell)).any(), name


def test_change_vs_nation_prints_no_group_change_without_service_counts(bundled_wh: Warehouse) -> None:
    """With only the bundled real data (no municipal service counts) the pilot and comparison
    changes are missing, not 0 − national change (which printed "muuttui 5,3 … enemmän")."""
    r = change_vs_nation(bundled_wh)
    assert math.isnan(float(r.numbers["pilot_vs_nation"])) and math.isnan(float(r.numbers["comparison_vs_nation"]))
    assert not math.isnan(float(r.numbers["national_change"]))
    for lang, word in (("fi", "ei voi laskea"), ("sv", "kan inte beräknas"), ("en", "cannot be computed")):
        text = r.text(lang)
        assert word in text and "–" not in text.split(".", 1)[1]
