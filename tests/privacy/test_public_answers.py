"""An answer of public figures passes unchanged without the engine (``kuva query``'s fast path),
exactly when the engine would return it unchanged — checked against the engine itself."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from kuva.errors import KuvaInputError
from kuva.privacy.observations import pass_public_records, protect_observations, related_measures
from kuva.privacy.policy import DisclosurePolicy, policy
from kuva.warehouse import SourceInfo, Warehouse, load_observations
from kuva.warehouse.query import OBSERVATION_COLUMNS, observation_records, source_sensitivity

from .conftest import SERVICES

STATFIN = SourceInfo("statfin:12u4", "statfin-bundled", "12u4", "Statistics Finland", "CC BY 4.0", False, "12u4.csv",
                     datetime(2024, 1, 1))
OWN = SourceInfo("municipality:own", "user-file", "Own counts", "Municipality", "internal", False, "own.csv",
                 datetime(2024, 2, 1))


def both(wh: Warehouse, measures: list[str], pol: DisclosurePolicy, **kw: object
         ) -> tuple[list[dict[str, object]] | None, pd.DataFrame]:
    """The fast path's answer (None when it declines) and the engine's frame, for the same rows."""
    rows = observation_records(wh, measures, **kw)  # type: ignore[arg-type]
    extra = sorted(related_measures(measures) - {m.upper() for m in measures})
    context = observation_records(wh, extra, **kw) if extra else []  # type: ignore[arg-type]
    sens = source_sensitivity(wh)
    fast = pass_public_records(rows, pol, sensitivity=sens, context=context)
    cols = list(OBSERVATION_COLUMNS)
    engine = protect_observations(pd.DataFrame(rows, columns=cols), pol, sensitivity=sens,
                                  context=pd.DataFrame(context, columns=cols) if context else None).frame
    return fast, engine


def assert_same(fast: list[dict[str, object]], engine: pd.DataFrame) -> None:
    assert len(fast) == len(engine)
    assert [r["suppressed"] for r in fast] == engine["suppressed"].tolist()
    values = [float("nan") if r["value"] is None else r["value"] for r in fast]  # NULL in SQL, NaN in pandas
    assert values == pytest.approx(engine["value"].tolist(), abs=0, nan_ok=True)
    assert [r["measure"] for r in fast] == engine["measure"].tolist()


@pytest.mark.parametrize("rounding", [0, 5])
def test_public_answers_of_the_bundled_data_equal_the_engines(bundled_wh: Warehouse, rounding: int) -> None:
    taken = 0
    for measures in (["TYOTTOMATLOPUSSA"], ["AKTASTE"], ["PALVELUISSAYHTEENSA", *SERVICES[:3]],
                     ["VALMTOIMPOSUUS_TAJO", "VALMPAATTYNYT_TAJO"], ["TYOTTOMATLOPUSSA", "AKTASTE"]):
        for areas in (["SSS"], ["KU091", "KU049", "SSS"]):  # the bundled services are national
            fast, engine = both(bundled_wh, measures, policy(5, rounding=rounding), areas=areas,
                                start=date(2020, 1, 1), end=date(2021, 12, 1), breakdown=None)
            assert not engine.empty
            if fast is not None:
                assert_same(fast, engine)
                taken += 1
    assert taken >= 8  # all public: declined only for a share whose counts are missing under rounding


@pytest.fixture
def mixed(tmp_path: Path) -> Iterator[Warehouse]:
    """Public StatFin figures for a month, and a municipality's own (confidential) small service
    counts for the same month."""
    services = dict(zip(SERVICES, [1.0, 0.0, 2.0, 0.0, 0.0, 0.0, 1.0], strict=True))
    own = pd.DataFrame({"measure": [*services, "PALVELUISSAYHTEENSA"],
                        "value": [*services.values(), sum(services.values())]})
    public = pd.DataFrame({"measure": ["TYOTTOMATLOPUSSA", "AKTASTE"], "value": [400.0, 100 * 4 / 404]})
    with Warehouse(tmp_path / "k.duckdb") as wh:
        for frame, src in ((own, OWN), (public, STATFIN)):
            load_observations(wh, frame.assign(area_code="KU005", period=pd.Timestamp("2023-09-01")), src)
        yield wh


def test_a_public_count_passes_beside_confidential_context(mixed: Warehouse) -> None:
    fast, engine = both(mixed, ["TYOTTOMATLOPUSSA"], policy(5))
    assert fast is not None
    assert_same(fast, engine)


def test_a_public_share_of_confidential_counts_goes_to_the_engine(mixed: Warehouse) -> None:
    fast, engine = both(mixed, ["AKTASTE"], policy(5))
    assert fast is None
    assert engine["suppressed"].tolist() == [True]  # its numerator, 4 persons in services, is hidden


def test_a_confidential_row_goes_to_the_engine(mixed: Warehouse) -> None:
    fast, _ = both(mixed, ["VALMENNUSLOP", "TYOTTOMATLOPUSSA"], policy(5))
    assert fast is None


def test_a_public_total_that_does_not_add_up_goes_to_the_engine_which_refuses_it(tmp_path: Path) -> None:
    frame = pd.DataFrame({"measure": [*SERVICES, "PALVELUISSAYHTEENSA"], "value": [10.0] * 7 + [69.0]})
    with Warehouse(tmp_path / "k.duckdb") as wh:
        load_observations(wh, frame.assign(area_code="KU005", period=pd.Timestamp("2023-09-01")), STATFIN)
        rows = observation_records(wh, ["PALVELUISSAYHTEENSA", *SERVICES])
        assert pass_public_records(rows, policy(5), sensitivity=source_sensitivity(wh)) is None
        with pytest.raises(KuvaInputError, match="parts sum to 70"):
            protect_observations(pd.DataFrame(rows), policy(5), sensitivity=source_sensitivity(wh))
        fine = [r if r["measure"] != "PALVELUISSAYHTEENSA" else {**r, "value": 70.0} for r in rows]
        assert pass_public_records(fine, policy(5), sensitivity=source_sensitivity(wh)) is not None


def test_every_combination_of_the_mixed_warehouse_agrees_with_the_engine(mixed: Warehouse) -> None:
    codes = ["TYOTTOMATLOPUSSA", "AKTASTE", "PALVELUISSAYHTEENSA", "VALMENNUSLOP"]
    outcomes = set()
    for k in (1, 2):
        for measures in itertools.combinations(codes, k):
            for rounding in (0, 5):
                fast, engine = both(mixed, list(measures), policy(5, rounding=rounding))
                outcomes.add(fast is None)
                if fast is not None:
                    assert_same(fast, engine)
    assert outcomes == {True, False}
