"""The inflow-cohort DiD (kuva.evaluate.cohort) against a hand computation and against the
process simulator's planted pilot effect (its truth holds every pilot client's exit with and
without the effect, so the effect on "exit to work within 180 days" is known exactly)."""

from __future__ import annotations

import tempfile
import warnings
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kuva.errors import KuvaInputError
from kuva.evaluate.cohort import cohort_did, cohort_event_study
from kuva.process.outcomes import inflow_cohorts, pilot_cohorts, pilot_effect_on_exits
from kuva.registry import area_registry
from kuva.simulate.process import ProcessParams, simulate_event_log, stored_frame
from kuva.warehouse import SourceInfo, Warehouse
from kuva.warehouse.persons import load_process_events
from kuva.warehouse.reference import stored_memberships

H = 180
START = date(2021, 3, 1)


def test_two_groups_two_periods_is_the_difference_of_differences() -> None:
    """With one group of each kind and one cohort before and after, the estimate is
    (ȳ_T,post − ȳ_T,pre) − (ȳ_C,post − ȳ_C,pre), whatever the cell sizes."""
    rng = np.random.default_rng(4)
    rows = []
    for g, treated in (("a", True), ("b", False), ("c", False), ("d", True)):
        for c, n in ((date(2020, 6, 1), 40), (date(2021, 6, 1), 70)):
            rows += [(g, c, treated, float(v)) for v in rng.integers(0, 2, n)]
    f = pd.DataFrame(rows, columns=["g", "c", "t", "y"])
    r = cohort_did(f, group="g", cohort="c", outcome="y", treated="t", start=START, bootstrap_reps=0)
    # with equal cell sizes per group the FE estimate is the DiD of group-cohort means averaged
    m = f.groupby(["t", "c"])["y"].mean()
    post, pre = date(2021, 6, 1), date(2020, 6, 1)
    expected = (m[(True, post)] - m[(True, pre)]) - (m[(False, post)] - m[(False, pre)])
    assert r.estimate == pytest.approx(expected, abs=1e-12)
    assert (r.n_clusters, r.n_treated_clusters, r.n_obs) == (4, 2, len(f))
    assert list(r.tidy().columns[:3]) == ["term", "estimate", "std_error"]


