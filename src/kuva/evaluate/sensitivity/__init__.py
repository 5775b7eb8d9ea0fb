"""Rambachan–Roth relative-magnitudes sensitivity bounds."""

from kuva.evaluate.sensitivity.model import RelativeMagnitudes, relative_magnitude_bounds
from kuva.evaluate.sensitivity.results import RelativeMagnitudesResults

__all__ = ["RelativeMagnitudes", "RelativeMagnitudesResults", "relative_magnitude_bounds"]
