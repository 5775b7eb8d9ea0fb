"""The indicator registry: every named indicator with its fi/sv/en name, definition, unit,
source measures and caveats. The data dictionary (:mod:`kuva.dictionary`) and the report's
definitions section are generated from it, and a test fails when an indicator is missing here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from kuva.errors import KuvaLookupError
from kuva.indicators import codes
from kuva.registry.names import closest


@dataclass(frozen=True)
class Indicator:
    code: str
    name_fi: str
    name_sv: str
    name_en: str
    definition: str
    unit: str
    sources: tuple[str, ...]  #: measure codes read
    caveats: str = ""

    def name(self, lang: str = "fi") -> str:
        from kuva.i18n import check_lang

        return {"fi": self.name_fi, "sv": self.name_sv, "en": self.name_en}[check_lang(lang)]


_S = codes.SERVICES
_FOLLOW = tuple(c for triple in codes.FOLLOW_UP.values() for c in triple)
_MUNI_NOT_PUBLIC = ("Municipal counts of persons in services are public in StatFin 12u4 (`kuva load statfin -t "
                    "12u4`) but the bundled data hold them only for the whole country: offline they come from "
                    "a user's file or are simulated (results flagged synthetic).")

INDICATORS: tuple[Indicator, ...] = (
    Indicator("unemployed", "Työttömät työnhakijat", "Arbetslösa arbetssökande", "Unemployed jobseekers",
              "Unemployed jobseekers at the end of the month; for a group the sum over its municipalities.",
              "persons", (codes.UNEMPLOYED,),
              "Publisher-suppressed municipal cells are missing; group sums then count fewer municipalities "
              "(the tables give the number missing)."),
    Indicator("in_services", "Aktivoivissa palveluissa", "I aktiverande tjänster", "Persons in activating services",
              "Sum of the persons in the seven activating services at the end of the month.",
              "persons", (codes.IN_SERVICES, *_S), _MUNI_NOT_PUBLIC),
    Indicator("activation_rate", "Aktivointiaste", "Aktiveringsgrad", "Activation rate",
              "Persons in activating services / (unemployed jobseekers + persons in activating services) × 100. "
              "For any group of municipalities it is computed from the group's summed counts, never by "
              "averaging the members' rates.",
              "percent", (codes.UNEMPLOYED, *_S),
              _MUNI_NOT_PUBLIC + " National: published 12u4 values to 2022-02, municipal sums after."),
    Indicator("activation_component", "Aktivointiasteen osatekijä", "Aktiveringsgradens komponent",
              "Activation rate component",
              "Persons in one activating service / (unemployed + persons in activating services) × 100; the seven "
              "components sum to the activation rate.", "percent", (codes.UNEMPLOYED, *_S), _MUNI_NOT_PUBLIC),
    Indicator("service_share", "Palvelun osuus aktivoivista palveluista", "Tjänstens andel av aktiverande tjänster",
              "Service share of activating services",
              "Persons in one activating service / persons in all activating services × 100; the shares sum to 100.",
              "percent", _S, _MUNI_NOT_PUBLIC),
    Indicator("service_share_difference", "Palvelurakenteen ero koko maahan",
              "Skillnad i tjänstestruktur mot hela landet",
              "Service mix difference from the nation",
              "An area's service share minus the national service share, percentage points.",
              "percentage points", _S, _MUNI_NOT_PUBLIC),
    Indicator("unemployed_share", "Työttömien osuus työvoimasta", "Arbetslösas andel av arbetskraften",
              "Unemployed share of the labour force",
              "Unemployed jobseekers / labour force × 100; the annual labour force (TYOVOIMATK) is joined to "
              "every month of its year.", "percent", (codes.UNEMPLOYED, codes.LABOUR_FORCE),
              "Registered unemployment over the employment-statistics labour force; not the Labour Force "
              "Survey unemployment rate. The labour force of the latest years may be missing."),
    Indicator("long_term_share", "Pitkäaikaistyöttömien osuus", "Andel långtidsarbetslösa",
              "Long-term unemployed share",
              "Unemployed jobseekers unemployed for at least 12 months / unemployed jobseekers × 100.",
              "percent", (codes.LONG_TERM_UNEMPLOYED, codes.UNEMPLOYED),
              "Municipal long-term counts are public in StatFin 12r5 but not bundled (fetched, a user file, "
              "or simulated)."),
    Indicator("unemployment_growth", "Työttömyyden kasvu", "Ökning av arbetslösheten", "Growth of unemployment",
              "Unemployed jobseekers at the peak month / unemployed jobseekers in the base month × 100 − 100 "
              "(default base 2020-02, peak = the highest month from 2020-03 to 2020-12).",
              "percent", (codes.UNEMPLOYED,)),
    Indicator("counterfactual_activation_rate", "Laskennallinen aktivointiaste", "Beräknad aktiveringsgrad",
              "Counterfactual activation rate",
              "Activation rate with today's persons in services and the unemployed of the base month "
              "(2020-02): P_t / (U_base + P_t) × 100.", "percent", (codes.UNEMPLOYED, *_S),
              "A what-if calculation, not an estimate of an effect."),
    Indicator("relative_activation_rate", "Aktivointiaste suhteessa koko maahan",
              "Aktiveringsgrad i förhållande till hela landet", "Activation rate relative to the nation",
              "A municipality's activation rate / the national activation rate × 100.", "index (nation = 100)",
              (codes.UNEMPLOYED, *_S), _MUNI_NOT_PUBLIC),
    Indicator("activation_change_vs_nation", "Aktivointiasteen muutos suhteessa koko maahan",
              "Förändring av aktiveringsgraden jämfört med hela landet",
              "Change in activation rate against the nation",
              "(Rate at the end month − rate at the start month) − (national rate at the end month − national "
              "rate at the start month), percentage points.", "percentage points", (codes.UNEMPLOYED, *_S),
              _MUNI_NOT_PUBLIC),
    Indicator("services_yoy", "Aktivoivien palvelujen asiakkaiden vuosimuutos",
              "Årsförändring av klienter i aktiverande tjänster", "Year-on-year change in clients in services",
              "Persons in activating services in a month / the same month a year earlier × 100 − 100.",
              "percent", _S, _MUNI_NOT_PUBLIC),
    Indicator("outcome_3m_share", "Tilanne 3 kk palvelun jälkeen", "Situation 3 mån efter tjänsten",
              "Situation three months after a service",
              "Of the persons whose service ended during the year: share unemployed, share in services and the "
              "rest (open labour market, education or outside the labour force) three months later, %.",
              "percent", _FOLLOW,
              "The public follow-up tables give only 'unemployed' and 'in services'; the rest is the remainder. "
              "Municipal follow-up counts are not bundled (simulated unless a user file is loaded)."),
    Indicator("municipal_share_tmt", "Työmarkkinatuen kuntaosuus", "Kommunandel av arbetsmarknadsstödet",
              "Municipal share of labour market subsidy",
              "Euros municipalities pay towards the labour market subsidy of their long-term unemployed "
              "(Kela); for a group the sum. Compared as an index to the pre-pilot year.",
              "euro", (codes.KELA_MUNICIPAL_SHARE, codes.KELA_PAID, codes.KELA_RECIPIENTS),
              "Read from a user's Kela CSV; without one the analysis uses simulated values labelled synthetic."),
    Indicator("standardised_difference", "Standardoitu ero", "Standardiserad skillnad", "Standardised difference",
              "(Pilot mean − comparison mean) / sqrt((pilot variance + comparison variance) / 2), computed over "
              "municipalities (weighted the same way as the means).", "standard deviations",
              tuple(codes.BACKGROUND.values()), "|d| above 0.1–0.25 is usually read as a notable imbalance."),
)


@cache
def indicators() -> dict[str, Indicator]:
    """Every indicator by code."""
    return {i.code: i for i in INDICATORS}


def indicator(code: str) -> Indicator:
    cat = indicators()
    if code in cat:
        return cat[code]
    raise KuvaLookupError(f"unknown indicator {code!r}; closest: {', '.join(closest(code, list(cat))) or '(none)'}")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown() -> str:
    """The section ``## Indicators (indikaattorit)`` of the data dictionary, in Markdown."""
    lines = [
        "## Indicators (indikaattorit)",
        "",
        "Defined in `kuva.indicators` as Ibis expressions over the warehouse. Rates of a group of areas are",
        "computed from summed counts, never by averaging rates.",
        "",
        "| code | Finnish term | sv | en | unit | definition | measures | caveats |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for i in INDICATORS:
        lines.append(
            f"| `{i.code}` | {_cell(i.name_fi)} | {_cell(i.name_sv)} | {_cell(i.name_en)} | {i.unit} | "
            f"{_cell(i.definition)} | {', '.join(f'`{s}`' for s in i.sources)} | {_cell(i.caveats)} |")
    return "\n".join(lines)
