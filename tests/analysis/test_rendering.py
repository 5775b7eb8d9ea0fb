"""Every analysis renders a figure, title and text in fi, sv and en; table headers are label keys."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from matplotlib.figure import Figure

from kuva.analysis import (
    AnalysisResult,
    change_vs_nation,
    counterfactual_activation,
    largest_municipalities,
    monthly_paths,
    outcomes_after_services,
    pilot_vs_comparison,
    service_mix,
    services_yoy,
)
from kuva.i18n import LANGS, has_label, label
from kuva.warehouse import Warehouse

CALLS: dict[str, Callable[[Warehouse, Path], AnalysisResult]] = {
    "pilot_vs_comparison": lambda wh, p: pilot_vs_comparison(wh, year=2020, pilots_csv=p),
    "monthly_paths": lambda wh, p: monthly_paths(wh, start=date(2020, 2, 1), pilots_csv=p),
    "counterfactual_activation": lambda wh, p: counterfactual_activation(wh, pilots_csv=p),
    "largest_municipalities": lambda wh, p: largest_municipalities(wh, thresholds=(50, 100), pilots_csv=p),
    "change_vs_nation": lambda wh, p: change_vs_nation(wh, start=date(2020, 2, 1), end=date(2021, 3, 1),
                                                       pilots_csv=p),
    "service_mix": lambda wh, p: service_mix(wh, areas=["Alpha", "Beta"], start=date(2020, 2, 1), pilots_csv=p),
    "services_yoy": lambda wh, p: services_yoy(wh, start=date(2021, 1, 1), pilots_csv=p),
    "outcomes_after_services": lambda wh, p: outcomes_after_services(wh, year=2020, area="Alpha", pilots_csv=p),
}


@pytest.mark.parametrize("key", sorted(CALLS))
def test_renders_in_every_language(key: str, tiny_wh: Warehouse, pilots_csv: Path) -> None:
    r = CALLS[key](tiny_wh, pilots_csv)
    assert r.key == key
    assert r.synthetic  # the tiny warehouse's services and follow-up are synthetic
    assert r.figure is not None
    unknown = [c for c in r.table.columns if not has_label(str(c))]
    assert unknown == [], f"table columns without a label: {unknown}"
    for lang in LANGS:
        fig = r.figure(lang)
        assert isinstance(fig, Figure)
        texts = [t.get_text() for t in fig.texts]
        assert label("synthetic", lang) in texts
        fig.clear()
        assert r.title(lang)
        text = r.text(lang)
        assert label("synthetic_note", lang) in text
        assert "{" not in text


def test_parameters_are_strings(tiny_wh: Warehouse, pilots_csv: Path) -> None:
    r: Any = CALLS["monthly_paths"](tiny_wh, pilots_csv)
    assert all(isinstance(v, str) for v in r.parameters.values())
    assert r.parameters["pilots_csv"] == str(pilots_csv)
