"""Balance and design: standardised differences, entropy balancing, matching, shock size."""

from kuva.evaluate.balance.model import (
    EntropyBalance,
    entropy_balance_weights,
    nearest_neighbours,
    shock_size,
    standardized_differences,
)
from kuva.evaluate.balance.results import EntropyBalanceResults, MatchResults

__all__ = [
    "EntropyBalance",
    "EntropyBalanceResults",
    "MatchResults",
    "entropy_balance_weights",
    "nearest_neighbours",
    "shock_size",
    "standardized_differences",
]
