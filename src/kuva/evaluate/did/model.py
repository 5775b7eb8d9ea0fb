"""Two-way fixed-effects difference-in-differences and the event study.

Point estimates and CRV1 cluster-robust standard errors come from pyfixest ``feols`` (unit and
period fixed effects, clustered by the panel's cluster column). The wild cluster bootstrap is
our own WCR implementation (:mod:`kuva.evaluate.did.inference`).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from kuva.errors import KuvaInputError
from kuva.evaluate.data import PanelData
from kuva.evaluate.did.inference import wild_cluster_bootstrap, within
from kuva.evaluate.did.results import DidResults, EventStudyResults, PreTrendTest
from kuva.evaluate.fixest import coef_names, feols, n_obs, vcov_matrix
from kuva.evaluate.numerics import rng as _rng
from kuva.evaluate.options import BootstrapWeights, validate_option
from kuva.evaluate.warnings import AbsorbedCovariateWarning, FewClustersWarning

_MIN_CLUSTERS = 10



def _check_covariates(panel: PanelData, covariates: Sequence[str]) -> tuple[str, ...]:
    """Declared covariates that vary within units (the others are absorbed, with a warning)."""
    covs = tuple(covariates)
    for c in covs:
        if c not in panel.covariates:
            raise KuvaInputError(
                f"covariate {c!r} was not declared in PanelData(covariates=...); declared: "
                f"{list(panel.covariates)}"
            )
    long = panel.long
    absorbed = [c for c in covs if long.groupby("unit")[c].nunique().max() <= 1]
    if absorbed:
        warnings.warn(
            f"covariates {absorbed} are constant within units and are absorbed by the unit "
            "fixed effects; they are left out",
            AbsorbedCovariateWarning,
            stacklevel=3,
        )
    return tuple(c for c in covs if c not in absorbed)


def _work_frame(panel: PanelData, covariates: tuple[str, ...]) -> pd.DataFrame:
    long = panel.long
    work = pd.DataFrame(
        {
            "y": long["y"],
            "unit_fe": pd.factorize(long["unit"])[0],
            "time_fe": long["t"].to_numpy(),
            "clu": pd.factorize(long["cluster"])[0],
            "treat": long["d"].astype(float),
        }
    )
    for i, c in enumerate(covariates):
        work[f"x{i}"] = long[c].to_numpy(dtype=float)
    return work


def _cluster_warning(n_clusters: int, n_treated: int) -> None:
    if n_clusters < _MIN_CLUSTERS or n_treated < 5:
        warnings.warn(
            f"{n_clusters} clusters ({n_treated} with treated units): CRV1 standard errors "
            "are unreliable; prefer the wild cluster bootstrap p-value",
            FewClustersWarning,
            stacklevel=3,
        )


class TwoWayFixedEffects:
    """Static TWFE DiD: ``y_it = a_i + l_t + beta * D_it + X_it'g + e_it``.

    ``D_it = 1`` from the unit's first treated period on. With staggered adoption and
    heterogeneous effects ``beta`` is a weighted average with possibly negative weights
    (Goodman-Bacon 2021); use :class:`kuva.evaluate.staggered.CallawaySantAnna` then.
    """

    def __init__(self, panel: PanelData, *, covariates: Sequence[str] = ()) -> None:
        if not isinstance(panel, PanelData):
            raise KuvaInputError("panel must be a kuva.evaluate.PanelData")
        self._panel = panel
        self._covariates = _check_covariates(panel, covariates)
        if len(panel.cohorts) == 0:
            raise KuvaInputError("no treated units in the panel (treat_start is all missing)")

    @property
    def panel(self) -> PanelData:
        return self._panel

    def fit(
        self,
        *,
        bootstrap_reps: int = 9999,
        bootstrap_weights: BootstrapWeights = "webb",
        alpha: float = 0.05,
        seed: int | np.random.Generator | None = None,
    ) -> DidResults:
        """Estimate; ``bootstrap_reps=0`` skips the wild cluster bootstrap."""
        validate_option("bootstrap_weights", bootstrap_weights, BootstrapWeights)
        if not 0 < alpha < 1:
            raise KuvaInputError(f"alpha must be in (0, 1); got {alpha!r}")
        if bootstrap_reps < 0:
            raise KuvaInputError(f"bootstrap_reps must be >= 0; got {bootstrap_reps!r}")
        work = _work_frame(self._panel, self._covariates)
        rhs = " + ".join(["treat", *[f"x{i}" for i in range(len(self._covariates))]])
        fit = feols(f"y ~ {rhs} | unit_fe + time_fe", data=work, vcov={"CRV1": "clu"})
        coef = float(fit.coef()["treat"])
        se = float(fit.se()["treat"])
        n_clusters = int(work["clu"].nunique())
        n_treated_clusters = int(work.loc[work["treat"] > 0, "clu"].nunique())
        _cluster_warning(n_clusters, n_treated_clusters)
        dof = n_clusters - 1
        tcrit = float(stats.t.ppf(1 - alpha / 2, dof))
        boot = None
        if bootstrap_reps > 0:
            groups = [work["unit_fe"].to_numpy(), work["time_fe"].to_numpy()]
            cols = ["treat", *[f"x{i}" for i in range(len(self._covariates))]]
            z = within(work[cols].to_numpy(dtype=float), groups)
            y = within(work["y"].to_numpy(dtype=float), groups)
            boot = wild_cluster_bootstrap(
                y,
                z,
                work["clu"].to_numpy(),
                reps=bootstrap_reps,
                weights=bootstrap_weights,
                alpha=alpha,
                rng=_rng(seed),
            )
        return DidResults(
            estimate=coef,
            std_error=se,
            statistic=coef / se,
            p_value=float(2 * stats.t.sf(abs(coef / se), dof)),
            ci_low=coef - tcrit * se,
            ci_high=coef + tcrit * se,
            alpha=alpha,
            n_obs=n_obs(fit),
            n_units=self._panel.n_units,
            n_clusters=n_clusters,
            n_treated_clusters=n_treated_clusters,
            covariates=self._covariates,
            bootstrap=boot,
        )


class EventStudy:
    """Dynamic TWFE event study with binned endpoints and reference period -1.

    Relative time ``e = t - g``. Estimated event times are ``-leads, ..., -2, 0, ..., lags``;
    ``e <= -leads`` is pooled into the ``-leads`` bin and ``e >= lags`` into the ``lags`` bin,
    ``e = -1`` is the reference. Never-treated units have no event-time dummies.
    """

    def __init__(
        self,
        panel: PanelData,
        *,
        leads: int = 4,
        lags: int = 4,
        covariates: Sequence[str] = (),
    ) -> None:
        if not isinstance(panel, PanelData):
            raise KuvaInputError("panel must be a kuva.evaluate.PanelData")
        if leads < 2:
            raise KuvaInputError(f"leads must be >= 2 (e = -1 is the reference); got {leads}")
        if lags < 0:
            raise KuvaInputError(f"lags must be >= 0; got {lags}")
        if len(panel.cohorts) == 0:
            raise KuvaInputError("no treated units in the panel (treat_start is all missing)")
        self._panel = panel
        self._leads = leads
        self._lags = lags
        self._covariates = _check_covariates(panel, covariates)

    @property
    def event_times(self) -> tuple[int, ...]:
        return tuple(e for e in range(-self._leads, self._lags + 1) if e != -1)

    def fit(self, *, alpha: float = 0.05) -> EventStudyResults:
        if not 0 < alpha < 1:
            raise KuvaInputError(f"alpha must be in (0, 1); got {alpha!r}")
        work = _work_frame(self._panel, self._covariates)
        long = self._panel.long
        rel = (long["t"] - long["g"]).to_numpy(dtype=float)
        rel = np.clip(rel, -self._leads, self._lags)
        names = []
        for e in self.event_times:
            name = f"ev_m{-e}" if e < 0 else f"ev_p{e}"
            work[name] = (rel == e).astype(float)  # NaN (never treated) is never equal
            names.append(name)
        keep = [n for n in names if work[n].sum() > 0]
        if len(keep) < len(names):
            missing = [e for e, n in zip(self.event_times, names, strict=True) if n not in keep]
            raise KuvaInputError(
                f"no observations at event times {missing}; reduce leads/lags"
            )
        rhs = " + ".join([*names, *[f"x{i}" for i in range(len(self._covariates))]])
        fit = feols(f"y ~ {rhs} | unit_fe + time_fe", data=work, vcov={"CRV1": "clu"})
        coef = fit.coef()[names].to_numpy(dtype=float)
        vcov_all = vcov_matrix(fit)
        coefnames = coef_names(fit)
        idx = [coefnames.index(n) for n in names]
        vcov = vcov_all[np.ix_(idx, idx)]
        n_clusters = int(work["clu"].nunique())
        _cluster_warning(n_clusters, int(work.loc[work["treat"] > 0, "clu"].nunique()))
        pre = [i for i, e in enumerate(self.event_times) if e < -1]
        b = coef[pre]
        v = vcov[np.ix_(pre, pre)]
        wald = float(b @ np.linalg.solve(v, b))
        q = len(pre)
        pretrend = PreTrendTest(
            statistic=wald,
            df=q,
            p_value_chi2=float(stats.chi2.sf(wald, q)),
            f_statistic=wald / q,
            p_value_f=float(stats.f.sf(wald / q, q, n_clusters - 1)),
        )
        return EventStudyResults(
            event_times=np.array(self.event_times, dtype=np.int64),
            coefficients=coef,
            vcov=vcov,
            alpha=alpha,
            dof=n_clusters - 1,
            n_obs=n_obs(fit),
            n_clusters=n_clusters,
            leads=self._leads,
            lags=self._lags,
            pretrend=pretrend,
        )
