"""Descriptive analyses: each a pure function of the warehouse returning
:class:`~kuva.analysis.result.AnalysisResult` (tidy disclosure-controlled table, figure in
fi/sv/en, key numbers, generated text, provenance and the synthetic flag)."""

from kuva.analysis.background import pilot_vs_comparison
from kuva.analysis.counterfactual import counterfactual_activation
from kuva.analysis.municipalities import change_vs_nation, largest_municipalities
from kuva.analysis.paths import monthly_paths
from kuva.analysis.result import AnalysisResult
from kuva.analysis.seminar import (
    municipal_share_tmt,
    municipal_share_tmt_monthly,
    outcomes_after_services,
    services_yoy,
)
from kuva.analysis.service_mix import service_mix

#: Every analysis by its result key (for the report and the portal).
ANALYSES = {
    "pilot_vs_comparison": pilot_vs_comparison,
    "monthly_paths": monthly_paths,
    "counterfactual_activation": counterfactual_activation,
    "largest_municipalities": largest_municipalities,
    "change_vs_nation": change_vs_nation,
    "service_mix": service_mix,
    "services_yoy": services_yoy,
    "outcomes_after_services": outcomes_after_services,
    "municipal_share_tmt": municipal_share_tmt,
    "municipal_share_tmt_monthly": municipal_share_tmt_monthly,
}

__all__ = [
    "ANALYSES",
    "AnalysisResult",
    "change_vs_nation",
    "counterfactual_activation",
    "largest_municipalities",
    "monthly_paths",
    "municipal_share_tmt",
    "municipal_share_tmt_monthly",
    "outcomes_after_services",
    "pilot_vs_comparison",
    "service_mix",
    "services_yoy",
]
