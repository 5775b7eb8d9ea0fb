"""Kykyviisari answers and service starts read from the warehouse, one row per answer.

:func:`wellbeing_data` pivots ``survey_answers`` (instrument ``kykyviisari``) to one row per
(pseudonym, answered_at) with both scores, the set of situation choices and the basic
situation. When the same answer item was loaded more than once (cumulative exports), the
latest load wins. The area of each answer is its stored area when that is a known pilot area
or the comparison area, otherwise the area of its home municipality on the answer date.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from kuva.errors import KuvaDataWarning, KuvaLookupError
from kuva.warehouse import Warehouse
from kuva.wellbeing.areas import COMPARISON, AreaResolver
from kuva.wellbeing.items import (
    INSTRUMENT,
    SITUATION_PREFIX,
    WORK_ABILITY,
    WORKING_LIFE_RELATION,
    basic_situation,
    canonical_situation,
)


class UnknownSituationWarning(KuvaDataWarning):
    """Stored situation items that are not Kykyviisari choices (counted as unclassified)."""


@dataclass(frozen=True)
class WellbeingData:
    """Answers and service starts for the analyses.

    ``answers``: ``pseudonym, answered_at (date), municipality_code, area, group,
    work_ability, working_life_relation, situations (frozenset of codes), basic_situation``,
    sorted by person and date. ``service_starts``: ``pseudonym, event_date, service_type``.
    """

    answers: pd.DataFrame
    service_starts: pd.DataFrame
    resolver: AreaResolver
    sources: tuple[str, ...]
    synthetic: bool

    def in_period(self, start: date | None, end: date | None) -> pd.DataFrame:
        a = self.answers
        keep = np.ones(len(a), dtype=bool)
        if start is not None:
            keep &= (a["answered_at"] >= start).to_numpy()
        if end is not None:
            keep &= (a["answered_at"] <= end).to_numpy()
        return a[keep]

    def work_ability_changes(self) -> pd.DataFrame:
        """Each answer with work ability after an earlier one of the same person:
        ``pseudonym, municipality_code, answered_at, previous_at, change`` (the later score
        minus the one before it, 0–10 scale; the municipality of the later answer)."""
        a = self.answers.dropna(subset=["work_ability"])
        prev = a.groupby("pseudonym", sort=False)[["answered_at", "work_ability"]].shift(1)
        keep = prev["work_ability"].notna()
        out = pd.DataFrame({"pseudonym": a["pseudonym"], "municipality_code": a["municipality_code"],
                            "answered_at": a["answered_at"], "previous_at": prev["answered_at"],
                            "change": a["work_ability"].astype(float) - prev["work_ability"].astype(float)})
        return out[keep.to_numpy()].reset_index(drop=True)

    def first_answers(self) -> pd.DataFrame:
        """Each person's first answer (their area is the area of that answer)."""
        return self.answers.drop_duplicates("pseudonym", keep="first")

    def area_codes(self, areas: Sequence[str] | None) -> tuple[str, ...]:
        """Pilot area codes to show: the given ones (names or codes) or those with answers."""
        if areas is None:
            present = set(self.answers["area"].dropna())
            return tuple(c for c in self.resolver.pilot_codes() if c in present)
        codes: list[str] = []
        for a in areas:
            code = self.resolver.area(a)
            if code != COMPARISON and code not in codes:
                codes.append(code)
        return tuple(codes)


def _answers(wh: Warehouse) -> pd.DataFrame:
    """The Kykyviisari answers, the latest load of each (person, time, item), as an Ibis query."""
    import ibis

    t = wh.table("survey_answers")
    t = t.filter(t.instrument == INSTRUMENT)
    w = ibis.window(group_by=[t.pseudonym, t.answered_at, t.instrument, t.item], order_by=ibis.desc(t.load_id))
    t = t.mutate(_rank=ibis.row_number().over(w))
    out: pd.DataFrame = (t.filter(t._rank == 0)
                         .select("pseudonym", "answered_at", "municipality_code", "area", "item", "value", "source_id")
                         .to_pandas())
    return out


def _service_starts(wh: Warehouse) -> pd.DataFrame:
    e = wh.table("service_events")
    e = e.filter(e.event_type == "service_start")
    out: pd.DataFrame = (e.select(e.pseudonym, e.event_date, service_type=e.service_type.fill_null(""),
                                  source_id=e.source_id).distinct().to_pandas())
    return out


