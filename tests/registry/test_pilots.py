"""Programmes and pilot membership: the bundled list, dates, confidence and user CSVs."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from kuva.errors import BadRowError, KuvaLookupError
from kuva.registry import kykyviisari_comparison, programme_registry
from kuva.registry.pilots import ProgrammeRegistry, slug

HEADER = "pilot_area_fi,municipality_code,municipality_name_fi,source_url,confidence"


def test_bundled_pilot_list() -> None:
    reg = programme_registry()
    areas = reg.areas()
    assert len(areas) == 25
    assert sum(len(a.memberships) for a in areas) == 118
    conf = Counter(m.confidence for m in reg.memberships())
    assert conf == {"confirmed": 83, "likely": 27, "guess": 8}
    assert len(reg.area("Pirkanmaa").memberships) == 22
    assert reg.area("raasepori ja hanko").name == "Raasepori ja Hanko"


def test_membership_as_of_a_date() -> None:
    reg = programme_registry()
    assert reg.member_codes(on=date(2021, 2, 28)) == frozenset()
    assert len(reg.member_codes(on=date(2021, 3, 1))) == 118
    assert len(reg.member_codes(on=date(2024, 12, 31))) == 118
    assert reg.member_codes(on=date(2025, 1, 1)) == frozenset()
    area = reg.area_of("Kajaani", on=date(2022, 1, 1))
    assert area is not None and area.code == "kainuun_seutu"
    assert reg.area_of("Vaasa") is None


def test_other_programmes_have_dates_but_no_bundled_members() -> None:
    reg = programme_registry()
    p = reg.programme("pilots_2012")
    assert (p.start, p.end, p.members_bundled) == (date(2012, 1, 1), date(2015, 12, 31), False)
    assert reg.programme("areas_2025").end is None and reg.programme("areas_2025").members_bundled
    assert reg.areas("pilots_2012") == () and not reg.programme("pilots_2012").members_bundled
    with pytest.raises(KuvaLookupError, match="unknown programme"):
        reg.areas("pilots_1999")


def test_kykyviisari_comparison_area() -> None:
    codes = kykyviisari_comparison()
    assert len(codes) == 15
    assert "KU285" in codes and "KU405" in codes  # Kotka, Lappeenranta


def test_user_csv_replaces_the_list(tmp_path: Path) -> None:
    f = tmp_path / "pilots.csv"
    f.write_text(
        HEADER + ",start_date,end_date\n"
        "Testialue,091,Helsinki,https://example.org,confirmed,2021-05-01,2022-12-31\n"
        "Testialue,KU049,Espoo,https://example.org,likely,,\n",
        encoding="utf-8",
    )
    reg = ProgrammeRegistry(f)
    (area,) = reg.areas()
    assert area.code == "testialue" and area.confidence == "likely"
    assert reg.member_codes(on=date(2021, 4, 1)) == {"KU049"}
    assert reg.member_codes(on=date(2023, 1, 1)) == {"KU049"}
    assert reg.member_codes(on=date(2022, 1, 1)) == {"KU049", "KU091"}


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ("A,999,X,u,confirmed", "municipality_code", "unknown municipality code 'KU999'"),
        ("A,abc,X,u,confirmed", "municipality_code", "not a municipality number"),
        ("A,091,Helsinki,u,sure", "confidence", "must be one of"),
        (",091,Helsinki,u,confirmed", "pilot_area_fi", "empty area name"),
    ],
)
def test_bad_user_rows_name_file_row_and_field(tmp_path: Path, line: str, field: str, message: str) -> None:
    f = tmp_path / "bad.csv"
    f.write_text(f"{HEADER}\nOk,049,Espoo,u,confirmed\n{line}\n", encoding="utf-8")
    with pytest.raises(BadRowError, match=message) as info:
        ProgrammeRegistry(f)
    assert (info.value.source, info.value.row, info.value.field) == (str(f), 2, field)


def test_bad_dates_and_overlaps(tmp_path: Path) -> None:
    f = tmp_path / "bad.csv"
    f.write_text(HEADER + ",start_date,end_date\nA,091,Helsinki,u,confirmed,2021-13-01,\n", encoding="utf-8")
    with pytest.raises(BadRowError, match=r"row 1, field 'start_date'"):
        ProgrammeRegistry(f)
    f.write_text(HEADER + "\nA,091,Helsinki,u,confirmed\nB,091,Helsingfors,u,confirmed\n", encoding="utf-8")
    with pytest.raises(BadRowError, match="already a member of 'A'"):
        ProgrammeRegistry(f)
    f.write_text("pilot_area_fi,municipality_code,pilot_area\nA,091,B\n", encoding="utf-8")
    with pytest.raises(BadRowError, match=r"\['pilot_area_fi'\] given twice"):
        ProgrammeRegistry(f)
    f.write_text("pilot_area_fi,municipality_code\nA,091\n", encoding="utf-8")
    with pytest.raises(BadRowError, match="missing column"):
        ProgrammeRegistry(f)
    with pytest.raises(BadRowError, match="file not found"):
        ProgrammeRegistry(tmp_path / "nope.csv")


def test_slug_is_stable() -> None:
    assert slug("Jämsä-Keuruu-Saarijärvi") == "jamsa_keuruu_saarijarvi"
    assert slug("  Vantaa ja Kerava ") == "vantaa_ja_kerava"


def test_a_code_whose_name_does_not_match_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "p.csv"
    f.write_text(f"{HEADER}\nA,049,Espoo,u,confirmed\nA,092,Helsinki,u,confirmed\n", encoding="utf-8")
    with pytest.raises(BadRowError, match="code 092 is Vantaa, not 'Helsinki'") as info:
        ProgrammeRegistry(f)
    assert (info.value.row, info.value.field) == (2, "municipality_name_fi")


def test_semicolon_file_without_optional_columns(tmp_path: Path) -> None:
    f = tmp_path / "p.csv"
    f.write_text("pilot_area_fi;municipality_code;confidence\nOma alue;KU091;confirmed\nOma alue;049;likely\n",
                 encoding="utf-8-sig")
    (area,) = ProgrammeRegistry(f).areas()
    assert area.name == "Oma alue" and [m.municipality_name for m in area.memberships] == ["Helsinki", "Espoo"]
    assert area.confidence == "likely" and area.memberships[0].source_url == ""


def test_the_2025_employment_areas_cover_the_mainland_once() -> None:
    """45 areas (Helsinki, Vantaa, Lahti and Kouvola alone), every mainland municipality of the
    2021 division in exactly one, none of Åland; a confidence and a source on every row."""
    from kuva.registry import area_registry, programme_registry

    reg = programme_registry()
    areas = reg.areas("areas_2025")
    members = [m for a in areas for m in a.memberships]
    assert len(areas) == 45
    codes = [m.municipality_code for m in members]
    assert len(codes) == len(set(codes))
    assert set(codes) == {m.code for m in area_registry().municipalities(mainland_only=True)}
    alone = {a.memberships[0].municipality_name for a in areas if len(a.memberships) == 1}
    assert {"Helsinki", "Vantaa", "Lahti", "Kouvola"} <= alone
    assert all(m.confidence in ("confirmed", "likely") and m.source_url for m in members)
    assert reg.area_of("Kajaani", programme="areas_2025") is not None
    assert all(m.start.isoformat() == "2025-01-01" and m.end is None for m in members)


def test_the_2017_regional_pilots() -> None:
    """Five areas, 23 municipalities (TE-palvelut: "viisi kokeilualuetta, joissa on mukana 23 kuntaa"),
    valid 1.8.2017–31.12.2018, each row with a source."""
    reg = programme_registry()
    areas = reg.areas("pilots_2017")
    members = [m for a in areas for m in a.memberships]
    assert [a.name for a in areas] == ["Lappi", "Pirkanmaa", "Pohjois-Savo", "Pori", "Turun seutu"]
    assert len(members) == 23 and len({m.municipality_code for m in members}) == 23
    assert all(m.start == date(2017, 8, 1) and m.end == date(2018, 12, 31) and m.source_url for m in members)
    assert reg.area_of("Tampere", date(2018, 1, 1), programme="pilots_2017").name == "Pirkanmaa"  # type: ignore[union-attr]
    assert reg.area_of("Tampere", date(2019, 1, 1), programme="pilots_2017") is None
