"""No answer switches silently between real and synthetic data."""

from __future__ import annotations

from datetime import date

import pandas as pd

from kuva.warehouse.query import synthetic_continuations


def test_a_real_series_continued_by_the_simulation_is_named() -> None:
    f = pd.DataFrame({
        "area_code": ["KU091"] * 4 + ["KU049"] * 2, "measure": "TYOTTOMATLOPUSSA", "breakdown": "",
        "period": [date(2023, 9, 1), date(2023, 10, 1), date(2023, 11, 1), date(2023, 12, 1), date(2023, 9, 1),
                   date(2023, 10, 1)],
        "source_id": ["statfin:12r5", "statfin:12r5", "synthetic:panel", "synthetic:panel", "statfin:12r5",
                      "statfin:12r5"]})
    lines = synthetic_continuations(f)
    assert lines == ["KU091 TYOTTOMATLOPUSSA: real 2023-09…2023-10 (statfin:12r5); "
                     "SYNTHETIC 2023-11…2023-12 (synthetic:panel)"]
    assert synthetic_continuations(f[f["area_code"] == "KU049"]) == []
