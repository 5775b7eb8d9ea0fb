"""OCEL 2.0 and XES import/export of the service-process event log (kuva.process.ocel): round trips
through files keep every event and object, pm4py reads KuVa's exports on its own, and bad inputs
are refused naming the file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from kuva.errors import BadRowError, KuvaConfigError, KuvaInputError
from kuva.process.eventlog import template_frame, validate_event_log
from kuva.process.ocel import from_ocel, read_ocel, read_xes, to_ocel, write_ocel, write_xes

pm4py = pytest.importorskip("pm4py")

KEY = b"0123456789abcdef0123"
MUNIS = ["KU091", "KU049", "KU005", "KU205"]
SERVICES = [("VALMENNUS", "Provider Oy"), ("VALMENNUS", "Äänekosken Valmennus & Co <\"Oy\">"),
            ("TYOKOKEILU", None), ("KOULUTUS", "Opisto ry")]


def _synthetic_raw(clients: int = 300, seed: int = 7) -> pd.DataFrame:
    """The template plus ``clients`` generated clients: every event type group, optional columns
    both given and empty, shared services and plan ids that read like other clients' case ids."""
    rng = np.random.default_rng(seed)
    rows = template_frame().to_dict(orient="records")
    for i in range(clients):
        cid, muni, case = f"K-{i:05d}", MUNIS[int(rng.integers(len(MUNIS)))], f"{1000 + i}"
        day = pd.Timestamp("2024-01-02") + pd.Timedelta(days=int(rng.integers(0, 300)))
        k = 0

        def ev(kind: str, gap: int = 0, cid: str = cid, muni: str = muni, case: str = case, **cols: object) -> None:
            nonlocal day, k
            k += 1
            day += pd.Timedelta(days=gap)
            row: dict[str, object] = {"event_id": f"{cid}-{k}", "client_id": cid,
                                      "event_date": day.date().isoformat(), "event_type": kind,
                                      "municipality_code": muni, "origin_sector": "employment_services",
                                      "case_id": case}
            row.update(cols)
            rows.append(row)

        ev("registration", age_group=["15-24", "25-29", "30-54", "55-"][int(rng.integers(4))],
           language=["fi", "sv", "other"][int(rng.integers(3))])
        if rng.random() < 0.8:
            ev("initial_interview", int(rng.integers(0, 10)))
            if rng.random() < 0.7:
                plan = f"{1000 + (i + 1) % clients}"  # the same text as another client's case id
                ev("plan_created", 0, plan_id=plan)
                if rng.random() < 0.4:
                    ev("plan_updated", int(rng.integers(20, 90)), plan_id=plan, detail="tarkistus \"3 kk\"")
        if rng.random() < 0.5:
            ref = f"R{i}"
            ev("referral_sent", int(rng.integers(5, 40)), origin_sector="social_services",
               destination_sector="employment_services", referral_id=ref)
            if rng.random() < 0.7:
                stype, provider = SERVICES[int(rng.integers(len(SERVICES)))]
                ev("service_start", int(rng.integers(1, 30)), service_type=stype, provider=provider, referral_id=ref)
                ev("service_end", int(rng.integers(20, 120)), service_type=stype, provider=provider)
                ev("status_3m", 91, detail=["work", "education", "unemployed", "other"][int(rng.integers(4))],
                   case_id=None)
        if rng.random() < 0.5:
            ev(["exit_work", "exit_education", "exit_other"][int(rng.integers(3))], int(rng.integers(1, 200)))
    raw = pd.DataFrame(rows)
    return raw[list(template_frame().columns)]


@pytest.fixture(scope="module")
def log() -> pd.DataFrame:
    return validate_event_log(_synthetic_raw(), "synthetic.csv", key=KEY)


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """The same events (ids, types, dates, every attribute), whatever their order and row numbers."""
    left = a.drop(columns="row").set_index("event_id").sort_index()
    right = b.drop(columns="row").set_index("event_id").sort_index()
    pd.testing.assert_frame_equal(left, right)


def _objects(ocel: Any) -> set[tuple[str, str]]:
    return set(zip(ocel.objects["ocel:oid"].astype(str), ocel.objects["ocel:type"].astype(str), strict=True))


