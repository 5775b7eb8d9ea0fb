"""StatFin ingestion through the PxWeb API (v2 and v1).

>>> from kuva.sources.pxweb import PxWebClient, pull_statfin, summarise   # doctest: +SKIP
>>> with Warehouse("kuva-data/kuva.duckdb") as wh, PxWebClient(STATFIN_V2, cache_dir=".cache") as c:
...     print(summarise(pull_statfin(wh, client=c, tables=["12r5"])))

See ``docs/pxweb.md``.
"""

from kuva.sources.pxweb.catalogue import TABLES, TableSpec, declared_tables, mapped_tables, tables
from kuva.sources.pxweb.client import PxWebClient, ServerLimits, TableMetadata
from kuva.sources.pxweb.errors import (
    CatalogueMismatchError,
    PxWebError,
    PxWebNotFoundError,
    PxWebPullError,
    PxWebResponseError,
    PxWebRetryError,
)
from kuva.sources.pxweb.jsonstat import JsonStatDataset, parse_jsonstat2
from kuva.sources.pxweb.load import TableReport, pull_statfin, pull_table, summarise

STATFIN_V2 = "https://pxdata.stat.fi/api/v2"
STATFIN_V1 = "https://pxdata.stat.fi/PXWeb/api/v1/fi/StatFin"

__all__ = [
    "STATFIN_V1",
    "STATFIN_V2",
    "TABLES",
    "CatalogueMismatchError",
    "JsonStatDataset",
    "PxWebClient",
    "PxWebError",
    "PxWebNotFoundError",
    "PxWebPullError",
    "PxWebResponseError",
    "PxWebRetryError",
    "ServerLimits",
    "TableMetadata",
    "TableReport",
    "TableSpec",
    "declared_tables",
    "mapped_tables",
    "parse_jsonstat2",
    "pull_statfin",
    "pull_table",
    "summarise",
    "tables",
]
