"""Peer groups: comparison types by clustering the standardised framework conditions (the IAB
approach: areas alike in what they do not control), and each area's most similar areas."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kuva.errors import KuvaInputError


def standardise(x: pd.DataFrame) -> pd.DataFrame:
    sd = x.std(ddof=0).replace(0, 1.0)
    return (x - x.mean()) / sd


def comparison_types(x: pd.DataFrame, k: int = 8, *, seed: int = 0, restarts: int = 10) -> pd.Series:
    """A type 1…k per area (k-means on the standardised conditions, best of ``restarts``)."""
    from scipy.cluster.vq import kmeans2

    z = standardise(x).to_numpy(dtype=float)
    if not np.isfinite(z).all():
        raise KuvaInputError("conditions have missing values; drop or fill those areas first")
    if not 1 <= k <= len(z):
        raise KuvaInputError(f"k must be between 1 and the number of areas ({len(z)}), got {k}")
    rng = np.random.default_rng(seed)
    best, best_inertia = None, np.inf
    for _ in range(restarts):
        centres, labels = kmeans2(z, k, minit="++", seed=rng)
        inertia = float(((z - centres[labels]) ** 2).sum())
        if inertia < best_inertia:
            best, best_inertia = labels, inertia
    assert best is not None
    # number the types by size, largest first, so the labels do not depend on the random start
    sizes = pd.Series(best).value_counts()
    relabel = {old: new for new, old in enumerate(sizes.index, start=1)}
    return pd.Series([relabel[b] for b in best], index=x.index, name="comparison_type")


def similar_areas(x: pd.DataFrame, area: str, n: int = 5) -> pd.Series:
    """The ``n`` areas nearest to ``area`` in the standardised conditions, with the distance."""
    z = standardise(x)
    if area not in z.index:
        raise KuvaInputError(f"{area!r} is not among the benchmarked areas")
    d = np.sqrt(((z - z.loc[area]) ** 2).sum(axis=1)).drop(index=area)
    out: pd.Series = d.sort_values().head(n).rename("distance")
    return out


__all__ = ["comparison_types", "similar_areas", "standardise"]
