"""Two-way fixed-effects DiD (with wild cluster bootstrap) and the event study."""

from kuva.evaluate.did.inference import WildBootstrapResult, wild_cluster_bootstrap, within
from kuva.evaluate.did.model import EventStudy, TwoWayFixedEffects
from kuva.evaluate.did.results import DidResults, EventStudyResults, PreTrendTest

__all__ = [
    "DidResults",
    "EventStudy",
    "EventStudyResults",
    "PreTrendTest",
    "TwoWayFixedEffects",
    "WildBootstrapResult",
    "wild_cluster_bootstrap",
    "within",
]
