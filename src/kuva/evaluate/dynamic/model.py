"""Dynamic matching of service starts (the ALMP design of Sianesi 2004 and of Lechner 1999;
Fredriksson & Johansson 2008): a client who starts a service on elapsed day ``s`` of an
unemployment spell is compared with the clients of the same stratum who are still unemployed and
have not started a service by day ``s`` — "not yet treated", so waiting is the counterfactual,
and time already spent unemployed cannot make the groups differ (no immortal time).

Estimand: the average effect on the treated of starting a service on day ``s`` rather than not
during the next ``horizon`` days, on the probability of leaving for ``event`` (exit to work)
within ``horizon`` days — ``CIF_treated(H) − CIF_comparison(H)``, each an Aalen–Johansen
cumulative incidence (other exits compete; the end of the data censors). A comparison client is
censored at their own later service start, so the comparison arm is "no service yet", weighted
exactly to the treated's distribution of start day × stratum: each (day, stratum) cell's controls
together weigh as much as its treated (exact matching on elapsed duration and the strata; the
propensity score is the saturated one, ``n_treated / (n_treated + n_controls)`` per cell). The
incidences are computed within each stratum × band of start days (``band_days``) and averaged
with the treated's weight in it: strata leave and get services at different rates, so one
incidence over pooled strata would treat the service starts as uninformative censoring when they
are not (a confounded test world shows the bias).

Covariates that cannot be strata (age in years, months of earlier unemployment, a continuous
score) enter through ``propensity_on``: a proportional-hazards model of the service start among
the not yet treated, with a baseline of its own for every elapsed day and stratum (Cox's partial
likelihood, Breslow ties; Lechner 1999's balancing score made dynamic, as in Crépon et al. 2009):
a control with covariates x weighs ``n_treated · exp(β'x) / Σ exp(β'x_j)`` at a start day, the
sum over the day's controls — the odds of starting that day given x (a day's hazard is small, so
the hazard ratio is the odds ratio), normalised so the day's controls weigh as much as its
treated. With no covariates this is the saturated weight above. β is estimated again in every
bootstrap replicate; ``propensity`` gives β̂ with its bootstrap SE. The model must be right:
balance shows whether it was (after weighting the SMD of each covariate should be near zero).
A control's own later service start censors it, and with covariates that also move the exits the
censoring is informative: the incidences are therefore computed within ``score_bands`` bands of
the fitted score β̂'x as well (equal numbers of treated; as within strata — five subclasses remove
about 90 % of such a bias, Cochran 1968); the bands are fixed at the point estimate's. That is
an approximation (docs/person-level.md measures it). ``comparison="not_now"`` is Sianesi's own
comparison: the controls of a start day are those not starting *now*, followed to their exit
whatever they do later (the effect of starting now rather than waiting, later services
included) — no censoring at a later start, so the start model's weights are the whole
correction and no score bands are used.

Overlap: a treated client in a (day, stratum) cell with fewer than ``min_controls`` controls, or
whose propensity is above ``max_propensity`` (the cell's, and with ``propensity_on`` also their
own, ``1 − exp(−hazard)`` at their start day), is trimmed (counted in the result; ``overlap``
lists every cell). Balance: the standardised mean difference of each ``balance_on`` covariate
between the treated and the comparison rows, before (every row counted once) and after the
matching weights.

The second estimate, the cost proxy: the effect on the expected days still unemployed (on
benefit) within the horizon — the restricted mean of the all-exit survival curve, treated minus
comparison. Inference: the Bayesian (multiplier) bootstrap over persons — each person's rows
get one Exp(1) weight per replicate and the whole estimator, cell weights included, is
recomputed — so the reuse of a control at many start days is accounted for.

Support: a comparison incidence by the horizon needs comparison clients who stay unemployed and
without a service that long; ``support`` gives, per stratum × band of start days, the treated,
the comparison rows and how many of them are still at risk at the horizon. With few there, the
comparison incidence rests on a handful of people and neither it nor its bootstrap interval can
be trusted (shorten the horizon or coarsen the strata): a test world where one stratum is
treated fast and leaves fast shows intervals covering in 78 % of worlds at a 180-day horizon.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from kuva.errors import KuvaInputError
from kuva.evaluate.dynamic.results import DynamicMatchingResults

REQUIRED = ("id", "duration", "outcome", "treat_day")
#: the comparison arm: ``not_yet`` — no service yet, censored at their own later start (the
#: effect of starting now rather than not within the horizon); ``not_now`` — no service now,
#: followed whatever they do later (Sianesi 2004: starting now rather than waiting)
COMPARISONS = ("not_yet", "not_now")
_EVENT, _OTHER, _CENSORED = 1, 2, 0
_CHUNK = 25  #: bootstrap replicates computed together


def _check(panel: pd.DataFrame, strata: Sequence[str], balance_on: Sequence[str],
           propensity_on: Sequence[str] = ()) -> None:
    missing = [c for c in (*REQUIRED, *strata, *balance_on, *propensity_on) if c not in panel.columns]
    if missing:
        raise KuvaInputError(f"person-level panel lacks column(s) {missing}; it needs {list(REQUIRED)} and the "
                             "strata and balance columns named")
    dur = pd.to_numeric(panel["duration"], errors="coerce")
    bad = panel.index[dur.isna() | (dur <= 0)]
    if len(bad):
        raise KuvaInputError(f"row {bad[0]}: duration must be a positive number of days, got "
                             f"{panel.loc[bad[0], 'duration']!r}")
    td = pd.to_numeric(panel["treat_day"], errors="coerce")
    late = panel.index[td.notna() & ((td < 0) | (td >= dur))]
    if len(late):
        raise KuvaInputError(f"row {late[0]}: treat_day {td[late[0]]} is not inside the spell (0 ≤ treat_day < "
                             f"duration {dur[late[0]]})")
    for what, columns in (("balance", balance_on), ("propensity", propensity_on)):
        for c in columns:
            bad = panel.index[pd.to_numeric(panel[c], errors="coerce").isna()]
            if len(bad):
                raise KuvaInputError(f"row {bad[0]}: {what} column {c!r} must be numeric and present on every row, "
                                     f"got {panel.loc[bad[0], c]!r}")


def dynamic_matching(panel: pd.DataFrame, *, event: str = "exit_work", horizon: int = 180,
                     strata: Sequence[str] = (), balance_on: Sequence[str] = (), max_propensity: float = 0.95,
                     min_controls: int = 1, band_days: int = 30, reps: int = 199, seed: int = 0,
                     alpha: float = 0.05, propensity_on: Sequence[str] = (), score_bands: int = 5,
                     comparison: str = "not_yet") -> DynamicMatchingResults:
    """The dynamic-matching estimate on a person-level ``panel``: one row per spell with ``id``
    (the person: the bootstrap's unit), ``duration`` (days to the spell's end), ``outcome`` (the
    exit that ended it, e.g. ``exit_work``, or None/NaN while open), ``treat_day`` (days from
    the spell's start to its service start, NaN without one) and the ``strata`` and
    ``balance_on`` columns. The incidences are computed within stratum × ``band_days`` bands of
    the start day and averaged with the treated's weights. ``propensity_on``: numeric columns of
    the service-start model whose fitted odds weight the controls, the incidences then computed
    within ``score_bands`` bands of its fitted score too (module docstring). ``reps`` bootstrap
    replicates with random ``seed``."""
    _check(panel, strata, balance_on, propensity_on)
    if comparison not in COMPARISONS:
        raise KuvaInputError(f"comparison must be one of {list(COMPARISONS)}, got {comparison!r}")
    if horizon < 1 or reps < 2 or band_days < 1 or score_bands < 1 or not 0 < max_propensity <= 1:
        raise KuvaInputError("horizon ≥ 1 day, reps ≥ 2, band_days ≥ 1, score_bands ≥ 1 and 0 < max_propensity ≤ 1")
    dur = panel["duration"].to_numpy(dtype=float).astype(np.int64)
    td = pd.to_numeric(panel["treat_day"], errors="coerce").to_numpy(dtype=float)
    out = panel["outcome"].astype(object).where(panel["outcome"].notna(), None).to_numpy()
    kind = np.where(out == event, _EVENT, np.where(pd.isna(out), _CENSORED, _OTHER)).astype(np.int64)
    stratum = (panel[list(strata)].astype(str).agg("|".join, axis=1).to_numpy() if strata
               else np.full(len(panel), "", dtype=object))
    scode, uniques = pd.factorize(stratum)
    labels = np.asarray(uniques, dtype=object)
    person = pd.factorize(panel["id"])[0]
    treated = ~np.isnan(td)
    if not treated.any():
        raise KuvaInputError("no spell has a service start (treat_day): nothing to compare")
    s_of = np.where(treated, np.nan_to_num(td), -1).astype(np.int64)
    # a spell is a comparison at every start day before its "comparison end": its own service
    # start (then censored) or its end (with its outcome)
    end = np.where(treated, s_of, dur)
    end_kind = np.where(treated, _CENSORED, kind)
    strata_n, day_n = len(labels), int(dur.max()) + horizon + 2
    model = _StartModel(panel, propensity_on, scode, end, treated, s_of, strata_n, day_n)
    beta = model.fit(np.ones(len(panel)))
    if model.p and score_bands > 1 and comparison == "not_yet":  # incidences within bands of the score
        band = _score_bands(model.x @ beta, treated, score_bands)
        banded = pd.Series(labels[scode]) + "|score " + pd.Series(band + 1).astype(str)
        scode, names = banded.factorize()
        labels = np.asarray(names, dtype=object)
        strata_n = len(labels)
    n1 = np.bincount(scode[treated] * day_n + s_of[treated], minlength=strata_n * day_n).reshape(strata_n, day_n)
    ends = np.bincount(scode * day_n + end, minlength=strata_n * day_n).reshape(strata_n, day_n)
    n0 = _after(ends.astype(float)[..., None])[..., 0]  # comparison spells at risk at day s: end > s
    propensity = n1 / np.maximum(n1 + n0, 1)
    kept = (n1 > 0) & (n0 >= max(min_controls, 1)) & (propensity <= max_propensity)
    kept_t = treated & kept[scode, np.maximum(s_of, 0)]
    if model.p:
        kept_t &= model.own_propensity(beta) <= max_propensity
    trimmed = int(treated.sum() - kept_t.sum())
    if not kept_t.any():
        raise KuvaInputError("no treated spell has a comparable not-yet-treated spell: no overlap")
    band_n = (day_n - 1) // band_days + 1
    cell_of_t = scode * band_n + s_of // band_days
    not_now = comparison == "not_now"
    data = _Data(scode, end, end_kind, kept, kept_t, s_of, dur - s_of, kind, cell_of_t, strata_n, day_n, band_n,
                 band_days, horizon, outcome_end=dur if not_now else None, outcome_kind=kind if not_now else None)
    rng = np.random.default_rng(seed)
    persons = int(person.max()) + 1
    tilt = model.tilt(beta)[:, None]
    parts = [_estimate(data, np.ones((len(person), 1)), tilt)]  # the point estimate
    betas = []
    for lo in range(0, reps, _CHUNK):  # the replicates, a chunk at a time (persons × chunk multipliers)
        w = rng.exponential(size=(persons, min(_CHUNK, reps - lo)))[person]
        if model.p:
            fits = [model.fit(w[:, k], start=beta) for k in range(w.shape[1])]
            betas.extend(fits)
            parts.append(_estimate(data, w, np.column_stack([model.tilt(b) for b in fits])))
        else:
            parts.append(_estimate(data, w, tilt))
    estimates = np.hstack(parts)
    point, boot = estimates[:, 0], estimates[:, 1:]
    effects, days = boot[0] - boot[1], boot[2] - boot[3]
    for a in (effects, days):
        a.setflags(write=False)  # results are immutable

    # the comparison weight of each spell (summed over the start days it is compared at) and how
    # many comparison rows it makes
    n1_kept = np.bincount(scode[kept_t] * day_n + s_of[kept_t], minlength=strata_n * day_n).reshape(strata_n, day_n)
    n0_tilted = _after(np.bincount(scode * day_n + end, weights=tilt[:, 0], minlength=strata_n * day_n)
                       .reshape(strata_n, day_n, 1))[..., 0]
    w_point = np.divide(n1_kept, n0_tilted, out=np.zeros(n1.shape), where=kept & (n0_tilted > 0))
    before_end = np.cumsum(np.concatenate([np.zeros((strata_n, 1)), w_point], axis=1), axis=1)
    rows_before = np.cumsum(np.concatenate([np.zeros((strata_n, 1)), kept * n1_kept.astype(bool)], axis=1), axis=1)
    weight_c = tilt[:, 0] * before_end[scode, end]
    rows_c = rows_before[scode, end]
    balance = _balance(panel, balance_on, kept_t, rows_c, weight_c)
    overlap_days = np.argwhere(n1 > 0)
    overlap = pd.DataFrame({"start_day": overlap_days[:, 1].astype(float),
                            "stratum": [str(labels[c]) for c in overlap_days[:, 0]],
                            "treated": n1[n1 > 0].astype(float), "controls": n0[n1 > 0].astype(float),
                            "propensity": propensity[n1 > 0], "kept": kept[n1 > 0]})
    support = _support(data, n0, _at_horizon(scode, end, dur if not_now else end, strata_n, day_n, horizon), labels)
    n_obs = int(kept_t.sum() + rows_c.sum())
    in_rows = kept_t | (rows_c > 0)
    return DynamicMatchingResults(
        estimate=float(point[0] - point[1]), std_error=float(np.std(effects, ddof=1)), alpha=alpha,
        n_units=len(np.unique(person[in_rows])), n_obs=n_obs, n_treated=int(kept_t.sum()), n_trimmed=trimmed,
        horizon=horizon, event=event, reps=reps, cif_treated=float(point[0]), cif_comparison=float(point[1]),
        cif_treated_se=float(np.std(boot[0], ddof=1)), cif_comparison_se=float(np.std(boot[1], ddof=1)),
        days_effect=float(point[2] - point[3]), days_effect_se=float(np.std(days, ddof=1)),
        boot_effect=effects, boot_days=days,
        balance=balance, overlap=overlap, support=support, comparison=comparison,
        propensity=model.table(beta, np.array(betas).reshape(len(betas), model.p)))


class _StartModel:
    """The proportional-hazards model of the service start among the not yet treated, stratified
    by day and stratum: a spell is at risk of starting on day ``s`` of its stratum while ``s``
    is before its end (or is its own start day); the treated start on ``s_of``. Newton–Raphson on
    Breslow's weighted partial likelihood, the sums over each day's risk set as reverse
    cumulative sums of per-day totals (no loop over spells)."""

    def __init__(self, panel: pd.DataFrame, columns: Sequence[str], scode: np.ndarray, end: np.ndarray,
                 treated: np.ndarray, s_of: np.ndarray, strata_n: int, day_n: int) -> None:
        self.columns = list(columns)
        self.p = len(self.columns)
        x = panel[self.columns].apply(pd.to_numeric).to_numpy(dtype=float).reshape(len(panel), self.p)
        self.x = x - x.mean(axis=0)  # centred: the weights do not change, exp() does not overflow
        self.shape = (strata_n, day_n)
        self.last = scode * day_n + np.where(treated, end, end - 1)  # the last day at risk of starting
        self.treated = treated
        self.start_cell = scode[treated] * day_n + s_of[treated]
        if self.p and np.linalg.matrix_rank(self.x) < self.p:
            raise KuvaInputError(f"propensity columns {self.columns} are constant or collinear")

    def tilt(self, beta: np.ndarray) -> np.ndarray:
        """Each spell's ``exp(β'x)`` (ones without covariates)."""
        return np.exp(self.x @ beta) if self.p else np.ones(len(self.x))

    def _sums(self, r: np.ndarray) -> np.ndarray:
        """Σ over each (stratum, day)'s risk set of ``r`` (spells × k), as (cells, k)."""
        n = self.shape[0] * self.shape[1]
        out = np.empty((n, r.shape[1]))
        for k in range(r.shape[1]):
            per_day = np.bincount(self.last, weights=r[:, k], minlength=n).reshape(self.shape)
            out[:, k] = np.cumsum(per_day[:, ::-1], axis=1)[:, ::-1].ravel()
        return out

    def _step(self, beta: np.ndarray, w: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """Log partial likelihood, score and information at ``beta``."""
        p, x, t = self.p, self.x, self.treated
        r = w * self.tilt(beta)
        outer = (x[:, :, None] * x[:, None, :]).reshape(len(x), p * p)
        sums = self._sums(np.column_stack([r, r[:, None] * x, r[:, None] * outer]))
        d = np.bincount(self.start_cell, weights=w[t], minlength=sums.shape[0])
        at = d > 0
        s0, s1, s2 = sums[at, 0], sums[at, 1:1 + p], sums[at, 1 + p:].reshape(-1, p, p)
        mean = s1 / s0[:, None]
        ll = float(w[t] @ (x[t] @ beta) - d[at] @ np.log(s0))
        score = (w[t, None] * x[t]).sum(axis=0) - d[at] @ mean
        info = np.einsum("c,cij->ij", d[at], s2 / s0[:, None, None] - mean[:, :, None] * mean[:, None, :])
        return ll, score, info

    def fit(self, w: np.ndarray, start: np.ndarray | None = None) -> np.ndarray:
        """β̂ for spell weights ``w`` (Newton with step halving; from ``start``)."""
        beta = np.zeros(self.p) if start is None else start.copy()
        if not self.p:
            return beta
        ll, score, info = self._step(beta, w)
        for _ in range(50):
            try:
                step = np.linalg.solve(info, score)
            except np.linalg.LinAlgError as exc:
                raise KuvaInputError(f"the service-start model on {self.columns} cannot be fitted: {exc}") from exc
            for _ in range(30):
                new = self._step(beta + step, w)
                if new[0] >= ll - 1e-12:
                    break
                step = step / 2
            beta = beta + step
            ll, score, info = new
            if np.max(np.abs(step)) < 1e-10:
                return beta
        raise KuvaInputError(f"the service-start model on {self.columns} did not converge (separation?)")

    def own_propensity(self, beta: np.ndarray) -> np.ndarray:
        """Each treated spell's probability of starting on its own start day, ``1 − exp(−Λ)``
        with Breslow's baseline; 0 for the others."""
        r = self.tilt(beta)
        s0 = self._sums(r[:, None])[:, 0]
        d = np.bincount(self.start_cell, minlength=len(s0))
        out = np.zeros(len(self.x))
        out[self.treated] = 1 - np.exp(-d[self.start_cell] * r[self.treated] / s0[self.start_cell])
        return out

    def table(self, beta: np.ndarray, boot: np.ndarray) -> pd.DataFrame:
        """The start model's coefficients (log hazard ratios per unit) with bootstrap SEs."""
        se = boot.std(axis=0, ddof=1) if len(boot) > 1 else np.full(self.p, np.nan)
        return pd.DataFrame({"covariate": self.columns, "coef": beta, "std_error": se},
                            columns=["covariate", "coef", "std_error"])


def _score_bands(score: np.ndarray, treated: np.ndarray, bands: int) -> np.ndarray:
    """Each spell's band of the fitted score, the edges at the treated's quantiles (equal
    numbers of treated per band; fewer bands where the score has fewer distinct values)."""
    edges = np.unique(np.quantile(score[treated], np.linspace(0, 1, bands + 1)[1:-1]))
    return np.searchsorted(edges, score, side="right")


def _after(counts: np.ndarray) -> np.ndarray:
    """``out[c, s] = Σ_{e > s} counts[c, e]`` along axis 1 (any trailing axes kept)."""
    tail = np.cumsum(counts[:, ::-1], axis=1)[:, ::-1]
    return np.concatenate([tail[:, 1:], np.zeros_like(tail[:, :1])], axis=1)


class _Data:
    """The spells in the aggregated form the estimator needs (see :func:`_estimate`)."""

    def __init__(self, scode: np.ndarray, end: np.ndarray, end_kind: np.ndarray, kept: np.ndarray,
                 kept_t: np.ndarray, s_of: np.ndarray, t_rel: np.ndarray, t_kind: np.ndarray, cell_of_t: np.ndarray,
                 strata_n: int, day_n: int, band_n: int, band_days: int, horizon: int,
                 outcome_end: np.ndarray | None = None, outcome_kind: np.ndarray | None = None) -> None:
        n = len(scode)
        self.strata_n, self.day_n, self.band_n, self.band_days, self.horizon = (strata_n, day_n, band_n, band_days,
                                                                                horizon)
        self.kept = kept
        # comparison ends by (stratum, day, kind): one sparse row per spell
        self.ends = sparse.csr_matrix((np.ones(n), ((scode * day_n + end) * 3 + end_kind, np.arange(n))),
                                      shape=(strata_n * day_n * 3, n))
        t = np.flatnonzero(kept_t)
        rel = np.minimum(t_rel[t], horizon + 1)
        knd = np.where(t_rel[t] > horizon, _CENSORED, t_kind[t])
        cells = strata_n * band_n
        self.cells = cells
        self.t_starts = sparse.csr_matrix((np.ones(len(t)), (scode[t] * day_n + s_of[t], t)),
                                          shape=(strata_n * day_n, n))
        self.t_rows = sparse.csr_matrix((np.ones(len(t)), ((cell_of_t[t] * (horizon + 2) + rel) * 3 + knd, t)),
                                        shape=(cells * (horizon + 2) * 3, n))
        self.days_with_treated = np.flatnonzero(kept.any(axis=0))
        self.not_now = outcome_end is not None and outcome_kind is not None
        if outcome_end is not None and outcome_kind is not None:
            # "not now": a control at s (comparison end after s) is followed to its own outcome,
            # later service included; the spells in order of their comparison end, for adding
            # them to the running histogram of outcomes as the start day goes down
            self.order = np.argsort(end, kind="stable")
            self.bounds = np.searchsorted(end[self.order], np.arange(day_n + 1))
            self.outcome_cell = ((scode * day_n + outcome_end) * 3 + outcome_kind)[self.order]


def _estimate(d: _Data, w: np.ndarray, tilt: np.ndarray) -> np.ndarray:
    """(4, replicates): the treated's and the weighted comparison's cumulative incidence at the
    horizon, then their expected days still unemployed within it, for every column of ``w`` (the
    multipliers of each spell's person) with the matching column of ``tilt`` (each spell's
    ``exp(β'x)``, ones without a propensity model; broadcast when one column). A comparison
    spell with comparison end ``e`` is, at a start day ``s < e`` of its stratum, a row ending
    ``e − s`` days later, weighted ``n_treated · tilt / Σ tilt`` over the controls of (s,
    stratum); these rows are summed straight into the day
    histograms of each cell (stratum × start-day band), never listed one by one. Each incidence
    is computed within its cell and averaged with the treated's weight in the cell: pooling the
    rows of strata that leave and are censored at different rates would bias it."""
    reps, h = w.shape[1], d.horizon
    weights = w * tilt
    ends = np.asarray(d.ends @ weights).reshape(d.strata_n, d.day_n, 3, reps)
    n1 = np.asarray(d.t_starts @ w).reshape(d.strata_n, d.day_n, reps)
    n0 = _after(ends.sum(axis=2))  # at risk at s: Σ_{e > s}; at s + h it is what stays beyond the horizon
    scale = np.divide(n1, n0, out=np.zeros_like(n1), where=(n0 > 0) & d.kept[..., None])
    control = np.zeros((d.strata_n, d.band_n, h + 2, 3, reps))
    if d.not_now:
        _not_now_rows(d, np.broadcast_to(weights, (len(d.order), reps)), scale, n0, control)
    else:
        for s in d.days_with_treated:
            b = s // d.band_days
            ws = scale[:, s, None, None, :]
            control[:, b, 1:h + 1] += ws * ends[:, s + 1:s + h + 1]
            control[:, b, h + 1, _CENSORED] += scale[:, s] * n0[:, s + h]
    by_cell = control.reshape(d.cells, h + 2, 3, reps)
    treated = np.asarray(d.t_rows @ w).reshape(d.cells, h + 2, 3, reps)
    mass = treated.sum(axis=(1, 2))  # the treated's weight per cell
    total = mass.sum(axis=0)
    out = np.empty((4, reps))
    for k, counts in enumerate((treated, by_cell)):
        cif, unemployed = _cif(counts)
        out[k] = (mass * cif).sum(axis=0) / total
        out[2 + k] = (mass * unemployed).sum(axis=0) / total
    return out


def _not_now_rows(d: _Data, weights: np.ndarray, scale: np.ndarray, n0: np.ndarray, control: np.ndarray) -> None:
    """The comparison rows of the "not now" design added into ``control``: at start day ``s``
    the controls (comparison end after ``s``) with their own outcome day and kind, later
    services included. A running histogram of the members' outcomes is kept while ``s`` goes
    down from the last day, each spell added once (when ``s`` falls below its comparison end),
    and read at every start day with treated."""
    h, reps = d.horizon, weights.shape[1]
    running = np.zeros((d.strata_n * d.day_n * 3, reps))
    w_sorted = weights[d.order]
    treated_days = set(d.days_with_treated.tolist())
    for s in range(d.day_n - 2, -1, -1):
        lo, hi = d.bounds[s + 1], d.bounds[s + 2]  # spells whose comparison end is s + 1
        if hi > lo:
            np.add.at(running, d.outcome_cell[lo:hi], w_sorted[lo:hi])
        if s not in treated_days:
            continue
        hist = running.reshape(d.strata_n, d.day_n, 3, reps)[:, s + 1:s + h + 1]
        b = s // d.band_days
        control[:, b, 1:1 + hist.shape[1]] += scale[:, s, None, None, :] * hist
        # the members' mass not ended within the horizon stays at risk beyond it
        control[:, b, h + 1, _CENSORED] += scale[:, s] * (n0[:, s] - hist.sum(axis=(1, 2)))


def _cif(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(cells, replicates) twice, from the weighted rows ending on each day by kind
    (cells × horizon+2 × 3 × replicates; the last day bin holds the rows still at risk after the
    horizon): the Aalen–Johansen cumulative incidence of the event by the horizon (events before
    censorings at a tied day), and the expected days still unemployed in days 1…horizon (the
    restricted mean of the all-exit Kaplan–Meier curve)."""
    removed = counts.sum(axis=2)
    d_event = counts[:, :, _EVENT]
    d_any = counts[:, :, _EVENT] + counts[:, :, _OTHER]
    at_risk = np.cumsum(removed[:, ::-1], axis=1)[:, ::-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard_any = np.where(at_risk > 0, d_any / at_risk, 0.0)
        hazard_event = np.where(at_risk > 0, d_event / at_risk, 0.0)
    surv = np.cumprod(1.0 - hazard_any, axis=1)
    before = np.concatenate([np.ones_like(surv[:, :1]), surv[:, :-1]], axis=1)
    return (before * hazard_event)[:, :-1].sum(axis=1), before[:, 1:-1].sum(axis=1)


def _at_horizon(scode: np.ndarray, member_end: np.ndarray, follow_end: np.ndarray, strata_n: int, day_n: int,
                horizon: int) -> np.ndarray:
    """``out[c, s]``: the controls of stratum ``c`` at start day ``s`` (``member_end > s``) still
    followed ``horizon`` days later (``follow_end > s + horizon``), unweighted."""
    out = np.zeros((strata_n, day_n))
    s = np.arange(day_n)
    for c in range(strata_n):
        mine = scode == c
        last = np.sort(np.minimum(member_end[mine], follow_end[mine] - horizon))  # both hold iff min(…) > s
        out[c] = len(last) - np.searchsorted(last, s, side="right")
    return out


def _support(d: _Data, n0: np.ndarray, at_horizon: np.ndarray, labels: np.ndarray) -> pd.DataFrame:
    """Per stratum × band of start days with treated: the treated, the comparison rows, and those
    still followed at the horizon (unweighted; ``n0[c, s]`` = comparison spells at risk at day s,
    ``at_horizon[c, s]`` those of them followed past ``s + horizon``, :func:`_at_horizon`)."""
    rows = []
    t_per_day = np.asarray(d.t_starts.sum(axis=1)).reshape(d.strata_n, d.day_n)
    for c in range(d.strata_n):
        for b in range(d.band_n):
            days = [s for s in d.days_with_treated if s // d.band_days == b and d.kept[c, s]]
            if not days:
                continue
            at_h = sum(at_horizon[c, s] for s in days)
            rows.append({"stratum": str(labels[c]), "start_days": f"{b * d.band_days}-{(b + 1) * d.band_days - 1}",
                         "treated": int(sum(t_per_day[c, s] for s in days)),
                         "control_rows": int(sum(n0[c, s] for s in days)), "controls_at_horizon": int(at_h)})
    return pd.DataFrame(rows, columns=["stratum", "start_days", "treated", "control_rows", "controls_at_horizon"])


def _balance(panel: pd.DataFrame, columns: Sequence[str], kept_t: np.ndarray, rows_c: np.ndarray,
             weight_c: np.ndarray) -> pd.DataFrame:
    """Standardised mean differences, treated vs comparison rows: every row counted once, and
    with the matching weights."""
    out = []
    for c in columns:
        x = pd.to_numeric(panel[c]).to_numpy(dtype=float)
        xt = x[kept_t]
        m = rows_c > 0
        xc, rc, wc = x[m], rows_c[m], weight_c[m]
        if len(xt) > 1 and rc.sum() > 1:
            mc = np.average(xc, weights=rc)
            vc = float(np.sum(rc * (xc - mc) ** 2) / (rc.sum() - 1))
            sd = float(np.sqrt((xt.var(ddof=1) + vc) / 2))
        else:
            mc, sd = float("nan"), float("nan")
        mw = np.average(xc, weights=wc) if wc.sum() > 0 else float("nan")
        ok = sd == sd and sd > 0
        out.append({"covariate": c, "mean_treated": xt.mean(), "mean_comparison_raw": mc,
                    "mean_comparison_weighted": mw, "smd_before": (xt.mean() - mc) / sd if ok else np.nan,
                    "smd_after": (xt.mean() - mw) / sd if ok else np.nan})
    return pd.DataFrame(out, columns=["covariate", "mean_treated", "mean_comparison_raw",
                                      "mean_comparison_weighted", "smd_before", "smd_after"])


__all__ = ["COMPARISONS", "REQUIRED", "dynamic_matching"]
