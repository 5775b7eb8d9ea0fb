"""The area registry: counts, look-ups (property-based), hierarchy and mergers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kuva.errors import KuvaLookupError
from kuva.registry import area_registry
from kuva.registry.names import normalise

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "classifications"
REG = area_registry()
MUNICIPALITIES = REG.municipalities()


def test_counts_match_the_2021_division() -> None:
    assert len(MUNICIPALITIES) == 309
    assert len(REG.municipalities(mainland_only=True)) == 309 - 16  # Åland has 16 municipalities
    assert len(REG.areas("region")) == 19
    assert len(REG.areas("sub_region")) == 69
    assert len(REG.areas("ely")) == 16
    assert sum(m.population for m in MUNICIPALITIES) == pytest.approx(5_533_793, abs=0)


def test_bundled_copy_equals_the_shared_source() -> None:
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the checkout")
    with (SHARED / "municipalities_2021.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        m = REG.municipality(r["kunta_code"])
        assert (m.name_fi, m.name_sv, m.population, m.region_code) == (
            r["name_fi"], r["name_sv"], int(r["population"]), r["maakunta_code"])


@given(st.sampled_from(MUNICIPALITIES), st.sampled_from(["code", "number", "fi", "sv"]), st.booleans())
@settings(max_examples=300, deadline=None)
def test_every_municipality_is_found_by_code_and_names(m, how, shout) -> None:  # type: ignore[no-untyped-def]
    query = {"code": m.code, "number": m.number, "fi": m.name_fi, "sv": m.name_sv}[how]
    if shout:
        query = query.upper()
    assert REG.municipality(query) == m


@given(st.sampled_from(MUNICIPALITIES))
@settings(max_examples=200, deadline=None)
def test_lookup_ignores_diacritics(m) -> None:  # type: ignore[no-untyped-def]
    assert REG.municipality(normalise(m.name_fi)).code in {
        x.code for x in MUNICIPALITIES if normalise(x.name_fi) == normalise(m.name_fi)
        or normalise(x.name_sv) == normalise(m.name_fi)
    }


def test_swedish_and_diacritic_free_names() -> None:
    assert REG.municipality("Helsingfors").code == "KU091"
    assert REG.municipality("ahtari").name_fi == "Ähtäri"
    assert REG.municipality("  uleåborg ").code == "KU564"
    assert REG.municipality(91).code == "KU091"


def test_unknown_names_give_closest_matches() -> None:
    with pytest.raises(KuvaLookupError, match=r"unknown municipality 'Tamperr'; closest: Tampere"):
        REG.municipality("Tamperr")
    with pytest.raises(KuvaLookupError, match="unknown municipality code 'KU999'"):
        REG.municipality("KU999")
    with pytest.raises(LookupError):  # the builtin is caught too
        REG.area("Atlantis")


def test_hierarchy() -> None:
    parents = REG.parents("Tampere")
    assert [a.code for a in parents] == ["KU837", "SK064", "MK06", "SSS"]
    assert {m.code for m in REG.members("MK08")} | {m.code for m in REG.members("MK09")} == {
        m.code for m in MUNICIPALITIES if m.region_code in ("MK08", "MK09")}
    assert len(REG.members("SSS")) == 309
    assert all(m.sub_region_code == "SK011" for m in REG.members("SK011"))


def test_mergers_follow_single_receivers_and_refuse_splits() -> None:
    assert REG.municipality("KU099").name_fi == "Kankaanpää"  # Honkajoki joined Kankaanpää 1.1.2021
    merger = REG.historical("KU099")
    assert merger is not None and merger.receivers == ("KU214",)
    with pytest.raises(KuvaLookupError, match="several current municipalities"):
        REG.municipality("KU003")
    assert REG.historical("KU091") is None


def test_area_names_prefer_the_municipality_over_its_namesake_sub_region() -> None:
    assert REG.area("Kajaani").code == "KU205"
    assert REG.area("Nyland").code == "MK01"
    assert REG.area("sk011").level == "sub_region"
    assert REG.area("Pirkanmaan ELY-keskus").code == "ELY05"