def _relations(ocel: Any) -> set[tuple[str, str, str]]:
    r = ocel.relations
    return set(zip(r["ocel:eid"].astype(str), r["ocel:oid"].astype(str), r["ocel:qualifier"].astype(str),
                   strict=True))


def _pm4py_read(path: Path) -> Any:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module="pm4py")
        if path.suffix == ".sqlite":
            return pm4py.read_ocel2_sqlite(str(path))
        return pm4py.read_ocel2_json(str(path))


# -- OCEL 2.0 -------------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".json", ".jsonocel", ".sqlite"])
def test_ocel_round_trip_keeps_every_event_and_object(log: pd.DataFrame, tmp_path: Path, suffix: str) -> None:
    first = write_ocel(log, tmp_path / f"log{suffix}")
    assert first == tmp_path / f"log{suffix}" and first.is_file()
    raw = read_ocel(first)
    assert "pseudonym" in raw.columns and "client_id" not in raw.columns
    back = validate_event_log(raw, str(first))
    _same(back, log)  # same ids, types, dates and attributes, None where they were None
    second = write_ocel(back, tmp_path / f"again{suffix}")
    a, b = _pm4py_read(first), _pm4py_read(second)
    assert _objects(a) == _objects(b) == _objects(to_ocel(log))
    assert _relations(a) == _relations(b)
    assert len(a.o2o) == len(b.o2o) > 0


def test_pm4py_reads_the_export_on_its_own(log: pd.DataFrame, tmp_path: Path) -> None:
    for path in (write_ocel(log, tmp_path / "log.json"), write_ocel(log, tmp_path / "log.sqlite")):
        ocel = _pm4py_read(path)
        assert len(ocel.events) == len(log)
        assert ocel.events["ocel:eid"].nunique() == log["event_id"].nunique()
        per_type = ocel.objects["ocel:type"].value_counts().to_dict()
        services = log.loc[log["service_type"].notna(), ["service_type", "provider"]].drop_duplicates()
        assert per_type == {"client": log["pseudonym"].nunique(), "case": log["case_id"].nunique(),
                            "plan": log["plan_id"].nunique(), "referral": log["referral_id"].nunique(),
                            "service": len(services)}
        assert per_type["client"] == 301 and per_type["service"] == len(SERVICES)
        links = ocel.relations["ocel:qualifier"].value_counts().to_dict()
        assert links == {"client": len(log), "case": int(log["case_id"].notna().sum()),
                         "plan": int(log["plan_id"].notna().sum()), "referral": int(log["referral_id"].notna().sum()),
                         "service": int(log["service_type"].notna().sum())}
        assert set(ocel.events["ocel:activity"]) == set(log["event_type"])
        # the events' attributes as pm4py sees them
        got = ocel.events.set_index("ocel:eid").loc[log["event_id"]]
        for col in ("municipality_code", "provider", "detail", "age_group", "language"):
            want = log[col].to_numpy(dtype=object)
            seen = got[col].astype(object).where(got[col].notna(), None).to_numpy()
            assert list(seen) == list(want), col
        days = [t.date() for t in got["ocel:timestamp"].dt.tz_convert("UTC")]
        assert days == list(log["event_date"])
    # the JSON names its object and event types (OCEL 2.0 standard layout) and no raw client id
    doc = json.loads((tmp_path / "log.json").read_text(encoding="utf-8"))
    assert {t["name"] for t in doc["objectTypes"]} == {"client", "case", "plan", "referral", "service"}
    assert "A-1001" not in (tmp_path / "log.json").read_text(encoding="utf-8")
    service = next(o for o in doc["objects"] if o["id"] == "VALMENNUS@Provider Oy")
    assert service["type"] == "service"
    assert {a["name"]: a["value"] for a in service["attributes"]} == {"service_type": "VALMENNUS",
                                                                       "provider": "Provider Oy"}
    e5 = next(e for e in doc["events"] if e["id"] == "e5")
    assert {r["qualifier"] for r in e5["relationships"]} == {"client", "case", "referral", "service"}
    assert {r["objectId"] for r in e5["relationships"]} >= {"case:c1", "referral:r1", "VALMENNUS@Provider Oy"}


