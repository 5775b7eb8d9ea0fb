"""The municipal panel: unemployed jobseekers (continuation after the real data), persons in
each activating service, the activation rate, group counts and three-month outcomes.

Real vs synthetic
-----------------
The real 12r5 ``TYOTTOMATLOPUSSA`` of every municipality to 2023-10 is loaded by the real
loader; this module never emits those keys (not even for cells the publisher suppressed), only
the continuation after the last real month. Every other municipal measure here has no real
public counterpart at municipal level, so it is emitted under the catalogue's code at the
``KUnnn`` areas only; national (``SSS``) and other aggregate areas are never emitted, because
the real 12u4/12u5/12u* national figures live there.

Calibration
-----------
The municipal activation rate is ``level + national month effect + AR(1) noise + planted
effect`` (:mod:`kuva.simulate.rates`), so rates follow parallel trends without an effect. For
every month with real 12u4 data, the municipal counts of each of the seven services sum exactly
to the national 12u4 component (the month effect is solved to the national total, then a
two-margin controlled rounding keeps municipal totals and national sums per service exact).
After 2022-02 the national totals continue as the same calendar month of the last
real year scaled by (national unemployed ratio)^0.5. ``AKTASTE`` is computed from the emitted or
real stored counts, unrounded, so ``AKTASTE = 100 * P / (U + P)`` holds to float precision;
where the real ``U`` is suppressed it is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from kuva.errors import KuvaInputError
from kuva.registry import programme_registry
from kuva.registry.pilots import DEFAULT_PROGRAMME
from kuva.simulate.calibration import FOLLOW_UP, SERVICE_MEASURES, real_data
from kuva.simulate.effects import EffectSpec
from kuva.simulate.profile import Profile
from kuva.simulate.rates import ar1, controlled_round, municipal_persons, rake
from kuva.simulate.rounding import allocate

#: Year-on-year growth of unemployed jobseekers assumed after the real data end (2023-11 …
#: 2024-12). Stylised, in line with the published rise in registered unemployment in 2024;
#: not real values.
CONTINUATION_GROWTH: dict[int, float] = {2023: 1.10, 2024: 1.12}
#: Elasticity of the national service totals to national unemployment after 2022-02.
SERVICE_ELASTICITY = 0.5
FIRST_YEAR, LAST_YEAR = 2010, 2024

#: Reference period of the municipal activation-rate levels (real unemployed and 12u4 totals).
LEVEL_REFERENCE = ("2018-01-01", "2019-12-01")
#: Bounds of the municipal level relative to the national rate (pp).
LEVEL_BOUNDS = (-15.0, 20.0)
#: Municipal rate noise (pp): AR(1) with coefficient RATE_AR and marginal sd
#: RATE_NOISE_SD + RATE_NOISE_SMALL / sqrt(unemployed + in services in the reference period).
RATE_NOISE_SD, RATE_NOISE_SMALL, RATE_AR = 0.3, 3.0, 0.8
#: Service-mix noise (log scale): AR(1), marginal sd and coefficient.
MIX_NOISE_SD, MIX_AR = 0.12, 0.9

GROUP_MEASURES = ("PITKAAIKAISTYOTTOMAT", "TYOTTOMAT_ALLE25", "TYOTTOMATULK", "TYOTTOMAT_VIERASKIEL")


@dataclass(frozen=True)
class Panel:
    """The municipal panel and the arrays the person level is built from.

    Arrays are (municipality, month) or (municipality, service, month) in registry code order
    and :data:`~kuva.simulate.calibration.SERVICE_MEASURES` order.
    """

    frame: pd.DataFrame  #: observations (warehouse contract), municipal rows only
    truth: pd.DataFrame  #: planted truth rows: name, area_code, period, value, note
    months: pd.DatetimeIndex
    codes: tuple[str, ...]
    unemployed: np.ndarray  #: (m, t) int, real where published, imputed/continued elsewhere
    unemployed_stored: np.ndarray  #: (m, t) float, the value a warehouse holds (NaN = missing)
    services: np.ndarray  #: (m, k, t) int, with the planted effect
    services_cf: np.ndarray  #: (m, k, t) int, the counterfactual without the effect
    pilot: np.ndarray  #: (m, t) bool, a member of a pilot area in that month
    last_real_month: pd.Timestamp


def month_grid(years: tuple[int, int]) -> pd.DatetimeIndex:
    y0, y1 = years
    if not (FIRST_YEAR <= y0 <= y1 <= LAST_YEAR):
        raise KuvaInputError(f"years must satisfy {FIRST_YEAR} <= first <= last <= {LAST_YEAR}, got {years}")
    return pd.date_range(f"{y0}-01-01", f"{y1}-12-01", freq="MS")


def pilot_matrix(codes: tuple[str, ...], months: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    """(municipality, month) membership of a pilot area and the area slug of each municipality."""
    reg = programme_registry()
    slug = np.full(len(codes), "", dtype=object)
    out = np.zeros((len(codes), len(months)), dtype=bool)
    idx = {c: i for i, c in enumerate(codes)}
    for m in reg.memberships(DEFAULT_PROGRAMME):
        i = idx[m.municipality_code]
        slug[i] = m.area_code
        start = pd.Timestamp(m.start)
        end = pd.Timestamp(m.end) if m.end is not None else pd.Timestamp.max
        out[i] |= np.asarray((months >= start.to_period("M").to_timestamp()) & (months <= end))
    return out, slug


def _unemployed(rng: np.random.Generator, months: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray, pd.Timestamp]:
    real = real_data()
    last = real.months[-1]
    frame = pd.DataFrame(real.unemployed.T, index=real.months)
    stored = frame.reindex(months).to_numpy().T.copy()  # NaN after the real data
    imputed = frame.interpolate(limit_direction="both").fillna(0.0)
    full = pd.date_range(real.months[0], max(months[-1], last), freq="MS")
    arr = imputed.reindex(full).to_numpy().T.copy()
    n_real = len(real.months)
    for j in range(n_real, len(full)):
        g = CONTINUATION_GROWTH.get(full[j].year, 1.0)
        arr[:, j] = np.rint(arr[:, j - 12] * g * np.exp(rng.normal(0, 0.03, arr.shape[0])))
    pos = full.get_indexer(months)
    u = np.rint(arr[:, pos]).astype(np.int64)
    after = np.asarray(months > last)
    stored[:, after] = u[:, after]
    return u, stored, last


def _national_services(u_nat: np.ndarray, months: pd.DatetimeIndex, u_nat_ref: pd.Series) -> np.ndarray:
    nat = real_data().national
    last = nat.index[-1]
    out = np.zeros((len(SERVICE_MEASURES), len(months)))
    ref_block = nat.loc[last - pd.DateOffset(months=11):last]
    for j, t in enumerate(months):
        if t <= last:
            out[:, j] = nat.loc[t, list(SERVICE_MEASURES)].to_numpy(dtype=float)
        else:
            ref = ref_block[pd.DatetimeIndex(ref_block.index).month == t.month].index[0]
            ratio = (u_nat[j] / u_nat_ref.loc[ref]) ** SERVICE_ELASTICITY
            out[:, j] = np.rint(ref_block.loc[ref, list(SERVICE_MEASURES)].to_numpy(dtype=float) * ratio)
    return out


def _rate_levels(profile: Profile) -> tuple[np.ndarray, np.ndarray]:
    """Municipal activation-rate levels ``a_m`` (pp, relative to the national rate) and the size
    ``U + P`` of each municipality, both in :data:`LEVEL_REFERENCE` (real unemployed, real 12u4).

    The level is the rate a municipality gets when the real national service totals are split
    in proportion to unemployed x exp(service propensity) (the seed's propensities by area type,
    region and size), so levels and mixes stay realistic; it does not depend on ``years``.
    """
    real = real_data()
    frame = pd.DataFrame(real.unemployed.T, index=real.months).interpolate(limit_direction="both").fillna(0.0)
    lo, hi = LEVEL_REFERENCE
    u = frame.loc[lo:hi].to_numpy().T  # (m, t)
    nat = real.national.loc[lo:hi, list(SERVICE_MEASURES)].to_numpy(dtype=float).T  # (k, t)
    w = np.maximum(u, 0.5)[:, None, :] * np.exp(profile.service_propensity)[:, :, None]
    x = nat[None, :, :] * w / w.sum(axis=0, keepdims=True)
    p = x.sum(axis=1)
    rate = 100 * p.sum(axis=1) / np.maximum((u + p).sum(axis=1), 1e-9)
    national = 100 * p.sum() / (u + p).sum()
    # municipalities without registered unemployed in the reference period (Åland) would get
    # rates near 100 %: levels are kept within LEVEL_BOUNDS
    return np.clip(rate - national, *LEVEL_BOUNDS), (u + p).mean(axis=1)


def _split(p: np.ndarray, mix: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Persons per (municipality, service, month): ``p`` (m, t) split by ``mix`` (m, k, t),
    national sums per service equal to ``totals`` (k, t), municipal sums equal to ``p``."""
    x = rake(p[:, None, :] * mix, p.astype(float), totals)
    return controlled_round(x, p.astype(float), totals)


