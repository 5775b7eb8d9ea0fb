"""The registry as warehouse reference tables (so SQL and Ibis users can join against it)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from kuva.registry import area_registry, measures, programme_registry, service_types
from kuva.registry.pilots import DEFAULT_PROGRAMME

if TYPE_CHECKING:
    import ibis.expr.types as ir


def reference_frames(pilots_csv: Path | None = None) -> dict[str, pd.DataFrame]:
    """Reference table name → frame, built from the bundled registry (or a user's pilots CSV)."""
    areas = area_registry()
    programmes = programme_registry(pilots_csv)
    return {
        "areas": pd.DataFrame(
            [(a.code, a.level, a.name_fi, a.name_sv, a.name_en) for a in areas.areas()],
            columns=["code", "level", "name_fi", "name_sv", "name_en"],
        ),
        "municipalities": pd.DataFrame(
            [
                (m.code, m.name_fi, m.name_sv, m.sub_region_code, m.region_code, m.wellbeing_county,
                 m.area_type, m.population, m.mainland)
                for m in areas.municipalities()
            ],
            columns=["code", "name_fi", "name_sv", "sub_region_code", "region_code", "wellbeing_county",
                     "area_type", "population", "mainland"],
        ),
        "programme_memberships": pd.DataFrame(
            [
                (m.programme, m.area_code, m.area_name, m.municipality_code, m.start, m.end, m.confidence,
                 m.source_url)
                for p in programmes.programmes for m in programmes.memberships(p)
            ],
            columns=["programme", "area_code", "area_name", "municipality_code", "start_date", "end_date",
                     "confidence", "source_url"],
        ),
        "service_types": pd.DataFrame(
            [(s.code, s.measure, s.activating, s.name_fi, s.name_sv, s.name_en) for s in service_types()],
            columns=["code", "measure", "activating", "name_fi", "name_sv", "name_en"],
        ),
        "measures": pd.DataFrame(
            [
                (m.code, m.table, m.frequency, m.unit, m.name_fi, m.name_sv, m.name_en, m.definition, m.breakdown)
                for m in measures().values()
            ],
            columns=["code", "source_table", "frequency", "unit", "name_fi", "name_sv", "name_en",
                     "definition", "breakdown"],
        ),
    }


def stored_memberships(wh: Any, programme: str = DEFAULT_PROGRAMME) -> pd.DataFrame:
    """The programme's memberships as the warehouse holds them: the pilot list configured when it
    was last written (``KUVA_PILOTS_CSV``/``--pilots``; the CLI syncs it before reading), so every
    analysis uses the same list. Columns as ``programme_memberships``; works on any engine."""
    m: ir.Table = wh.table("programme_memberships")
    frame: pd.DataFrame = m.filter(m.programme == programme).drop("programme").to_pandas()
    return frame.sort_values(["area_code", "municipality_code"]).reset_index(drop=True)
