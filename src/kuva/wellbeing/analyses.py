"""Kykyviisari analyses: basic situation, coverage, distributions, means and change.

Every function takes the warehouse (and, to avoid reading it again, the already read
:class:`~kuva.wellbeing.data.WellbeingData`) and returns an
:class:`~kuva.analysis.result.AnalysisResult` whose table has passed the disclosure engine
(:mod:`kuva.privacy`, the settings' policy or ``min_cell``). Each analysis declares its table —
the person counts and their keys, the area and category totals, the shares and means derived
from them — and :func:`wellbeing_summary` protects all five tables jointly, so a count that two
tables show (the respondents of an area, the answers to an item) is one cell, hidden in both or
shown in both.

Area rows of every table: each pilot area shown (``level`` ``area``), those pilot areas in
total (``pilots_total``), the comparison area Kymenlaakso + Etelä-Karjala (``comparison``), answers
from neither (``other``, only when there are any) and all respondents (``all``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from kuva.analysis.inputs import resolve_policy
from kuva.analysis.result import AnalysisResult
from kuva.errors import KuvaInputError, KuvaLookupError
from kuva.i18n import fmt_number, label
from kuva.privacy.engine import Publication
from kuva.privacy.policy import DisclosurePolicy
from kuva.privacy.spec import Count, Derived, Hierarchy, Ratio, Share, TableSpec
from kuva.warehouse import Warehouse
from kuva.warehouse.query import select_observations
from kuva.wellbeing.areas import ALL_AREAS, COMPARISON, PILOTS_TOTAL
from kuva.wellbeing.data import WellbeingData, wellbeing_data
from kuva.wellbeing.items import BASIC_SITUATIONS, SCORE_ITEMS, SCORE_MAX, SCORE_MIN, WORK_ABILITY
from kuva.wellbeing.stats import mean_ci, paired_change, welch_difference

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ChangePair = Literal["first_last", "first_second"]
CHANGE_PAIRS: tuple[ChangePair, ...] = ("first_last", "first_second")
DEFAULT_MIN_N = 50
STOCK_MEASURE = "TYOTTOMATLOPUSSA"
NOT_SHOWN = "_pilots_not_shown"  #: key of the pilot areas left out of a table (a cell no one sees)


def _policy(min_cell: int | None) -> DisclosurePolicy:
    """The settings' disclosure policy, or the settings' with ``min_cell`` (validated there)."""
    if min_cell is not None and (isinstance(min_cell, bool) or not isinstance(min_cell, int)):
        raise KuvaInputError(f"min_cell must be a whole number, got {min_cell!r}")
    return resolve_policy(min_cell)


@dataclass(frozen=True)
class _Draft:
    """A table declared to the disclosure engine, and how its result is finished from the
    protected table."""

    key: str
    table: pd.DataFrame
    spec: TableSpec
    finish: Callable[[pd.DataFrame], AnalysisResult]


def _publish(drafts: Sequence[_Draft], pol: DisclosurePolicy) -> list[AnalysisResult]:
    """Protect the drafts' tables jointly and finish each result from its protected table."""
    pub = Publication(pol)
    for draft in drafts:
        pub.add(draft.key, draft.table, draft.spec)
    protected = pub.protect()
    return [replace(draft.finish(protected[draft.key].frame), disclosure=protected[draft.key]) for draft in drafts]


