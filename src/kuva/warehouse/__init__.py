"""The one place that stores: schema and migrations, loads with provenance, vintages, reads.

Nothing outside this package writes to the warehouse. The names below are imported on first use
(PEP 562), so ``import kuva.warehouse.connection`` — all a quick command such as ``kuva info``
needs — does not pay for pandas and the loaders.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kuva.warehouse.areas import custom_areas
    from kuva.warehouse.connection import Warehouse
    from kuva.warehouse.load import LoadReport, SourceInfo, load_observations
    from kuva.warehouse.persons import load_service_events, load_survey_answers
    from kuva.warehouse.query import latest_observations, query_observations, warehouse_summary
    from kuva.warehouse.reference import stored_memberships
    from kuva.warehouse.undo import UndoReport, undo_load

#: where each public name lives
_HOME: dict[str, str] = {
    "custom_areas": "areas", "Warehouse": "connection", "LoadReport": "load", "SourceInfo": "load",
    "load_observations": "load", "load_service_events": "persons", "load_survey_answers": "persons",
    "latest_observations": "query", "query_observations": "query", "warehouse_summary": "query",
    "stored_memberships": "reference", "UndoReport": "undo", "undo_load": "undo",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'kuva.warehouse' has no attribute {name!r}")
    value = getattr(import_module(f"kuva.warehouse.{home}"), name)
    globals()[name] = value
    return value


__all__ = [
    "LoadReport",
    "SourceInfo",
    "UndoReport",
    "Warehouse",
    "custom_areas",
    "latest_observations",
    "load_observations",
    "load_service_events",
    "load_survey_answers",
    "query_observations",
    "stored_memberships",
    "undo_load",
    "warehouse_summary",
]
