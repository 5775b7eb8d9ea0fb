"""Writing a simulation into the warehouse, and reading the planted truth back.

Synthetic rows never share a ``source_id`` with real data: ``synthetic:panel`` (municipal
monthly panel and follow-up), ``synthetic:background`` (annual background measures),
``synthetic:events`` (service events), ``synthetic:kykyviisari`` (survey answers). Every source
row has ``kind = "synthetic"``, ``synthetic = true`` and a title starting with "SYNTHETIC".
The panel never emits a key that real bundled data hold (see :mod:`kuva.simulate.panel`).

The planted truth is written to ``synthetic_truth`` inside the panel's load transaction
(through the loader's ``before_commit`` hook), tagged with the panel's latest ``load_id``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kuva.simulate.core import SyntheticData, simulate
from kuva.simulate.effects import DEMO_EFFECTS, EffectSpec
from kuva.warehouse import LoadReport, SourceInfo, Warehouse, load_observations
from kuva.warehouse.connection import utcnow
from kuva.warehouse.persons import load_service_events, load_survey_answers
from kuva.warehouse.truth import read_truth, write_truth

SOURCE_IDS = {
    "panel": "synthetic:panel",
    "background": "synthetic:background",
    "events": "synthetic:events",
    "kykyviisari": "synthetic:kykyviisari",
}
TITLES = {
    "panel": "SYNTHETIC municipal employment-service panel (calibrated to StatFin 12u4/12u5/12ur–12ux)",
    "background": "SYNTHETIC annual municipal background measures",
    "events": "SYNTHETIC person-level service events",
    "kykyviisari": "SYNTHETIC Kykyviisari answers",
}
Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class SimulationReport:
    """What :func:`simulate_into` did."""

    seed: int
    scale: float
    years: tuple[int, int]
    n_persons: int
    loads: dict[str, LoadReport]
    truth_rows: int
    parquet_files: tuple[Path, ...]
    seconds: float


def source_info(part: str, *, seed: int, scale: float, effects: EffectSpec, years: tuple[int, int]) -> SourceInfo:
    """The provenance of one synthetic part (``panel``, ``background``, ``events``, ``kykyviisari``)."""
    query = json.dumps({"seed": seed, "scale": scale, "years": list(years), "effects": effects.as_dict()},
                       sort_keys=True, default=str)
    return SourceInfo(
        source_id=SOURCE_IDS[part], kind="synthetic", title=TITLES[part], publisher="KuVa simulator (kuva.simulate)",
        license="CC BY 4.0 (calibration data: Statistics Finland)", synthetic=True,
        location=f"kuva.simulate seed={seed} scale={scale} years={years[0]}-{years[1]}", vintage=utcnow(),
        query=query,
    )


def simulate_into(wh: Warehouse, *, scale: float, seed: int, effects: EffectSpec = DEMO_EFFECTS,
                  years: tuple[int, int] = (2017, 2024), parquet_dir: Path | None = None,
                  progress: Progress | None = None) -> SimulationReport:
    """Simulate and store everything: panel + truth (one transaction), background, events,
    Kykyviisari answers (one transaction each). Optionally also write Parquet files."""
    t0 = time.perf_counter()

    def step(name: str, frac: float) -> None:
        if progress is not None:
            progress(name, frac)

    step("simulating", 0.0)
    data = simulate(scale=scale, seed=seed, effects=effects, years=years)
    info = {p: source_info(p, seed=seed, scale=scale, effects=effects, years=years) for p in SOURCE_IDS}
    truth = data.truth
    written: list[int] = []

    def attach_truth() -> None:
        written.append(write_truth(wh, SOURCE_IDS["panel"], truth))

    step("loading panel", 0.3)
    loads = {"panel": load_observations(wh, data.panel, info["panel"], before_commit=attach_truth)}
    step("loading background", 0.5)
    loads["background"] = load_observations(wh, data.background, info["background"])
    step("loading service events", 0.6)
    loads["events"] = load_service_events(wh, data.events, info["events"], replace_source=True)
    step("loading Kykyviisari answers", 0.85)
    loads["kykyviisari"] = load_survey_answers(wh, data.answers, info["kykyviisari"], replace_source=True)
    files = write_parquet(data, parquet_dir) if parquet_dir is not None else ()
    step("done", 1.0)
    return SimulationReport(seed, scale, years, data.n_persons, loads, written[0] if written else 0, files,
                            time.perf_counter() - t0)


def write_parquet(data: SyntheticData, folder: Path) -> tuple[Path, ...]:
    """Write every frame as Parquet (``panel``, ``background``, ``events``, ``kykyviisari``,
    ``truth``); file names say SYNTHETIC."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, frame in (("panel", data.panel), ("background", data.background), ("events", data.events),
                        ("kykyviisari", data.answers), ("truth", data.truth)):
        path = folder / f"synthetic_{name}_seed{data.seed}.parquet"
        frame.to_parquet(path, index=False)
        out.append(path)
    return tuple(out)


def planted_truth(wh: Warehouse, load_id: int | None = None) -> pd.DataFrame:
    """The planted truth of the latest synthetic panel load (or of ``load_id``): columns
    ``load_id, name, area_code, period, value, note``. Empty if nothing was simulated."""
    return read_truth(wh, SOURCE_IDS["panel"], load_id)