def _area_tree(frame: pd.DataFrame, codes: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """How the area rows add up: the pilot areas shown to their total, and that total, the
    comparison area, other answers and pilot areas not shown (a cell published nowhere) to all."""
    top = [PILOTS_TOTAL, COMPARISON]
    if (frame["group"] == "other").any():
        top.append("other")
    if ((frame["group"] == "pilot") & ~frame["area"].isin(list(codes))).any():
        top.append(NOT_SHOWN)
    return {PILOTS_TOTAL: tuple(codes), ALL_AREAS: tuple(top)}


def _load(wh: Warehouse, data: WellbeingData | None) -> WellbeingData:
    d = data if data is not None else wellbeing_data(wh)
    if len(d.answers) == 0:
        raise KuvaLookupError("no Kykyviisari answers in the warehouse; load an export with `kuva wellbeing load FILE`")
    return d


def _subsets(frame: pd.DataFrame, data: WellbeingData, codes: Sequence[str], *,
             with_all: bool = True) -> list[tuple[str, str, pd.DataFrame]]:
    """(area code, level, rows) for each area row of a table."""
    out: list[tuple[str, str, pd.DataFrame]] = [(c, "area", frame[frame["area"] == c]) for c in codes]
    out.append((PILOTS_TOTAL, PILOTS_TOTAL, frame[frame["area"].isin(list(codes))]))
    out.append((COMPARISON, COMPARISON, frame[frame["group"] == "comparison"]))
    other = frame[frame["group"] == "other"]
    if with_all:
        if len(other):
            out.append(("other", "other", other))
        out.append((ALL_AREAS, ALL_AREAS, frame))
    return out


def _area_name(data: WellbeingData, code: str, lang: str = "fi") -> str:
    if code == "other":
        return label("area_other", lang)
    return data.resolver.name(code, lang)


def _pct(num: float, den: float) -> float:
    return 100.0 * num / den if den > 0 else math.nan


def _num(v: object, lang: str, decimals: int = 1, *, signed: bool = False) -> str:
    if isinstance(v, str):
        return v
    x = float(v) if isinstance(v, int | float | np.floating | np.integer) else math.nan
    return fmt_number(x, lang, decimals, signed=signed)


def _row(table: pd.DataFrame, **where: object) -> pd.Series:
    mask = np.ones(len(table), dtype=bool)
    for k, v in where.items():
        mask &= (table[k] == v).to_numpy()
    hit = table[mask]
    if len(hit) == 0:
        return pd.Series(dtype=object)
    return hit.iloc[0]


def _get(series: pd.Series, col: str) -> float:
    if col not in series.index:
        return math.nan
    try:
        return float(series[col])
    except (TypeError, ValueError):
        return math.nan


def _params(**kw: object) -> dict[str, str]:
    return {k: ("" if v is None else ", ".join(map(str, v)) if isinstance(v, list | tuple) else str(v))
            for k, v in kw.items()}


def _distribution_rows(
    values: pd.Series, categories: Sequence[str], key: str, base: Mapping[str, object]
) -> list[dict[str, object]]:
    """One row per category (count and share of ``values``) and a ``total`` row, each with ``base``."""
    counts = values.value_counts()
    total = len(values)
    rows: list[dict[str, object]] = [
        {**base, key: c, "n": int(counts.get(c, 0)), "share_pct": _pct(int(counts.get(c, 0)), total)}
        for c in categories
    ]
    rows.append({**base, key: "total", "n": total, "share_pct": 100.0 if total else math.nan})
    return rows


#: The 0–10 score values as the table labels them.
SCORE_LABELS: tuple[str, ...] = tuple(str(s) for s in range(SCORE_MIN, SCORE_MAX + 1))


# -- basic situation -----------------------------------------------------------------------------------
def basic_situation_distribution(
    wh: Warehouse,
    *,
    areas: Sequence[str] | None = None,
    min_cell: int | None = None,
    data: WellbeingData | None = None,
) -> AnalysisResult:
    """Basic situation at each person's first answer, by area (counts and shares)."""
    pol = _policy(min_cell)
    return _publish([_basic_situation(_load(wh, data), areas, pol.min_cell)], pol)[0]


def _basic_situation(d: WellbeingData, areas: Sequence[str] | None, min_cell: int) -> _Draft:
    first = d.first_answers()
    codes = d.area_codes(areas)
    rows: list[dict[str, object]] = []
    for code, level, sub in _subsets(first, d, codes):
        base = {"area": code, "area_name": _area_name(d, code), "level": level}
        rows += _distribution_rows(sub["basic_situation"], BASIC_SITUATIONS, "basic_situation", base)
    spec = TableSpec(
        counts=(Count("n", ("area", "basic_situation"), quantity="kykyviisari_first"),),
        relations=(Hierarchy("n", "area", _area_tree(first, codes)),
                   Hierarchy("n", "basic_situation", {"total": BASIC_SITUATIONS})),
        derived=(Share("share_pct", "n", "basic_situation"),))
    return _Draft("kykyviisari_basic_situation", pd.DataFrame(rows), spec,
                  lambda table: _basic_situation_result(table, d, areas, min_cell))


def _basic_situation_result(table: pd.DataFrame, d: WellbeingData, areas: Sequence[str] | None,
                            min_cell: int) -> AnalysisResult:
    numbers: dict[str, float | str] = {}
    for code in (PILOTS_TOTAL, COMPARISON):
        numbers[f"n_{code}"] = _get(_row(table, area=code, basic_situation="total"), "n")
        for cls in BASIC_SITUATIONS:
            numbers[f"share_{cls}_{code}"] = _get(_row(table, area=code, basic_situation=cls), "share_pct")

    def text(lang: str) -> str:
        pw, cw = numbers[f"share_working_{PILOTS_TOTAL}"], numbers[f"share_working_{COMPARISON}"]
        pu, cu = numbers[f"share_unemployed_{PILOTS_TOTAL}"], numbers[f"share_unemployed_{COMPARISON}"]
        n_p, n_c = _num(numbers[f"n_{PILOTS_TOTAL}"], lang, 0), _num(numbers[f"n_{COMPARISON}"], lang, 0)
        return label("text.basic_situation", lang, n_pilot=n_p, n_comparison=n_c, working_pilot=_num(pw, lang),
                     unemployed_pilot=_num(pu, lang), working_comparison=_num(cw, lang),
                     unemployed_comparison=_num(cu, lang))

    return AnalysisResult(
        key="kykyviisari_basic_situation", title=lambda lang: label("title.basic_situation", lang), table=table,
        figure=_situation_figure(table, d), text=text, numbers=numbers, sources=d.sources, synthetic=d.synthetic,
        count_columns=("n",),
        parameters=_params(areas=areas, min_cell=min_cell, answers="first answer of each person"),
    )


def _situation_figure(table: pd.DataFrame, d: WellbeingData) -> Callable[[str], Figure]:
    def draw(lang: str) -> Figure:
        from kuva.analysis.style import colour, finish, new_figure, styled

        body = table[table["basic_situation"] != "total"]
        order = list(dict.fromkeys(body["area"]))
        with styled():
            fig, axes = new_figure(height=max(2.5, 0.35 * len(order) + 1.5))
            ax = axes[0][0]
            left = np.zeros(len(order))
            for i, cls in enumerate(BASIC_SITUATIONS):
                vals = np.array([_get(_row(body, area=a, basic_situation=cls), "share_pct") for a in order])
                vals = np.nan_to_num(vals)
                ax.barh(range(len(order)), vals, left=left, color=colour(cls, i),
                        label=label(f"basic_situation.{cls}", lang))
                left += vals
            ax.set_yticks(range(len(order)), [_area_name(d, a, lang) for a in order])
            ax.invert_yaxis()
            ax.set_xlabel(label("share_pct", lang))
            ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False)
            return finish(fig, label("title.basic_situation", lang), lang, synthetic=d.synthetic)

    return draw