def _long(codes: tuple[str, ...], months: pd.DatetimeIndex, measure: str, arr: np.ndarray,
          keep: np.ndarray | None = None) -> pd.DataFrame:
    m, t = arr.shape
    area = np.repeat(np.array(codes, dtype=object), t)
    period = np.tile(months.to_numpy(), m)
    values = arr.astype(float).reshape(-1)
    frame = pd.DataFrame({"area_code": area, "period": period, "measure": measure, "breakdown": "",
                          "value": values})
    if keep is not None:
        frame = frame[keep.reshape(-1)]
    return frame


def _share_path(months: pd.DatetimeIndex, points: dict[str, float]) -> np.ndarray:
    """A piecewise-linear path through (YYYY-MM: value) points, flat outside."""
    xs = np.array([pd.Timestamp(k).value for k in points], dtype=float)
    ys = np.array(list(points.values()))
    out: np.ndarray = np.interp(months.asi8.astype(float), xs, ys)
    return out


def simulate_panel(rng: np.random.Generator, profile: Profile, effects: EffectSpec,
                   years: tuple[int, int]) -> Panel:
    """The municipal panel (pure: no warehouse). ``rng`` must be a dedicated generator."""
    months = month_grid(years)
    codes = profile.codes
    n_m, n_t, n_k = len(codes), len(months), len(SERVICE_MEASURES)
    rng_u, rng_s, rng_g, rng_o = rng.spawn(4)
    u, u_stored, last_real = _unemployed(rng_u, months)
    u_nat = u.sum(axis=0).astype(float)
    # national unemployed for the reference months of the service continuation
    real = real_data()
    ref_frame = pd.DataFrame(real.unemployed.T, index=real.months).interpolate(limit_direction="both")
    u_nat_ref = ref_frame.sum(axis=1)
    totals = _national_services(u_nat, months, u_nat_ref)

    pilot, slug = pilot_matrix(codes, months)
    start_idx = (months.year - effects.start.year) * 12 + (months.month - effects.start.month)
    gap = np.array([effects.activation_gap(int(k)) for k in start_idx])
    factor = np.array([effects.by_area.get(str(s), 1.0) if s else 0.0 for s in slug])
    delta = pilot * factor[:, None] * gap[None, :]

    # rate (pp) = level + national month effect + AR(1) noise (+ planted effect): parallel trends
    level, size = _rate_levels(profile)
    noise = ar1(rng_s, (n_m, n_t), RATE_NOISE_SD + RATE_NOISE_SMALL / np.sqrt(np.maximum(size, 1.0)), RATE_AR)
    base = level[:, None] + noise
    uf = u.astype(float)
    p_tot = totals.sum(axis=0)
    p1, _ = municipal_persons(uf, base + delta, p_tot)
    p0, _ = municipal_persons(uf, base, p_tot) if np.any(delta) else (p1, None)
    # service mix: propensities (area type, region, size) with smooth AR(1) noise, raked to the
    # national totals per service, then rounded keeping both margins exact
    mix = np.exp(profile.service_propensity[:, :, None] + ar1(rng_s, (n_m, n_k, n_t), MIX_NOISE_SD, MIX_AR))
    mix = mix / mix.sum(axis=1, keepdims=True)
    services = _split(p1, mix, totals)
    services_cf = _split(p0, mix, totals) if np.any(delta) else services

    frames: list[pd.DataFrame] = []
    after = np.broadcast_to(np.asarray(months > last_real), (n_m, n_t))
    frames.append(_long(codes, months, "TYOTTOMATLOPUSSA", u, keep=after))
    for k, meas in enumerate(SERVICE_MEASURES):
        frames.append(_long(codes, months, meas, services[:, k, :]))
    p = services.sum(axis=1)
    frames.append(_long(codes, months, "PALVELUISSAYHTEENSA", p))
    with np.errstate(invalid="ignore", divide="ignore"):
        akt = 100.0 * p / (u_stored + p)
        akt_cf = 100.0 * services_cf.sum(axis=1) / (u + services_cf.sum(axis=1))
        akt_full = 100.0 * p / (u + p)
    frames.append(_long(codes, months, "AKTASTE", akt))
    frames.extend(_groups(rng_g, profile, months, u, u_stored))
    frames.extend(_outcomes(rng_o, profile, months, u, services))
    frame = pd.concat(frames, ignore_index=True)
    frame["period"] = pd.to_datetime(frame["period"])

    truth = _truth(codes, months, pilot, akt_full - akt_cf, delta, u, services, services_cf)
    return Panel(frame, truth, months, codes, u, u_stored, services, services_cf, pilot, last_real)