def test_case_and_plan_ids_that_read_alike_stay_separate_objects(log: pd.DataFrame) -> None:
    ocel = to_ocel(log)
    assert {("case:1001", "case"), ("plan:1001", "plan")} <= _objects(ocel)
    assert ocel.objects["ocel:oid"].is_unique


def test_ocel_from_elsewhere_with_source_ids_is_pseudonymised(tmp_path: Path) -> None:
    """An OCEL written by another tool: plain object ids (no type prefix), the source system's
    client ids, an extra attribute and object type KuVa does not use."""
    from pm4py.objects.ocel.obj import OCEL

    stamp = pd.to_datetime(["2025-03-03 09:15", "2025-03-07 14:00"]).tz_localize("UTC")
    events = pd.DataFrame({"ocel:eid": ["x1", "x2"], "ocel:activity": ["registration", "plan_created"],
                           "ocel:timestamp": stamp, "municipality_code": ["KU091", "KU091"],
                           "cost": [1.5, 2.0]})
    rel = pd.DataFrame({"ocel:eid": ["x1", "x2", "x2", "x2"], "ocel:oid": ["A-1", "A-1", "P9", "desk 4"],
                        "ocel:type": ["client", "client", "plan", "office"],
                        "ocel:qualifier": ["who", "who", "plan", "where"]})
    rel = rel.merge(events[["ocel:eid", "ocel:activity", "ocel:timestamp"]], on="ocel:eid")
    objects = rel.drop_duplicates("ocel:oid")[["ocel:oid", "ocel:type"]]
    path = tmp_path / "other.jsonocel"
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module="pm4py")
        pm4py.write_ocel2_json(OCEL(events=events, objects=objects, relations=rel), str(path))
    raw = read_ocel(path, client_column="client_id")
    assert list(raw["client_id"]) == ["A-1", "A-1"] and list(raw["plan_id"]) == [None, "P9"]
    assert list(raw["event_date"]) == ["2025-03-03", "2025-03-07"]
    assert "cost" not in raw.columns
    out = validate_event_log(raw, str(path), key=KEY)
    assert out["pseudonym"].str.fullmatch("[0-9a-f]{64}").all()
    with pytest.raises(BadRowError, match="not a keyed pseudonym"):
        validate_event_log(read_ocel(path), str(path))  # raw ids are not pseudonyms


@pytest.mark.parametrize("tz", ["Pacific/Kiritimati", "America/Anchorage"])
def test_dates_do_not_shift_with_the_local_time_zone(log: pd.DataFrame, tmp_path: Path, tz: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is not available on this platform")
    monkeypatch.setenv("TZ", tz)
    time.tzset()
    try:
        small = log.head(60)
        want = {e: d.isoformat() for e, d in zip(small["event_id"], small["event_date"], strict=True)}
        for path in (write_ocel(small, tmp_path / "z.json"), write_ocel(small, tmp_path / "z.sqlite"),
                     write_xes(small, tmp_path / "z.xes")):
            back = read_xes(path) if path.suffix == ".xes" else read_ocel(path)
            assert dict(zip(back["event_id"], back["event_date"], strict=True)) == want, path.name
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


# -- XES ------------------------------------------------------------------------------------------
def test_xes_round_trip_keeps_events_per_case(log: pd.DataFrame, tmp_path: Path) -> None:
    path = write_xes(log, tmp_path / "log.xes")
    raw = read_xes(path)
    back = validate_event_log(raw, str(path))
    _same(back, log)  # KuVa's own XES keeps every column as event attributes
    per_case = back.groupby("pseudonym")["event_id"].apply(frozenset)
    assert per_case.equals(log.groupby("pseudonym")["event_id"].apply(frozenset))
    # within a trace the events run in date order
    assert raw.groupby("pseudonym", sort=False)["event_date"].apply(lambda s: s.is_monotonic_increasing).all()
    # pm4py's own reader sees one case per client and the activities
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module="pm4py")
        df = pm4py.read_xes(str(path), show_progress_bar=False)
    assert df["case:concept:name"].nunique() == log["pseudonym"].nunique() == 301
    assert df.groupby("case:concept:name").size().sort_index().tolist() == \
        log.groupby("pseudonym").size().sort_index().tolist()
    assert "nan" not in path.read_text(encoding="utf-8")  # missing values are left out, not written as nan


