"""The one place that stores: schema and migrations, loads with provenance, vintages, reads.

Nothing outside this package writes to the warehouse.
"""

from kuva.warehouse.areas import custom_areas
from kuva.warehouse.connection import Warehouse
from kuva.warehouse.load import LoadReport, SourceInfo, load_observations
from kuva.warehouse.persons import load_service_events, load_survey_answers
from kuva.warehouse.query import latest_observations, query_observations, warehouse_summary
from kuva.warehouse.reference import stored_memberships
from kuva.warehouse.undo import UndoReport, undo_load

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