def _groups(rng: np.random.Generator, profile: Profile, months: pd.DatetimeIndex, u: np.ndarray,
            u_stored: np.ndarray) -> list[pd.DataFrame]:
    n_m = len(profile.codes)
    known = ~np.isnan(u_stored)
    us = np.where(known, u_stored, 0.0)
    # long-term unemployed (at least 12 months): stylised national path, rural/eastern lean
    lt_path = _share_path(months, {"2017-01": 0.33, "2019-06": 0.27, "2020-03": 0.25, "2021-06": 0.38,
                                   "2022-06": 0.34, "2023-06": 0.29, "2024-12": 0.30})
    lt_eff = 0.25 * profile.rural + 0.15 * np.isin(profile.region, ("MK10", "MK11", "MK12", "MK18"))
    lt_logit = np.log(lt_path / (1 - lt_path))[None, :] + lt_eff[:, None] + rng.normal(0, 0.2, n_m)[:, None]
    lt_logit = lt_logit + rng.normal(0, 0.05, lt_logit.shape)
    lt = np.rint(us / (1 + np.exp(-lt_logit)))
    # under 25: seasonal summer peak, university towns higher
    young = 0.095 + 0.02 * np.isin(months.month, (6, 7))[None, :] + 0.02 * (
        profile.area_type == "Muut yliopistokaupungit")[:, None] + rng.normal(0, 0.015, n_m)[:, None]
    u25 = np.rint(us * np.clip(young, 0.03, 0.3))
    # foreign nationals: national 12u5 total allocated exactly (to 2022-02), continued after
    real = real_data()
    fn_nat = real.foreign_national
    last = fn_nat.index[-1]
    ref_block = fn_nat.loc[last - pd.DateOffset(months=11):last]
    unat = u.sum(axis=0)
    real_u = pd.DataFrame(real.unemployed.T, index=real.months).interpolate(limit_direction="both").sum(axis=1)
    tot = np.zeros(len(months))
    for j, t in enumerate(months):
        if t <= last:
            tot[j] = fn_nat.loc[t]
        else:
            ref = ref_block[pd.DatetimeIndex(ref_block.index).month == t.month].index[0]
            tot[j] = np.rint(ref_block.loc[ref] * unat[j] / real_u.loc[ref])
    fw = us * profile.foreign_share[:, None] * np.exp(rng.normal(0, 0.15, n_m))[:, None] * 1.8
    fn = allocate(tot, fw, cap=np.floor(us * 0.9)).astype(float)
    lang_ratio = np.clip(1.45 + rng.normal(0, 0.12, n_m), 1.1, 2.0)
    fl = np.minimum(np.rint(fn * lang_ratio[:, None]), us)
    out = []
    for meas, arr in zip(GROUP_MEASURES, (lt, u25, fn, fl), strict=True):
        out.append(_long(profile.codes, months, meas, np.where(known, arr, np.nan)))
    return out


