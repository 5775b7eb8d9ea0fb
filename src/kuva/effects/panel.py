"""The panel builder: warehouse → :class:`~kuva.evaluate.PanelData` for the effect estimates.

This is the one module of ``kuva.evaluate`` that reads the warehouse (through
:mod:`kuva.indicators`, never by SQL of its own); the estimators only see the ``PanelData`` it
returns.

Units (``unit=``):

* ``"area"`` — each pilot area of the programme is one unit; its counts are the sums over its
  member municipalities and its rate is computed from those sums (never by averaging rates);
* ``"municipality"`` — each pilot municipality is a unit, clustered by its pilot area;
* ``"pooled"`` — all chosen pilot areas summed into one treated unit ``"pilots"`` (the
  synthetic-control design for the whole programme).

Comparison units (``comparison=``) are mainland municipalities that never belonged to the
programme (Åland is left out):

* ``"rest"`` — every such municipality is its own unit;
* ``"sub_region"`` — they are summed per sub-region (seutukunta), one unit per sub-region
  (``"<SKnnn>:rest"``), rates from the sums;
* ``"matched_shock"`` — only the municipalities nearest to the pilot units in the size of the
  COVID-19 unemployment shock (growth of the unemployed from 2020-02 to the 2020 peak) and
  in the pre-period outcome level (``k`` per treated unit, Mahalanobis distance, with
  replacement).

Outcomes (``outcome=``): ``activation_rate`` (aktivointiaste, 100 × P / (U + P) recomputed from
the stored counts of the seven activating services P and the unemployed U),
``unemployment_share`` (unemployed jobseekers per labour force × 100; the annual labour force
``TYOVOIMATK`` is joined to every month of its year, so months after the last published year are
missing) and ``log_unemployed`` (natural log of the unemployed jobseekers).

Treatment timing comes from the programme registry (``Programme.start``; member lists as valid
on that day) or from ``treat_start=`` for another date. An aggregate unit's rate in a month uses
the members observed with every needed count that month (publisher-suppressed cells are small;
``n_members`` in the frame says how many); a single-municipality unit with a missing month is
dropped with a :class:`~kuva.evaluate.warnings.DroppedUnitsWarning` so the panel stays balanced.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from kuva.errors import KuvaInputError, KuvaLookupError, MissingValuesWarning
from kuva.evaluate.data import PanelData
from kuva.evaluate.options import validate_option
from kuva.evaluate.warnings import DroppedUnitsWarning
from kuva.indicators import codes
from kuva.indicators.groups import aggregate
from kuva.indicators.observations import Provenance, observations, provenance, wide
from kuva.indicators.rates import ratio_pct, with_activation
from kuva.registry import area_registry, programme_registry
from kuva.registry.pilots import CONFIDENCE_LEVELS, DEFAULT_PROGRAMME, Programme, ProgrammeArea
from kuva.warehouse.connection import Warehouse

Outcome = Literal["activation_rate", "unemployment_share", "log_unemployed"]
UnitLevel = Literal["area", "municipality", "pooled"]
Comparison = Literal["rest", "sub_region", "matched_shock"]

OUTCOMES: tuple[str, ...] = ("activation_rate", "unemployment_share", "log_unemployed")

#: Default analysis window: three years before the 2021 pilots, to the end of 2023 (the last
#: year with a published labour force).
DEFAULT_START = date(2018, 1, 1)
DEFAULT_END = date(2023, 12, 1)
#: The COVID-19 shock: growth of the unemployed from this month to the peak up to ``SHOCK_END``.
SHOCK_BASE = date(2020, 2, 1)
SHOCK_END = date(2020, 12, 1)
#: Nearest comparison municipalities per treated unit for ``comparison="matched_shock"``.
MATCH_K = 4
POOLED_UNIT = "pilots"

#: Covariate names: ``covid_shock`` or a background key of :data:`kuva.indicators.codes.BACKGROUND`.
#: Counts are summed over an aggregate's members; other background measures are
#: population-weighted means.
_SUMMED_BACKGROUND = frozenset({"population", "net_migration", "natural_change"})

_SERVICE_COUNTS: tuple[str, ...] = (codes.UNEMPLOYED, *codes.SERVICES)


@dataclass(frozen=True)
class EffectsPanel:
    """A panel for the effect estimates and where it came from.

    ``frame`` has one row per unit × month: ``unit``, ``unit_name``, ``role`` (``treated`` /
    ``comparison``), ``period`` (monthly ``pandas.Period``), the outcome column (named as the
    outcome), ``treat_start`` (the first treated month; missing for comparison units),
    ``cluster``, ``n_members`` (member municipalities observed that month), the covariates
    and ``synthetic``. ``members`` maps municipalities to units with the registry's
    ``confidence`` of each pilot membership. ``synthetic`` is True when any value used comes
    from a synthetic source (``sources`` lists the source ids).
    """

    panel: PanelData
    frame: pd.DataFrame
    outcome: str
    unit_level: str
    comparison: str
    programme: str
    treat_start: pd.Period
    start: pd.Period
    end: pd.Period
    synthetic: bool
    sources: tuple[str, ...]
    treated_units: tuple[str, ...]
    comparison_units: tuple[str, ...]
    members: pd.DataFrame = field(repr=False)
    dropped: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "frame", self.frame.copy())
        object.__setattr__(self, "members", self.members.copy())

    @property
    def n_pre(self) -> int:
        """Months before the treatment start in the window."""
        return int(self.treat_start.ordinal - self.start.ordinal)

    @property
    def n_post(self) -> int:
        return int(self.end.ordinal - self.treat_start.ordinal + 1)

    def unit_names(self) -> dict[str, str]:
        out = self.frame.drop_duplicates("unit").set_index("unit")["unit_name"]
        return {str(k): str(v) for k, v in out.items()}

    def confidence(self) -> dict[str, str]:
        """The weakest membership confidence per treated unit (``confirmed``/``likely``/``guess``)."""
        t = self.members[self.members["role"] == "treated"]
        out: dict[str, str] = {}
        for u, g in t.groupby("unit"):
            worst = max(CONFIDENCE_LEVELS.index(c) for c in g["confidence"])
            out[str(u)] = CONFIDENCE_LEVELS[worst]
        return out


def _month(d: date | str | pd.Period | None, default: date) -> pd.Period:
    if d is None:
        return pd.Period(default, freq="M")
    if isinstance(d, pd.Period):
        return d.asfreq("M")
    try:
        return pd.Period(d, freq="M")
    except (ValueError, TypeError) as exc:
        raise KuvaInputError(f"not a month: {d!r} (expected a date or 'YYYY-MM')") from exc


def _first_day(p: pd.Period) -> date:
    return date(p.year, p.month, 1)


def resolve_areas(
    programme: str, areas: Sequence[str] | None, on: date, pilots_csv: Path | None = None
) -> tuple[ProgrammeArea, ...]:
    """The programme's areas (all, or those named by slug or name) with members on ``on``."""
    reg = programme_registry(pilots_csv)
    reg.programme(programme)
    every = tuple(a for a in reg.areas(programme) if a.members(on))
    if not every:
        raise KuvaInputError(
            f"programme {programme!r} has no member municipalities on {on} in the pilot list; "
            "give a pilots CSV with its members (rows with programme, start_date, end_date)"
        )
    if areas is None:
        return every
    chosen: list[ProgrammeArea] = []
    for q in areas:
        try:
            a = reg.area(q, programme)
        except KuvaLookupError as exc:
            raise KuvaInputError(str(exc)) from exc
        if not a.members(on):
            raise KuvaInputError(f"pilot area {a.name!r} has no members on {on}")
        if a not in chosen:
            chosen.append(a)
    if not chosen:
        raise KuvaInputError("areas is empty; give at least one pilot area (or None for all)")
    return tuple(chosen)


