"""Staggered-adoption estimators: Callaway–Sant'Anna (2021) and Sun–Abraham (2021)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from kuva.errors import KuvaInputError
from kuva.evaluate.data import PanelData
from kuva.evaluate.fixest import coef_names, feols, n_obs, vcov_matrix
from kuva.evaluate.numerics import rng as _rng
from kuva.evaluate.options import BasePeriod, ControlGroup, CSMethod, validate_option
from kuva.evaluate.staggered.attgt import two_by_two
from kuva.evaluate.staggered.inference import analytic_se, multiplier_bootstrap
from kuva.evaluate.staggered.results import CallawaySantAnnaResults, SunAbrahamResults
from kuva.evaluate.warnings import DroppedUnitsWarning


def _balanced_units(panel: PanelData) -> pd.DataFrame:
    """Long frame restricted to units observed in every period (with a warning if any go)."""
    long = panel.long
    n_t = long["t"].nunique()
    counts = long.groupby("unit")["t"].transform("count")
    if (counts < n_t).any():
        dropped = long.loc[counts < n_t, "unit"].nunique()
        warnings.warn(
            f"{dropped} unit(s) not observed in all {n_t} periods were left out "
            "(the estimator needs a balanced panel)",
            DroppedUnitsWarning,
            stacklevel=3,
        )
        long = long.loc[counts == n_t]
    return long


class CallawaySantAnna:
    """Group-time average treatment effects ATT(g,t) (Callaway & Sant'Anna 2021).

    Mirrors R ``did::att_gt`` for balanced panels: 2×2 comparisons of cohort ``g`` with
    never-treated or not-yet-treated units, ``varying`` or ``universal`` base period,
    ``anticipation`` periods, and the ``dr``/``ipw``/``reg`` 2×2 estimators with covariates
    taken at the base period. Units treated in the first period cannot be used and are left
    out with a ``DroppedUnitsWarning``; cohorts starting after the last period are treated as
    never treated (as R ``did`` does).
    """

    def __init__(
        self,
        panel: PanelData,
        *,
        control_group: ControlGroup = "never_treated",
        method: CSMethod = "dr",
        base_period: BasePeriod = "varying",
        covariates: Sequence[str] = (),
        anticipation: int = 0,
    ) -> None:
        if not isinstance(panel, PanelData):
            raise KuvaInputError("panel must be a kuva.evaluate.PanelData")
        self._control: ControlGroup = validate_option("control_group", control_group, ControlGroup)
        self._method: CSMethod = validate_option("method", method, CSMethod)
        self._base: BasePeriod = validate_option("base_period", base_period, BasePeriod)
        for c in covariates:
            if c not in panel.covariates:
                raise KuvaInputError(
                    f"covariate {c!r} was not declared in PanelData(covariates=...)"
                )
        if anticipation < 0:
            raise KuvaInputError(f"anticipation must be >= 0; got {anticipation}")
        self._panel = panel
        self._covariates = tuple(covariates)
        self._anticipation = int(anticipation)

    def fit(
        self,
        *,
        alpha: float = 0.05,
        bootstrap_reps: int = 999,
        seed: int | np.random.Generator | None = None,
    ) -> CallawaySantAnnaResults:
        """Estimate all ATT(g,t). ``bootstrap_reps=0``: analytic SEs, pointwise intervals."""
        if not 0 < alpha < 1:
            raise KuvaInputError(f"alpha must be in (0, 1); got {alpha!r}")
        long = _balanced_units(self._panel)
        times = np.sort(long["t"].unique())
        units = long.drop_duplicates("unit").set_index("unit")
        unit_ids = np.sort(long["unit"].unique())
        units = units.loc[unit_ids]
        big_g = units["g"].to_numpy(dtype=float)
        big_g = np.where(big_g > times[-1], np.nan, big_g)
        always = np.isfinite(big_g) & (big_g - self._anticipation <= times[0])
        if always.any():
            warnings.warn(
                f"{int(always.sum())} unit(s) treated in the first period were left out",
                DroppedUnitsWarning,
                stacklevel=2,
            )
        keep_units = ~always
        unit_ids = unit_ids[keep_units]
        big_g = big_g[keep_units]
        long = long.loc[long["unit"].isin(set(unit_ids))]
        wide_y = long.pivot(index="unit", columns="t", values="y").loc[unit_ids, times]
        y = wide_y.to_numpy(dtype=float)
        covs = {
            c: long.pivot(index="unit", columns="t", values=c).loc[unit_ids, times].to_numpy()
            for c in self._covariates
        }
        cluster = pd.factorize(units.loc[unit_ids, "cluster"])[0].astype(np.int64)
        n = len(unit_ids)
        never = ~np.isfinite(big_g)
        if self._control == "never_treated" and not never.any():
            raise KuvaInputError(
                "no never-treated units; use control_group='not_yet_treated'"
            )
        cohorts = np.unique(big_g[np.isfinite(big_g)])
        pos = {int(t): i for i, t in enumerate(times)}
        cells_g: list[int] = []
        cells_t: list[int] = []
        atts: list[float] = []
        infs: list[np.ndarray] = []
        for g in cohorts:
            gi = int(g)
            base_post = gi - 1 - self._anticipation
            if base_post not in pos:
                # the period before treatment is not observed: use the last earlier one
                earlier = times[times <= base_post]
                if earlier.size == 0:
                    continue
                base_post = int(earlier[-1])
            for ti, t in enumerate(times):
                t = int(t)
                post = t >= gi - self._anticipation
                if self._base == "varying" and not post:
                    if ti == 0:
                        continue
                    base = int(times[ti - 1])
                else:
                    base = base_post
                if self._base == "universal" and t == base:
                    cells_g.append(gi)
                    cells_t.append(t)
                    atts.append(0.0)
                    infs.append(np.zeros(n))
                    continue
                treat = big_g == g
                if self._control == "never_treated":
                    ctrl = never
                else:
                    ctrl = never | (
                        (big_g > max(t, base) + self._anticipation) & (big_g != g)
                    )
                sample = treat | ctrl
                if not ctrl.any():
                    continue
                dy = y[sample, pos[t]] - y[sample, pos[base]]
                d = treat[sample].astype(float)
                x = np.column_stack(
                    [np.ones(int(sample.sum()))]
                    + [covs[c][sample, pos[base]] for c in self._covariates]
                )
                res = two_by_two(dy, d, x, self._method)
                full = np.zeros(n)
                full[sample] = res.inf * n / sample.sum()
                cells_g.append(gi)
                cells_t.append(t)
                atts.append(res.att)
                infs.append(full)
        if not atts:
            raise KuvaInputError("no estimable group-time cells")
        inf = np.column_stack(infs)
        att = np.array(atts)
        groups = np.array(cells_g, dtype=np.int64)
        tt = np.array(cells_t, dtype=np.int64)
        pg_by_g = {int(g): float(np.mean(big_g == g)) for g in cohorts}
        cell_pg = np.array([pg_by_g[int(g)] for g in groups])
        if bootstrap_reps > 0:
            mb = multiplier_bootstrap(
                inf, cluster, reps=bootstrap_reps, alpha=alpha, rng=_rng(seed)
            )
            se = mb.std_errors
            crit = mb.critical_value
            inference = f"multiplier bootstrap (B={bootstrap_reps}), uniform bands"
        else:
            se = analytic_se(inf, cluster)
            crit = float(stats.norm.ppf(1 - alpha / 2))
            inference = "analytic influence function, pointwise intervals"
        label_times = set(times.tolist()) | set(groups.tolist())
        labels = {int(t): self._panel.period_label(t) for t in label_times}
        return CallawaySantAnnaResults(
            groups=groups,
            times=tt,
            att_gt=att,
            std_errors=se,
            critical_value=crit,
            alpha=alpha,
            method=self._method,
            control_group=self._control,
            base_period=self._base,
            anticipation=self._anticipation,
            inference=inference,
            n_units=n,
            influence=inf,
            unit_group=big_g,
            unit_cluster=cluster,
            cell_pg=cell_pg,
            labels=labels,
            n_obs=len(long),
            bootstrap_reps=bootstrap_reps,
            seed=seed if isinstance(seed, int) else None,
        )


class SunAbraham:
    """Interaction-weighted event study (Sun & Abraham 2021).

    A saturated TWFE regression of the outcome on cohort × relative-period indicators
    (reference period -1, all other relative periods of every cohort included) with unit
    and period fixed effects, estimated by pyfixest with CRV1 covariance; then averaged over
    cohorts with each cohort's share of units observed at that relative period. The control
    cohort is the never treated, or — if there are none — the last-treated cohort (whose
    periods from its adoption on are dropped).
    """

    def __init__(self, panel: PanelData) -> None:
        if not isinstance(panel, PanelData):
            raise KuvaInputError("panel must be a kuva.evaluate.PanelData")
        if len(panel.cohorts) == 0:
            raise KuvaInputError("no treated units in the panel")
        self._panel = panel

    def fit(self, *, alpha: float = 0.05) -> SunAbrahamResults:
        long = self._panel.long
        g = long["g"].to_numpy(dtype=float)
        control = "never treated"
        if not np.isnan(g).any():
            last = np.nanmax(g)
            keep = ~((g == last) & (long["t"].to_numpy() >= last))
            long = long.loc[keep].reset_index(drop=True)
            g = long["g"].to_numpy(dtype=float)
            g = np.where(g == last, np.nan, g)
            control = f"last treated ({self._panel.period_label(last)})"
        t = long["t"].to_numpy()
        rel = t - g
        work = pd.DataFrame(
            {
                "y": long["y"].to_numpy(),
                "unit_fe": pd.factorize(long["unit"])[0],
                "time_fe": t,
                "clu": pd.factorize(long["cluster"])[0],
            }
        )
        cells = (
            pd.DataFrame({"g": g, "e": rel, "unit": long["unit"].to_numpy()})
            .dropna()
            .query("e != -1")
        )
        cell_keys = sorted({(int(a), int(b)) for a, b in zip(cells["g"], cells["e"],
                                                             strict=True)})
        names = []
        cols = {}
        for gi, e in cell_keys:
            name = f"c{gi}_{'m' if e < 0 else 'p'}{abs(e)}"
            cols[name] = ((g == gi) & (rel == e)).astype(float)
            names.append(name)
        work = pd.concat([work, pd.DataFrame(cols)], axis=1)
        fit = feols(
            f"y ~ {' + '.join(names)} | unit_fe + time_fe", data=work, vcov={"CRV1": "clu"}
        )
        coefnames = coef_names(fit)
        beta = fit.coef().to_numpy(dtype=float)
        vcov = vcov_matrix(fit)
        collin = [n for n in names if n not in coefnames]
        if collin:
            raise KuvaInputError(f"saturated regression dropped collinear cells {collin[:5]}")
        counts = cells.groupby(["g", "e"]).size()
        n_units_g = cells.drop_duplicates("unit").groupby("g").size()
        events = sorted({e for _, e in cell_keys})
        est, ses = [], []
        for e in events:
            w = np.zeros(len(coefnames))
            gs = [gi for gi, ee in cell_keys if ee == e]
            shares = np.array([n_units_g[gi] for gi in gs], dtype=float)
            shares /= shares.sum()
            for gi, s in zip(gs, shares, strict=True):
                w[coefnames.index(names[cell_keys.index((gi, e))])] = s
            est.append(float(w @ beta))
            ses.append(float(np.sqrt(w @ vcov @ w)))
        w = np.zeros(len(coefnames))
        post = [(gi, e) for gi, e in cell_keys if e >= 0]
        tot = sum(int(counts[(gi, e)]) for gi, e in post)
        for gi, e in post:
            w[coefnames.index(names[cell_keys.index((gi, e))])] = counts[(gi, e)] / tot
        att = float(w @ beta)
        att_se = float(np.sqrt(w @ vcov @ w))
        effects = pd.DataFrame(
            {
                "cohort": [self._panel.period_label(gi) for gi, _ in cell_keys],
                "event_time": [e for _, e in cell_keys],
                "estimate": [beta[coefnames.index(n)] for n in names],
                "std_error": [np.sqrt(vcov[i, i]) for i in (coefnames.index(n) for n in names)],
            }
        )
        n_clusters = int(work["clu"].nunique())
        return SunAbrahamResults(
            event_times=np.array(events, dtype=np.int64),
            estimates=np.array(est),
            std_errors=np.array(ses),
            estimate=att,
            std_error=att_se,
            alpha=alpha,
            dof=n_clusters - 1,
            n_obs=n_obs(fit),
            n_clusters=n_clusters,
            control=control,
            cohort_effects=effects,
        )
