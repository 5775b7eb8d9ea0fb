"""Long observation tables (``kuva query``): the tester's leaks, each shown first with the naive
answer (small counts hidden alone) and then with the engine's answer, on a real warehouse file."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kuva.privacy.audit import audit_tables
from kuva.privacy.disclosure import person_count_measures
from kuva.privacy.observations import protect_observations, related_measures
from kuva.privacy.policy import policy
from kuva.warehouse import Warehouse, query_observations
from kuva.warehouse.query import source_sensitivity

from .conftest import ALAJARVI, SERVICES

POLICY = policy(5)


def answer(wh: Warehouse, measures: list[str], *, naive: bool = False) -> tuple[pd.DataFrame, dict[str, object]]:
    """What ``kuva query`` publishes, and the disclosure sidecar of that answer."""
    df = query_observations(wh, measures, areas=[ALAJARVI])
    context = query_observations(wh, sorted(related_measures(measures) - set(measures)), areas=[ALAJARVI])
    pt = protect_observations(df, POLICY, sensitivity=source_sensitivity(wh), context=context, name="query")
    if naive:
        small = df["measure"].isin(person_count_measures()) & (df["value"] > 0) & (df["value"] < 5)
        return df.assign(value=df["value"].where(~small)), dict(pt.sidecar)
    return pt.frame, dict(pt.sidecar)


def exposed(frame: pd.DataFrame, sidecar: dict[str, object]) -> int:
    return audit_tables([("query", sidecar, frame)]).exposed


def test_the_total_minus_the_shown_services_gives_the_hidden_one(wh: Warehouse) -> None:
    asked = ["PALVELUISSAYHTEENSA", *SERVICES]
    naive, side = answer(wh, asked, naive=True)
    assert exposed(naive, side) >= 1  # 130 − 127 = 3
    safe, side = answer(wh, asked)
    assert exposed(safe, side) == 0
    shown = safe.dropna(subset=["value"])
    assert not (shown["measure"].isin(person_count_measures()) & shown["value"].between(1, 4)).any()
    assert int(safe["suppressed"].sum()) >= 2


def test_a_share_and_its_base_give_the_hidden_count_away(wh: Warehouse) -> None:
    asked = ["VALMPAATTYNYT_TAJO", "VALMYHTEENSA_TAJO", "VALMTOIMPOSUUS_TAJO"]
    naive, side = answer(wh, asked, naive=True)
    assert exposed(naive, side) >= 1  # 14.2857 % of 21 = 3
    safe, side = answer(wh, asked)
    assert exposed(safe, side) == 0
    share = safe.loc[safe["measure"] == "VALMTOIMPOSUUS_TAJO", "value"].iloc[0]
    assert math.isnan(share)


def test_a_share_of_a_count_not_asked_for_is_hidden_when_that_count_is_small(wh: Warehouse) -> None:
    safe, side = answer(wh, ["VALMPAATTYNYT_TAJO", "VALMTOIMPOSUUS_TAJO", "VALMTYOTOSUUS_TAJO"])
    values = dict(zip(safe["measure"], safe["value"], strict=True))
    assert math.isnan(values["VALMTOIMPOSUUS_TAJO"])  # its numerator (3) is small
    assert values["VALMTYOTOSUUS_TAJO"] == pytest.approx(9 / 21 * 100)  # 9 may be deduced: not small
    assert exposed(safe, side) == 0


def test_public_figures_pass_unchanged(wh: Warehouse) -> None:
    df = query_observations(wh, ["TYOTTOMATLOPUSSA"], areas=[ALAJARVI])
    pt = protect_observations(df, POLICY, sensitivity=source_sensitivity(wh))
    out = pt.frame.set_index("period")["value"]
    assert out.tolist() == [400.0, 2.0]  # the public 2 is StatFin's own published figure
    assert pt.note.public_cells == 1 and pt.note.confidential_cells == 1 and pt.note.hidden_cells == 0


def test_sources_are_classified(wh: Warehouse) -> None:
    assert source_sensitivity(wh) == {"municipality:alajarvi": "confidential", "statfin:test": "public"}


def test_a_zero_count_not_asked_for_does_not_confuse_the_attacker_model(wh: Warehouse) -> None:
    # VUORVAPLOP is 0: as context (not published) it may be 0; as published it is shown
    safe, side = answer(wh, ["PALVELUISSAYHTEENSA", "TVKOULUTUSLOP"])
    assert exposed(safe, side) == 0
    assert safe["value"].notna().all()  # nothing here is small