def _mapping(
    unit_level: UnitLevel, comparison: Comparison, chosen: Sequence[ProgrammeArea],
    excluded: frozenset[str], on: date,
) -> pd.DataFrame:
    """municipality_code → unit, unit_name, role, cluster, confidence (before matching)."""
    reg = area_registry()
    mainland = {m.code: m for m in reg.municipalities(mainland_only=True)}
    rows: list[dict[str, str]] = []
    for a in chosen:
        for m in a.members(on):
            if m.municipality_code not in mainland:
                continue
            if unit_level == "area":
                unit, name = a.code, a.name
            elif unit_level == "pooled":
                unit, name = POOLED_UNIT, POOLED_UNIT
            else:
                unit, name = m.municipality_code, m.municipality_name
            rows.append({"municipality_code": m.municipality_code, "unit": unit, "unit_name": name,
                         "role": "treated", "cluster": a.code if unit_level != "pooled" else unit,
                         "confidence": m.confidence, "pilot_area": a.code})
    for code, muni in mainland.items():
        if code in excluded:
            continue
        if comparison == "sub_region":
            unit, name = f"{muni.sub_region_code}:rest", f"{muni.sub_region_name} (non-pilot)"
        else:
            unit, name = code, muni.name_fi
        rows.append({"municipality_code": code, "unit": unit, "unit_name": name, "role": "comparison",
                     "cluster": unit, "confidence": "", "pilot_area": ""})
    return pd.DataFrame(rows)


