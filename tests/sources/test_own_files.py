"""A municipality's own files (``kuva load file``) and undoing a load (``kuva load undo``), on real
warehouse files: values land with provenance, bad files name file/row/field and change nothing,
public months are refused, synthetic ones superseded, and an undo restores the state before."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from kuva.cli import app
from kuva.errors import BadRowError, KuvaInputError
from kuva.sources.own import SERVICE_MEASURES, load_own_file, read_service_counts, template_text
from kuva.warehouse import SourceInfo, Warehouse, custom_areas, latest_observations, load_observations, undo_load

from ..analysis.test_seminar_kela import kela_csv

HEADER = "area;month;" + ";".join(SERVICE_MEASURES)
#: Kajaani 3/2025: 2,100 unemployed, 700 in services (100 in each of the seven) → rate 25.0 %
GOOD = f"{HEADER};AKTASTE\nKajaani;2025-03;2 100;700;100;100;100;100;100;100;100;25,0\nKU205;4/2025;2050;;;;;;;;;\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def values(wh: Warehouse, area: str, measure: str, since: date = date(2024, 1, 1)) -> dict[date, float]:
    o = latest_observations(wh)
    f = (o.filter((o.area_code == area) & (o.measure == measure) & (o.period >= since))
         .select("period", "value").to_pandas())
    return {pd.Timestamp(p).date(): float(v) for p, v in zip(f["period"], f["value"], strict=True)}


@pytest.fixture
def wh(bundled_warehouse_path: Path, tmp_path: Path) -> Warehouse:
    path = tmp_path / "kuva.duckdb"
    shutil.copy(bundled_warehouse_path, path)
    w = Warehouse(path)
    yield w  # type: ignore[misc]
    w.close()


def test_service_counts_land_as_real_confidential_observations(wh: Warehouse, tmp_path: Path) -> None:
    report = load_own_file(wh, "service-counts", write(tmp_path / "own.csv", GOOD))
    assert (report.source_id, report.inserted, report.revised) == ("own:service-counts", 10, 0)
    assert values(wh, "KU205", "TYOTTOMATLOPUSSA") == {date(2025, 3, 1): 2100.0, date(2025, 4, 1): 2050.0}
    assert values(wh, "KU205", "KUNTTYOLOP") == {date(2025, 3, 1): 100.0}
    assert values(wh, "KU205", "AKTASTE") == {}  # checked, never stored: the rate comes from the counts
    src = wh.sql("SELECT synthetic, sensitivity FROM sources WHERE source_id = 'own:service-counts'")
    assert not src["synthetic"][0] and src["sensitivity"][0] == "confidential"
    again = load_own_file(wh, "service-counts", tmp_path / "own.csv")
    assert again.load_id is None and again.unchanged == 10


def test_excel_gives_the_same_rows_as_csv(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for line in GOOD.strip().split("\n"):
        ws.append([int(c.replace(" ", "")) if c.replace(" ", "").isdigit() else c for c in line.split(";")])
    wb.save(tmp_path / "own.xlsx")
    from_excel = read_service_counts(tmp_path / "own.xlsx", today=date(2026, 1, 1))
    from_csv = read_service_counts(write(tmp_path / "own.csv", GOOD), today=date(2026, 1, 1))
    pd.testing.assert_frame_equal(from_excel, from_csv)


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ("Kajaani;2025-05;2100;701;100;100;100;100;100;100;100;", "PALVELUISSAYHTEENSA",
         r"total 701 is not the sum of the seven services \(700\)"),
        ("Kajaani;2025-05;2100;700;100;100;100;100;100;100;100;30", "AKTASTE", r"does not match the counts \(25.00"),
        ("Kajaani;2025-05;;;;;;;;;;25", "AKTASTE", "needs TYOTTOMATLOPUSSA and PALVELUISSAYHTEENSA"),
        ("Kajani;2025-05;2100;;;;;;;;;", "area", "closest: Kajaani"),
        ("Kajaani;toukokuu;2100;;;;;;;;;", "month", "not a month"),
        ("Kajaani;2099-05;2100;;;;;;;;;", "month", "in the future"),
        ("Kajaani;2025-05;2100,5;;;;;;;;;", "TYOTTOMATLOPUSSA", "not a count"),
        ("Kajaani;2025-05;-3;;;;;;;;;", "TYOTTOMATLOPUSSA", "not a count"),
        ("Kajaani;2025-03;2100;;;;;;;;;", "area", "already given on row 2"),
    ],
)
def test_bad_rows_name_file_row_and_field_and_change_nothing(wh: Warehouse, tmp_path: Path, line: str, field: str,
                                                             message: str) -> None:
    f = write(tmp_path / "bad.csv", f"{GOOD}{line}\n")
    before = wh.sql("SELECT count(*) AS n FROM observations")["n"][0]
    with pytest.raises(BadRowError, match=message) as info:
        load_own_file(wh, "service-counts", f)
    assert (info.value.source, info.value.row, info.value.field) == (str(f), 4, field)
    assert wh.sql("SELECT count(*) AS n FROM observations")["n"][0] == before


def test_bad_layouts(wh: Warehouse, tmp_path: Path) -> None:
    with pytest.raises(BadRowError, match="unknown column"):
        load_own_file(wh, "service-counts", write(tmp_path / "a.csv", "area;month;TYOTTOMAT\nKajaani;2025-03;1\n"))
    with pytest.raises(BadRowError, match="no month column"):
        load_own_file(wh, "service-counts", write(tmp_path / "b.csv", "area;TYOTTOMATLOPUSSA\nKajaani;1\n"))
    with pytest.raises(BadRowError, match="every count cell is blank"):
        load_own_file(wh, "service-counts", write(tmp_path / "c.csv", "area;month;VALMENNUSLOP\nKajaani;2025-03;\n"))
    with pytest.raises(KuvaInputError, match="KIND must be one of"):
        load_own_file(wh, "budget", tmp_path / "c.csv")


def test_a_month_statfin_publishes_is_refused(wh: Warehouse, tmp_path: Path) -> None:
    f = write(tmp_path / "pub.csv",
              "area;month;VALMENNUSLOP;TYOTTOMATLOPUSSA\nKajaani;2023-02;5;\nKajaani;2023-03;5;2100\n")
    with pytest.raises(BadRowError, match=r"statfin:12r5 publishes KU205 2023-03") as info:
        load_own_file(wh, "service-counts", f)
    assert (info.value.row, info.value.field) == (3, "TYOTTOMATLOPUSSA")


def test_own_figures_supersede_synthetic_ones(wh: Warehouse, tmp_path: Path) -> None:
    synthetic = SourceInfo("synthetic:panel", "synthetic", "Synthetic", "KuVa", "CC0", True, "sim",
                           datetime(2025, 6, 1))
    load_observations(wh, pd.DataFrame({"area_code": ["KU205"], "period": [date(2025, 3, 1)],
                                        "measure": ["VALMENNUSLOP"], "value": [7.0]}), synthetic)
    assert values(wh, "KU205", "VALMENNUSLOP") == {date(2025, 3, 1): 7.0}
    report = load_own_file(wh, "service-counts", write(tmp_path / "own.csv", GOOD), vintage=datetime(2025, 7, 1))
    assert report.revised >= 1
    assert values(wh, "KU205", "VALMENNUSLOP") == {date(2025, 3, 1): 100.0}
    undo_load(wh, report.load_id or 0)  # and an undo gives the synthetic value back
    assert values(wh, "KU205", "VALMENNUSLOP") == {date(2025, 3, 1): 7.0}


def test_undo_restores_the_state_before_and_keeps_the_provenance(wh: Warehouse, tmp_path: Path) -> None:
    snapshot = wh.sql("SELECT * FROM observations ORDER BY ALL")
    report = load_own_file(wh, "service-counts", write(tmp_path / "own.csv", GOOD))
    assert report.load_id is not None
    undone = undo_load(wh, report.load_id)
    assert undone.rows_deleted == {"observations": 10}
    pd.testing.assert_frame_equal(wh.sql("SELECT * FROM observations ORDER BY ALL"), snapshot)
    row = wh.sql(f"SELECT undone_at FROM loads WHERE load_id = {report.load_id}")
    assert row["undone_at"].notna().all()
    with pytest.raises(KuvaInputError, match="already undone"):
        undo_load(wh, report.load_id)
    with pytest.raises(KuvaInputError, match="no load 999"):
        undo_load(wh, 999)
    again = load_own_file(wh, "service-counts", tmp_path / "own.csv")  # loading it again works
    assert again.inserted == 10


def test_undo_refuses_when_a_later_load_rests_on_it(wh: Warehouse, tmp_path: Path) -> None:
    first = load_own_file(wh, "service-counts", write(tmp_path / "a.csv", GOOD))
    second = load_own_file(wh, "service-counts", write(tmp_path / "b.csv", f"{HEADER}\nKajaani;2025-05;1;;;;;;;;\n"))
    with pytest.raises(KuvaInputError, match=f"load {second.load_id} wrote to observations after load "
                                             f"{first.load_id}; undo load {second.load_id} first"):
        undo_load(wh, first.load_id or 0)
    undo_load(wh, second.load_id or 0)
    undo_load(wh, first.load_id or 0)


def test_kela_file_loads_through_the_same_command(wh: Warehouse, tmp_path: Path) -> None:
    report = load_own_file(wh, "kela", kela_csv(tmp_path / "kela.csv"), vintage=datetime(2024, 2, 1))
    assert report.source_id == "kela:tmt_kuntaosuus" and report.inserted == 4 * 2 * 12 * 3
    assert values(wh, "KU091", "KELA_TMT_KUNTAOSUUS", since=date(2021, 6, 1))[date(2021, 6, 1)] == 90.0


def test_custom_area_versions_and_undo(wh: Warehouse, tmp_path: Path) -> None:
    f = write(tmp_path / "area.csv", "area_name;municipality\nKainuun työllisyysalue;Kajaani\n"
                                     "Kainuun työllisyysalue;Sotkamo\nKainuun työllisyysalue;KU290\n")
    load_own_file(wh, "areas", f, vintage=datetime(2025, 1, 1))
    areas = custom_areas(wh)
    assert set(areas["municipality_code"]) == {"KU205", "KU765", "KU290"}
    assert set(areas["area_code"]) == {"kainuun_tyollisyysalue"}
    more = f.read_text(encoding="utf-8") + "Kainuun työllisyysalue;Suomussalmi\n"
    second = load_own_file(wh, "areas", write(f, more))
    assert len(custom_areas(wh)) == 4
    undo_load(wh, second.load_id or 0)
    assert set(custom_areas(wh)["municipality_code"]) == {"KU205", "KU765", "KU290"}


@pytest.mark.parametrize(
    ("text", "row", "field", "message"),
    [
        ("area_name;municipality;area_code\nX;Kajaani;KU205\n", 2, "area_code", "is the code of Kajaani"),
        ("area_name;municipality\nX;Kajaani\nX;205\n", 3, "municipality", "already a member of 'X' \\(row 2\\)"),
        ("area_name;municipality\nX;Kajaanii\n", 2, "municipality", "closest: Kajaani"),
        ("area_name;municipality\n;Kajaani\n", 2, "area_name", "empty area name"),
    ],
)
def test_bad_area_files(wh: Warehouse, tmp_path: Path, text: str, row: int, field: str, message: str) -> None:
    with pytest.raises(BadRowError, match=message) as info:
        load_own_file(wh, "areas", write(tmp_path / "a.csv", text))
    assert (info.value.row, info.value.field) == (row, field)
    assert custom_areas(wh).empty


def test_cli_template_load_info_and_undo(bundled_warehouse_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "kuva.duckdb"
    shutil.copy(bundled_warehouse_path, path)
    runner = CliRunner()
    r = runner.invoke(app, ["load", "template", "service-counts", "--out", str(tmp_path / "t.csv")])
    assert r.exit_code == 0 and (tmp_path / "t.csv").read_text(encoding="utf-8-sig") == template_text("service-counts")
    own = write(tmp_path / "own.csv", GOOD)
    r = runner.invoke(app, ["-w", str(path), "load", "file", "service-counts", str(own)])
    assert r.exit_code == 0 and "own:service-counts: load" in r.stdout, r.stderr
    load_id = int(r.stdout.split("load ")[1].split()[0])
    r = runner.invoke(app, ["-w", str(path), "info"])
    assert r.exit_code == 0 and "own:service-counts" in r.stdout and "Latest loads" in r.stdout
    r = runner.invoke(app, ["-w", str(path), "load", "undo", str(load_id)])
    assert r.exit_code == 0 and "deleted 10 from observations" in r.stdout, r.stderr
    r = runner.invoke(app, ["-w", str(path), "load", "file", "service-counts", str(tmp_path / "none.csv")])
    assert r.exit_code == 1 and "none.csv: file not found" in r.stderr
