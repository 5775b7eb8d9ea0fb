"""Person-level loads: pseudonyms only, identity codes refused, validated and idempotent."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from kuva.errors import BadRowError
from kuva.privacy.pseudonym import pseudonymise
from kuva.warehouse import SourceInfo, Warehouse, load_service_events, load_survey_answers

KEY = b"test-key-0123456789abcdef"
SRC = SourceInfo("test:events", "user-file", "events", "tests", "restricted", False, "events.csv",
                 datetime(2024, 1, 1))


def events(**overrides: object) -> pd.DataFrame:
    base: dict[str, object] = {
        "pseudonym": [pseudonymise("a", KEY), pseudonymise("b", KEY)],
        "event_date": ["2021-03-05", "2021-03-09"],
        "event_type": ["registration", "initial_interview"],
        "municipality_code": ["KU091", "KU049"],
        "sector": ["employment_services", "employment_services"],
    }
    base.update(overrides)
    return pd.DataFrame(base)


def test_events_load_once(empty_wh: Warehouse) -> None:
    first = load_service_events(empty_wh, events(), SRC)
    assert first.inserted == 2
    again = load_service_events(empty_wh, events(), SRC)
    assert again.load_id is None and again.inserted == 0
    assert empty_wh.sql("SELECT count(*) AS n FROM service_events")["n"][0] == 2


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"pseudonym": ["131052-308T", pseudonymise("b", KEY)]}, "pseudonym", "personal identity code"),
        ({"detail": ["ok", "asiakas 131052-308T soitti"]}, "detail", "personal identity code"),
        ({"pseudonym": ["abc", pseudonymise("b", KEY)]}, "pseudonym", "not a keyed pseudonym"),
        ({"event_type": ["registration", "coffee"]}, "event_type", "must be one of"),
        ({"sector": ["employment_services", "police"]}, "sector", "must be one of"),
        ({"event_date": ["2021-03-05", "someday"]}, "event_date", "not a date"),
        ({"municipality_code": ["KU091", "KU000"]}, "municipality_code", "unknown municipality code"),
    ],
)
def test_bad_event_rows_are_refused_whole(
    empty_wh: Warehouse, overrides: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(BadRowError, match=message) as info:
        load_service_events(empty_wh, events(**overrides), SRC)
    assert info.value.field == field and info.value.source == "events.csv"
    assert empty_wh.sql("SELECT count(*) AS n FROM service_events")["n"][0] == 0
    assert empty_wh.sql("SELECT count(*) AS n FROM loads")["n"][0] == 0


def test_survey_answers(empty_wh: Warehouse) -> None:
    answers = pd.DataFrame({
        "pseudonym": [pseudonymise("a", KEY)] * 2, "answered_at": ["2022-01-10"] * 2,
        "instrument": ["kykyviisari"] * 2, "item": ["work_ability", "working_life_relation"], "value": [7, 3],
    })
    assert load_survey_answers(empty_wh, answers, SRC).inserted == 2
    got = empty_wh.sql("SELECT item, value FROM survey_answers ORDER BY item")
    assert got["value"].tolist() == [7.0, 3.0]


def test_replace_source_swaps_the_rows_of_that_source_only(empty_wh: Warehouse) -> None:
    other = SourceInfo("test:other", "user-file", "other", "tests", "restricted", False, "other.csv",
                       datetime(2024, 1, 1))
    load_service_events(empty_wh, events(), other)
    load_service_events(empty_wh, events(), SRC, replace_source=True)
    again = load_service_events(empty_wh, events(), SRC, replace_source=True)
    assert again.load_id is None
    changed = events(event_date=["2022-01-01", "2022-01-02"])
    report = load_service_events(empty_wh, changed, SRC, replace_source=True)
    assert report.inserted == 2
    got = empty_wh.sql("SELECT source_id, count(*) AS n FROM service_events GROUP BY 1 ORDER BY 1")
    assert got.to_dict("list") == {"source_id": ["test:events", "test:other"], "n": [2, 2]}
    dates = empty_wh.sql("SELECT event_date FROM service_events WHERE source_id = 'test:events' ORDER BY 1")
    assert [str(d)[:10] for d in dates["event_date"]] == ["2022-01-01", "2022-01-02"]


def test_identity_codes_are_found_in_categorical_columns_too(empty_wh: Warehouse) -> None:
    frame = events(detail=pd.Categorical(["ok", "soitto 131052-308T"]))
    with pytest.raises(BadRowError, match="personal identity code") as info:
        load_service_events(empty_wh, frame, SRC)
    assert (info.value.row, info.value.field) == (2, "detail")


def test_person_loads_record_provenance_like_every_load(empty_wh: Warehouse) -> None:
    from kuva import __version__

    load_service_events(empty_wh, events(), SRC)
    row = empty_wh.sql("SELECT source_id, location, rows_in, rows_inserted, kuva_version FROM loads")
    assert row.to_dict("records") == [{"source_id": "test:events", "location": "events.csv", "rows_in": 2,
                                       "rows_inserted": 2, "kuva_version": __version__}]