def _to_date(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series).dt.date


def wellbeing_data(wh: Warehouse) -> WellbeingData:
    """Read the Kykyviisari answers and service starts from ``wh``."""
    resolver = AreaResolver.from_warehouse(wh)
    long = _answers(wh)
    events = _service_starts(wh)
    source_ids = sorted(set(long["source_id"]) | set(events["source_id"]))
    synthetic = False
    if source_ids:
        flags = wh.table("sources").select("source_id", "synthetic").to_pandas()
        synthetic = bool(flags[flags["source_id"].isin(source_ids)]["synthetic"].any())
    answers = pivot_answers(long, resolver)
    starts = pd.DataFrame({
        "pseudonym": events["pseudonym"].astype(str),
        "event_date": _to_date(events["event_date"]) if len(events) else pd.Series([], dtype=object),
        "service_type": events["service_type"].astype(str),
    })
    return WellbeingData(answers, starts, resolver, tuple(source_ids), synthetic)


def pivot_answers(long: pd.DataFrame, resolver: AreaResolver) -> pd.DataFrame:
    """Long ``survey_answers`` rows to one row per answer (see :class:`WellbeingData`)."""
    cols = ["pseudonym", "answered_at", "municipality_code", "area", "group", WORK_ABILITY,
            WORKING_LIFE_RELATION, "situations", "basic_situation"]
    if len(long) == 0:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})
    df = long.copy()
    df["answered_at"] = _to_date(df["answered_at"])
    key = ["pseudonym", "answered_at"]
    base = (df.groupby(key, sort=True)
              .agg(municipality_code=("municipality_code", "first"), area=("area", "first"))
              .reset_index())
    scores = (df[df["item"].isin([WORK_ABILITY, WORKING_LIFE_RELATION])]
              .pivot_table(index=key, columns="item", values="value", aggfunc="first"))
    base = base.merge(scores.reset_index(), on=key, how="left")
    for item in (WORK_ABILITY, WORKING_LIFE_RELATION):
        if item not in base.columns:
            base[item] = np.nan
    sit = df[df["item"].str.startswith(SITUATION_PREFIX) & (df["value"] == 1)]
    mapping: dict[str, str | None] = {}
    unknown: set[str] = set()
    for item in sit["item"].unique():
        try:
            mapping[item] = canonical_situation(item)
        except KeyError:
            mapping[item] = None
            unknown.add(item)
    if unknown:
        warnings.warn(f"survey_answers holds situation item(s) that are not Kykyviisari choices: "
                      f"{sorted(unknown)}; they count as unclassified", UnknownSituationWarning, stacklevel=2)
    codes = sit.assign(code=sit["item"].map(mapping)).dropna(subset=["code"])
    sets = codes.groupby(key)["code"].agg(frozenset).rename("situations").reset_index()
    base = base.merge(sets, on=key, how="left")
    empty: frozenset[str] = frozenset()
    base["situations"] = pd.Series([s if isinstance(s, frozenset) else empty for s in base["situations"]],
                                   index=base.index, dtype=object)
    base["basic_situation"] = [basic_situation(s) for s in base["situations"]]
    base["area"] = _resolve_areas(base, resolver)
    base["group"] = [resolver.group(a) for a in base["area"]]
    return base[cols].sort_values(key, kind="mergesort").reset_index(drop=True)


def _resolve_areas(base: pd.DataFrame, resolver: AreaResolver) -> list[str | None]:
    known: dict[str, str | None] = {}
    out: list[str | None] = []
    for stored, muni, day in zip(base["area"], base["municipality_code"], base["answered_at"], strict=True):
        code: str | None = None
        if isinstance(stored, str) and stored:
            if stored not in known:
                try:
                    known[stored] = resolver.area(stored)
                except KuvaLookupError:
                    known[stored] = None  # e.g. a bare "pilot" label: fall back to the municipality
            code = known[stored]
        if code is None and isinstance(muni, str) and muni:
            code = resolver.area_of(muni, day)
        out.append(code)
    return out


__all__ = ["UnknownSituationWarning", "WellbeingData", "pivot_answers", "wellbeing_data"]