def _outcomes(rng: np.random.Generator, profile: Profile, months: pd.DatetimeIndex, u: np.ndarray,
              services: np.ndarray) -> list[pd.DataFrame]:
    """Annual three-month follow-up by service, national sums equal to 12ur…12ux where real."""
    real = real_data()
    years = sorted(set(months.year))
    n_m = len(profile.codes)
    out: list[pd.DataFrame] = []
    urate = u.mean(axis=1) / np.maximum(profile.population * 0.5, 1)
    rel = np.clip(urate / np.median(urate), 0.3, 3.0)
    for fam, (_f, c_end, c_une, c_srv, c_sh1, c_sh2) in FOLLOW_UP.items():
        table = real.follow_up[fam]
        last_y = int(table.index.max())
        k = SERVICE_MEASURES.index(fam) if fam in SERVICE_MEASURES else None
        stock = u if k is None else services[:, k, :]
        base_stock = None
        ended = np.zeros((n_m, len(years)))
        une = np.zeros_like(ended)
        srv = np.zeros_like(ended)
        for i, y in enumerate(years):
            sel = np.asarray(months.year == y)
            mean_stock = stock[:, sel].mean(axis=1)
            if y in table.index:
                e_tot, u_tot, s_tot = table.loc[y, ["ended", "unemployed", "services"]].to_numpy(dtype=float)
            else:
                ref = table.loc[last_y]
                if base_stock is None:
                    ref_sel = np.asarray(months.year == last_y)
                    base_stock = float(stock[:, ref_sel].sum(axis=0).mean()) if ref_sel.any() else float(
                        mean_stock.sum())
                ratio = mean_stock.sum() / max(base_stock, 1.0)
                e_tot = float(np.rint(ref["ended"] * ratio))
                u_tot = float(np.rint(e_tot * ref["unemployed"] / ref["ended"]))
                s_tot = float(np.rint(e_tot * ref["services"] / ref["ended"]))
            we = mean_stock * np.exp(rng.normal(0, 0.1, n_m))
            e = allocate(np.array([e_tot]), we[:, None])[:, 0]
            wu = e * rel**0.5 * np.exp(rng.normal(0, 0.1, n_m))
            un = allocate(np.array([u_tot]), wu[:, None], cap=e[:, None])[:, 0]
            ws = e * np.exp(rng.normal(0, 0.1, n_m))
            sv = allocate(np.array([s_tot]), ws[:, None], cap=(e - un)[:, None])[:, 0]
            ended[:, i], une[:, i], srv[:, i] = e, un, sv
        periods = pd.DatetimeIndex([pd.Timestamp(y, 1, 1) for y in years])
        with np.errstate(invalid="ignore", divide="ignore"):
            sh1 = np.where(ended > 0, 100 * une / ended, np.nan)
            sh2 = np.where(ended > 0, 100 * srv / ended, np.nan)
        for code, arr in ((c_end, ended), (c_une, une), (c_srv, srv), (c_sh1, sh1), (c_sh2, sh2)):
            out.append(_long(profile.codes, periods, code, arr))
    return out


