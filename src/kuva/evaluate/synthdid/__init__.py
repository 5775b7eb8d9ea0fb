"""Synthetic difference-in-differences (R ``synthdid`` port) and its SC/DID special cases."""

from kuva.evaluate.synthdid.model import SyntheticDiD, block_matrix
from kuva.evaluate.synthdid.results import SyntheticDiDResults
from kuva.evaluate.synthdid.solver import (
    SdidFit,
    did_estimate,
    sc_estimate,
    synthdid_estimate,
)

__all__ = [
    "SdidFit",
    "SyntheticDiD",
    "SyntheticDiDResults",
    "block_matrix",
    "did_estimate",
    "sc_estimate",
    "synthdid_estimate",
]
