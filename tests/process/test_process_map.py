"""The process map (directly-follows graph): equal to pm4py's ``discover_dfg`` with the client as
the case, medians equal to a direct computation, small edges hidden by the disclosure engine."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from kuva.cli import app
from kuva.errors import KuvaInputError
from kuva.process import kpis, publish
from kuva.simulate.process import ProcessParams, simulate_event_log, stored_frame
from kuva.warehouse import SourceInfo, Warehouse
from kuva.warehouse.persons import load_process_events

MUNIS = ["KU091", "KU049", "KU005", "KU205"]


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    sim = simulate_event_log(MUNIS, clients=800, start=date(2023, 1, 2), months=12, seed=21, params=ProcessParams())
    log = stored_frame(sim)
    path = tmp_path_factory.mktemp("map") / "kuva.duckdb"
    with Warehouse(path) as wh:
        load_process_events(wh, log, SourceInfo("synthetic:process", "synthetic", "sim", "tests", "none", True,
                                                "sim", datetime(2025, 1, 1)))
    return path, log


def _ordered(log: pd.DataFrame) -> pd.DataFrame:
    return log.sort_values(["pseudonym", "event_date", "event_id"], kind="stable").reset_index(drop=True)


def _pm4py_frame(log: pd.DataFrame) -> pd.DataFrame:
    """The log as pm4py reads it; ties on a day are ordered by event id, as KuVa does, made
    explicit in the timestamps."""
    ordered = _ordered(log)
    stamp = pd.to_datetime(ordered["event_date"]) + pd.to_timedelta(ordered.groupby("pseudonym").cumcount(), unit="s")
    return pd.DataFrame({"case:concept:name": ordered["pseudonym"], "concept:name": ordered["event_type"],
                         "time:timestamp": stamp})


def test_the_map_equals_pm4pys_directly_follows_graph(simulated: tuple[Path, pd.DataFrame]) -> None:
    pm4py = pytest.importorskip("pm4py")
    path, log = simulated
    with Warehouse(path, read_only=True) as wh:
        got = kpis.directly_follows(wh, level="nation")
    frame = _pm4py_frame(log)
    dfg, _start, _end = pm4py.discover_dfg(frame)
    assert {(a, b): int(n) for a, b, n in zip(got["from_event"], got["to_event"], got["n"], strict=True)} == {
        k: int(v) for k, v in dfg.items()}


def test_median_days_and_areas_from_a_direct_computation(simulated: tuple[Path, pd.DataFrame]) -> None:
    path, log = simulated
    with Warehouse(path, read_only=True) as wh:
        got = kpis.directly_follows(wh, level="municipality").set_index(["area_code", "from_event", "to_event"])
    o = _ordered(log)
    o["to_event"] = o.groupby("pseudonym")["event_type"].shift(-1)
    following = pd.to_datetime(o.groupby("pseudonym")["event_date"].shift(-1))
    o["days"] = (following - pd.to_datetime(o["event_date"])).dt.days
    o = o.dropna(subset=["to_event"])
    want = o.groupby(["municipality_code", "event_type", "to_event"])["days"].agg(["size", "median"])
    want.index.names = ["area_code", "from_event", "to_event"]
    joined = got.join(want, how="outer")
    assert (joined["n"] == joined["size"]).all()
    np.testing.assert_allclose(joined["median_days"], joined["median"], atol=1e-12)


def test_small_edges_are_hidden_and_unknown_types_refused(simulated: tuple[Path, pd.DataFrame]) -> None:
    path, _ = simulated
    with Warehouse(path, read_only=True) as wh:
        raw = kpis.directly_follows(wh, level="municipality")
        p = publish.process_map(wh, level="municipality", min_cell=5)
        only = kpis.directly_follows(wh, level="nation", event_types=["registration", "initial_interview"])
        with pytest.raises(KuvaInputError, match="unknown event type"):
            kpis.directly_follows(wh, event_types=["lunch"])
    small = (raw["n"] > 0) & (raw["n"] < 5)
    assert small.any()
    shown = p.frame.set_index(["area_code", "from_event", "to_event"])
    hidden = raw[small].set_index(["area_code", "from_event", "to_event"]).index
    assert shown.loc[hidden, "n"].isna().all() and shown.loc[hidden, "median_days"].isna().all()
    assert set(only["from_event"]) | set(only["to_event"]) <= {"registration", "initial_interview"}


def test_cli_process_map(simulated: tuple[Path, pd.DataFrame]) -> None:
    path, _ = simulated
    r = CliRunner().invoke(app, ["-w", str(path), "process", "map", "--level", "nation", "-f", "csv"])
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("level,area_code,from_event,to_event,n,median_days") and "registration" in r.stdout
    r = CliRunner().invoke(app, ["-w", str(path), "process", "variants", "--level", "nation", "--top", "2",
                                 "-f", "csv"])
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert lines[0].startswith("level,area_code,variant,n,median_days") and len(lines) == 4 and "(other)" in lines[-1]


def test_employment_area_level_sums_its_municipalities(simulated: tuple[Path, pd.DataFrame]) -> None:
    from kuva.registry import programme_registry

    path, _ = simulated
    with Warehouse(path, read_only=True) as wh:
        muni = kpis.directly_follows(wh, level="municipality")
        area = kpis.directly_follows(wh, level="employment_area")
    reg = programme_registry()
    muni["area_code"] = [reg.area_of(c, programme="areas_2025").code for c in muni["area_code"]]  # type: ignore[union-attr]
    want = muni.groupby(["area_code", "from_event", "to_event"])["n"].sum()
    got = area.set_index(["area_code", "from_event", "to_event"])["n"]
    assert got.sort_index().to_dict() == want.sort_index().to_dict()
    assert set(area["area_code"]) == {"helsingin_kaupunki", "espoon_ja_kauniaisten_tyollisyysalue",
                                       reg.area_of("KU005", programme="areas_2025").code,  # type: ignore[union-attr]
                                       reg.area_of("KU205", programme="areas_2025").code}  # type: ignore[union-attr]


def test_variants_equal_pm4pys_and_the_rest_is_one_row(simulated: tuple[Path, pd.DataFrame]) -> None:
    """With every event type, the variants equal pm4py's ``get_variants`` (client = case); the
    published table keeps the top variants per area and one "(other)" row, small cells hidden."""
    pm4py = pytest.importorskip("pm4py")
    path, log = simulated
    with Warehouse(path, read_only=True) as wh:
        every = kpis.path_variants(wh, level="nation", event_types=None)
        milestones = kpis.path_variants(wh, level="municipality")
        p = publish.variants(wh, level="municipality", min_cell=5, top=3)
        with pytest.raises(KuvaInputError, match="--top"):
            publish.variants(wh, top=0)
    frame = _pm4py_frame(log)
    theirs = {" → ".join(k): (v if isinstance(v, int) else len(v)) for k, v in pm4py.get_variants(frame).items()}
    assert dict(zip(every["variant"], every["n"], strict=True)) == theirs
    assert milestones["variant"].str.startswith("registration").mean() > 0.9
    shown = p.frame
    for area, sub in shown.groupby("area_code"):
        whole = milestones[milestones["area_code"] == area]
        assert len(sub) == min(len(whole), 3) + (len(whole) > 3)
        assert sub["variant"].iloc[-1] == "(other)" or len(whole) <= 3
        visible = sub["n"].dropna()
        assert ((visible == 0) | (visible >= 5)).all()
    total_other = shown[shown["variant"] == "(other)"]["n"].sum()
    assert total_other <= milestones["n"].sum()


def test_custom_areas_may_overlap(simulated: tuple[Path, pd.DataFrame], tmp_path: Path) -> None:
    """A user's own areas as a level: a municipality in two of them counts in both."""
    import shutil

    from kuva.sources.own import load_own_file

    path, _ = simulated
    copy = tmp_path / "kuva.duckdb"
    shutil.copy(path, copy)
    (tmp_path / "areas.csv").write_text("area_name;municipality\nMetro;Helsinki\nMetro;Espoo\n"
                                        "Helsinki ja Kajaani;Helsinki\nHelsinki ja Kajaani;Kajaani\n", encoding="utf-8")
    with Warehouse(copy) as wh:
        load_own_file(wh, "areas", tmp_path / "areas.csv")
        muni = kpis.directly_follows(wh, level="municipality").groupby("area_code")["n"].sum()
        custom = kpis.directly_follows(wh, level="custom").groupby("area_code")["n"].sum()
    assert custom["metro"] == muni["KU091"] + muni["KU049"]
    assert custom["helsinki_ja_kajaani"] == muni["KU091"] + muni["KU205"]
