"""json-stat2 parsing: the recorded real StatFin response, missing and suppressed cells, sparse
forms, and bodies that must never become data."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kuva.sources.pxweb.errors import PxWebResponseError
from kuva.sources.pxweb.jsonstat import parse_jsonstat2, parse_jsonstat2_bytes

RECORDED = Path(__file__).parent / "recorded"


def test_recorded_statfin_response() -> None:
    ds = parse_jsonstat2_bytes((RECORDED / "statfin_v2_response_population_three_cities.json").read_bytes())
    assert ds.ids == (
        "alue_23_20260101",
        "ikaryhma_10_20180101",
        "sukupuoli_9_20180101",
        "timeperiod_y",
        "contentscode",
    )
    assert ds.sizes == (3, 1, 1, 1, 1)
    assert ds.updated == "2026-04-01T05:00:00Z"
    assert ds.roles["time"] == ("timeperiod_y",)
    area = ds.dimension("alue_23_20260101")
    assert area.categories == ("KU049", "KU091", "KU092")
    assert area.category_labels == ("Espoo", "Helsinki", "Vantaa")
    assert ds.dimension("ikaryhma_10_20180101").elimination
    assert ds.dimension("contentscode").units == {"vaerak-vaesto": "lukumäärä"}
    f = ds.to_frame()
    assert f.set_index("alue_23_20260101")["value"].to_dict() == {
        "KU049": 325716.0,
        "KU091": 694392.0,
        "KU092": 252956.0,
    }


def test_recorded_metadata_without_values() -> None:
    doc = json.loads((RECORDED / "table-metadata-example-jsonstat-nocomments.json").read_text())
    ds = parse_jsonstat2(doc, require_values=False)
    assert ds.values is None
    assert ds.ids == ("Region", "Civilstand", "Alder", "Kon", "ContentsCode", "Tid")
    with pytest.raises(PxWebResponseError, match="categories but size"):  # not data
        parse_jsonstat2(doc)


def _doc(values: object, status: object = None, sizes: tuple[int, int] = (2, 3)) -> dict[str, object]:
    a = [f"A{i}" for i in range(sizes[0])]
    t = [f"2020M0{i + 1}" for i in range(sizes[1])]
    d: dict[str, object] = {
        "version": "2.0",
        "class": "dataset",
        "label": "t",
        "id": ["alue", "timeperiod_m"],
        "size": list(sizes),
        "dimension": {
            "alue": {"label": "Alue", "category": {"index": {c: i for i, c in enumerate(a)}}},
            "timeperiod_m": {"label": "Kuukausi", "category": {"index": t}},  # list form
        },
        "value": values,
    }
    if status is not None:
        d["status"] = status
    return d


def test_row_major_order_missing_and_status() -> None:
    ds = parse_jsonstat2(_doc([1, None, 3, 4, 5, None], {"1": ".", "5": ".."}))
    f = ds.to_frame()
    assert list(f["alue"]) == ["A0", "A0", "A0", "A1", "A1", "A1"]
    assert list(f["timeperiod_m"]) == ["2020M01", "2020M02", "2020M03"] * 2
    assert math.isnan(f["value"][1]) and math.isnan(f["value"][5])
    assert (f["value"].fillna(-1) != 0).all()  # missing is never zero
    assert list(f["status"]) == [None, ".", None, None, None, ".."]


def test_sparse_values_and_string_status() -> None:
    ds = parse_jsonstat2(_doc({"0": 10, "4": 7}, "p"))
    assert np.isnan(ds.values).sum() == 4  # type: ignore[arg-type]
    assert ds.values[4] == 7  # type: ignore[index]
    assert set(ds.status or ()) == {"p"}


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (_doc([1, 2, 3]), "3 entries, the dimensions give 6"),
        (_doc([1, 2, 3, 4, 5, "x"]), "not a number"),
        (_doc({"9": 1}), "outside"),
        ({**_doc([1] * 6), "size": [2, 4]}, "categories but size"),
        ({**_doc([1] * 6), "id": ["alue"]}, "ids but"),
        ({"class": "collection"}, "expected 'dataset'"),
    ],
)
def test_inconsistent_documents_are_rejected(doc: dict[str, object], message: str) -> None:
    with pytest.raises(PxWebResponseError, match=message):
        parse_jsonstat2(doc)


def test_truncated_and_invalid_bodies_are_rejected() -> None:
    body = (RECORDED / "statfin_v2_response_population_three_cities.json").read_bytes()
    for cut in (0, 10, len(body) // 2, len(body) - 3):
        with pytest.raises(PxWebResponseError, match="not valid JSON"):
            parse_jsonstat2_bytes(body[:cut])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=4), st.data())
def test_round_trip_any_shape(sizes: list[int], data: st.DataObject) -> None:
    n = math.prod(sizes)
    vals = data.draw(st.lists(st.one_of(st.none(), st.integers(-5, 10**6)), min_size=n, max_size=n))
    ids = [f"d{i}" for i in range(len(sizes))]
    doc = {
        "class": "dataset",
        "id": ids,
        "size": sizes,
        "value": vals,
        "dimension": {
            d: {"category": {"index": {f"{d}c{j}": j for j in range(s)}}} for d, s in zip(ids, sizes, strict=True)
        },
    }
    f = parse_jsonstat2(doc).to_frame()
    assert len(f) == n
    for k, v in enumerate(vals):
        got = f["value"][k]
        assert (v is None and math.isnan(got)) or got == v
        # the codes of row k are the row-major unravel of k
        idx = np.unravel_index(k, sizes)
        assert [f[d][k] for d in ids] == [f"{d}c{j}" for d, j in zip(ids, idx, strict=True)]
