"""The Kykyviisari instrument: item codes, situation choices and the basic-situation rule.

This module is the ONE place where the codes live. The import adapter, the analyses and the
simulator (:mod:`kuva.simulate`) all use them, so synthetic and real answers have the same
shape in ``survey_answers``:

=============================  ==============  =============================================
item                           value           meaning
=============================  ==============  =============================================
``work_ability``               0–10            "Minkä pistemäärän antaisit nykyiselle
                                               työkyvyllesi?" (työkyky nyt)
``working_life_relation``      0–10            relation to working life now (suhde
                                               työelämään nyt), see :data:`RELATION_BANDS`
``situation_<code>``           1               the respondent chose situation ``<code>``
                                               (several allowed), see :data:`SITUATIONS`
=============================  ==============  =============================================

The basic situation (perustilanne) of an answer is one of five classes chosen by priority
(:data:`CLASS_PRIORITY`): working before coaching-type services before student before health
problems before unemployed. An answer with no choice, or only choices outside the five classes
(unpaid work, community service, at home), is ``other_unknown``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

INSTRUMENT = "kykyviisari"

WORK_ABILITY = "work_ability"
WORKING_LIFE_RELATION = "working_life_relation"
SCORE_ITEMS: tuple[str, ...] = (WORK_ABILITY, WORKING_LIFE_RELATION)
SCORE_MIN = 0
SCORE_MAX = 10
SITUATION_PREFIX = "situation_"

BasicSituation = Literal["working", "coaching", "student", "health", "unemployed", "other_unknown"]
#: The five classes in priority order (the first that applies wins), then the fallback.
CLASS_PRIORITY: tuple[BasicSituation, ...] = ("working", "coaching", "student", "health", "unemployed")
BASIC_SITUATIONS: tuple[BasicSituation, ...] = (*CLASS_PRIORITY, "other_unknown")


@dataclass(frozen=True)
class Situation:
    """One choice of the question "current situation" (nykytilanne; several allowed)."""

    code: str  #: stored as item ``situation_<code>``
    label_fi: str  #: the choice text as a Finnish export would show it
    label_en: str
    label_sv: str
    basic: BasicSituation  #: the class it counts for; ``other_unknown`` = unclassified

    @property
    def item(self) -> str:
        return SITUATION_PREFIX + self.code

    def label(self, lang: str = "fi") -> str:
        return {"fi": self.label_fi, "sv": self.label_sv, "en": self.label_en}.get(lang, self.label_fi)


#: The fifteen situation choices in the order of the questionnaire.
SITUATIONS: tuple[Situation, ...] = (
    Situation("work_practice", "Työharjoittelu", "Work practice", "Arbetspraktik", "coaching"),
    Situation("workshop", "Työpaja tai kuntouttava työtoiminta", "Workshop or rehabilitative work activity",
              "Verkstad eller arbetsverksamhet i rehabiliteringssyfte", "coaching"),
    Situation("work_trial", "Työkokeilu", "Work trial", "Arbetsprövning", "coaching"),
    Situation("unemployed_jobseeker", "Työtön työnhakija TE-toimistossa",
              "Unemployed jobseeker at the TE office", "Arbetslös arbetssökande vid TE-byrån", "unemployed"),
    Situation("unemployed_not_registered", "Työtön, en ole ilmoittautunut työnhakijaksi",
              "Unemployed, not a registered jobseeker", "Arbetslös, inte anmäld som arbetssökande", "unemployed"),
    Situation("unpaid_work", "Palkaton työ, esim. vapaaehtoistyö", "Unpaid work such as volunteering",
              "Oavlönat arbete, t.ex. frivilligarbete", "other_unknown"),
    Situation("community_service", "Yhdyskuntapalvelu", "Community service", "Samhällstjänst", "other_unknown"),
    Situation("student", "Opiskelija tai oppisopimusopiskelija", "Student or apprentice",
              "Studerande eller läroavtalsstuderande", "student"),
    Situation("at_home", "Kotona (vanhempi tai omaishoitaja)", "At home (parent or carer)",
              "Hemma (förälder eller närståendevårdare)", "other_unknown"),
    Situation("sick_leave", "Sairauslomalla tai osasairauslomalla", "Sick leave or partial sick leave",
              "Sjukledig eller partiellt sjukledig", "health"),
    Situation("pension", "Eläkkeellä (työkyvyttömyyseläke, osatyökyvyttömyyseläke, kuntoutustuki, perhe-eläke)",
              "Pension (disability, partial disability, rehabilitation subsidy, family pension)",
              "Pension (sjukpension, partiell sjukpension, rehabiliteringsstöd, familjepension)", "health"),
    Situation("paid_work", "Palkkatyössä (kokoaikainen, osa-aikainen tai palkkatuettu)",
              "Paid work (full-time, part-time or subsidised)",
              "Avlönat arbete (heltid, deltid eller med lönesubvention)", "working"),
    Situation("entrepreneur", "Yrittäjä tai maanviljelijä", "Entrepreneur or farmer",
              "Företagare eller jordbrukare", "working"),
    Situation("freelancer", "Freelancer", "Freelancer", "Frilansare", "working"),
    Situation("grant", "Apurahalla", "Grant", "Med stipendium", "working"),
)
SITUATION_CODES: tuple[str, ...] = tuple(s.code for s in SITUATIONS)
SITUATION_ITEMS: tuple[str, ...] = tuple(s.item for s in SITUATIONS)
ALL_ITEMS: tuple[str, ...] = (*SCORE_ITEMS, *SITUATION_ITEMS)
_BY_CODE: dict[str, Situation] = {s.code: s for s in SITUATIONS}


def situation(code: str) -> Situation:
    """A situation choice by code (``paid_work``) or item (``situation_paid_work``)."""
    key = code.removeprefix(SITUATION_PREFIX)
    if key not in _BY_CODE:
        raise KeyError(f"unknown situation code {code!r}; known: {list(SITUATION_CODES)}")
    return _BY_CODE[key]


#: Situation codes written by early versions of the simulator (``kuva.simulate.persons``) and
#: the choice they stand for. Read-side only: the importer accepts just :data:`SITUATION_CODES`.
SITUATION_ALIASES: dict[str, str] = {
    "unemployed": "unemployed_jobseeker",
    "in_service": "work_trial",
    "part_time_work": "paid_work",
    "studying": "student",
    "rehabilitation": "workshop",
    "family_leave": "at_home",
}
#: Codes that stand for no choice of the questionnaire (count as unclassified).
UNCLASSIFIED_ALIASES: frozenset[str] = frozenset({"other"})


def canonical_situation(code: str) -> str | None:
    """The canonical code for a stored situation code or alias; None for an unclassified alias.

    Raises ``KeyError`` for a code that is neither.
    """
    key = code.removeprefix(SITUATION_PREFIX)
    if key in _BY_CODE:
        return key
    if key in SITUATION_ALIASES:
        return SITUATION_ALIASES[key]
    if key in UNCLASSIFIED_ALIASES:
        return None
    raise KeyError(f"unknown situation code {code!r}; known: {list(SITUATION_CODES)}")


def basic_situation(codes: Iterable[str]) -> BasicSituation:
    """The basic situation of one answer from the set of situation codes chosen.

    Unknown codes raise ``KeyError`` (the importer has refused them long before).
    """
    present = {situation(c).basic for c in codes}
    for cls in CLASS_PRIORITY:
        if cls in present:
            return cls
    return "other_unknown"


@dataclass(frozen=True)
class RelationBand:
    """A band of the 0–10 relation-to-working-life scale and what it means."""

    low: int
    high: int
    code: str
    label_fi: str
    label_en: str
    label_sv: str


#: The anchor texts of the relation-to-working-life scale (suhde työelämään).
RELATION_BANDS: tuple[RelationBand, ...] = (
    RelationBand(0, 0, "not_relevant", "Työelämä ei ole minulle nyt ajankohtaista",
                 "Working life is not relevant to me now", "Arbetslivet är inte aktuellt för mig nu"),
    RelationBand(1, 3, "no_work_need_support", "Ei työtä, tarvitsen tukea työn löytämiseen",
                 "No work, I need support to find work", "Inget arbete, jag behöver stöd för att hitta arbete"),
    RelationBand(4, 5, "no_work_may_need_support", "Ei työtä, saatan tarvita tukea",
                 "No work, I may need support", "Inget arbete, jag kan behöva stöd"),
    RelationBand(6, 8, "work_may_need_support", "Minulla on työ, mutta saatan tarvita tukea jatkaakseni",
                 "I have work but may need support to continue",
                 "Jag har arbete men kan behöva stöd för att fortsätta"),
    RelationBand(9, 10, "work_good_prerequisites", "Minulla on työ ja hyvät edellytykset jatkaa",
                 "I have work and good prerequisites to continue",
                 "Jag har arbete och goda förutsättningar att fortsätta"),
)


def relation_band(score: int) -> RelationBand:
    """The band of a relation-to-working-life score (0–10)."""
    for band in RELATION_BANDS:
        if band.low <= score <= band.high:
            return band
    raise ValueError(f"relation to working life must be {SCORE_MIN}–{SCORE_MAX}, got {score}")


__all__ = [
    "ALL_ITEMS",
    "BASIC_SITUATIONS",
    "CLASS_PRIORITY",
    "INSTRUMENT",
    "RELATION_BANDS",
    "SCORE_ITEMS",
    "SCORE_MAX",
    "SCORE_MIN",
    "SITUATIONS",
    "SITUATION_ALIASES",
    "SITUATION_CODES",
    "SITUATION_ITEMS",
    "SITUATION_PREFIX",
    "UNCLASSIFIED_ALIASES",
    "WORKING_LIFE_RELATION",
    "WORK_ABILITY",
    "BasicSituation",
    "RelationBand",
    "Situation",
    "basic_situation",
    "canonical_situation",
    "relation_band",
    "situation",
]