# -- coverage ----------------------------------------------------------------------------------------
def _stock_month(wh: Warehouse, on: date | None, end: date | None) -> date | None:
    if on is not None:
        return date(on.year, on.month, 1)
    o = wh.table("observations")
    o = o.filter((o.measure == STOCK_MEASURE) & o.value.notnull())
    if end is not None:
        o = o.filter(o.period <= end)
    p = o.period.max().to_pandas()
    if p is None or pd.isna(p):
        return None
    ts = pd.Timestamp(p)
    return date(ts.year, ts.month, 1)


def _stock_values(wh: Warehouse, codes: Sequence[str], month: date) -> dict[str, float]:
    """Latest vintage of the month-end stock of unemployed jobseekers per municipality."""
    if not codes:
        return {}
    obs = select_observations(wh, [STOCK_MEASURE], areas=list(codes), start=month, end=month).select(
        "area_code", "value").to_pandas()
    return {str(a): float(v) for a, v in zip(obs["area_code"], obs["value"], strict=True) if v is not None}


def coverage(
    wh: Warehouse,
    *,
    start: date | None = None,
    end: date | None = None,
    on: date | None = None,
    areas: Sequence[str] | None = None,
    min_cell: int | None = None,
    data: WellbeingData | None = None,
) -> AnalysisResult:
    """Respondents per area in ``[start, end]`` and their number relative to the area's
    unemployed jobseekers (TYOTTOMATLOPUSSA) at the end of the month of ``on`` (default: the
    latest month with data at or before ``end``), and persons who answered at least twice.

    The ratio divides a flow (people who answered during a period) by a stock (jobseekers on
    one date); it is a rough reach indicator, not a share of the same population.
    """
    pol = _policy(min_cell)
    return _publish([_coverage(wh, _load(wh, data), start, end, on, areas, pol.min_cell)], pol)[0]


def _coverage(wh: Warehouse, d: WellbeingData, start: date | None, end: date | None, on: date | None,
              areas: Sequence[str] | None, min_cell: int) -> _Draft:
    if start is not None and end is not None and end < start:
        raise KuvaInputError(f"coverage: the period ends ({end}) before it starts ({start})")
    period = d.in_period(start, end)
    per_person = (period.groupby("pseudonym", sort=False)
                  .agg(area=("area", "first"), group=("group", "first"), answers=("answered_at", "size"))
                  .reset_index())
    month = _stock_month(wh, on, end)
    codes = d.area_codes(areas)
    stock: dict[str, tuple[float, int]] = {}
    if month is not None:
        wanted = [*codes, COMPARISON]
        members = {c: d.resolver.members(c, month) for c in wanted}
        members[PILOTS_TOTAL] = tuple(sorted({m for c in codes for m in members[c]}))
        all_codes = sorted({m for ms in members.values() for m in ms})
        values = _stock_values(wh, all_codes, month)
        for c, ms in members.items():
            vals = [values.get(m, math.nan) for m in ms]
            have = [v for v in vals if not math.isnan(v)]
            stock[c] = (float(sum(have)) if have else math.nan, len(vals) - len(have))
    rows: list[dict[str, object]] = []
    for code, level, sub in _subsets(per_person, d, codes, with_all=False):
        n = len(sub)
        rep = int((sub["answers"] >= 2).sum())
        jobseekers, missing = stock.get(code, (math.nan, 0))
        rows.append({"area": code, "area_name": _area_name(d, code), "level": level, "respondents": n,
                     "repeat_respondents": rep, "repeat_share_pct": _pct(rep, n),
                     "unemployed_jobseekers": jobseekers, "stock_month": month.isoformat() if month else "",
                     "members_without_stock": missing, "coverage_pct": _pct(n, jobseekers)
                     if not math.isnan(jobseekers) else math.nan})
    # over the whole answer period the respondents of an area are the basic-situation table's
    # total (one cell); a narrower period counts a different quantity
    whole = start is None and end is None
    at = (("basic_situation", "total"),) if whole else (("period", f"{start or ''}/{end or ''}"),)
    tree = _area_tree(per_person, codes)
    spec = TableSpec(
        counts=(Count("respondents", ("area",), quantity="kykyviisari_first" if whole else "kykyviisari_respondents",
                      at=at),
                Count("repeat_respondents", ("area",), quantity="kykyviisari_repeat", at=() if whole else at),
                # the jobseeker stock is StatFin's published count: it passes unchanged
                Count("unemployed_jobseekers", ("area",), quantity=f"{STOCK_MEASURE}@{month}", public=True)),
        relations=(Hierarchy("respondents", "area", tree), Hierarchy("repeat_respondents", "area", tree)),
        derived=(Ratio("coverage_pct", "respondents", ("unemployed_jobseekers",)),
                 Ratio("repeat_share_pct", "repeat_respondents", ("respondents",))))
    return _Draft("kykyviisari_coverage", pd.DataFrame(rows), spec,
                  lambda table: _coverage_result(table, d, period, month, start, end, on, areas, min_cell))