def test_a_person_alone_in_a_municipality_is_left_out_as_fixest_does() -> None:
    """A municipality with one client (a small one, when clients follow the population) has a
    fixed effect that fits that client exactly: dropped before the fit (no pyfixest singleton
    warning), it changes neither the estimate nor the count of clusters."""
    rng = np.random.default_rng(5)
    rows = [(g, c, t, float(v)) for g, t in (("a", True), ("b", False), ("c", False), ("d", True))
            for c in (date(2020, 6, 1), date(2021, 6, 1)) for v in rng.integers(0, 2, 30)]
    f = pd.DataFrame(rows, columns=["g", "c", "t", "y"])
    # first in the frame: its group code sits before the others'
    alone = pd.concat([pd.DataFrame([("e", date(2021, 6, 1), True, 1.0)], columns=f.columns), f],
                      ignore_index=True)
    want = cohort_did(f, group="g", cohort="c", outcome="y", treated="t", start=START, bootstrap_reps=99, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the dropped group leaves no empty group behind (a 0/0 in the bootstrap)
        got = cohort_did(alone, group="g", cohort="c", outcome="y", treated="t", start=START,
                         bootstrap_reps=99, seed=1)
    assert got.estimate == pytest.approx(want.estimate, abs=1e-12)
    assert got.std_error == pytest.approx(want.std_error, abs=1e-12)
    assert (got.n_clusters, got.n_obs) == (4, len(f))
    assert got.bootstrap is not None and want.bootstrap is not None
    assert got.bootstrap.p_value == want.bootstrap.p_value


def test_the_event_study_recovers_a_noise_free_path_exactly() -> None:
    """y = group effect + cohort effect + a planted path δ(period) for the treated groups, no
    noise: each quarter's coefficient is δ(period) − δ(−1), the pooled end bins included."""
    start = date(2021, 3, 1)
    delta = {-4: 0.0, -3: 0.0, -2: 0.0, -1: 0.0, 0: 0.05, 1: 0.10, 2: 0.12, 3: 0.15}
    rows = []
    for gi, g in enumerate("abcdefgh"):
        treated = gi % 2 == 0
        for k in range(-18, 15):  # cohorts 9/2019 … 5/2022
            c = date(2021 + (2 + k) // 12, (2 + k) % 12 + 1, 1)
            e = max(-4, min(3, k // 3))
            y = 0.1 * gi + 0.01 * k + (delta[e] if treated else 0.0)
            rows += [(g, c, treated, y)] * 3
    f = pd.DataFrame(rows, columns=["g", "c", "t", "y"])
    r = cohort_event_study(f, group="g", cohort="c", outcome="y", treated="t", start=start, leads=4, lags=3)
    assert r.event_times.tolist() == [-4, -3, -2, 0, 1, 2, 3]
    np.testing.assert_allclose(r.coefficients, [delta[e] for e in r.event_times], atol=1e-10)
    assert r.estimate == pytest.approx(np.mean([0.05, 0.10, 0.12, 0.15]), abs=1e-10)
    assert r.pretrend.df == 3
    with pytest.raises(KuvaInputError, match="leads"):
        cohort_event_study(f, group="g", cohort="c", outcome="y", treated="t", start=start, leads=1)


def test_bad_input_is_refused() -> None:
    f = pd.DataFrame({"g": ["a", "a", "b", "b"], "c": [date(2020, 1, 1), date(2022, 1, 1)] * 2,
                      "t": [True, True, False, False], "y": [0, 1, 0, 0]})
    with pytest.raises(KuvaInputError, match=r"column\(s\) \['nope'\]"):
        cohort_did(f, group="g", cohort="c", outcome="nope", treated="t", start=START)
    with pytest.raises(KuvaInputError, match="constant within"):
        cohort_did(f.assign(t=[True, False, False, False]), group="g", cohort="c", outcome="y", treated="t",
                   start=START)
    with pytest.raises(KuvaInputError, match="no cohorts before the start"):
        cohort_did(f, group="g", cohort="c", outcome="y", treated="t", start=date(2019, 1, 1))
    with pytest.raises(KuvaInputError, match="numeric"):
        cohort_did(f.assign(y=["x", 1, 0, 0]), group="g", cohort="c", outcome="y", treated="t", start=START)


def test_cohorts_after_the_pilots_end_are_left_out(tmp_path: Path) -> None:
    """From 2025 every municipality runs the services: the pilot design stops at the cohorts of
    12/2024 (the stored pilot list's end), the generic inflow cohorts do not."""
    with Warehouse(tmp_path / "w.duckdb") as wh:
        sim = simulate_event_log(["KU091", "KU205", "KU049"], clients=600, start=date(2024, 7, 1), months=12, seed=3)
        load_process_events(wh, stored_frame(sim), SourceInfo("synthetic:process", "synthetic", "t", "t", "none",
                                                              True, "sim", datetime(2025, 1, 1)))
        every = inflow_cohorts(wh, horizon_days=H)
        pilot = pilot_cohorts(wh, horizon_days=H)
    assert max(every["cohort"]) >= date(2025, 1, 1) > max(pilot["cohort"])
    assert len(pilot) == int((every["cohort"] < date(2025, 1, 1)).sum())


@pytest.fixture(scope="module", params=[1.5, 1.0], ids=["planted", "none"])
def world(request: pytest.FixtureRequest) -> Iterator[tuple[float, Path, pd.DataFrame]]:
    """30,000 clients of the mainland municipalities registering 3/2019–2/2023; those of the
    stored pilot municipalities from 3/2021 on exit ``hr`` times as fast."""
    hr = float(request.param)
    munis = [m.code for m in area_registry().municipalities(mainland_only=True)]
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "w.duckdb"
        with Warehouse(path) as wh:
            pilots = sorted(set(stored_memberships(wh)["municipality_code"]))
            sim = simulate_event_log(munis, clients=30_000, start=date(2019, 3, 4), months=48, seed=71,
                                     params=ProcessParams(pilot_exit_hr=hr), pilot_municipalities=pilots)
            source = SourceInfo("synthetic:process", "synthetic", "t", "t", "none", True, "sim",
                                datetime(2025, 1, 1))
            load_process_events(wh, stored_frame(sim), source)
        yield hr, path, sim.truth


def _within(exit_day: object, reg: date, to_work: bool) -> bool:
    return isinstance(exit_day, date) and (exit_day - reg).days <= H and to_work


def test_the_cohorts_are_the_planted_exits(world: tuple[float, Path, pd.DataFrame]) -> None:
    """Every followed spell's outcome is the simulator's: exit to work within 180 days."""
    _, path, truth = world
    with Warehouse(path, read_only=True) as wh:
        got = inflow_cohorts(wh, horizon_days=H)
    last = max(x for x in truth["exit"] if isinstance(x, date))
    followed = truth[[r + timedelta(days=H) <= last for r in truth["registration"]]]
    expected = [_within(x, r, w) for x, r, w in zip(followed["exit"], followed["registration"],
                                                     followed["exit_to_work"], strict=True)]
    assert len(got) == len(followed) and int(got["exited"].sum()) == sum(expected)
    assert set(got.loc[got["pilot"], "municipality_code"]) <= set(truth.loc[truth["piloted"], "municipality_code"])


def test_the_planted_pilot_effect_is_recovered(world: tuple[float, Path, pd.DataFrame]) -> None:
    """The estimate is within four standard errors of the effect on the treated cohorts (the
    mean of each pilot client's outcome with the effect minus without it); with no planted
    effect that mean is exactly zero."""
    hr, path, truth = world
    with Warehouse(path, read_only=True) as wh:
        r = pilot_effect_on_exits(wh, horizon_days=H, reps=199, seed=1)
    t = truth[truth["piloted"]]
    with_ = [_within(x, g, w) for x, g, w in zip(t["exit"], t["registration"], t["exit_to_work"], strict=True)]
    without = [_within(x, g, w) for x, g, w in zip(t["exit_without_pilot"], t["registration"], t["exit_to_work"],
                                                    strict=True)]
    effect = float(np.mean(with_) - np.mean(without))
    if hr == 1.0:
        assert effect == 0.0
    else:
        assert effect > 0.05
    assert abs(r.estimate - effect) < 4 * r.std_error, (r.estimate, effect, r.std_error)
    assert 0.005 < r.std_error < 0.03 and r.n_clusters > 250 and r.n_treated_clusters > 100
    assert r.bootstrap is not None and r.bootstrap.ci_low < r.estimate < r.bootstrap.ci_high


def test_the_event_study_shows_no_pretrend_and_the_planted_effect(world: tuple[float, Path, pd.DataFrame]) -> None:
    """By cohort quarter: before 3/2021 every coefficient is within four standard errors of zero
    (the simulator plants no difference there); from then on their mean is within four standard
    errors of the planted effect."""
    _, path, truth = world
    with Warehouse(path, read_only=True) as wh:
        frame = inflow_cohorts(wh, horizon_days=H)
    r = cohort_event_study(frame, group="municipality_code", cohort="cohort", outcome="exited", treated="pilot",
                           start=START, leads=4, lags=4)
    pre = r.event_times < 0
    assert (np.abs(r.coefficients[pre]) < 4 * r.std_errors[pre]).all(), r.coefficients_frame()
    t = truth[truth["piloted"]]
    effect = float(np.mean([_within(x, g, w) for x, g, w in zip(t["exit"], t["registration"], t["exit_to_work"],
                                                                 strict=True)])
                   - np.mean([_within(x, g, w) for x, g, w in zip(t["exit_without_pilot"], t["registration"],
                                                                   t["exit_to_work"], strict=True)]))
    assert abs(r.estimate - effect) < 4 * r.std_error, (r.estimate, effect, r.std_error)
    assert 0 <= r.pretrend.p_value_f <= 1 and r.pretrend.df == 3


@pytest.mark.parametrize("world", [1.5], indirect=True, ids=["planted"])  # one world is enough for the CLI
def test_kuva_evaluate_level_person_prints_the_cohort_did(world: tuple[float, Path, pd.DataFrame]) -> None:
    from typer.testing import CliRunner

    from kuva.cli import app

    _, path, _ = world
    r = CliRunner().invoke(app, ["--warehouse", str(path), "evaluate", "--level", "person"])
    assert r.exit_code == 0, r.stderr
    line = r.stdout.split("Pilot municipalities vs others, exit to work within 180 days of registering")[1]
    assert "(DiD of inflow cohorts before and from 03/2021)" in line and "wild cluster bootstrap" in line
    with Warehouse(path, read_only=True) as wh:
        est = pilot_effect_on_exits(wh, horizon_days=H, reps=0)
    assert f"{100 * est.estimate:+.1f} percentage points" in line
    assert ("Pre-trend test by cohort quarter (the 3 quarters before 03/2021 against the last one, jointly): F = "
            in line)


@pytest.mark.parametrize("world", [1.5], indirect=True, ids=["planted"])
def test_the_api_gives_the_same_estimate(world: tuple[float, Path, pd.DataFrame], tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """GET /api/v1/effects/pilot on a real server: the estimate of pilot_effect_on_exits, the
    pre-trend test and the quarters; refused without an analyst key."""
    import httpx

    from kuva.web.app import create_app
    from tests.web.conftest import ANALYST_KEY, running

    _, path, _ = world
    monkeypatch.setenv("KUVA_API_KEYS", f"{ANALYST_KEY}:analyst")
    with Warehouse(path, read_only=True) as wh:
        est = pilot_effect_on_exits(wh, horizon_days=H, reps=0)
    with running(create_app(path, audit_log=tmp_path / "audit.jsonl")) as base:
        body = httpx.get(f"{base}/api/v1/effects/pilot", headers={"X-KuVa-Key": ANALYST_KEY}, timeout=120).json()
        assert httpx.get(f"{base}/api/v1/effects/pilot", timeout=120).status_code == 403
    assert body["estimable"] and not body["hidden"] and body["synthetic"]
    assert body["estimate"] == pytest.approx(est.estimate, abs=1e-12)
    assert body["wcr_ci_low"] < body["estimate"] < body["wcr_ci_high"]
    assert body["pretrend"]["df"] == 3 and [q["quarter"] for q in body["quarters"]] == [-4, -3, -2, 0, 1, 2, 3, 4]
