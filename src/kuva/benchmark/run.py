"""Benchmarking from the warehouse: the area frame (outcome, clients, framework conditions),
the model, shrinkage, rank sets and peer types in one table, through the disclosure engine.

Framework specification ``v1`` (a change is a new version; every result names its version):
the outcome a share of clients at the end of a month (:data:`OUTCOME_SPECS`: the activation
rate, the long-term unemployed share, plan debt, initial interviews in time, exits to work, the
TEM follow-up after services, Kykyviisari work ability improved), weights the
clients (the share's denominator); conditions — the unemployment
share of the labour force (previous year), the change in unemployed jobseekers over 12 months
(log ratio), vacancies per unemployed jobseeker, the shares of under-15s and over-64s, the
foreign-language share, the share with tertiary education, the shares of jobs in primary
production and in manufacturing (previous year), log population, and the urban–rural area type
(dummies, reference: the most common type).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import numpy as np
import pandas as pd

from kuva.analysis.inputs import municipal_monthly, resolve_policy
from kuva.benchmark.model import FrameworkFit, fit_framework
from kuva.benchmark.peers import comparison_types
from kuva.benchmark.ranks import rank_sets
from kuva.benchmark.shrink import eb_shrink
from kuva.errors import KuvaInputError, KuvaLookupError
from kuva.indicators.observations import observations
from kuva.privacy.engine import ProtectedTable, protect_table
from kuva.privacy.spec import Count, Derived, Ratio, TableSpec
from kuva.registry import area_registry
from kuva.warehouse.areas import GROUP_LEVELS, area_members
from kuva.warehouse.connection import Warehouse

SPEC_VERSION = "v1"
Outcome = Literal["activation_rate", "long_term_share", "plan_debt_share", "interview_in_time", "exit_work_180",
                  "unemployed_after_services", "work_ability_improved"]
OUTCOMES: tuple[str, ...] = Outcome.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class OutcomeSpec:
    """An outcome: ``numerator`` persons out of ``clients`` (the column names in the table)."""

    numerator: str
    clients: str  #: what the clients are (for the docs and the CLI's help)
    larger_is_better: bool  #: the direction of the ranks (rank 1 = best)
    process: bool  #: measured from confidential person-level data (the event log or Kykyviisari answers)


OUTCOME_SPECS: dict[str, OutcomeSpec] = {
    "activation_rate": OutcomeSpec("in_services", "unemployed jobseekers + persons in activating services", True,
                                   False),
    "long_term_share": OutcomeSpec("long_term_unemployed", "unemployed jobseekers", False, False),
    "plan_debt_share": OutcomeSpec("plan_debt", "open client spells at the month end (event log)", False, True),
    "interview_in_time": OutcomeSpec("interviewed_in_time", "registrations of the month whose initial-interview "
                                     "deadline has passed (event log)", True, True),
    "exit_work_180": OutcomeSpec("exited_to_work", "client spells registered in the month, followed 180 days "
                                 "(event log)", True, True),
    "unemployed_after_services": OutcomeSpec("unemployed_after", "persons whose employment service ended in the "
                                             "year (TEM follow-up, 12ur–12ux)", False, False),
    "work_ability_improved": OutcomeSpec("improved", "Kykyviisari answers in the month that follow an earlier "
                                         "answer of the same client (work ability)", True, True),
}
#: annual outcomes: the counts of the period's year (the conditions are those of the period's month)
ANNUAL_OUTCOMES = ("unemployed_after_services",)
#: the follow-up of ``exit_work_180``: an inflow cohort's exits to work within this many days
EXIT_HORIZON_DAYS = 180
Level = Literal["municipality", "pilot_area", "employment_area", "custom"]
LEVELS: tuple[str, ...] = Level.__args__  # type: ignore[attr-defined]
#: annual background conditions (previous year's value)
ANNUAL = ("TYOTTOMIEN_OSUUS", "VAESTO_ALLE15_OSUUS", "VAESTO_YLI64_OSUUS", "VIERASKIELISET_OSUUS",
          "KORKEASTI_KOULUTETUT_OSUUS", "TP_ALKUTUOTANTO_OSUUS", "TP_JALOSTUS_OSUUS", "VAKILUKU")
MONTHLY = ("TYOTTOMATLOPUSSA", "AVPAIKATLOPUSSA")


@dataclass(frozen=True)
class Benchmark:
    table: pd.DataFrame  #: one row per area (before disclosure control)
    fit: FrameworkFit
    conditions: pd.DataFrame  #: the model's regressors, indexed by area
    period: date
    level: str
    synthetic: bool
    sources: tuple[str, ...]
    tau2: float
    outcome: str = "activation_rate"


def _annual(wh: Warehouse, year: int) -> pd.DataFrame:
    long = observations(wh, ANNUAL, area_prefix="KU", start=date(year - 2, 1, 1), end=date(year, 12, 31))
    df = long.to_pandas()
    if df.empty:
        return pd.DataFrame(columns=list(ANNUAL))
    df["period"] = pd.to_datetime(df["period"])
    df = df.sort_values("period").groupby(["area_code", "measure"]).last()["value"].unstack()
    out: pd.DataFrame = df.reindex(columns=list(ANNUAL))
    return out


def area_frame(wh: Warehouse, period: date, level: Level = "municipality"
               ) -> tuple[pd.DataFrame, bool, tuple[str, ...]]:
    """Per area: ``clients, in_services, actual`` and the conditions (see the module docstring)."""
    month = date(period.year, period.month, 1)
    year_ago = date(month.year - 1, month.month, 1)
    mm, prov = municipal_monthly(wh, year_ago, month)
    now = mm[mm["period"] == month].set_index("area_code")
    before = mm[mm["period"] == year_ago].set_index("area_code")
    if now.empty:
        raise KuvaLookupError(f"no municipal activation figures for {month:%Y-%m}")
    vac = observations(wh, ["AVPAIKATLOPUSSA"], area_prefix="KU", start=month, end=month).to_pandas()
    vac = vac.set_index("area_code")["value"]
    annual = _annual(wh, month.year - 1)
    reg = area_registry()
    f = pd.DataFrame(index=now.index)
    f["unemployed"] = now["unemployed"]
    f["in_services"] = now["in_services"]
    f["clients"] = now["unemployed"] + now["in_services"]
    f["unemployed_before"] = before["unemployed"].reindex(f.index)
    f["vacancies"] = vac.reindex(f.index)
    for c in ANNUAL:
        f[c] = annual[c].reindex(f.index) if c in annual else np.nan
    f["area_type"] = [reg.municipality(c).area_type for c in f.index]
    if level in GROUP_LEVELS:
        members = area_members(wh, level)
        if members.empty:
            hint = "load your own with `kuva load file areas FILE`" if level == "custom" else "rebuild the warehouse"
            raise KuvaLookupError(f"no {level.replace('_', ' ')}s in the warehouse; {hint}")
        f = f.merge(members[["municipality_code", "area_code"]].rename(columns={"area_code": "area"}),
                    left_index=True, right_on="municipality_code").set_index("municipality_code")
        w = f["unemployed"]
        shares = [c for c in ANNUAL if c != "VAKILUKU"]
        agg = f.groupby("area").agg({"unemployed": "sum", "in_services": "sum", "clients": "sum",
                                     "unemployed_before": "sum", "vacancies": "sum", "VAKILUKU": "sum"})
        for c in shares:
            agg[c] = (f[c] * w).groupby(f["area"]).sum() / w.groupby(f["area"]).sum()
        agg["area_type"] = f.groupby("area")["area_type"].agg(lambda s: s.mode().iloc[0])
        f = agg
    elif level != "municipality":
        raise KuvaInputError(f"level must be one of {list(LEVELS)}, got {level!r}")
    f["actual"] = 100.0 * f["in_services"] / f["clients"]
    return f, prov.synthetic, prov.sources


def default_period(wh: Warehouse, outcome: str = "activation_rate") -> date:
    """The month an outcome is benchmarked for when none is given: :func:`latest_period`, or for
    ``exit_work_180`` the latest month before it whose registrations have all been followed for
    180 days in the event log, for ``work_ability_improved`` the month of the latest repeated
    Kykyviisari answer."""
    last = latest_period(wh)
    if outcome in ANNUAL_OUTCOMES:
        return _latest_follow_up_year(wh, last)
    if outcome == "work_ability_improved":
        from kuva.wellbeing.data import wellbeing_data

        answered = wellbeing_data(wh).work_ability_changes()["answered_at"]
        if answered.empty:
            raise KuvaLookupError("no client has two Kykyviisari answers with work ability; load answers with "
                                  "`kuva wellbeing load`")
        latest = max(answered)
        return min(date(latest.year, latest.month, 1), last)
    if outcome != "exit_work_180":
        return last
    from kuva.process.kpis import data_end

    end = data_end(wh)
    if end is None:
        raise KuvaLookupError("no service-process events in the warehouse; load a log with `kuva process load`")
    followed = end - timedelta(days=EXIT_HORIZON_DAYS)  # the last registration day followed in full
    month = date(followed.year, followed.month, 1)
    if (pd.Timestamp(month) + pd.offsets.MonthEnd(0)).date() > followed:  # that month only in part
        month = (pd.Timestamp(month) - pd.DateOffset(months=1)).date()
    return min(month, last)


def _follow_up(wh: Warehouse, year: int | None = None) -> pd.DataFrame:
    """The municipal three-month follow-up of ended services (:data:`kuva.indicators.codes.FOLLOW_UP`):
    ``area_code, period, measure, value, source_id`` of the ended and the unemployed counts."""
    from kuva.indicators import codes

    measures = [m for ended, unemployed, _ in codes.FOLLOW_UP.values() for m in (ended, unemployed)]
    start, end = (date(year, 1, 1), date(year, 12, 31)) if year is not None else (None, None)
    out: pd.DataFrame = observations(wh, measures, area_prefix="KU", start=start, end=end).to_pandas()
    return out


def _latest_follow_up_year(wh: Warehouse, last: date) -> date:
    """The month whose conditions go with the latest year of follow-up counts: December of that
    year, or the latest month with conditions when it comes first."""
    f = _follow_up(wh)
    if f.empty:
        raise KuvaLookupError("no municipal follow-up of ended services (12ur–12ux) in the warehouse")
    year = int(pd.to_datetime(f["period"]).dt.year.max())
    return min(date(year, 12, 1), last)


def latest_period(wh: Warehouse) -> date:
    """The latest month with both municipal service counts and vacancies (the default period)."""
    t = wh.table("observations")
    t = t.filter(t.area_code.startswith("KU") & t.measure.isin(["PALVELUISSAYHTEENSA", "AVPAIKATLOPUSSA"]))
    last = t.group_by("measure").aggregate(p=t.period.max()).to_pandas()
    if len(last) < 2:
        raise KuvaLookupError("the warehouse lacks municipal service counts or vacancies to benchmark")
    p = pd.Timestamp(last["p"].min())
    return date(p.year, p.month, 1)


def conditions(f: pd.DataFrame) -> pd.DataFrame:
    """The model's regressors from an area frame (specification v1)."""
    x = pd.DataFrame(index=f.index)
    x["unemployment_share"] = f["TYOTTOMIEN_OSUUS"]
    # a log ratio needs two positive counts; otherwise the area has no value (and leaves the model)
    ratio = (f["unemployed"] / f["unemployed_before"]).where((f["unemployed"] > 0) & (f["unemployed_before"] > 0))
    x["unemployed_change_log"] = np.log(ratio)
    x["vacancies_per_unemployed"] = f["vacancies"] / f["unemployed"]
    for c, name in (("VAESTO_ALLE15_OSUUS", "under15_share"), ("VAESTO_YLI64_OSUUS", "over64_share"),
                    ("VIERASKIELISET_OSUUS", "foreign_language_share"),
                    ("KORKEASTI_KOULUTETUT_OSUUS", "tertiary_share"),
                    ("TP_ALKUTUOTANTO_OSUUS", "primary_jobs_share"), ("TP_JALOSTUS_OSUUS", "manufacturing_jobs_share")):
        x[name] = f[c]
    x["log_population"] = np.log(f["VAKILUKU"].where(f["VAKILUKU"] > 0))
    types = f["area_type"].fillna("unknown")
    ref = types.mode().iloc[0]
    for t in sorted(set(types) - {ref}):
        x[f"type[{t}]"] = (types == t).astype(float)
    return x.replace([np.inf, -np.inf], np.nan)