def _coverage_result(table: pd.DataFrame, d: WellbeingData, period: pd.DataFrame, month: date | None,
                     start: date | None, end: date | None, on: date | None, areas: Sequence[str] | None,
                     min_cell: int) -> AnalysisResult:
    numbers: dict[str, float | str] = {"stock_month": month.isoformat() if month else "",
                                       "period_start": str(start or period["answered_at"].min()),
                                       "period_end": str(end or period["answered_at"].max())}
    for code in (PILOTS_TOTAL, COMPARISON):
        r = _row(table, area=code)
        for col in ("respondents", "repeat_respondents", "unemployed_jobseekers", "coverage_pct"):
            numbers[f"{col}_{code}"] = _get(r, col)

    def text(lang: str) -> str:
        n_p = _num(numbers[f"respondents_{PILOTS_TOTAL}"], lang, 0)
        c_p = _num(numbers[f"coverage_pct_{PILOTS_TOTAL}"], lang, 2)
        n_c = _num(numbers[f"respondents_{COMPARISON}"], lang, 0)
        c_c = _num(numbers[f"coverage_pct_{COMPARISON}"], lang, 2)
        r_p = _num(numbers[f"repeat_respondents_{PILOTS_TOTAL}"], lang, 0)
        m = str(numbers["stock_month"]) or "–"
        p0, p1 = numbers["period_start"], numbers["period_end"]
        return label("text.coverage", lang, start=p0, end=p1, n_pilot=n_p, coverage_pilot=c_p, month=m,
                     n_comparison=n_c, coverage_comparison=c_c, repeat_pilot=r_p)

    return AnalysisResult(
        key="kykyviisari_coverage", title=lambda lang: label("title.coverage", lang), table=table,
        figure=_coverage_figure(table, d), text=text, numbers=numbers,
        sources=tuple(sorted({*d.sources, "statfin:12r5"})) if month else d.sources, synthetic=d.synthetic,
        # members_without_stock counts municipalities, not persons
        count_columns=("respondents", "repeat_respondents", "unemployed_jobseekers"),
        parameters=_params(start=start, end=end, on=on, stock_month=month, areas=areas, min_cell=min_cell,
                           stock_measure=STOCK_MEASURE),
    )


def _coverage_figure(table: pd.DataFrame, d: WellbeingData) -> Callable[[str], Figure]:
    def draw(lang: str) -> Figure:
        from kuva.analysis.style import colour, finish, new_figure, styled

        with styled():
            fig, axes = new_figure(height=max(2.5, 0.35 * len(table) + 1.5))
            ax = axes[0][0]
            vals = np.nan_to_num(table["coverage_pct"].to_numpy(dtype=float))
            cols = [colour("comparison") if a == COMPARISON else colour("pilot") for a in table["area"]]
            ax.barh(range(len(table)), vals, color=cols)
            ax.set_yticks(range(len(table)), [_area_name(d, a, lang) for a in table["area"]])
            ax.invert_yaxis()
            ax.set_xlabel("%")
            return finish(fig, label("title.coverage", lang), lang, synthetic=d.synthetic)

    return draw


# -- distributions and means -------------------------------------------------------------------------
def score_distribution(
    wh: Warehouse,
    *,
    areas: Sequence[str] | None = None,
    min_cell: int | None = None,
    data: WellbeingData | None = None,
) -> AnalysisResult:
    """Distribution of both 0–10 scores at each person's first answer, all and by area."""
    pol = _policy(min_cell)
    return _publish([_score_distribution(_load(wh, data), areas, pol.min_cell)], pol)[0]