def _truth(codes: tuple[str, ...], months: pd.DatetimeIndex, pilot: np.ndarray, diff: np.ndarray,
           delta: np.ndarray, u: np.ndarray, services: np.ndarray, services_cf: np.ndarray) -> pd.DataFrame:
    rows: list[pd.DataFrame] = []
    treated = delta != 0
    mi, ti = np.nonzero(treated)
    rows.append(pd.DataFrame({
        "name": "activation_rate_effect_pp", "area_code": np.array(codes, dtype=object)[mi],
        "period": months[ti], "value": diff[mi, ti],
        "note": "AKTASTE with effect minus the same seed without it (percentage points), pilot municipality",
    }))
    p, pc = services.sum(axis=1), services_cf.sum(axis=1)

    def pooled(s: np.ndarray, mask: np.ndarray) -> np.ndarray:
        out: np.ndarray = 100 * (s * mask).sum(axis=0) / np.maximum(((u + s) * mask).sum(axis=0), 1)
        return out

    att = pooled(p, pilot) - pooled(pc, pilot)
    spill = pooled(p, ~pilot) - pooled(pc, ~pilot)
    any_t = treated.any(axis=0)
    planted = np.where(any_t, (delta * treated).sum(axis=0) / np.maximum(treated.sum(axis=0), 1), 0.0)
    for name, vals, note in (
        ("activation_rate_att_pp", att, "pooled pilot AKTASTE minus counterfactual (pp)"),
        ("activation_rate_spillover_pp", spill, "pooled non-pilot AKTASTE minus counterfactual (pp); "
                                                "national totals are fixed"),
        ("activation_rate_gap_pp", att - spill, "att minus spillover: the DiD estimand (pp)"),
        ("activation_rate_planted_pp", planted, "planted gap, mean over treated municipalities (pp)"),
    ):
        rows.append(pd.DataFrame({"name": name, "area_code": "", "period": months[any_t],
                                  "value": vals[any_t], "note": note}))
    out = pd.concat(rows, ignore_index=True)
    out["period"] = pd.to_datetime(out["period"]).dt.date
    return out


def simulation_start(months: pd.DatetimeIndex) -> date:
    return months[0].date()
