"""``kuva report --area``: any area against its peers and the nation, in three languages, with
names instead of codes and no number printed without its inputs."""

from __future__ import annotations

import html
import math
import re
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from kuva.analysis.own_area import own_area_paths, own_area_service_mix, resolve_own_area, size_class
from kuva.cli import app
from kuva.errors import KuvaInputError, KuvaLookupError
from kuva.registry import area_registry
from kuva.sources.own import load_own_file
from kuva.warehouse import Warehouse, latest_observations

AREA_FILE = "area_name;municipality\nKainuun työllisyysalue;Kajaani\nKainuun työllisyysalue;Sotkamo\n" \
            "Kainuun työllisyysalue;Kuhmo\n"


@pytest.fixture(scope="module")
def wh_path(bundled_warehouse_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled real data, a small synthetic world (service counts 2017–2023) and a custom area."""
    from kuva.simulate import simulate_into

    folder = tmp_path_factory.mktemp("own_area")
    path = folder / "kuva.duckdb"
    shutil.copy(bundled_warehouse_path, path)
    (folder / "area.csv").write_text(AREA_FILE, encoding="utf-8")
    with Warehouse(path) as wh:
        simulate_into(wh, scale=0.001, seed=5, years=(2017, 2023))
        load_own_file(wh, "areas", folder / "area.csv")
    return path


def _sum(wh: Warehouse, measure: str, codes: list[str], month: date) -> float:
    o = latest_observations(wh)
    f = o.filter(o.measure == measure).filter(o.area_code.isin(codes)).filter(o.period == month)
    return float(f.value.sum().to_pandas())


def test_municipality_peers_are_same_type_and_size_class(wh_path: Path) -> None:
    reg = area_registry()
    with Warehouse(wh_path, read_only=True) as wh:
        area = resolve_own_area(wh, "Kajana")  # Swedish name
    me = reg.municipality("KU205")
    assert (area.code, area.kind, area.members, area.name("sv")) == ("KU205", "municipality", ("KU205",), "Kajana")
    expected = {m.code for m in reg.municipalities(mainland_only=True) if m.code != "KU205"
                and m.area_type == me.area_type and size_class(m.population) == size_class(me.population)}
    assert set(area.peers) == expected and len(expected) >= 3
    assert [size_class(n) for n in (4_999, 5_000, 19_999, 20_000, 99_999, 100_000)] == [0, 1, 1, 2, 3, 4]


def test_other_kinds_of_area_and_named_peers(wh_path: Path) -> None:
    reg = area_registry()
    with Warehouse(wh_path, read_only=True) as wh:
        sub = resolve_own_area(wh, "SK182")
        pilot = resolve_own_area(wh, "Kainuun seutu")
        custom = resolve_own_area(wh, "Kainuun työllisyysalue")
        named = resolve_own_area(wh, "Kajaani", peers=["Oulu", "Kainuu"])
        with pytest.raises(KuvaLookupError, match="closest"):
            resolve_own_area(wh, "Kajaaniii")
    pop = sum(m.population for m in reg.members(sub.code))
    for code in sub.peer_areas:
        assert 0.5 * pop <= sum(m.population for m in reg.members(code)) <= 2 * pop
    assert sub.code not in sub.peer_areas and sub.peer_rule == "peers.rule.same_level"
    assert pilot.kind == "pilot_area" and "KU205" in pilot.members and len(pilot.peer_areas) == 24
    assert not set(pilot.members) & set(pilot.peers)
    assert custom.kind == "custom" and set(custom.members) == {"KU205", "KU765", "KU290"}
    assert len(custom.peers) == len(reg.municipalities(mainland_only=True)) - 3
    assert "KU564" in named.peers and "KU205" not in named.peers and named.peer_rule == "peers.rule.named"


def test_the_numbers_are_the_sums_of_the_members(wh_path: Path) -> None:
    month = date(2022, 6, 1)
    with Warehouse(wh_path, read_only=True) as wh:
        area = resolve_own_area(wh, "Kainuun työllisyysalue", peers=["Oulu"])
        r = own_area_paths(wh, area, end=month, min_cell=5)
        members = list(area.members)
        u = _sum(wh, "TYOTTOMATLOPUSSA", members, month)
        u_before = _sum(wh, "TYOTTOMATLOPUSSA", members, date(2021, 6, 1))
        s = _sum(wh, "PALVELUISSAYHTEENSA", members, month)
        ps = _sum(wh, "PALVELUISSAYHTEENSA", list(area.peers), month)
        pu = _sum(wh, "TYOTTOMATLOPUSSA", list(area.peers), month)
    assert r.numbers["unemployed_own"] == u
    assert r.numbers["change_own"] == pytest.approx(u / u_before * 100 - 100, abs=1e-9)
    assert r.numbers["rate_own"] == pytest.approx(100 * s / (u + s), abs=1e-9)
    assert r.numbers["rate_peers"] == pytest.approx(100 * ps / (pu + ps), abs=1e-9)
    assert r.synthetic  # the service counts are simulated
    text = r.text("fi")
    assert "Kainuun työllisyysalue" in text and "Aktivointiaste oli" in text and "nan" not in text


def test_the_service_mix_is_the_members_sums_and_hides_small_cells(wh_path: Path) -> None:
    """Each service's share of the persons in services is the members' sum over the members' sum
    of everyone in services; for one small municipality small counts are hidden with enough
    others that none can be recovered from the total."""
    from kuva.indicators import codes
    from kuva.registry.services import service_type

    month = date(2022, 6, 1)
    with Warehouse(wh_path, read_only=True) as wh:
        area = resolve_own_area(wh, "Kainuun työllisyysalue", peers=["Oulu"])
        r = own_area_service_mix(wh, area, end=month, min_cell=5)
        members = list(area.members)
        total = _sum(wh, codes.IN_SERVICES, members, month)
        expected = {service_type(s).code: 100 * _sum(wh, s, members, month) / total for s in codes.SERVICES}
        small = own_area_service_mix(wh, resolve_own_area(wh, "Luhanka"), end=month, min_cell=5)
    mine = r.table[r.table["group"] == area.code].set_index("service")
    assert mine["in_services"].iloc[0] == total
    for service, share in expected.items():
        assert mine.loc[service, "share"] == pytest.approx(share, abs=1e-9)
    assert r.numbers["top_share"] == pytest.approx(max(expected.values()), abs=1e-9)
    assert set(r.table["group"]) == {area.code, "peers", "nation"}
    assert "Kainuun työllisyysalue" in r.text("fi") and "nan" not in r.text("en")
    own_small = small.table[small.table["group"] == "KU435"]
    shown = own_small["persons"].dropna()
    assert ((shown == 0) | (shown >= 5)).all()
    assert own_small["persons"].isna().sum() >= 2  # one hidden cell alone would be the total minus the others


def test_no_rate_is_printed_without_its_inputs(bundled_warehouse_path: Path) -> None:
    with Warehouse(bundled_warehouse_path, read_only=True) as wh:
        r = own_area_paths(wh, resolve_own_area(wh, "Kajaani"), min_cell=5)
    assert math.isnan(float(r.numbers["rate_own"])) and not r.synthetic
    for lang, missing in (("fi", "ei voi laskea"), ("sv", "kan inte beräknas"), ("en", "cannot be computed")):
        text = r.text(lang)
        assert missing in text and " – %" not in text and "nan" not in text
    assert r.numbers["month"] == "2023-10-01"
    assert pd.Series(r.table["period"]).min() == date(2021, 10, 1)


def test_peers_need_an_area(bundled_warehouse_path: Path, tmp_path: Path) -> None:
    from kuva.report import build_report

    with Warehouse(bundled_warehouse_path, read_only=True) as wh, pytest.raises(KuvaInputError, match="--area"):
        build_report(wh, lang="fi", out_dir=tmp_path, peers=["Oulu"], pdf=False)


def _page_text(path: Path) -> str:
    s = path.read_text(encoding="utf-8")
    s = re.sub(r"<style.*?</style>|<script.*?</script>|<svg.*?</svg>", " ", s, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", s)))


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_report_for_a_custom_area_in_three_languages(wh_path: Path, tmp_path: Path, lang: str) -> None:
    out = tmp_path / lang
    r = CliRunner().invoke(app, ["-w", str(wh_path), "report", "--area", "Kainuun työllisyysalue", "--lang", lang,
                                 "--out", str(out)])
    assert r.exit_code == 0, r.stderr
    text = _page_text(out / "report.html")
    own = text[text.index({"fi": "Oma alue:", "sv": "Eget område:", "en": "Your area:"}[lang]):]
    chapter = own[: own.index({"fi": "Tilannekuva", "sv": "Lägesbild", "en": "Where we stand"}[lang], 30)]
    assert "Kainuun työllisyysalue" in chapter
    assert not re.search(r"\bKU\d{3}\b|\bSK\d{3}\b|\bMK\d{2}\b", chapter), chapter
    assert not re.search(r"\bnan\b|\bNone\b|\{", chapter)
    assert (out / "report.pdf").stat().st_size > 10_000
    # the whole page: no raw municipality codes, no missing-value artefacts, and in the Finnish
    # and Swedish reports no English prose (file names such as tables/monthly_paths.csv aside)
    page = re.sub(r"tables/\S+", " ", text)
    assert not re.search(r"\bKU\d{3}\b|\bnan\b|\bNone\b|\bNaN\b", page)
    if lang != "en":
        english = re.findall(r".{40}\b(?:the|and|with|from|are)\b.{40}", page)
        assert english == [], english[:5]


def test_an_employment_area_and_its_peers(wh_path: Path) -> None:
    reg = area_registry()
    with Warehouse(wh_path, read_only=True) as wh:
        area = resolve_own_area(wh, "Kainuu-Koillismaan työllisyysalue")
    assert area.kind == "employment_area" and "KU205" in area.members and area.peer_rule == "peers.rule.same_level"
    own = sum(reg.municipality(c).population for c in area.members)
    peers = set(area.peers)
    assert peers and not peers & set(area.members)
    assert 0.5 * own <= sum(reg.municipality(c).population for c in peers) / len(area.peer_areas) <= 2 * own


def test_areas_the_rule_leaves_without_peers_and_the_country(wh_path: Path) -> None:
    with Warehouse(wh_path, read_only=True) as wh:
        uusimaa = resolve_own_area(wh, "MK01")  # no region within half to twice its population
        helsinki = resolve_own_area(wh, "Helsinki")  # the municipality, not the pilot area of that name
        with pytest.raises(KuvaInputError, match="whole country"):
            resolve_own_area(wh, "SSS")
    assert uusimaa.peer_rule == "peers.rule.rest" and len(uusimaa.peers) > 200
    assert helsinki.kind == "municipality" and helsinki.members == ("KU091",)


def test_a_qualified_name_finds_the_pilot_area_a_registry_area_hides(wh_path: Path) -> None:
    """Five pilot areas (Helsinki, Espoo, Porvoo, Savonlinna, Pirkanmaa) share their slug with a
    municipality or region, which wins unqualified; ``pilot:`` finds the pilot area, and ``ref``
    is a name that finds each area again."""
    with Warehouse(wh_path, read_only=True) as wh:
        plain = resolve_own_area(wh, "Helsinki")
        pilot = resolve_own_area(wh, "pilot:helsinki")
        by_name = resolve_own_area(wh, "Pilot: Helsinki")
        employment = resolve_own_area(wh, "employment:Kainuu-Koillismaan työllisyysalue")
        custom = resolve_own_area(wh, "custom:Kainuun työllisyysalue")
        with pytest.raises(KuvaLookupError, match="no pilot area 'Kajaani'"):
            resolve_own_area(wh, "pilot:Kajaani")  # a municipality, not a pilot area
        with pytest.raises(KuvaLookupError, match="no employment area"):
            resolve_own_area(wh, "employment:kainuun_seutu")  # a pilot area, not an employment area
        again = {a.ref: resolve_own_area(wh, a.ref) for a in (plain, pilot, employment, custom)}
        named = resolve_own_area(wh, "Kajaani", peers=["pilot:helsinki"])
    assert plain.kind == "municipality" and plain.ref == "KU091"
    assert pilot.kind == "pilot_area" and pilot.ref == "pilot:helsinki" and by_name.ref == pilot.ref
    assert "KU091" in pilot.members and len(pilot.peer_areas) == 24
    assert employment.ref.startswith("employment:") and custom.ref.startswith("custom:")
    assert all(a.ref == ref and a.members for ref, a in again.items())
    assert set(named.peers) == set(pilot.members) - {"KU205"}