def _score_distribution(d: WellbeingData, areas: Sequence[str] | None, min_cell: int) -> _Draft:
    first = d.first_answers()
    codes = d.area_codes(areas)
    rows: list[dict[str, object]] = []
    for item in SCORE_ITEMS:
        answered = first[first[item].notna()]
        for code, level, sub in _subsets(answered, d, codes):
            base = {"item": item, "area": code, "area_name": _area_name(d, code), "level": level}
            rows += _distribution_rows(sub[item].astype(int).astype(str), SCORE_LABELS, "score", base)
    spec = TableSpec(
        counts=(Count("n", ("item", "area", "score"), quantity="kykyviisari_first_score"),),
        relations=(Hierarchy("n", "area", _area_tree(first, codes)),
                   Hierarchy("n", "score", {"total": SCORE_LABELS})),
        derived=(Share("share_pct", "n", "score"),))
    return _Draft("kykyviisari_score_distribution", pd.DataFrame(rows), spec,
                  lambda table: _score_distribution_result(table, d, areas, min_cell))


def _score_distribution_result(table: pd.DataFrame, d: WellbeingData, areas: Sequence[str] | None,
                               min_cell: int) -> AnalysisResult:
    numbers: dict[str, float | str] = {}
    for item in SCORE_ITEMS:
        numbers[f"n_{item}_all"] = _get(_row(table, item=item, area=ALL_AREAS, score="total"), "n")

    def text(lang: str) -> str:
        n = _num(numbers[f"n_{WORK_ABILITY}_all"], lang, 0)
        return label("text.distribution", lang, n=n, min_cell=min_cell)

    def draw(lang: str) -> Figure:
        from kuva.analysis.style import colour, finish, new_figure, styled

        with styled():
            fig, axes = new_figure(1, 2)
            for ax, item in zip(axes[0], SCORE_ITEMS, strict=True):
                for i, code in enumerate((PILOTS_TOTAL, COMPARISON, ALL_AREAS)):
                    sub = table[(table["item"] == item) & (table["area"] == code) & (table["score"] != "total")]
                    key = {PILOTS_TOTAL: "pilot", COMPARISON: "comparison", ALL_AREAS: "nation"}[code]
                    ax.plot(sub["score"].astype(int), sub["share_pct"], marker="o", color=colour(key, i),
                            label=_area_name(d, code, lang))
                ax.set_title(label(item, lang))
                ax.set_xlabel(label("score", lang))
                ax.set_ylabel(label("share_pct", lang))
                ax.set_xticks(range(SCORE_MIN, SCORE_MAX + 1))
            axes[0][0].legend(frameon=False)
            return finish(fig, label("title.distribution", lang), lang, synthetic=d.synthetic)

    return AnalysisResult(
        key="kykyviisari_score_distribution", title=lambda lang: label("title.distribution", lang), table=table,
        figure=draw, text=text, numbers=numbers, sources=d.sources, synthetic=d.synthetic, count_columns=("n",),
        parameters=_params(areas=areas, min_cell=min_cell, answers="first answer of each person"),
    )


def score_means(
    wh: Warehouse,
    *,
    areas: Sequence[str] | None = None,
    min_n: int = DEFAULT_MIN_N,
    min_cell: int | None = None,
    confidence: float = 0.95,
    data: WellbeingData | None = None,
) -> AnalysisResult:
    """Mean scores at each person's first answer, all and by area, with t-intervals for areas
    with at least ``min_n`` respondents; the comparison area beside the pilots."""
    pol = _policy(min_cell)
    return _publish([_score_means(_load(wh, data), areas, min_n, pol.min_cell, confidence)], pol)[0]


def _score_means(d: WellbeingData, areas: Sequence[str] | None, min_n: int, min_cell: int,
                 confidence: float) -> _Draft:
    if min_n < 2:
        raise KuvaInputError(f"min_n must be at least 2, got {min_n}")
    if not 0 < confidence < 1:
        raise KuvaInputError(f"confidence must be between 0 and 1, got {confidence}")
    first = d.first_answers()
    codes = d.area_codes(areas)
    rows: list[dict[str, object]] = []
    for item in SCORE_ITEMS:
        for code, level, sub in _subsets(first, d, codes):
            ci = mean_ci(sub[item].to_numpy(dtype=float), confidence)
            shown = ci.n >= min_n
            rows.append({"item": item, "area": code, "area_name": _area_name(d, code), "level": level,
                         "n": ci.n, "mean": ci.mean, "sd": ci.sd, "ci_low": ci.low if shown else math.nan,
                         "ci_high": ci.high if shown else math.nan, "ci_shown": shown})
    # n is the answers to the item: the score distribution's total row (one cell)
    spec = TableSpec(
        counts=(Count("n", ("item", "area"), quantity="kykyviisari_first_score", at=(("score", "total"),)),),
        relations=(Hierarchy("n", "area", _area_tree(first, codes)),),
        derived=tuple(Derived(c, ("n",)) for c in ("mean", "sd", "ci_low", "ci_high")))
    return _Draft("kykyviisari_score_means", pd.DataFrame(rows), spec,
                  lambda table: _score_means_result(table, d, areas, min_n, min_cell, confidence))


