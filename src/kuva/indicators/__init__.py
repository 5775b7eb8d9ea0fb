"""Indicators: named, documented measures as Ibis expressions over the warehouse.

* :mod:`kuva.indicators.codes` — the one mapping to warehouse measure codes.
* :mod:`kuva.indicators.observations` — long/wide Ibis tables with a ``synthetic`` flag.
* :mod:`kuva.indicators.rates` — activation rate (aktivointiaste), components, shares.
* :mod:`kuva.indicators.groups` — pilot/comparison/area/region/nation membership and sums.
* :mod:`kuva.indicators.catalogue` — the indicator registry and its Markdown.
"""

from kuva.indicators.catalogue import INDICATORS, Indicator, indicator, indicators, render_markdown
from kuva.indicators.groups import aggregate, membership, national, pilot_codes
from kuva.indicators.observations import Provenance, observations, provenance, wide
from kuva.indicators.rates import activation_rate, ratio_pct, with_activation

__all__ = [
    "INDICATORS",
    "Indicator",
    "Provenance",
    "activation_rate",
    "aggregate",
    "indicator",
    "indicators",
    "membership",
    "national",
    "observations",
    "pilot_codes",
    "provenance",
    "ratio_pct",
    "render_markdown",
    "wide",
    "with_activation",
]
