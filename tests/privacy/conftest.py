"""A warehouse file with one municipality's confidential service counts and a public figure."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from kuva.warehouse import SourceInfo, Warehouse, load_observations

SERVICES = ["TVKOULUTUSLOP", "VALMENNUSLOP", "TYOLLISTETTYLOP", "KOKEILULOP", "VUORVAPLOP", "KUNTTYOLOP", "OMAEHTLOP"]
ALAJARVI = "KU005"


@pytest.fixture
def wh(tmp_path: Path) -> Iterator[Warehouse]:
    """A warehouse with a municipality's confidential service counts and a public figure."""
    services = dict(zip(SERVICES, [20.0, 3.0, 40.0, 12.0, 0.0, 25.0, 30.0], strict=True))
    rows = [("2021-09-01", m, v) for m, v in services.items()]
    rows += [("2021-09-01", "PALVELUISSAYHTEENSA", sum(services.values())), ("2021-09-01", "TYOTTOMATLOPUSSA", 400.0)]
    rows += [("2021-01-01", m, v) for m, v in (
        ("VALMPAATTYNYT_TAJO", 21.0), ("VALMYHTEENSA_TAJO", 3.0), ("VALMTOIMPOSUUS_TAJO", 3 / 21 * 100),
        ("VALMTYOTTOMANA_TAJO", 9.0), ("VALMTYOTOSUUS_TAJO", 9 / 21 * 100))]
    own = pd.DataFrame(rows, columns=["period", "measure", "value"]).assign(area_code=ALAJARVI)
    public = pd.DataFrame({"area_code": [ALAJARVI], "period": ["2021-10-01"], "measure": ["TYOTTOMATLOPUSSA"],
                           "value": [2.0]})
    with Warehouse(tmp_path / "kuva.duckdb") as w:
        load_observations(w, own, SourceInfo("municipality:alajarvi", "user-file", "Own service counts",
                                             "Alajärvi", "internal", False, "own.csv", datetime(2021, 11, 1)))
        load_observations(w, public, SourceInfo("statfin:test", "statfin-bundled", "StatFin", "Statistics Finland",
                                                "CC BY 4.0", False, "12r5.csv", datetime(2021, 11, 1)))
        yield w