def outcome_counts(wh: Warehouse, outcome: Outcome, period: date, level: Level = "municipality",
                   unemployed: pd.Series | None = None) -> tuple[pd.DataFrame, bool, tuple[str, ...]]:
    """Per area: ``clients`` and the outcome's numerator (:data:`OUTCOME_SPECS`) in the month
    of ``period``, municipal counts summed to the level; with whether a source is synthetic and
    the sources. ``unemployed`` (per municipality) is the long-term share's denominator."""
    from kuva.process import kpis

    spec = OUTCOME_SPECS.get(outcome)
    if spec is None or outcome == "activation_rate":
        raise KuvaInputError(f"outcome must be one of {list(OUTCOMES[1:])} here, got {outcome!r}")
    month = date(period.year, period.month, 1)
    month_end = (pd.Timestamp(month) + pd.offsets.MonthEnd(0)).date()
    if outcome == "unemployed_after_services":
        from kuva.indicators import codes

        df = _follow_up(wh, month.year)
        if df.empty:
            raise KuvaLookupError(f"no municipal follow-up of services ended in {month.year} (12ur–12ux)")
        wide = df.pivot_table(index="area_code", columns="measure", values="value", aggfunc="sum")
        ended = [e for e, _, _ in codes.FOLLOW_UP.values() if e in wide]
        after = [u for _, u, _ in codes.FOLLOW_UP.values() if u in wide]
        # an area counts only with every service's two counts (a missing one is not a zero)
        m = pd.DataFrame({"clients": wide[ended].sum(axis=1, min_count=len(ended)),
                          "unemployed_after": wide[after].sum(axis=1, min_count=len(after))}).dropna()
        ids = tuple(sorted(set(df["source_id"].astype(str))))
        synthetic = any(i.startswith("synthetic:") for i in ids)
    elif outcome == "long_term_share":
        long = observations(wh, ["PITKAAIKAISTYOTTOMAT"], area_prefix="KU", start=month, end=month)
        df = long.to_pandas()
        if df.empty or unemployed is None:
            raise KuvaLookupError(f"no municipal long-term unemployed (PITKAAIKAISTYOTTOMAT) for {month:%Y-%m}")
        m = pd.DataFrame({"long_term_unemployed": df.set_index("area_code")["value"]})
        m["clients"] = unemployed.reindex(m.index)
        ids = tuple(sorted(set(df["source_id"].astype(str))))
        synthetic = any(i.startswith("synthetic:") for i in ids)
    elif outcome == "work_ability_improved":
        m, synthetic, ids = _work_ability_counts(wh, month, month_end)
        if m.empty:
            raise KuvaLookupError(f"no Kykyviisari answers in {month:%Y-%m} that follow an earlier answer of the same "
                                  "client; load answers with `kuva wellbeing load` or choose another --period")
    else:
        ids, synthetic = kpis.event_sources(wh)
        if not ids:
            raise KuvaLookupError("no service-process events in the warehouse; load a log with `kuva process load`")
        if outcome == "exit_work_180":
            from kuva.process.outcomes import inflow_cohorts

            end = kpis.data_end(wh)
            if end is None or month_end + timedelta(days=EXIT_HORIZON_DAYS) > end:
                raise KuvaLookupError(f"the registrations of {month:%Y-%m} have not all been followed for "
                                      f"{EXIT_HORIZON_DAYS} days in the event log (it ends {end}); choose an "
                                      "earlier --period")
            cohorts = inflow_cohorts(wh, horizon_days=EXIT_HORIZON_DAYS)
            part = cohorts[cohorts["cohort"] == month]
            if part.empty:
                raise KuvaLookupError(f"no registrations in {month:%Y-%m} followed for {EXIT_HORIZON_DAYS} days in "
                                      "the event log; choose an earlier --period")
            m = part.groupby("municipality_code").agg(clients=("exited", "size"), exited_to_work=("exited", "sum"))
            m.index.name = "area_code"
        elif outcome == "plan_debt_share":
            pdf = kpis.plan_debt(wh, level="municipality", start=month_end, end=month_end)
            m = pdf.set_index("area_code").rename(columns={"open_spells": "clients"})[["clients", "plan_debt"]]
        else:
            from kuva.process.rules import rulebook_in_force

            c = kpis.rule_compliance(wh, rulebook_in_force(month), level="municipality", start=month,
                                     end=month_end)
            c = c[(c["rule"] == "initial_interview") & (pd.to_datetime(c["month"]) == pd.Timestamp(month))]
            m = c.set_index("area_code").rename(columns={"n_due": "clients", "n_met": "interviewed_in_time"})[
                ["clients", "interviewed_in_time"]]
    return _to_level(wh, m, level), synthetic, ids