def test_xes_from_elsewhere_keeps_complete_events_only(tmp_path: Path) -> None:
    path = tmp_path / "other.xes"
    path.write_text("""<?xml version="1.0" encoding="UTF-8" ?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
  <trace><string key="concept:name" value="A-7"/>
    <event><string key="concept:name" value="registration"/>
      <date key="time:timestamp" value="2025-01-02T08:00:00.000+02:00"/>
      <string key="lifecycle:transition" value="complete"/><string key="municipality_code" value="KU049"/>
      <string key="org:resource" value="clerk 1"/></event>
    <event><string key="concept:name" value="service_start"/>
      <date key="time:timestamp" value="2025-02-03T09:00:00.000+02:00"/>
      <string key="lifecycle:transition" value="start"/><string key="service_type" value="VALMENNUS"/>
      <string key="municipality_code" value="KU049"/></event>
    <event><string key="concept:name" value="service_start"/>
      <date key="time:timestamp" value="2025-02-03T10:00:00.000+02:00"/>
      <string key="service_type" value="VALMENNUS"/><string key="municipality_code" value="KU049"/></event>
  </trace>
</log>
""", encoding="utf-8")
    raw = read_xes(path, client_column="client_id")
    assert list(raw["event_type"]) == ["registration", "service_start"]
    assert list(raw["event_date"]) == ["2025-01-02", "2025-02-03"]
    assert raw["event_id"].isna().all() and "org:resource" not in raw.columns
    out = validate_event_log(raw, str(path), key=KEY)  # ids derived from the content
    assert out["event_id"].str.startswith("h:").all()


# -- refusals -------------------------------------------------------------------------------------
def test_writers_refuse_what_cannot_leave_kuva(log: pd.DataFrame, tmp_path: Path) -> None:
    raw = template_frame()
    for write in (write_ocel, write_xes):
        suffix = ".json" if write is write_ocel else ".xes"
        with pytest.raises(KuvaInputError, match="client_id: validate it with validate_event_log"):
            write(raw, tmp_path / f"raw{suffix}")
        with pytest.raises(KuvaInputError, match="not a keyed pseudonym"):
            write(log.assign(pseudonym="A-1001"), tmp_path / f"raw{suffix}")
        with pytest.raises(KuvaInputError, match="appears twice"):
            write(log.assign(event_id="same"), tmp_path / f"dup{suffix}")
        with pytest.raises(KuvaInputError, match="no valid event_date"):
            write(log.assign(event_date="someday"), tmp_path / f"date{suffix}")
        with pytest.raises(KuvaInputError, match="lacks the column"):
            write(log.drop(columns="event_type"), tmp_path / f"cols{suffix}")
        with pytest.raises(KuvaInputError, match="does not exist"):
            write(log, tmp_path / "no" / f"where{suffix}")
    with pytest.raises(KuvaInputError, match=r"\.json/\.jsonocel .* or \.sqlite"):
        write_ocel(log, tmp_path / "log.xml")
    with pytest.raises(KuvaInputError, match=r"\.xes files"):
        write_xes(log, tmp_path / "log.json")
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_readers_refuse_bad_files_naming_them(tmp_path: Path) -> None:
    with pytest.raises(KuvaInputError, match="no such file"):
        read_ocel(tmp_path / "missing.json")
    with pytest.raises(KuvaInputError, match="no such file"):
        read_xes(tmp_path / "missing.xes")
    with pytest.raises(KuvaInputError, match=r"handles OCEL 2\.0"):
        read_ocel(tmp_path / "log.csv")
    bad = tmp_path / "broken.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(KuvaInputError, match=r"broken\.json: not a readable OCEL 2.0 JSON"):
        read_ocel(bad)
    notdb = tmp_path / "broken.sqlite"
    notdb.write_text("not a database", encoding="utf-8")
    with pytest.raises(KuvaInputError, match=r"broken\.sqlite: not a readable OCEL 2.0 SQLite"):
        read_ocel(notdb)
    badxes = tmp_path / "broken.xes"
    badxes.write_text("<log><trace>", encoding="utf-8")
    with pytest.raises(KuvaInputError, match=r"broken\.xes"):
        read_xes(badxes)
    empty = tmp_path / "empty.xes"
    empty.write_text('<?xml version="1.0"?><log xmlns="http://www.xes-standard.org/"></log>', encoding="utf-8")
    with pytest.raises(KuvaInputError, match=r"empty\.xes: the XES log has no events"):
        read_xes(empty)


