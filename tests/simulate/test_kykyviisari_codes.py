"""The simulator's Kykyviisari answers use exactly the questionnaire's codes and real area codes,
so the wellbeing analyses read them without translation."""

from __future__ import annotations

from pathlib import Path

from kuva.registry import programme_registry
from kuva.simulate import simulate, simulate_into
from kuva.simulate.persons import SITUATIONS
from kuva.warehouse import Warehouse
from kuva.wellbeing import wellbeing_summary
from kuva.wellbeing.items import SITUATION_CODES


def test_situation_codes_are_the_questionnaires() -> None:
    assert SITUATIONS == SITUATION_CODES


def test_answers_use_known_items_and_areas() -> None:
    data = simulate(scale=0.001, seed=3, years=(2020, 2023))
    answers = data.answers
    items = set(answers["item"])
    assert items <= {"work_ability", "working_life_relation", *(f"situation_{c}" for c in SITUATION_CODES)}
    slugs = {a.code for a in programme_registry().areas()}
    assert set(answers["area"]) <= slugs | {"comparison"}
    assert "comparison" in set(answers["area"]) and set(answers["area"]) & slugs


def test_wellbeing_summary_runs_on_simulated_answers(tmp_path: Path) -> None:
    with Warehouse(tmp_path / "w.duckdb") as wh:
        simulate_into(wh, scale=0.002, seed=5, years=(2020, 2023))
        results = wellbeing_summary(wh)
    assert [r.key for r in results][:2] == ["kykyviisari_coverage", "kykyviisari_basic_situation"]
    assert all(r.synthetic for r in results)