def share_se(x: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The binomial standard error of the share ``x / n``; a share of 0 or 1 (a small area) is not
    known exactly, so it gets the standard error of (x + ½)/(n + 1) instead of zero."""
    p = x / n
    p = np.where((p <= 0) | (p >= 1), (x + 0.5) / (n + 1), p)
    return np.asarray(np.sqrt(p * (1 - p) / n), dtype=float)


def _to_level(wh: Warehouse, m: pd.DataFrame, level: Level) -> pd.DataFrame:
    """Municipal counts summed to the areas of ``level``."""
    if level in GROUP_LEVELS:
        members = area_members(wh, level)[["municipality_code", "area_code"]].set_index("municipality_code")
        m = m.rename_axis("municipality_code").join(members, how="inner").groupby("area_code").sum()
    return m.astype(float)


def _work_ability_counts(wh: Warehouse, start: date, end: date) -> tuple[pd.DataFrame, bool, tuple[str, ...]]:
    """Per municipality of the later answer: Kykyviisari answers from ``start`` to ``end`` that
    follow an earlier answer of the same client (``clients``) and those with a higher work-ability
    score than the one before (``improved``); empty without any."""
    from kuva.wellbeing.data import wellbeing_data

    d = wellbeing_data(wh)
    ch = d.work_ability_changes()
    ch = ch[np.array([start <= a <= end for a in ch["answered_at"]], dtype=bool)]
    m = ch.assign(improved=(ch["change"] > 0).astype(int)).groupby("municipality_code").agg(
        clients=("improved", "size"), improved=("improved", "sum"))
    m.index.name = "area_code"
    return m, d.synthetic, d.sources


#: outcomes measured on a stock at the month's end: over a half-year the monthly counts are
#: averaged (the mean stock); the others count a month's flow, and their counts add up
STOCK_OUTCOMES = ("activation_rate", "long_term_share", "plan_debt_share")
#: the lengths of a benchmark's period: a month, or a half-year (January–June, July–December)
PERIOD_MONTHS = (1, 6)


def latest_half_year(last: date) -> date:
    """The first month of the latest half-year complete by the month of ``last``."""
    if last.month == 12:
        return date(last.year, 7, 1)
    return date(last.year, 1, 1) if last.month >= 6 else date(last.year - 1, 7, 1)


def parse_period(text: str | None) -> tuple[date, int] | None:
    """``YYYY-MM`` (a month) or ``YYYY-H1`` / ``YYYY-H2`` (a half-year) as (first month, months);
    ``None`` for no text."""
    import re

    if not text:
        return None
    half = re.fullmatch(r"(\d{4})-?H([12])", text.strip(), flags=re.IGNORECASE)
    if half:
        return date(int(half.group(1)), 1 if half.group(2) == "1" else 7, 1), 6
    try:
        d = date.fromisoformat(text.strip() + "-01")
    except ValueError:
        raise KuvaInputError(f"period: expected a month YYYY-MM or a half-year YYYY-H1 / YYYY-H2, got {text!r}"
                             ) from None
    return d, 1


def _period_counts(wh: Warehouse, outcome: Outcome, start: date, months: int, level: Level
                   ) -> tuple[pd.DataFrame, bool, tuple[str, ...]]:
    """``clients`` and the outcome's numerator per area over ``months`` months from ``start``:
    for a stock outcome the mean of the monthly counts rounded to whole persons (an area missing
    in any month is left out: a stock is compared only where it is complete), for a flow their
    sum (an area without clients in a month had none that month)."""
    spec = OUTCOME_SPECS[outcome]
    if outcome == "work_ability_improved":  # a flow of answers: the period's count is the count over its days
        end = (pd.Timestamp(start) + pd.DateOffset(months=months) - pd.Timedelta(days=1)).date()
        answered, synthetic, ids = _work_ability_counts(wh, start, end)
        if answered.empty:
            raise KuvaLookupError(f"no Kykyviisari answers from {start} to {end} that follow an earlier answer of "
                                  "the same client")
        return _to_level(wh, answered, level), synthetic, ids
    parts: list[pd.DataFrame] = []
    synthetic, sources = False, set[str]()
    for k in range(months):
        m = (pd.Timestamp(start) + pd.DateOffset(months=k)).date()
        if outcome == "activation_rate":
            f, syn, ids = area_frame(wh, m, level)
            c = f[["clients", "in_services"]].astype(float)
        else:
            unemployed = (area_frame(wh, m, "municipality")[0]["unemployed"] if outcome == "long_term_share"
                          else None)
            c, syn, ids = outcome_counts(wh, outcome, m, level, unemployed)
        parts.append(c[["clients", spec.numerator]])
        synthetic, sources = synthetic or syn, sources | set(ids)
    stock = outcome in STOCK_OUTCOMES
    joined = pd.concat(parts, axis=1, keys=range(months), join="inner" if stock else "outer").fillna(0.0)
    columns: dict[str, pd.Series] = {}
    for col in ("clients", spec.numerator):
        monthly = pd.DataFrame(joined.xs(col, axis=1, level=1))
        columns[col] = monthly.mean(axis=1).round() if stock else monthly.sum(axis=1)
    out = pd.DataFrame(columns)
    return out, synthetic, tuple(sorted(sources))


def benchmark(wh: Warehouse, period: date, *, outcome: Outcome = "activation_rate", level: Level = "municipality",
              alpha: float = 0.05, tau: float = 0.1, types: int = 8, seed: int = 0, months: int = 1) -> Benchmark:
    """The whole benchmark of one month and outcome (see the module docstring); ``months=6``
    with ``period`` in January or July: the half-year from it, its counts averaged (stock
    outcomes) or summed (flows) over the months, and the conditions of its last month."""
    spec = OUTCOME_SPECS.get(outcome)
    if spec is None:
        raise KuvaInputError(f"outcome must be one of {list(OUTCOMES)}, got {outcome!r}")
    if months not in PERIOD_MONTHS:
        raise KuvaInputError(f"a benchmark period is a month or a half-year ({list(PERIOD_MONTHS)} months), "
                             f"got {months}")
    if months > 1:
        if period.month not in (1, 7):
            raise KuvaInputError(f"a half-year starts in January or July, got {period:%Y-%m}")
        if outcome in ANNUAL_OUTCOMES:
            raise KuvaInputError(f"{outcome} is annual: give a month of its year, not a half-year")
        last = (pd.Timestamp(period) + pd.DateOffset(months=months - 1)).date()
        f, synthetic, sources = area_frame(wh, last, level)
        counts, o_synthetic, o_sources = _period_counts(wh, outcome, period, months, level)
        f = f.drop(columns=["clients", "in_services", "actual"]).join(counts, how="inner")
        f["actual"] = 100.0 * f[spec.numerator] / f["clients"]
        synthetic, sources = synthetic or o_synthetic, tuple(sorted({*sources, *o_sources}))
    else:
        f, synthetic, sources = area_frame(wh, period, level)
    if outcome != "activation_rate" and months == 1:
        muni_unemployed = None
        if outcome == "long_term_share":
            muni_unemployed = area_frame(wh, period, "municipality")[0]["unemployed"] if level in GROUP_LEVELS \
                else f["unemployed"]
        counts, o_synthetic, o_sources = outcome_counts(wh, outcome, period, level, muni_unemployed)
        f = f.drop(columns=["clients", "in_services", "actual"]).join(counts, how="inner")
        f["actual"] = 100.0 * f[spec.numerator] / f["clients"]
        synthetic, sources = synthetic or o_synthetic, tuple(sorted({*sources, *o_sources}))
    x = conditions(f)
    keep = x.notna().all(axis=1) & f["clients"].gt(0)
    if keep.sum() < x.shape[1] + 5:
        raise KuvaLookupError(f"{int(keep.sum())} areas have every condition for {period:%Y-%m}; too few to model")
    f, x = f[keep], x[keep]
    x = x.loc[:, x.std(ddof=0) > 0]
    sampling_se = 100 * share_se(f[spec.numerator].to_numpy(dtype=float), f["clients"].to_numpy(dtype=float))
    fit = fit_framework(f["actual"].to_numpy(dtype=float), x, weights=f["clients"].to_numpy(dtype=float),
                        sampling_se=sampling_se)
    eb = eb_shrink(fit.gap, fit.gap_se)
    # ranks are inferred from the gaps and their standard errors (frequentist, as Mogstad et al.):
    # each area's own rank set (marginal) for its row, the joint sets for the top/bottom lists
    better = spec.larger_is_better
    # with the gaps' covariance: they share the model's estimated coefficients
    marginal = rank_sets(fit.gap, fit.gap_se, alpha=alpha, joint=False, larger_is_better=better, seed=seed,
                         cov=fit.gap_cov)
    rs = rank_sets(fit.gap, fit.gap_se, alpha=alpha, joint=True, larger_is_better=better, seed=seed,
                   cov=fit.gap_cov)
    ctype = comparison_types(x.loc[:, [c for c in x.columns if not c.startswith("type[")]],
                             min(types, len(x)), seed=seed)
    names = _names(wh, list(f.index), level)
    table = pd.DataFrame({
        "outcome": outcome, "level": level, "area_code": f.index, "area": [names[c] for c in f.index],
        "period": date(period.year, period.month, 1),
        "clients": f["clients"].to_numpy(), spec.numerator: f[spec.numerator].to_numpy(),
        "actual": f["actual"].to_numpy(), "expected": fit.expected, "gap_pp": fit.gap, "gap_se": fit.gap_se,
        "gap_persons": fit.gap / 100 * f["clients"].to_numpy(), "shrunk_gap_pp": eb.mean, "shrunk_sd": eb.sd,
        "rank": marginal.rank, "rank_low": marginal.low, "rank_high": marginal.high,
        "possibly_top": rs.possibly_top(tau), "credibly_top": rs.credibly_top(tau),
        "possibly_bottom": rs.possibly_bottom(tau), "credibly_bottom": rs.credibly_bottom(tau),
        "comparison_type": ctype.to_numpy(), "spec_version": SPEC_VERSION, "period_months": months,
    })
    return Benchmark(table.sort_values("rank").reset_index(drop=True), fit, x, period, level, synthetic, sources,
                     eb.tau2, outcome)


def _names(wh: Warehouse, codes: list[str], level: str) -> dict[str, str]:
    if level in GROUP_LEVELS:
        members = area_members(wh, level)
        return dict(zip(members.area_code, members.area_name, strict=True))
    reg = area_registry()
    return {c: reg.municipality(c).name_fi for c in codes}


def table_spec(outcome: str = "activation_rate", *, confidential: bool = True) -> TableSpec:
    """The benchmark table declared to the disclosure engine: the clients and the outcome's
    numerator are person counts; every figure computed from them is derived from both."""
    num = OUTCOME_SPECS[outcome].numerator
    dims = ("outcome", "level", "area_code", "period", "period_months")
    return TableSpec(
        counts=(Count("clients", dims, quantity=f"benchmark_{outcome}_clients"),
                Count(num, dims, quantity=f"benchmark_{num}")),
        derived=(Ratio("actual", num, ("clients",)),
                 *(Derived(c, (num, "clients")) for c in
                   ("expected", "gap_pp", "gap_se", "gap_persons", "shrunk_gap_pp", "shrunk_sd", "rank", "rank_low",
                    "rank_high"))),
        confidential=confidential)


BENCHMARK_SPEC = table_spec()


def publish(b: Benchmark, *, min_cell: int | None = None) -> ProtectedTable:
    """The benchmark table through the disclosure engine: public when every source is public
    (real StatFin figures), otherwise the client counts are confidential."""
    spec = table_spec(b.outcome, confidential=b.synthetic or any(not s.startswith("statfin:") for s in b.sources))
    return protect_table(b.table, spec, resolve_policy(min_cell), name="benchmark")


__all__ = [
    "ANNUAL_OUTCOMES",
    "BENCHMARK_SPEC",
    "LEVELS",
    "OUTCOMES",
    "OUTCOME_SPECS",
    "PERIOD_MONTHS",
    "SPEC_VERSION",
    "STOCK_OUTCOMES",
    "Benchmark",
    "OutcomeSpec",
    "area_frame",
    "benchmark",
    "conditions",
    "latest_half_year",
    "latest_period",
    "outcome_counts",
    "parse_period",
    "publish",
    "share_se",
    "table_spec",
]