def _aggregate_frame(wh: Warehouse, mapping: pd.DataFrame, measures: Sequence[str], start: date, end: date,
                     as_of: datetime | date | None) -> tuple[pd.DataFrame, Provenance]:
    """Counts summed per unit and month over the members observed with every measure that month."""
    long = observations(wh, list(measures), areas=list(mapping["municipality_code"]), start=start, end=end,
                        as_of=as_of)
    w = wide(long, list(measures))
    complete = w
    for m in measures:
        complete = complete.filter(complete[m].notnull())
    groups = mapping[["municipality_code", "unit"]].rename(columns={"unit": "group_code"})
    agg = aggregate(complete, groups, list(measures))
    df = agg.to_pandas().rename(columns={"group_code": "unit", "n_areas": "n_members"})
    return df, provenance(long)


def _outcome_values(wh: Warehouse, outcome: Outcome, mapping: pd.DataFrame, start: date, end: date,
                    as_of: datetime | date | None) -> tuple[pd.DataFrame, Provenance]:
    """unit, period (date), outcome, n_members, synthetic — computed from summed counts."""
    import ibis

    if outcome == "activation_rate":
        df, prov = _aggregate_frame(wh, mapping, _SERVICE_COUNTS, start, end, as_of)
        t = with_activation(ibis.memtable(df))
        df = t.select("unit", "period", "n_members", "synthetic", "activation_rate").to_pandas()
    elif outcome == "log_unemployed":
        df, prov = _aggregate_frame(wh, mapping, (codes.UNEMPLOYED,), start, end, as_of)
        u = df[codes.UNEMPLOYED].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            df["log_unemployed"] = np.where(u > 0, np.log(np.where(u > 0, u, 1.0)), np.nan)
    else:
        df, prov = _aggregate_frame(wh, mapping, (codes.UNEMPLOYED,), start, end, as_of)
        lf, prov_lf = _aggregate_frame(wh, mapping, (codes.LABOUR_FORCE,), date(start.year, 1, 1),
                                       date(end.year, 1, 1), as_of)
        prov = prov | prov_lf
        lf = lf.assign(year=pd.to_datetime(lf["period"]).dt.year)[["unit", "year", codes.LABOUR_FORCE,
                                                                   "n_members"]]
        df = df.assign(year=pd.to_datetime(df["period"]).dt.year)
        df = df.merge(lf.rename(columns={"n_members": "n_members_lf"}), on=["unit", "year"], how="left")
        t = ibis.memtable(df[["unit", "period", codes.UNEMPLOYED, codes.LABOUR_FORCE]])
        share = t.mutate(unemployment_share=ratio_pct(t[codes.UNEMPLOYED], t[codes.LABOUR_FORCE]))
        sh = share.select("unit", "period", "unemployment_share").to_pandas()
        df = df.drop(columns=[codes.UNEMPLOYED, codes.LABOUR_FORCE]).merge(sh, on=["unit", "period"])
        # a labour force summed over other members than the unemployed is not comparable
        df.loc[df["n_members_lf"] != df["n_members"], "unemployment_share"] = np.nan
    df = df.copy()
    df["period"] = pd.PeriodIndex(pd.to_datetime(df["period"]), freq="M")
    return df[["unit", "period", "n_members", "synthetic", outcome]], prov


def _covid_shock(wh: Warehouse, mapping: pd.DataFrame, as_of: datetime | date | None) -> pd.Series:
    """Growth of the unemployed from 2020-02 to the 2020 peak (relative), per unit."""
    from kuva.evaluate.balance import shock_size

    df, _ = _aggregate_frame(wh, mapping, (codes.UNEMPLOYED,), SHOCK_BASE, SHOCK_END, as_of)
    df["period"] = pd.PeriodIndex(pd.to_datetime(df["period"]), freq="M")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # units without the base month get NaN (reported by the caller)
        s = shock_size(df, unit="unit", time="period", value=codes.UNEMPLOYED,
                       base=pd.Period(SHOCK_BASE, freq="M"), end=pd.Period(SHOCK_END, freq="M"))
    s.name = "covid_shock"
    return s


