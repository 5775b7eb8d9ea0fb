"""Kykyviisari exports: the real-format samples load; bad files are refused whole, naming
file, row and field; identity codes are never stored."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from kuva.errors import BadRowError, KuvaConfigError
from kuva.privacy.pseudonym import pseudonymise
from kuva.warehouse import Warehouse
from kuva.wellbeing import load_kykyviisari, read_kykyviisari, wellbeing_data
from kuva.wellbeing.adapter import choice_of, parse_answer_date, parse_choices, parse_score
from kuva.wellbeing.items import SITUATIONS

from .conftest import KEY, SAMPLE_CSV, SAMPLE_XLSX

HETU = "131052-308T"  # a valid example code (check character matches)
HEADER = ["vastaajatunnus", "vastausaika", "kotikunta", "alue", "tyokyky_nyt", "suhde_tyoelamaan_nyt", "nykytilanne"]
GOOD = [
    ["A1", "14.3.2022", "Kajaani", "Kainuun seutu", "4", "2", "Työtön työnhakija TE-toimistossa"],
    ["A2", "2022-04-02", "KU285", "", "7", "7", "Palkkatyössä (kokoaikainen, osa-aikainen tai palkkatuettu); Opiskelija"
                                                  " tai oppisopimusopiskelija"],
]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(header)
        w.writerows(rows)
    return path


def count(wh: Warehouse, table: str) -> int:
    return int(wh.sql(f"SELECT count(*) AS n FROM {table}")["n"][0])


def test_sample_csv_loads_into_a_real_warehouse(wh: Warehouse) -> None:
    report = load_kykyviisari(wh, SAMPLE_CSV, key=KEY, synthetic=True)
    assert (report.answers, report.respondents) == (10, 8)
    assert report.ignored_columns == ("huom",)
    assert report.changed
    stored = wh.sql("SELECT * FROM survey_answers")
    assert len(stored) == report.rows_stored == 33
    assert stored["pseudonym"].str.fullmatch(r"[0-9a-f]{64}").all()
    assert not stored.astype(str).apply(lambda c: c.str.contains("R00")).any().any()  # raw ids never stored
    data = wellbeing_data(wh)
    a = data.answers.set_index(["pseudonym", "answered_at"])
    r1 = a.loc[(pseudonymise("R001", KEY), pd.Timestamp("2022-09-20").date())]  # type: ignore[index]
    assert r1["situations"] == frozenset({"work_trial", "unemployed_jobseeker"})
    assert r1["basic_situation"] == "coaching" and r1["work_ability"] == 6
    r2 = data.answers[data.answers["pseudonym"] == pseudonymise("R002", KEY)].iloc[0]
    assert r2["area"] == "kainuun_seutu"  # from the home municipality Sotkamo
    assert r2["basic_situation"] == "working"
    r5 = data.answers[data.answers["pseudonym"] == pseudonymise("R005", KEY)].iloc[0]
    assert r5["area"] == "comparison"  # Lappeenranta, area blank
    assert data.synthetic


def test_sample_excel_gives_the_same_answers_as_the_csv(wh: Warehouse) -> None:
    from_csv = read_kykyviisari(SAMPLE_CSV, key=KEY, wh=wh).drop(columns="row")
    from_xlsx = read_kykyviisari(SAMPLE_XLSX, key=KEY, wh=wh).drop(columns="row")
    order = ["pseudonym", "answered_at", "item"]
    pd.testing.assert_frame_equal(from_csv.sort_values(order).reset_index(drop=True),
                                  from_xlsx.sort_values(order).reset_index(drop=True))
    report = load_kykyviisari(wh, SAMPLE_XLSX, key=KEY, synthetic=True)
    assert report.rows_stored == 33 and report.respondents == 8


def test_same_file_twice_is_stored_once(wh: Warehouse) -> None:
    load_kykyviisari(wh, SAMPLE_CSV, key=KEY)
    again = load_kykyviisari(wh, SAMPLE_CSV, key=KEY)
    assert not again.changed
    assert count(wh, "survey_answers") == 33


def test_pseudonym_column_is_taken_as_is(wh: Warehouse, tmp_path: Path) -> None:
    p = pseudonymise("someone", KEY)
    f = write_csv(tmp_path / "p.csv", ["pseudonyymi", "vastausaika", "kotikunta", "tyokyky_nyt",
                                       "suhde_tyoelamaan_nyt", "nykytilanne"], [[p, "1.2.2022", "Kotka", "5", "5", ""]])
    load_kykyviisari(wh, f)  # no key needed
    assert set(wh.sql("SELECT DISTINCT pseudonym FROM survey_answers")["pseudonym"]) == {p}


def test_raw_ids_without_a_key_need_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KUVA_PSEUDONYM_KEY", raising=False)
    f = write_csv(tmp_path / "a.csv", HEADER, GOOD)
    with pytest.raises(KuvaConfigError, match="KUVA_PSEUDONYM_KEY"):
        read_kykyviisari(f)


@pytest.mark.parametrize("column", range(len(HEADER)))
def test_identity_code_in_any_column_is_refused(wh: Warehouse, tmp_path: Path, column: int) -> None:
    rows = [list(r) for r in GOOD]
    rows[1][column] = f"x {HETU} y" if column != 0 else HETU
    f = write_csv(tmp_path / "hetu.csv", HEADER, rows)
    with pytest.raises(BadRowError, match="personal identity code") as info:
        load_kykyviisari(wh, f, key=KEY)
    assert (info.value.source, info.value.row, info.value.field) == (str(f), 3, HEADER[column])
    assert HETU not in str(info.value)  # the message does not repeat the code
    assert count(wh, "survey_answers") == 0 and count(wh, "loads") == 0


def test_identity_code_in_an_ignored_column_and_in_excel_is_refused(wh: Warehouse, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "extra.csv", [*HEADER, "lisatieto"], [[*GOOD[0], ""], [*GOOD[1], f"hetu {HETU}"]])
    with pytest.raises(BadRowError, match="personal identity code") as info:
        load_kykyviisari(wh, f, key=KEY)
    assert (info.value.row, info.value.field) == (3, "lisatieto")
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEADER)
    ws.append([HETU, *GOOD[0][1:]])
    x = tmp_path / "hetu.xlsx"
    wb.save(x)
    with pytest.raises(BadRowError, match="personal identity code") as info:
        load_kykyviisari(wh, x, key=KEY)
    assert (info.value.source, info.value.row, info.value.field) == (str(x), 2, "vastaajatunnus")
    assert count(wh, "survey_answers") == 0


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("tyokyky_nyt", "11", "out of range"),
        ("tyokyky_nyt", "-1", "out of range"),
        ("suhde_tyoelamaan_nyt", "5.5", "not a whole number"),
        ("suhde_tyoelamaan_nyt", "hyvä", "not a number"),
        ("nykytilanne", "Kuussa", "unknown choice"),
        ("nykytilanne", "Työkokeilu; lomalla", "unknown choice 'lomalla'"),
        ("vastausaika", "31.2.2022", "not a calendar date"),
        ("vastausaika", "eilen", "not a date"),
        ("vastausaika", "1.1.2999", "in the future"),
        ("kotikunta", "Atlantis", "unknown municipality"),
        ("kotikunta", "KU000", "unknown municipality code"),
        ("alue", "Kuun seutu", "unknown area"),
        ("vastaajatunnus", "", "empty respondent id"),
    ],
)
def test_bad_values_name_file_row_and_field(wh: Warehouse, tmp_path: Path, column: str, value: str,
                                            message: str) -> None:
    rows = [list(r) for r in GOOD]
    rows[1][HEADER.index(column)] = value
    f = write_csv(tmp_path / "bad.csv", HEADER, rows)
    with pytest.raises(BadRowError, match=message) as info:
        load_kykyviisari(wh, f, key=KEY)
    assert (info.value.source, info.value.row, info.value.field) == (str(f), 3, column)
    assert str(f) in str(info.value) and "row 3" in str(info.value)
    assert count(wh, "survey_answers") == 0 and count(wh, "loads") == 0


def test_missing_columns_are_listed(wh: Warehouse, tmp_path: Path) -> None:
    header = [h for h in HEADER if h != "tyokyky_nyt"]
    rows = [[c for h, c in zip(HEADER, r, strict=True) if h != "tyokyky_nyt"] for r in GOOD]
    f = write_csv(tmp_path / "missing.csv", header, rows)
    with pytest.raises(BadRowError, match=r"missing column\(s\): work_ability \(e\.g\. 'tyokyky_nyt'\)") as info:
        load_kykyviisari(wh, f, key=KEY)
    assert info.value.source == str(f) and info.value.row is None


def test_unknown_choice_column_duplicate_field_and_duplicate_answer(wh: Warehouse, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "c.csv", [*HEADER, "tilanne_lomalla"], [[*GOOD[0], "x"]])
    with pytest.raises(BadRowError, match="unknown situation choice column") as info:
        load_kykyviisari(wh, f, key=KEY)
    assert info.value.field == "tilanne_lomalla"
    f = write_csv(tmp_path / "d.csv", [*HEADER, "work_ability"], [[*GOOD[0], "3"]])
    with pytest.raises(BadRowError, match="already given by column 'tyokyky_nyt'"):
        load_kykyviisari(wh, f, key=KEY)
    f = write_csv(tmp_path / "e.csv", HEADER, [GOOD[0], GOOD[0]])
    with pytest.raises(BadRowError, match="second answer of the same respondent") as info:
        load_kykyviisari(wh, f, key=KEY)
    assert info.value.row == 3
    f = write_csv(tmp_path / "f.csv", [*HEADER[:6], "tilanne_tyokokeilu"], [[*GOOD[0][:6], "ehkä"]])
    with pytest.raises(BadRowError, match="not a choice mark") as info:
        load_kykyviisari(wh, f, key=KEY)
    assert (info.value.row, info.value.field) == (2, "tilanne_tyokokeilu")
    assert count(wh, "survey_answers") == 0


@pytest.mark.parametrize("content", [b"", b"this is not a zip file", b"PK\x03\x04broken"])
def test_bad_excel_is_refused(wh: Warehouse, tmp_path: Path, content: bytes) -> None:
    f = tmp_path / "broken.xlsx"
    f.write_bytes(content)
    with pytest.raises(BadRowError, match="not a readable Excel") as info:
        load_kykyviisari(wh, f, key=KEY)
    assert info.value.source == str(f)
    assert count(wh, "survey_answers") == 0


def test_empty_and_missing_files(wh: Warehouse, tmp_path: Path) -> None:
    with pytest.raises(BadRowError, match="file not found"):
        load_kykyviisari(wh, tmp_path / "nope.csv", key=KEY)
    f = write_csv(tmp_path / "header_only.csv", HEADER, [])
    with pytest.raises(BadRowError, match="no answer rows"):
        load_kykyviisari(wh, f, key=KEY)


def test_value_parsers() -> None:
    assert parse_score("7,0") == 7 and parse_score("") is None and parse_score("0") == 0
    assert parse_answer_date("14.3.2022 klo 10.05").isoformat() == "2022-03-14"
    assert parse_answer_date("2022-03-14T10:05:00").isoformat() == "2022-03-14"
    assert parse_choices("work trial | paid_work\nOpiskelija tai oppisopimusopiskelija") == [
        "work_trial", "paid_work", "student"]
    with pytest.raises(ValueError, match="not a time"):
        parse_answer_date("14.3.2022 25:00")


#: Answer wordings of the situation question as forms and exports phrase them, Finnish and
#: Swedish (inflected forms, the form's parenthesised explanations, "I …"/"Med …" prefixes).
WORDINGS = {
    "Työharjoittelussa": "work_practice", "Työpajassa tai kuntouttavassa työtoiminnassa": "workshop",
    "Työkokeilussa": "work_trial", "Työtön työnhakija": "unemployed_jobseeker",
    "Työtön, en ole ilmoittautunut työnhakijaksi": "unemployed_not_registered",
    "Palkattomassa työssä (esim. vapaaehtoistyö)": "unpaid_work", "Yhdyskuntapalvelussa": "community_service",
    "Opiskelen tai olen oppisopimuskoulutuksessa": "student",
    "Kotona (vanhempainvapaalla tai omaishoitajana)": "at_home",
    "Sairauslomalla tai osasairauslomalla": "sick_leave",
    "Eläkkeellä (työkyvyttömyyseläke, osatyökyvyttömyyseläke, kuntoutustuki, perhe-eläke)": "pension",
    "Palkkatyössä (kokoaikainen, osa-aikainen tai palkkatuettu)": "paid_work",
    "Yrittäjänä tai maanviljelijänä": "entrepreneur", "Freelancerina": "freelancer", "Apurahalla": "grant",
    "I arbetspraktik": "work_practice", "I arbetsverksamhet i rehabiliteringssyfte eller verkstad": "workshop",
    "I arbetsprövning": "work_trial", "Arbetslös arbetssökande": "unemployed_jobseeker",
    "Arbetslös, inte anmäld som arbetssökande": "unemployed_not_registered",
    "Oavlönat arbete, t.ex. frivilligarbete": "unpaid_work", "Samhällstjänst": "community_service",
    "Studerande eller läroavtalsstuderande": "student", "Hemma (föräldraledig eller närståendevårdare)": "at_home",
    "Sjukledig eller partiellt sjukledig": "sick_leave",
    "Pensionär (sjukpension, partiell sjukpension, rehabiliteringsstöd, familjepension)": "pension",
    "I lönearbete (heltid, deltid eller lönesubventionerat)": "paid_work",
    "Företagare eller jordbrukare": "entrepreneur", "Frilansare": "freelancer", "Med stipendium": "grant",
}


def test_every_wording_of_the_fifteen_choices_is_read_in_both_languages() -> None:
    got = {text: choice_of(text) for text in WORDINGS}
    assert got == WORDINGS
    assert len(set(WORDINGS.values())) == 15
    for s in SITUATIONS:  # the stored labels in every language and the codes still match exactly
        assert {choice_of(t) for t in (s.label_fi, s.label_sv, s.label_en, s.code)} == {s.code}
    assert choice_of("Lomalla Kanarialla") is None
    with pytest.raises(ValueError, match=r"fits several choices \['entrepreneur', 'student'\]"):
        choice_of("Yrittäjä ja opiskelija")


def test_an_export_in_the_forms_wordings_loads(wh: Warehouse, tmp_path: Path) -> None:
    rows = [[f"W{i}", "14.3.2022", "Kajaani", "", "5", "5", text] for i, text in enumerate(WORDINGS)]
    report = load_kykyviisari(wh, write_csv(tmp_path / "w.csv", HEADER, rows), key=KEY)
    assert report.answers == len(WORDINGS)
    stored = wh.sql("SELECT item, count(*) AS n FROM survey_answers WHERE item LIKE 'situation_%' GROUP BY item")
    assert dict(zip(stored["item"], stored["n"], strict=True)) == {f"situation_{c}": 2 for c in set(WORDINGS.values())}
