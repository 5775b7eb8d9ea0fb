"""Helpers for the Kykyviisari tests: tiny answer sets written straight into a real warehouse."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from kuva.privacy.pseudonym import pseudonymise
from kuva.warehouse import SourceInfo, Warehouse, load_observations, load_service_events, load_survey_answers
from kuva.wellbeing.items import INSTRUMENT, SITUATION_PREFIX

KEY = b"test-key-0123456789abcdef"
DATA = Path(__file__).parent / "data"
SAMPLE_CSV = DATA / "synthetic_kykyviisari_export.csv"
SAMPLE_XLSX = DATA / "synthetic_kykyviisari_export.xlsx"

ANSWER_SOURCE = SourceInfo("test:kykyviisari", "synthetic", "test answers", "tests", "none", True,
                           "answers", datetime(2024, 1, 1))
EVENT_SOURCE = SourceInfo("test:events", "synthetic", "test events", "tests", "none", True,
                          "events", datetime(2024, 1, 1))
STOCK_SOURCE = SourceInfo("test:stock", "synthetic", "test stock", "tests", "none", True,
                          "stock", datetime(2024, 1, 1))

#: (person, date, municipality, area, work ability, relation, situation codes)
Answer = tuple[str, str, str | None, str | None, float | None, float | None, tuple[str, ...]]


def pid(person: str) -> str:
    return pseudonymise(person, KEY)


def answers_frame(answers: Iterable[Answer]) -> pd.DataFrame:
    rows: list[dict[str, object]] = []
    for person, day, muni, area, wa, wl, sits in answers:
        base = {"pseudonym": pid(person), "answered_at": day, "instrument": INSTRUMENT,
                "municipality_code": muni, "area": area}
        if wa is not None:
            rows.append({**base, "item": "work_ability", "value": wa})
        if wl is not None:
            rows.append({**base, "item": "working_life_relation", "value": wl})
        rows.extend({**base, "item": SITUATION_PREFIX + s, "value": 1.0} for s in sits)
    return pd.DataFrame(rows)


def store_answers(wh: Warehouse, answers: Iterable[Answer]) -> None:
    load_survey_answers(wh, answers_frame(answers), ANSWER_SOURCE)


def store_service_starts(wh: Warehouse, starts: Iterable[tuple[str, str]]) -> None:
    starts = list(starts)
    frame = pd.DataFrame({
        "pseudonym": [pid(p) for p, _ in starts], "event_date": [d for _, d in starts],
        "event_type": "service_start", "sector": "employment_services", "service_type": "coaching",
    })
    load_service_events(wh, frame, EVENT_SOURCE)


def store_stock(wh: Warehouse, month: date, values: dict[str, float]) -> None:
    frame = pd.DataFrame({"area_code": list(values), "period": month, "measure": "TYOTTOMATLOPUSSA",
                          "breakdown": "", "value": list(values.values())})
    load_observations(wh, frame, STOCK_SOURCE)


@pytest.fixture
def wh(tmp_path: Path) -> Iterator[Warehouse]:
    with Warehouse(tmp_path / "kuva.duckdb") as w:
        yield w
