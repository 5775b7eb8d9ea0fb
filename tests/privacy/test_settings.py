"""The disclosure settings are read once and change what every output shows."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kuva.analysis.inputs import protect, resolve_policy
from kuva.config import load_settings
from kuva.errors import KuvaConfigError
from kuva.privacy.spec import Count, TableSpec

TABLE = pd.DataFrame({"area": ["A", "B", "C"], "persons": [6.0, 12.0, 33.0]})
SPEC = TableSpec(counts=(Count("persons", ("area",)),))


def test_min_cell_setting_changes_the_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUVA_MIN_CELL", "5")
    assert protect(TABLE, SPEC, "t", None).frame["persons"].tolist() == [6.0, 12.0, 33.0]
    monkeypatch.setenv("KUVA_MIN_CELL", "7")
    assert math.isnan(protect(TABLE, SPEC, "t", None).frame["persons"][0])


def test_rounding_setting_changes_the_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUVA_ROUNDING", "10")
    out = protect(TABLE, SPEC, "t", None).frame["persons"].tolist()
    assert all(v % 10 == 0 for v in out) and out != TABLE["persons"].tolist()
    monkeypatch.setenv("KUVA_ROUNDING", "3")
    with pytest.raises(KuvaConfigError, match=r"rounding must be one of \[0, 5, 10\], got 3"):
        load_settings()


def test_a_small_minimum_needs_the_explicit_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUVA_MIN_CELL", "2")
    with pytest.raises(KuvaConfigError, match="KUVA_MIN_CELL_OVERRIDE"):
        load_settings()
    monkeypatch.setenv("KUVA_MIN_CELL_OVERRIDE", "yes")
    pol = resolve_policy(None)
    assert pol.min_cell == 2 and pol.describe()["override"] is True
    note = protect(TABLE, SPEC, "t", None).note
    assert note.policy["override"] is True  # the override travels with every table
    monkeypatch.setenv("KUVA_MIN_CELL_OVERRIDE", "maybe")
    with pytest.raises(KuvaConfigError, match="must be yes or no"):
        load_settings()
