"""Small numerical conventions shared by every estimator family: random generators from a seed
(never the global state) and read-only arrays for immutable results."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats


def rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    """A generator from a seed, or the generator itself."""
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def readonly(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """A read-only copy of ``a`` (results objects never expose mutable arrays)."""
    out = np.array(a, copy=True)
    out.flags.writeable = False
    return out


def normal_ci(estimate: float, std_error: float, alpha: float) -> tuple[float, float]:
    """The two-sided ``1 - alpha`` normal interval around ``estimate``."""
    z = float(stats.norm.ppf(1 - alpha / 2))
    return estimate - z * std_error, estimate + z * std_error
