"""Synthetic control (Abadie, Diamond & Hainmueller 2010)."""

from kuva.evaluate.synth.model import Predictor, SyntheticControl
from kuva.evaluate.synth.results import SyntheticControlResults
from kuva.evaluate.synth.weights import optimise_v, regression_v, simplex_weights, synth_v

__all__ = [
    "Predictor",
    "SyntheticControl",
    "SyntheticControlResults",
    "optimise_v",
    "regression_v",
    "simplex_weights",
    "synth_v",
]
