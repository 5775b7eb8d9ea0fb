"""Kykyviisari (self-assessed work ability) from import to comparison and change.

- :mod:`kuva.wellbeing.items`: the item and situation codes and the basic-situation rule.
- :mod:`kuva.wellbeing.adapter`: CSV/Excel answer exports → ``survey_answers``.
- :mod:`kuva.wellbeing.analyses`: coverage, basic situation, distributions, means, change.
- :mod:`kuva.wellbeing.export`: result tables to CSV or Excel.

See ``docs/wellbeing.md``.
"""

from kuva.wellbeing.adapter import KykyviisariLoadReport, load_kykyviisari, read_kykyviisari
from kuva.wellbeing.analyses import (
    answer_pairs,
    basic_situation_distribution,
    coverage,
    score_change,
    score_distribution,
    score_means,
    wellbeing_summary,
)
from kuva.wellbeing.data import WellbeingData, wellbeing_data
from kuva.wellbeing.export import export_results
from kuva.wellbeing.items import (
    BASIC_SITUATIONS,
    INSTRUMENT,
    SITUATION_CODES,
    SITUATIONS,
    basic_situation,
)

__all__ = [
    "BASIC_SITUATIONS",
    "INSTRUMENT",
    "SITUATIONS",
    "SITUATION_CODES",
    "KykyviisariLoadReport",
    "WellbeingData",
    "answer_pairs",
    "basic_situation",
    "basic_situation_distribution",
    "coverage",
    "export_results",
    "load_kykyviisari",
    "read_kykyviisari",
    "score_change",
    "score_distribution",
    "score_means",
    "wellbeing_data",
    "wellbeing_summary",
]