def _note_missing(notes: list[str], values: pd.Series, what: str) -> None:
    """Warn and note when some units have no value of a covariate (never a silent drop)."""
    missing = [str(u) for u in values.index[values.isna()]]
    if missing:
        text = f"{what}: no value for {len(missing)} unit(s): {', '.join(missing[:10])}" + (
            " …" if len(missing) > 10 else "")
        warnings.warn(text, MissingValuesWarning, stacklevel=3)
        notes.append(text)


def _background(wh: Warehouse, mapping: pd.DataFrame, keys: Sequence[str], year: int,
                as_of: datetime | date | None) -> tuple[pd.DataFrame, Provenance, list[str]]:
    """Background measures of ``year`` per unit (sums or population-weighted means), and notes
    on member municipalities left out of a unit's value for lack of data."""
    measures = [codes.BACKGROUND[k] for k in keys]
    pop = codes.BACKGROUND["population"]
    need = sorted({*measures, pop})
    long = observations(wh, need, areas=list(mapping["municipality_code"]), start=date(year, 1, 1),
                        end=date(year, 12, 31), as_of=as_of)
    w = wide(long, need).to_pandas()
    w = w.merge(mapping[["municipality_code", "unit"]], left_on="area_code", right_on="municipality_code")
    out = pd.DataFrame(index=pd.Index(sorted(mapping["unit"].unique()), name="unit"))
    notes: list[str] = []
    n_members = len(mapping["municipality_code"].unique())
    for k, m in zip(keys, measures, strict=True):
        g = w.dropna(subset=[m, pop])
        lacking = n_members - g["area_code"].nunique()
        if lacking > 0:
            text = f"{k} ({year}): {lacking} member municipalit(y/ies) without a value left out of their unit's value"
            warnings.warn(text, MissingValuesWarning, stacklevel=3)
            notes.append(text)
        if k in _SUMMED_BACKGROUND:
            out[k] = g.groupby("unit")[m].sum()
        else:
            num = (g[m] * g[pop]).groupby(g["unit"]).sum()
            den = g[pop].groupby(g["unit"]).sum()
            out[k] = num / den.where(den > 0)
    return out, provenance(long), notes


