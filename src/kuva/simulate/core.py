"""The whole synthetic data set as pure frames (no warehouse), reproducible from one seed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kuva.errors import KuvaInputError
from kuva.simulate.background import simulate_background
from kuva.simulate.effects import DEMO_EFFECTS, EffectSpec
from kuva.simulate.panel import Panel, simulate_panel
from kuva.simulate.persons import Persons, simulate_persons
from kuva.simulate.profile import build_profile

MIN_SCALE, MAX_SCALE = 1e-4, 1.0


@dataclass(frozen=True)
class SyntheticData:
    """Every synthetic frame in warehouse shape, with the planted truth.

    ``panel`` and ``background`` follow the observation contract
    (:mod:`kuva.warehouse.validate`); ``events`` and ``answers`` the person-level contract
    (:mod:`kuva.warehouse.persons`); ``truth`` has the columns of ``synthetic_truth`` except
    ``load_id`` (name, area_code, period, value, note).
    """

    seed: int
    scale: float
    years: tuple[int, int]
    effects: EffectSpec
    panel: pd.DataFrame
    background: pd.DataFrame
    events: pd.DataFrame
    answers: pd.DataFrame
    truth: pd.DataFrame
    n_persons: int
    panel_state: Panel
    persons_state: Persons


def _check(scale: float, seed: int) -> None:
    if not (MIN_SCALE <= scale <= MAX_SCALE):
        raise KuvaInputError(f"scale must be within {MIN_SCALE}…{MAX_SCALE} (1 = whole country), got {scale}")
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise KuvaInputError(f"seed must be a non-negative whole number, got {seed!r}")


def simulate_panel_frames(*, seed: int, effects: EffectSpec = DEMO_EFFECTS,
                          years: tuple[int, int] = (2017, 2024)) -> tuple[Panel, pd.DataFrame]:
    """Only the municipal panel and the background measures (fast; independent of scale)."""
    _check(1.0, seed)
    ss = np.random.SeedSequence(seed).spawn(4)
    profile = build_profile(np.random.default_rng(ss[0]))
    panel = simulate_panel(np.random.default_rng(ss[1]), profile, effects, years)
    background = simulate_background(np.random.default_rng(ss[2]), profile, panel)
    return panel, background


def simulate(*, scale: float, seed: int, effects: EffectSpec = DEMO_EFFECTS,
             years: tuple[int, int] = (2017, 2024)) -> SyntheticData:
    """Simulate everything. The panel and background do not depend on ``scale``; the person
    level has ``scale`` persons per panel person (1.0 = the whole country)."""
    _check(scale, seed)
    panel, background = simulate_panel_frames(seed=seed, effects=effects, years=years)
    ss = np.random.SeedSequence(seed).spawn(4)
    persons = simulate_persons(np.random.default_rng(ss[3]), panel, effects, scale, seed)
    spec = pd.DataFrame({
        "name": [f"spec:{k}" for k in effects.as_dict()] + ["seed"],
        "area_code": "", "period": None,
        "value": [_num(v) for v in effects.as_dict().values()] + [float(seed)],
        "note": [str(v) for v in effects.as_dict().values()] + ["random seed of the simulation"],
    })
    truth = pd.concat([panel.truth, persons.truth, spec], ignore_index=True)
    truth = truth[truth["value"].notna()].reset_index(drop=True)
    return SyntheticData(seed, scale, years, effects, panel.frame, background, persons.events, persons.answers,
                         truth, persons.n_persons, panel, persons)


def _num(v: object) -> float:
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, int | float):
        return float(v)
    return 0.0  # non-numeric settings (dates, mappings): the text is in the note