def _foreign_ocel(path: Path, types: list[str]) -> Path:
    from pm4py.objects.ocel.obj import OCEL

    events = pd.DataFrame({"ocel:eid": ["o1", "o2"], "ocel:activity": ["registration", "initial_interview"],
                           "ocel:timestamp": pd.to_datetime(["2025-01-02", "2025-01-03"]).tz_localize("UTC")})
    rel = pd.DataFrame({"ocel:eid": ["o1", "o2"], "ocel:oid": ["x", "y"], "ocel:type": types,
                        "ocel:qualifier": ["q", "q"]})
    rel = rel.merge(events[["ocel:eid", "ocel:activity", "ocel:timestamp"]], on="ocel:eid")
    ocel = OCEL(events=events, objects=rel.drop_duplicates("ocel:oid")[["ocel:oid", "ocel:type"]], relations=rel)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module="pm4py")
        if path.suffix == ".sqlite":
            pm4py.write_ocel2_sqlite(ocel, str(path))
        else:
            pm4py.write_ocel2_json(ocel, str(path))
    return path


@pytest.mark.parametrize("suffix", [".json", ".sqlite"])
def test_an_ocel_without_clients_is_refused(tmp_path: Path, suffix: str) -> None:
    path = _foreign_ocel(tmp_path / f"orders{suffix}", ["order", "order"])
    with pytest.raises(KuvaInputError, match=rf"orders\{suffix}: the OCEL has no objects of type 'client'"):
        read_ocel(path)
    path = _foreign_ocel(tmp_path / f"half{suffix}", ["client", "order"])
    with pytest.raises(KuvaInputError, match=rf"half\{suffix}: event 'o2' relates to no client object"):
        read_ocel(path)


def test_an_event_with_two_clients_or_plans_is_refused(log: pd.DataFrame) -> None:
    ocel = to_ocel(log.head(20))
    extra = ocel.relations[ocel.relations["ocel:type"] == "client"].head(1).assign(**{"ocel:oid": "f" * 64})
    ocel.relations = pd.concat([ocel.relations, extra], ignore_index=True)
    with pytest.raises(KuvaInputError, match=r"event 'e1' relates to more than one client object"):
        from_ocel(ocel, "two.json")


def test_unknown_activity_is_named_by_the_validator(log: pd.DataFrame, tmp_path: Path) -> None:
    path = write_ocel(log.head(10).assign(event_type="coffee"), tmp_path / "odd.json")
    with pytest.raises(BadRowError, match=r"odd\.json, row 2.*event_type"):
        validate_event_log(read_ocel(path), str(path))


def test_missing_pm4py_gives_the_install_hint(log: pd.DataFrame, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pm4py", None)  # import pm4py now raises ImportError
    with pytest.raises(KuvaConfigError, match=r"pip install kuva\[process-mining\]"):
        write_ocel(log, tmp_path / "log.json")
    (tmp_path / "log.xes").write_text("<log/>", encoding="utf-8")
    with pytest.raises(KuvaConfigError, match="AGPL"):
        read_xes(tmp_path / "log.xes")
    assert not (tmp_path / "log.json").exists()


@pytest.mark.slow
def test_pm4py_stays_silent(log: pd.DataFrame, tmp_path: Path) -> None:
    """A script exporting and importing all three formats prints nothing: no pm4py banner, no
    progress bars, no advice to install faster backends."""
    log.to_parquet(tmp_path / "log.parquet")
    script = tmp_path / "run.py"
    script.write_text(
        "import sys, pandas as pd\n"
        "from kuva.process.ocel import write_ocel, read_ocel, write_xes, read_xes\n"
        f"log = pd.read_parquet({str(tmp_path / 'log.parquet')!r})\n"
        f"read_ocel(write_ocel(log, {str(tmp_path / 'a.json')!r}))\n"
        f"read_ocel(write_ocel(log, {str(tmp_path / 'a.sqlite')!r}))\n"
        f"read_xes(write_xes(log, {str(tmp_path / 'a.xes')!r}))\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PM4PY_")}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == ""