def build_panel(
    wh: Warehouse,
    *,
    outcome: Outcome = "activation_rate",
    unit: UnitLevel = "area",
    areas: Sequence[str] | None = None,
    comparison: Comparison = "rest",
    programme: str | Programme = DEFAULT_PROGRAMME,
    treat_start: date | str | None = None,
    start: date | str | None = None,
    end: date | str | None = None,
    covariates: Sequence[str] = (),
    covariate_year: int = 2019,
    match_k: int = MATCH_K,
    pilots_csv: Path | None = None,
    as_of: datetime | date | None = None,
) -> EffectsPanel:
    """Build the effects panel from the warehouse.

    Parameters
    ----------
    outcome
        ``activation_rate``, ``unemployment_share`` or ``log_unemployed``.
    unit
        ``area`` (pilot areas as aggregates), ``municipality`` or ``pooled`` (one treated unit).
    areas
        Pilot areas by slug or name (default: every area of the programme).
    comparison
        ``rest``, ``sub_region`` or ``matched_shock`` (see the module docstring).
    programme
        Programme code (or a :class:`~kuva.registry.pilots.Programme`); its ``start`` is the
        treatment start and its member list (valid on that day) defines the treated units.
    treat_start
        Override the treatment start month (e.g. an in-time placebo).
    start, end
        The window (months; default 2018-01 … 2023-12).
    covariates
        ``covid_shock`` and/or keys of :data:`kuva.indicators.codes.BACKGROUND` (values of
        ``covariate_year``); constant within a unit.

    Raises
    ------
    KuvaInputError
        Unknown options or areas, an empty window, a programme without members, no data.
    """
    validate_option("outcome", outcome, Outcome)
    validate_option("unit", unit, UnitLevel)
    validate_option("comparison", comparison, Comparison)
    for c in covariates:
        if c != "covid_shock" and c not in codes.BACKGROUND:
            raise KuvaInputError(
                f"unknown covariate {c!r}; allowed: 'covid_shock', {', '.join(repr(k) for k in codes.BACKGROUND)}"
            )
    prog_code = programme.code if isinstance(programme, Programme) else programme
    reg = programme_registry(pilots_csv)
    try:
        prog = programme if isinstance(programme, Programme) else reg.programme(prog_code)
    except KuvaLookupError as exc:
        raise KuvaInputError(str(exc)) from exc
    g_month = _month(treat_start, prog.start)
    p_start, p_end = _month(start, DEFAULT_START), _month(end, DEFAULT_END)
    if not p_start < g_month <= p_end:
        raise KuvaInputError(
            f"the treatment start {g_month} must lie after the window start {p_start} and not after "
            f"its end {p_end}"
        )
    on = prog.start  # membership as on the programme's first day (also for an in-time placebo start)
    chosen = resolve_areas(prog_code, areas, on, pilots_csv)
    ever = reg.member_codes(None, prog_code)
    mapping = _mapping(unit, comparison, chosen, ever, on)
    if (mapping["role"] == "comparison").sum() == 0:
        raise KuvaInputError("no comparison municipalities left (every mainland municipality is a member)")

    frame, prov = _outcome_values(wh, outcome, mapping, _first_day(p_start), _first_day(p_end), as_of)
    if frame.empty or frame[outcome].notna().sum() == 0:
        raise KuvaInputError(
            f"no {outcome} values for the chosen units in {p_start}…{p_end}"
            + (" (municipal service counts are public in StatFin 12u4 but not bundled: run `kuva load statfin -t "
               "12u4`, load a file with `kuva load file service-counts`, or run `kuva simulate`)"
               if outcome == "activation_rate" else "")
        )
    notes: list[str] = []
    units_info = mapping.drop_duplicates("unit").set_index("unit")

    cov_frame = pd.DataFrame(index=pd.Index(sorted(units_info.index), name="unit"))
    need_shock = "covid_shock" in covariates or comparison == "matched_shock"
    if need_shock:
        cov_frame["covid_shock"] = _covid_shock(wh, mapping, as_of).reindex(cov_frame.index)
        _note_missing(notes, cov_frame["covid_shock"], "COVID-19 shock (no 2020-02 or peak value)")
    bg_keys = [c for c in covariates if c != "covid_shock"]
    if bg_keys:
        bg, prov_bg, bg_notes = _background(wh, mapping, bg_keys, covariate_year, as_of)
        prov = prov | prov_bg
        cov_frame = cov_frame.join(bg)
        notes.extend(bg_notes)
        for k in bg_keys:
            _note_missing(notes, cov_frame[k], f"{k} ({covariate_year})")

    if comparison == "matched_shock":
        mapping, match_note = _match(frame, outcome, mapping, cov_frame, g_month, match_k)
        notes.append(match_note)
        units_info = mapping.drop_duplicates("unit").set_index("unit")
        frame = frame[frame["unit"].isin(units_info.index)]

    # a unit with a missing month (a single municipality with a suppressed cell, or a rate
    # that cannot be computed) is dropped so the panel stays balanced
    months = pd.period_range(p_start, p_end, freq="M")
    counts = frame.dropna(subset=[outcome]).groupby("unit")["period"].nunique()
    complete = counts[counts == len(months)].index
    dropped = tuple(sorted(set(units_info.index) - set(complete)))
    if dropped:
        treated_dropped = [u for u in dropped if units_info.loc[u, "role"] == "treated"]
        warnings.warn(
            f"{len(dropped)} unit(s) without an {outcome} value in every month {p_start}…{p_end} were "
            f"left out, e.g. {dropped[0]!r}" + (f" (treated: {', '.join(treated_dropped)})" if treated_dropped else ""),
            DroppedUnitsWarning, stacklevel=2,
        )
        notes.append(f"{len(dropped)} unit(s) with missing months left out: {', '.join(dropped[:10])}"
                     + (" …" if len(dropped) > 10 else ""))
    frame = frame[frame["unit"].isin(complete)]
    # covariates must be known for every unit kept; a unit without one is dropped too
    if len(cov_frame.columns) and covariates:
        bad = [u for u in complete if cov_frame.loc[u, list(covariates)].isna().any()]
        if bad:
            warnings.warn(f"{len(bad)} unit(s) without covariate values were left out, e.g. {bad[0]!r}",
                          DroppedUnitsWarning, stacklevel=2)
            dropped = tuple(sorted({*dropped, *bad}))
            frame = frame[~frame["unit"].isin(bad)]
    roles = units_info["role"].reindex(frame["unit"]).to_numpy()
    treated_units = tuple(sorted(frame.loc[roles == "treated", "unit"].unique()))
    comparison_units = tuple(sorted(frame.loc[roles == "comparison", "unit"].unique()))
    if not treated_units:
        raise KuvaInputError(f"no treated unit has {outcome} values in every month {p_start}…{p_end}")
    if not comparison_units:
        raise KuvaInputError(f"no comparison unit has {outcome} values in every month {p_start}…{p_end}")

    frame = frame.copy()
    frame["unit_name"] = units_info["unit_name"].reindex(frame["unit"]).to_numpy()
    frame["role"] = units_info["role"].reindex(frame["unit"]).to_numpy()
    frame["cluster"] = units_info["cluster"].reindex(frame["unit"]).to_numpy()
    frame["treat_start"] = pd.PeriodIndex(
        [g_month if r == "treated" else pd.NaT for r in frame["role"]], freq="M")
    for c in cov_frame.columns:
        frame[c] = cov_frame[c].reindex(frame["unit"]).to_numpy(dtype=float)
    frame["synthetic"] = frame["synthetic"].astype(bool)
    cols = ["unit", "unit_name", "role", "period", outcome, "treat_start", "cluster", "n_members",
            *cov_frame.columns, "synthetic"]
    frame = frame[cols].sort_values(["unit", "period"]).reset_index(drop=True)

    panel = PanelData(frame, unit="unit", time="period", outcome=outcome, treat_start="treat_start",
                      cluster="cluster", covariates=tuple(covariates))
    members = mapping[mapping["unit"].isin(frame["unit"].unique())].reset_index(drop=True)
    if outcome == "unemployment_share":
        notes.append("Labour force: annual TYOVOIMATK joined to every month of its year.")
    if unit != "municipality":
        notes.append("Aggregate rates are computed from summed counts of the members observed that month.")
    synthetic = bool(prov.synthetic) or bool(frame["synthetic"].any())
    return EffectsPanel(
        panel=panel, frame=frame, outcome=outcome, unit_level=unit, comparison=comparison, programme=prog_code,
        treat_start=g_month, start=p_start, end=p_end, synthetic=synthetic, sources=prov.sources,
        treated_units=treated_units, comparison_units=comparison_units, members=members, dropped=dropped,
        notes=tuple(notes),
    )