def _score_means_result(table: pd.DataFrame, d: WellbeingData, areas: Sequence[str] | None, min_n: int,
                        min_cell: int, confidence: float) -> AnalysisResult:
    table["ci_shown"] = table["ci_shown"].astype(bool) & ~table["suppressed"].astype(bool)
    numbers: dict[str, float | str] = {}
    for item in SCORE_ITEMS:
        for code in (PILOTS_TOTAL, COMPARISON, ALL_AREAS):
            r = _row(table, item=item, area=code)
            for col in ("n", "mean", "ci_low", "ci_high"):
                numbers[f"{col}_{item}_{code}"] = _get(r, col)

    def text(lang: str) -> str:
        w = WORK_ABILITY
        mp, mc = _num(numbers[f"mean_{w}_{PILOTS_TOTAL}"], lang), _num(numbers[f"mean_{w}_{COMPARISON}"], lang)
        lp, hp = _num(numbers[f"ci_low_{w}_{PILOTS_TOTAL}"], lang), _num(numbers[f"ci_high_{w}_{PILOTS_TOTAL}"], lang)
        lc, hc = _num(numbers[f"ci_low_{w}_{COMPARISON}"], lang), _num(numbers[f"ci_high_{w}_{COMPARISON}"], lang)
        pct = _num(100 * confidence, lang, 0)
        return label("text.means", lang, mean_pilot=mp, confidence=pct, low_pilot=lp, high_pilot=hp,
                     mean_comparison=mc, low_comparison=lc, high_comparison=hc, min_n=min_n)

    def draw(lang: str) -> Figure:
        from kuva.analysis.style import colour, finish, new_figure, styled

        with styled():
            fig, axes = new_figure(1, 2, height=max(3.0, 0.3 * table["area"].nunique() + 1.5), sharey=True)
            for ax, item in zip(axes[0], SCORE_ITEMS, strict=True):
                sub = table[table["item"] == item].reset_index(drop=True)
                for i, r in sub.iterrows():
                    key = "comparison" if r["area"] == COMPARISON else "nation" if r["area"] == ALL_AREAS else "pilot"
                    y = float(i)  # type: ignore[arg-type]
                    if bool(r["ci_shown"]):
                        ax.plot([r["ci_low"], r["ci_high"]], [y, y], color=colour(key), linewidth=1.2)
                    ax.plot([r["mean"]], [y], "o", color=colour(key))
                ax.set_yticks(range(len(sub)), [_area_name(d, a, lang) for a in sub["area"]])
                ax.invert_yaxis()
                ax.set_xlim(SCORE_MIN, SCORE_MAX)
                ax.set_title(label(item, lang))
                ax.set_xlabel(label("mean", lang))
            return finish(fig, label("title.means", lang), lang, synthetic=d.synthetic)

    return AnalysisResult(
        key="kykyviisari_score_means", title=lambda lang: label("title.means", lang), table=table, figure=draw,
        text=text, numbers=numbers, sources=d.sources, synthetic=d.synthetic, count_columns=("n",),
        parameters=_params(areas=areas, min_n=min_n, min_cell=min_cell, confidence=confidence,
                           answers="first answer of each person", interval="t-interval"),
    )


# -- change ---------------------------------------------------------------------------------------------
def answer_pairs(data: WellbeingData, pair: ChangePair = "first_last") -> pd.DataFrame:
    """One row per repeat respondent: first and second (or last) answer and whether a service
    started in between (``first date <= service_start < second date``).

    Columns: ``pseudonym, area, group, date_1, date_2, <item>_1, <item>_2, service_between``.
    """
    if pair not in CHANGE_PAIRS:
        raise KuvaInputError(f"pair must be one of {list(CHANGE_PAIRS)}, got {pair!r}")
    a = data.answers
    counts = a.groupby("pseudonym")["answered_at"].transform("size")
    rep = a[counts >= 2]
    first = rep.drop_duplicates("pseudonym", keep="first")
    if pair == "first_last":
        second = rep.drop_duplicates("pseudonym", keep="last")
    else:
        second = rep[rep.groupby("pseudonym").cumcount() == 1]
    cols = ["pseudonym", "answered_at", *SCORE_ITEMS]
    out = first[["pseudonym", "area", "group", "answered_at", *SCORE_ITEMS]].merge(
        second[cols], on="pseudonym", suffixes=("_1", "_2"))
    out = out.rename(columns={"answered_at_1": "date_1", "answered_at_2": "date_2"})
    starts = data.service_starts.merge(out[["pseudonym", "date_1", "date_2"]], on="pseudonym")
    between = starts[(starts["event_date"] >= starts["date_1"]) & (starts["event_date"] < starts["date_2"])]
    out["service_between"] = out["pseudonym"].isin(set(between["pseudonym"]))
    return out.reset_index(drop=True)


def score_change(
    wh: Warehouse,
    *,
    areas: Sequence[str] | None = None,
    min_cell: int | None = None,
    confidence: float = 0.95,
    pair: ChangePair = "first_last",
    data: WellbeingData | None = None,
) -> AnalysisResult:
    """Within-person change between repeated answers (mean, t-interval, paired t-test), by area,
    and for persons with and without a service start between the answers (Welch difference).

    Selection is stated with numbers: how many answered more than once, and how repeat
    respondents and the service group differed at their first answer.
    """
    pol = _policy(min_cell)
    return _publish([_score_change(_load(wh, data), areas, pol.min_cell, confidence, pair)], pol)[0]


