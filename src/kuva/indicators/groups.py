"""Groups of municipalities and aggregation to them.

Membership is taken from the registry as of a date: pilot group (members of any pilot area on
that day), comparison group (every other mainland municipality; Åland is excluded from mainland
comparisons), pilot areas, sub-regions, regions and the nation. The pilot list may be the
user's own (``pilots_csv``). Counts are summed over the members; rates are then computed from
the sums (never averaged).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args

import pandas as pd

from kuva.errors import KuvaInputError
from kuva.indicators import codes
from kuva.registry import area_registry, programme_registry
from kuva.registry.pilots import DEFAULT_PROGRAMME

if TYPE_CHECKING:
    import ibis.expr.types as ir

GroupLevel = Literal["pilot_group", "pilot_area", "sub_region", "region", "nation", "mainland"]
GROUP_LEVELS: tuple[str, ...] = get_args(GroupLevel)

PILOT = "pilot"
COMPARISON = "comparison"
#: The month the 2021 pilots started (1.3.2021, law 1269/2020).
PILOT_START = date(2021, 3, 1)


def check_level(level: str) -> GroupLevel:
    if level not in GROUP_LEVELS:
        raise KuvaInputError(f"group level must be one of {list(GROUP_LEVELS)}, got {level!r}")
    return level  # type: ignore[return-value]


def pilot_codes(on: date = PILOT_START, pilots_csv: Path | None = None,
                programme: str = DEFAULT_PROGRAMME) -> frozenset[str]:
    """Municipality codes (``KUnnn``) in a pilot area on ``on``."""
    return programme_registry(pilots_csv).member_codes(on, programme)


def membership(level: str, on: date = PILOT_START, *, pilots_csv: Path | None = None,
               mainland_only: bool = True) -> pd.DataFrame:
    """Municipality → group mapping: columns ``municipality_code``, ``group_code``, ``group_name``.

    ``pilot_group``: ``pilot`` / ``comparison`` (comparison = the other municipalities);
    ``pilot_area``: one group per pilot area (non-members are left out); ``sub_region``,
    ``region``; ``nation`` / ``mainland``: one group. With ``mainland_only`` Åland is left out
    (always for ``mainland``).
    """
    lvl = check_level(level)
    reg = area_registry()
    munis = reg.municipalities(mainland_only=mainland_only or lvl == "mainland")
    rows: list[tuple[str, str, str]] = []
    if lvl == "pilot_group":
        members = pilot_codes(on, pilots_csv)
        rows = [(m.code, PILOT if m.code in members else COMPARISON,
                 PILOT if m.code in members else COMPARISON) for m in munis]
    elif lvl == "pilot_area":
        keep = {m.code for m in munis}
        for a in programme_registry(pilots_csv).areas():
            rows += [(ms.municipality_code, a.code, a.name) for ms in a.members(on) if ms.municipality_code in keep]
    elif lvl == "sub_region":
        rows = [(m.code, m.sub_region_code, m.sub_region_name) for m in munis]
    elif lvl == "region":
        rows = [(m.code, m.region_code, m.region_name) for m in munis]
    else:
        name = "mainland" if lvl == "mainland" else codes.NATION
        rows = [(m.code, name, name) for m in munis]
    return pd.DataFrame(rows, columns=["municipality_code", "group_code", "group_name"])


def aggregate(t: ir.Table, mapping: pd.DataFrame, count_columns: Sequence[str],
              keys: Sequence[str] = ("period",)) -> ir.Table:
    """Sum ``count_columns`` of a municipal wide table over the groups of ``mapping``.

    Returns ``group_code``, ``keys``, the summed counts, ``n_areas`` (members with a row) and
    ``n_missing_<col>`` (members whose count is missing, so a reader can see gaps) and
    ``synthetic`` (any input synthetic). Rates must be computed on the result, never averaged.
    """
    import ibis

    m = ibis.memtable(mapping[["municipality_code", "group_code"]].astype(str))
    j = t.join(m, t.area_code == m.municipality_code)
    aggs: dict[str, ir.Value] = {c: j[c].sum() for c in count_columns}
    aggs.update({f"n_missing_{c}": j[c].isnull().sum() for c in count_columns})
    aggs["n_areas"] = j.area_code.nunique()
    if "synthetic" in t.columns:
        aggs["synthetic"] = j.synthetic.any()
    return j.group_by(["group_code", *keys]).aggregate(**aggs)


def national(long_sss: ir.Table, municipal_wide: ir.Table, measures: Sequence[str],
             keys: Sequence[str] = ("period",)) -> ir.Table:
    """National series per measure: the published whole-country value (``SSS``) where present,
    otherwise the sum over municipalities. ``basis_<measure>`` says which (``published`` or
    ``municipal_sum``)."""
    import ibis

    from kuva.indicators.observations import wide

    sss = wide(long_sss, measures, keys=keys)
    sss = sss.rename({f"sss_{m}": m for m in measures} | {"sss_synthetic": "synthetic"})
    ku = municipal_wide.group_by(list(keys)).aggregate(
        **{f"ku_{m}": municipal_wide[m].sum() for m in measures},
        ku_synthetic=municipal_wide.synthetic.any(),
    )
    ku = ku.rename({f"ku_{k}": k for k in keys})
    j = sss.outer_join(ku, [sss[k] == ku[f"ku_{k}"] for k in keys])
    cols: dict[str, ir.Value] = {k: ibis.coalesce(j[k], j[f"ku_{k}"]) for k in keys}
    for m in measures:
        cols[m] = ibis.coalesce(j[f"sss_{m}"], j[f"ku_{m}"])
        cols[f"basis_{m}"] = ibis.cases((j[f"sss_{m}"].notnull(), "published"),
                                        (j[f"ku_{m}"].notnull(), "municipal_sum"), else_=ibis.null("string"))
    syn_sss = j.sss_synthetic.fill_null(False)
    syn_ku = j.ku_synthetic.fill_null(False)
    # a value is synthetic when it was taken from a synthetic input
    cols["synthetic"] = ibis.cases(
        *[(j[f"sss_{m}"].isnull() & j[f"ku_{m}"].notnull() & syn_ku, True) for m in measures],
        else_=syn_sss)
    return j.select(**cols)
