"""Dynamic matching of service starts against not-yet-treated clients with the same elapsed
unemployment (Sianesi; Lechner): the person-level effect on exits within a horizon, with
overlap trimming, balance diagnostics and a bootstrap over persons."""

from kuva.evaluate.dynamic.model import dynamic_matching
from kuva.evaluate.dynamic.results import DynamicMatchingResults

__all__ = ["DynamicMatchingResults", "dynamic_matching"]