def _match(frame: pd.DataFrame, outcome: str, mapping: pd.DataFrame, cov: pd.DataFrame, g: pd.Period,
           k: int) -> tuple[pd.DataFrame, str]:
    """Keep the comparison units nearest to the treated ones in COVID shock and pre-level."""
    from kuva.evaluate.balance import nearest_neighbours

    if k < 1:
        raise KuvaInputError(f"match_k must be >= 1; got {k}")
    pre = frame[frame["period"] < g].groupby("unit")[outcome].mean()
    roles = mapping.drop_duplicates("unit").set_index("unit")["role"]
    units = pd.DataFrame({"unit": roles.index, "treated": (roles == "treated").to_numpy(dtype=int)})
    units["covid_shock"] = cov["covid_shock"].reindex(units["unit"]).to_numpy(dtype=float)
    units["pre_level"] = pre.reindex(units["unit"]).to_numpy(dtype=float)
    complete = units.dropna()
    if len(complete) < len(units):
        lost = sorted(set(units["unit"]) - set(complete["unit"]))
        warnings.warn(f"matching: {len(lost)} unit(s) without a COVID shock or pre-period level left out: "
                      f"{', '.join(map(str, lost[:10]))}", MissingValuesWarning, stacklevel=3)
    units = complete
    if units["treated"].sum() == 0 or (units["treated"] == 0).sum() == 0:
        raise KuvaInputError("matching needs treated and comparison units with a COVID shock and pre-level")
    res = nearest_neighbours(units, unit="unit", treatment="treated", covariates=("covid_shock", "pre_level"),
                             k=k, replace=True)
    keep = set(res.comparison_units)
    out = mapping[(mapping["role"] == "treated") | mapping["unit"].isin(keep)].reset_index(drop=True)
    n_treated = int(units["treated"].sum())
    note = (f"Comparison: {len(keep)} non-pilot units nearest (k = {k}, Mahalanobis, with replacement) to the "
            f"{n_treated} treated units in COVID-19 shock ({SHOCK_BASE:%Y-%m} to the 2020 peak) and pre-period "
            f"{outcome}.")
    return out, note
