"""Person identity across paths: returning jobseekers keep their pseudonym, never have two
open spells, and the number of paths per person is near the calibration target."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kuva.privacy.pseudonym import pseudonymise
from kuva.simulate import SyntheticData, simulate
from kuva.simulate.persons import PATHS_PER_PERSON, synthetic_key
from kuva.simulate.spells import link_returns

SCALE = 0.002
SEED = 5
#: paths per person at a small scale: the target ± this (measured 2.43 … 2.48 at 0.0005 … 0.2)
RATIO_BAND = 0.15


@pytest.fixture(scope="module")
def data() -> SyntheticData:
    return simulate(scale=SCALE, seed=SEED)


def _sorted_spells(data: SyntheticData) -> pd.DataFrame:
    return data.persons_state.spells.sort_values(["person", "start", "end"], kind="mergesort")


def test_no_person_has_overlapping_spells(data: SyntheticData) -> None:
    sp = _sorted_spells(data)
    same = sp["person"].to_numpy()[1:] == sp["person"].to_numpy()[:-1]
    gap = sp["start"].to_numpy()[1:] - sp["end"].to_numpy()[:-1]
    assert same.any()
    assert (gap[same] >= 0).all()  # half-open [start, end): the next spell starts when or after one ends
    assert (sp["start"] < sp["end"]).all()


def test_one_open_spell_per_person_at_every_month_end(data: SyntheticData) -> None:
    sp = data.persons_state.spells
    months = data.panel_state.months
    ends = (np.array([np.datetime64(m.strftime("%Y-%m"), "M") for m in months]) + 1).astype("datetime64[D]")
    for me in ends.astype(np.int64) - 1:
        open_ = sp[(sp["start"] <= me) & (sp["end"] > me)]
        assert open_["person"].is_unique
    last = sp[sp["end"] > int(ends[-1].astype(np.int64)) - 1]  # still open at the end of the window
    assert last["person"].is_unique


def test_spells_reproduce_unemployed_targets(data: SyntheticData) -> None:
    """Linking paths into persons does not move any spell: the month-end stocks of the spell
    table equal the (exactly met) person-level targets."""
    sp = data.persons_state.spells
    u = sp[sp["kind"] == -1]
    months = data.panel_state.months
    first = np.array([np.datetime64(m.strftime("%Y-%m"), "M") for m in months]).astype("datetime64[D]")
    me = np.append(first[1:], (first[-1].astype("datetime64[M]") + 1).astype("datetime64[D]")).astype(np.int64) - 1
    targets = data.persons_state.unemployed_targets
    stock = np.zeros_like(targets)
    for t, day in enumerate(me):
        o = u[(u["start"] <= day) & (u["end"] > day)]
        stock[:, t] = np.bincount(o["municipality"].to_numpy(), minlength=targets.shape[0])
    np.testing.assert_array_equal(stock, targets)


def test_paths_per_person_near_target(data: SyntheticData) -> None:
    ps = data.persons_state
    ratio = ps.n_paths / ps.n_persons
    assert abs(ratio - PATHS_PER_PERSON) < RATIO_BAND, ratio
    assert ps.n_persons == data.events["pseudonym"].nunique() == ps.spells["person"].nunique()
    # skewed: most persons have one or two paths, some many
    sp = _sorted_spells(data)
    same = sp["person"].to_numpy()[1:] == sp["person"].to_numpy()[:-1]
    returns = same & (sp["start"].to_numpy()[1:] > sp["end"].to_numpy()[:-1])
    paths = 1 + np.bincount(sp["person"].to_numpy()[1:][returns], minlength=ps.n_persons)
    assert paths.sum() == ps.n_paths
    assert 0.5 < float(np.mean(paths <= 2)) < 0.75
    assert paths.max() >= 6


def test_same_person_same_pseudonym_across_spells(data: SyntheticData) -> None:
    """Every service spell starting inside the window has a service_start event under the
    pseudonym of its person: counts per pseudonym agree."""
    sp = data.persons_state.spells
    lo = np.datetime64(data.panel_state.months[0].strftime("%Y-%m-%d"), "D").astype(np.int64)
    s = sp[(sp["kind"] >= 0) & (sp["start"] >= lo)]
    key = synthetic_key(SEED)
    per_person = s.groupby("person").size()
    expected = pd.Series(per_person.to_numpy(), index=[pseudonymise(str(p), key) for p in per_person.index])
    ev = data.events
    got = ev[ev["event_type"] == "service_start"]["pseudonym"].astype(str).value_counts()
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(), check_names=False)
    assert (per_person > 1).any()


def test_events_ordered_and_returns_follow_an_exit(data: SyntheticData) -> None:
    ev = data.events
    code = ev["pseudonym"].cat.codes.to_numpy()
    day = ev["event_date"].to_numpy()
    assert (np.diff(code) >= 0).all()
    same = code[1:] == code[:-1]
    assert (day[1:][same] >= day[:-1][same]).all()
    # a returning person registers again, after the exit from the previous path
    e = pd.DataFrame({"p": code, "reg": (ev["event_type"] == "registration").to_numpy(),
                      "exit": (ev["event_type"] == "exit").to_numpy()})
    regs_before = e.groupby("p")["reg"].cumsum() - e["reg"]
    exits_before = e.groupby("p")["exit"].cumsum() - e["exit"]
    assert (exits_before[e["reg"]] >= regs_before[e["reg"]]).all()
    assert (regs_before[e["reg"]] > 0).any()


def test_kykyviisari_answers_keyed_by_person(data: SyntheticData) -> None:
    a, ev = data.answers, data.events
    starts = set(ev[ev["event_type"] == "service_start"]["pseudonym"].astype(str))
    assert set(a["pseudonym"]) <= starts


def test_same_seed_same_persons(data: SyntheticData) -> None:
    again = simulate(scale=SCALE, seed=SEED)
    pd.testing.assert_frame_equal(data.persons_state.spells, again.persons_state.spells)
    pd.testing.assert_frame_equal(data.events, again.events)
    pd.testing.assert_frame_equal(data.answers, again.answers)
    assert (again.n_persons, again.persons_state.n_paths) == (data.n_persons, data.persons_state.n_paths)
    other = simulate(scale=SCALE, seed=SEED + 1)
    assert not other.persons_state.spells["person"].equals(data.persons_state.spells["person"])


def test_link_returns_small() -> None:
    """Hand-made paths: a returner takes the earlier person whose exit is recent enough, in
    its own cell, never one still open or one who exited less than min_gap months before."""
    start = np.array([0, 0, 1, 5, 5, 6])
    end = np.array([2, 9, 3, 7, 9, 9])
    cell = np.array([0, 1, 0, 0, 1, 0])
    prev = link_returns(start, end, cell, cell, 2, 10, np.random.default_rng(1), share=1.0, decay=0.1,
                        move_share=0.0, min_gap=2)
    # path 3 (cell 0, month 5): pool of cell 0 at month 5 = paths 0 (ended 2) and 2 (ended 3)
    assert prev[3] in (0, 2)
    # path 4 (cell 1, month 5): cell 1 has nobody (path 1 is open): moves from cell 0's pool
    assert prev[4] in (0, 2) and prev[4] != prev[3]
    # path 5 (month 6): paths 0 and 2 are taken, path 3 ended in 7: nobody left
    assert prev[5] == -1
    assert prev[0] == prev[1] == prev[2] == -1