_CHANGE_DERIVED = ("mean_first", "mean_second", "mean_change", "sd_change", "ci_low", "ci_high", "t", "p_value")


def _score_change(d: WellbeingData, areas: Sequence[str] | None, min_cell: int, confidence: float,
                  pair: ChangePair) -> _Draft:
    if not 0 < confidence < 1:
        raise KuvaInputError(f"confidence must be between 0 and 1, got {confidence}")
    pairs = answer_pairs(d, pair)
    codes = d.area_codes(areas)
    first = d.first_answers()
    one_time = first[~first["pseudonym"].isin(set(pairs["pseudonym"]))]
    rows: list[dict[str, object]] = []
    diff_rows: list[dict[str, object]] = []

    def add(item: str, subgroup: str, code: str, level: str, sub: pd.DataFrame) -> None:
        ch = paired_change(sub[f"{item}_1"].to_numpy(dtype=float), sub[f"{item}_2"].to_numpy(dtype=float),
                           confidence)
        rows.append({"item": item, "subgroup": subgroup, "area": code, "area_name": _area_name(d, code),
                     "level": level, "n": ch.n, "mean_first": ch.mean_before, "mean_second": ch.mean_after,
                     "mean_change": ch.mean_change, "sd_change": ch.sd_change, "ci_low": ch.low, "ci_high": ch.high,
                     "t": ch.t, "p_value": ch.p})

    for item in SCORE_ITEMS:
        for code, level, sub in _subsets(pairs, d, codes):
            add(item, "all", code, level, sub)
        add(item, "service", ALL_AREAS, "service", pairs[pairs["service_between"]])
        add(item, "no_service", ALL_AREAS, "service", pairs[~pairs["service_between"]])
        base = one_time[item].to_numpy(dtype=float)
        ci = mean_ci(base, confidence)
        rows.append({"item": item, "subgroup": "one_time", "area": ALL_AREAS, "area_name": _area_name(d, ALL_AREAS),
                     "level": "selection", "n": ci.n, "mean_first": ci.mean, "mean_second": math.nan,
                     "mean_change": math.nan, "sd_change": math.nan, "ci_low": math.nan, "ci_high": math.nan,
                     "t": math.nan, "p_value": math.nan})
        s = pairs[pairs["service_between"]]
        ns = pairs[~pairs["service_between"]]
        dif = welch_difference(s[f"{item}_2"] - s[f"{item}_1"], ns[f"{item}_2"] - ns[f"{item}_1"], confidence)
        diff_rows.append({"item": item, "subgroup": "service_minus_no_service", "area": ALL_AREAS,
                          "area_name": _area_name(d, ALL_AREAS), "level": "difference",
                          "n": float(dif.n_a + dif.n_b), "mean_first": math.nan, "mean_second": math.nan,
                          "mean_change": dif.diff, "sd_change": math.nan, "ci_low": dif.low, "ci_high": dif.high,
                          "t": dif.t, "p_value": dif.p})
    # the pairs of an area add up to the pilot total and to all; all pairs are those with a
    # service between the answers and those without; one-time respondents are another quantity
    spec = TableSpec(
        counts=(Count("n", ("item", "subgroup", "area"), quantity=f"kykyviisari_pairs_{pair}"),),
        relations=(Hierarchy("n", "area", _area_tree(pairs, codes)),
                   Hierarchy("n", "subgroup", {"all": ("service", "no_service")})),
        derived=tuple(Derived(c, ("n",)) for c in _CHANGE_DERIVED))
    return _Draft("kykyviisari_change", pd.DataFrame(rows), spec,
                  lambda table: _score_change_result(table, pd.DataFrame(diff_rows), d, first, pairs, areas,
                                                     min_cell, confidence, pair))


