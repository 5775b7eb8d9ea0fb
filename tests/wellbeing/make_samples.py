"""Write the SYNTHETIC sample exports in tests/wellbeing/data (deterministic; run by hand)."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

from kuva.wellbeing.adapter import SITUATION_FI_CODES
from kuva.wellbeing.items import situation

DATA = Path(__file__).parent / "data"

#: (respondent, answered at, home municipality, area, work ability, relation, situation codes)
ANSWERS: list[tuple[str, datetime, str, str, str, str, list[str]]] = [
    ("R001", datetime(2022, 3, 14, 10, 5), "Kajaani", "Kainuun seutu", "4", "2", ["unemployed_jobseeker"]),
    ("R001", datetime(2022, 9, 20, 9, 0), "Kajaani", "Kainuun seutu", "6", "5", ["work_trial", "unemployed_jobseeker"]),
    ("R002", datetime(2022, 4, 2, 13, 30), "Sotkamo", "", "7", "7", ["paid_work", "student"]),
    ("R003", datetime(2022, 4, 5, 8, 15), "205", "Kainuun seutu", "2", "0", ["sick_leave", "unemployed_jobseeker"]),
    ("R004", datetime(2022, 5, 11, 14, 0), "Kotka", "vertailualue", "5", "3", ["workshop"]),
    ("R004", datetime(2023, 1, 9, 11, 45), "Kotka", "vertailualue", "5", "4", ["workshop"]),
    ("R005", datetime(2022, 6, 1, 10, 0), "Lappeenranta", "", "8", "9", ["entrepreneur"]),
    ("R006", datetime(2022, 6, 3, 12, 0), "KU405", "vertailualue", "3", "1", []),
    ("R007", datetime(2022, 8, 22, 15, 20), "Hamina", "vertailualue", "6", "4", ["at_home", "unpaid_work"]),
    ("R008", datetime(2022, 10, 10, 9, 40), "Kajaani", "Kainuun seutu", "9", "10", ["paid_work"]),
]
NOTE = "SYNTEETTINEN TESTIAINEISTO – ei oikeita henkilöitä"


def write_csv(path: Path) -> None:
    header = ["vastaajatunnus", "vastausaika", "kotikunta", "alue",
              "Minkä pistemäärän antaisit nykyiselle työkyvyllesi?", "suhde_tyoelamaan_nyt", "nykytilanne", "huom"]
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(header)
        for rid, when, muni, area, wa, wl, sit in ANSWERS:
            w.writerow([rid, f"{when.day}.{when.month}.{when.year} {when:%H:%M}", muni, area, wa, wl,
                        "; ".join(situation(s).label_fi for s in sit), NOTE])


def write_xlsx(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Vastaukset"
    codes = list(SITUATION_FI_CODES)
    ws.append(["respondent_id", "answered_at", "home_municipality", "alue", "tyokyky_nyt", "working_life_relation",
               *[f"tilanne_{SITUATION_FI_CODES[c]}" for c in codes], "huom"])
    for rid, when, muni, area, wa, wl, sit in ANSWERS:
        ws.append([rid, when, muni, area or None, int(wa), int(wl), *["x" if c in sit else None for c in codes], NOTE])
    wb.save(path)


if __name__ == "__main__":
    write_csv(DATA / "synthetic_kykyviisari_export.csv")
    write_xlsx(DATA / "synthetic_kykyviisari_export.xlsx")
