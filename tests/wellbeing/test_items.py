"""The basic-situation priority rule on every combination of the fifteen choices."""

from __future__ import annotations

from itertools import combinations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kuva.wellbeing.items import (
    BASIC_SITUATIONS,
    CLASS_PRIORITY,
    RELATION_BANDS,
    SITUATION_CODES,
    SITUATIONS,
    basic_situation,
    canonical_situation,
    relation_band,
)

WORKING = {"paid_work", "entrepreneur", "freelancer", "grant"}
COACHING = {"work_practice", "workshop", "work_trial"}
STUDENT = {"student"}
HEALTH = {"sick_leave", "pension"}
UNEMPLOYED = {"unemployed_jobseeker", "unemployed_not_registered"}
UNCLASSIFIED = {"unpaid_work", "community_service", "at_home"}


def expected(chosen: set[str]) -> str:
    """The rule written out independently of the implementation."""
    if chosen & WORKING:
        return "working"
    if chosen & COACHING:
        return "coaching"
    if chosen & STUDENT:
        return "student"
    if chosen & HEALTH:
        return "health"
    if chosen & UNEMPLOYED:
        return "unemployed"
    return "other_unknown"


def test_fifteen_choices_partitioned() -> None:
    assert len(SITUATION_CODES) == 15 == len(set(SITUATION_CODES))
    assert set(SITUATION_CODES) == WORKING | COACHING | STUDENT | HEALTH | UNEMPLOYED | UNCLASSIFIED
    assert (*CLASS_PRIORITY, "other_unknown") == BASIC_SITUATIONS
    assert all(s.item == f"situation_{s.code}" for s in SITUATIONS)


def test_priority_rule_on_all_2_to_the_15_subsets() -> None:
    codes = list(SITUATION_CODES)
    checked = 0
    for mask in range(1 << len(codes)):
        chosen = {c for i, c in enumerate(codes) if mask >> i & 1}
        assert basic_situation(chosen) == expected(chosen), chosen
        checked += 1
    assert checked == 32768


@given(st.sets(st.sampled_from(SITUATION_CODES)))
def test_priority_rule_property(chosen: set[str]) -> None:
    got = basic_situation(chosen)
    assert got == expected(chosen)
    # adding a choice never moves the answer to a lower-priority class
    for extra in SITUATION_CODES:
        after = basic_situation(chosen | {extra})
        assert BASIC_SITUATIONS.index(after) <= BASIC_SITUATIONS.index(got) or got == "other_unknown"


def test_no_choice_and_only_unclassified_are_other_or_unknown() -> None:
    assert basic_situation([]) == "other_unknown"
    for r in range(1, 4):
        for combo in combinations(sorted(UNCLASSIFIED), r):
            assert basic_situation(combo) == "other_unknown"


def test_items_accepted_with_prefix_and_unknown_refused() -> None:
    assert basic_situation(["situation_grant", "situation_sick_leave"]) == "working"
    with pytest.raises(KeyError, match="coffee"):
        basic_situation(["coffee"])


def test_simulator_aliases_map_to_choices() -> None:
    assert canonical_situation("situation_unemployed") == "unemployed_jobseeker"
    assert canonical_situation("other") is None
    assert canonical_situation("paid_work") == "paid_work"


def test_relation_bands_cover_the_scale_once() -> None:
    covered = [s for b in RELATION_BANDS for s in range(b.low, b.high + 1)]
    assert covered == list(range(11))
    assert relation_band(0).code == "not_relevant"
    assert relation_band(5).code == "no_work_may_need_support"
    assert relation_band(10).code == "work_good_prerequisites"