def _score_change_result(table: pd.DataFrame, diffs: pd.DataFrame, d: WellbeingData, first: pd.DataFrame,
                         pairs: pd.DataFrame, areas: Sequence[str] | None, min_cell: int, confidence: float,
                         pair: ChangePair) -> AnalysisResult:
    # the service difference is shown only where both of its groups are shown (its n is their sum)
    shown = table[(table["area"] == ALL_AREAS) & table["subgroup"].isin(["service", "no_service"])]
    both = shown.groupby("item")["n"].apply(lambda n: bool(n.notna().all() and len(n) == 2))
    ok = diffs["item"].map(both).fillna(False).astype(bool).to_numpy()
    diffs = diffs.copy()
    for c in ("n", *_CHANGE_DERIVED):
        diffs[c] = diffs[c].where(ok, math.nan)
    diffs["suppressed"] = ~ok
    table = pd.concat([table, diffs], ignore_index=True)
    table["suppressed"] = table["suppressed"].astype(bool)
    n_resp = len(first)
    n_rep = len(pairs)
    numbers: dict[str, float | str] = {"respondents": float(n_resp) if n_resp >= min_cell else math.nan,
                                       "repeat_respondents": float(n_rep) if n_rep >= min_cell else math.nan,
                                       "repeat_share_pct": _pct(n_rep, n_resp) if n_rep >= min_cell else math.nan}
    for item in SCORE_ITEMS:
        for sg in ("all", "service", "no_service", "one_time", "service_minus_no_service"):
            r = _row(table, item=item, subgroup=sg, area=ALL_AREAS)
            for col in ("n", "mean_first", "mean_change", "ci_low", "ci_high", "p_value"):
                numbers[f"{col}_{item}_{sg}"] = _get(r, col)

    def text(lang: str) -> str:
        w = WORK_ABILITY
        g = numbers.get
        rep, share = _num(g("repeat_respondents", math.nan), lang, 0), _num(g("repeat_share_pct", math.nan), lang)
        ch = _num(g(f"mean_change_{w}_all", math.nan), lang, 2, signed=True)
        lo, hi = _num(g(f"ci_low_{w}_all", math.nan), lang, 2), _num(g(f"ci_high_{w}_all", math.nan), lang, 2)
        p = _num(g(f"p_value_{w}_all", math.nan), lang, 3)
        b_rep, b_one = _num(g(f"mean_first_{w}_all", math.nan), lang), _num(g(f"mean_first_{w}_one_time", math.nan),
                                                                            lang)
        b_s, b_n = _num(g(f"mean_first_{w}_service", math.nan), lang), _num(g(f"mean_first_{w}_no_service", math.nan),
                                                                            lang)
        c_s = _num(g(f"mean_change_{w}_service", math.nan), lang, 2, signed=True)
        c_n = _num(g(f"mean_change_{w}_no_service", math.nan), lang, 2, signed=True)
        dd = _num(g(f"mean_change_{w}_service_minus_no_service", math.nan), lang, 2, signed=True)
        return label("text.change", lang, repeat=rep, share=share, change=ch, low=lo, high=hi, p=p,
                     change_service=c_s, change_no_service=c_n, difference=dd, first_repeat=b_rep,
                     first_one_time=b_one, first_service=b_s, first_no_service=b_n)

    def draw(lang: str) -> Figure:
        from kuva.analysis.style import colour, finish, new_figure, styled

        with styled():
            fig, axes = new_figure(1, 2, sharey=True)
            picks = [("all", PILOTS_TOTAL, "pilot"), ("all", COMPARISON, "comparison"),
                     ("service", ALL_AREAS, "area"), ("no_service", ALL_AREAS, "nation")]
            names = [_area_name(d, PILOTS_TOTAL, lang), _area_name(d, COMPARISON, lang),
                     label("change_service", lang), label("change_no_service", lang)]
            for ax, item in zip(axes[0], SCORE_ITEMS, strict=True):
                for y, (sg, code, key) in enumerate(picks):
                    r = _row(table, item=item, subgroup=sg, area=code)
                    m, lo_, hi_ = _get(r, "mean_change"), _get(r, "ci_low"), _get(r, "ci_high")
                    ax.plot([lo_, hi_], [y, y], color=colour(key), linewidth=1.2)
                    ax.plot([m], [y], "o", color=colour(key))
                ax.axvline(0, color="#777777", linewidth=0.8)
                ax.set_yticks(range(len(picks)), names)
                ax.invert_yaxis()
                ax.set_title(label(item, lang))
            return finish(fig, label("title.change", lang), lang, synthetic=d.synthetic)

    return AnalysisResult(
        key="kykyviisari_change", title=lambda lang: label("title.change", lang), table=table, figure=draw,
        text=text, numbers=numbers, sources=d.sources, synthetic=d.synthetic,
        # n of the service difference rows is n_service + n_no_service, shown only when both reach min_cell
        count_columns=("n",),
        parameters=_params(areas=areas, min_cell=min_cell, confidence=confidence, pair=pair,
                           service_between="first answer date <= service_start < second answer date",
                           test="report.param.value.wellbeing_test"),
    )


# -- everything ----------------------------------------------------------------------------------------
def wellbeing_summary(
    wh: Warehouse,
    areas: Sequence[str] | None = None,
    min_cell: int | None = None,
    *,
    start: date | None = None,
    end: date | None = None,
    on: date | None = None,
    min_n: int = DEFAULT_MIN_N,
) -> list[AnalysisResult]:
    """Every Kykyviisari analysis, in report order (reads the warehouse once), their tables
    protected jointly."""
    pol = _policy(min_cell)
    d = _load(wh, None)
    m = pol.min_cell
    return _publish([_coverage(wh, d, start, end, on, areas, m), _basic_situation(d, areas, m),
                     _score_distribution(d, areas, m), _score_means(d, areas, min_n, m, 0.95),
                     _score_change(d, areas, m, 0.95, "first_last")], pol)


__all__ = [
    "CHANGE_PAIRS",
    "DEFAULT_MIN_N",
    "ChangePair",
    "answer_pairs",
    "basic_situation_distribution",
    "coverage",
    "score_change",
    "score_distribution",
    "score_means",
    "wellbeing_summary",
]
