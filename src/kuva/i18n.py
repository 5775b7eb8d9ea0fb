"""User-facing labels: ONE translation table (label key → Finnish, Swedish, English).

Figures, table headers and generated texts take every word from :data:`LABELS` through
:func:`label`. Text templates use ``str.format`` placeholders filled with numbers already
formatted for the language (:func:`fmt_number`). To add a label, add one entry with all three
languages; a test checks that every entry has them.
"""

from __future__ import annotations

import math
from datetime import date

from kuva.errors import KuvaLookupError
from kuva.registry.names import closest

LANGS: tuple[str, ...] = ("fi", "sv", "en")

#: label key → {"fi": ..., "sv": ..., "en": ...}
LABELS: dict[str, dict[str, str]] = {
    # -- general ---------------------------------------------------------------------------------
    "synthetic": {"fi": "SYNTEETTINEN AINEISTO", "sv": "SYNTETISKA DATA", "en": "SYNTHETIC DATA"},
    "source": {"fi": "Lähde", "sv": "Källa", "en": "Source"},
    "pilot": {"fi": "Kokeilukunnat", "sv": "Försökskommuner", "en": "Pilot municipalities"},
    "comparison": {"fi": "Vertailukunnat", "sv": "Jämförelsekommuner", "en": "Comparison municipalities"},
    "nation": {"fi": "Koko maa", "sv": "Hela landet", "en": "Whole country"},
    "SSS": {"fi": "Koko maa", "sv": "Hela landet", "en": "Whole country"},
    "pilot_start": {"fi": "Kokeilut alkavat", "sv": "Försöken börjar", "en": "Pilots start"},
    "persons": {"fi": "henkilöä", "sv": "personer", "en": "persons"},
    "percent": {"fi": "%", "sv": "%", "en": "%"},
    "percentage_points": {"fi": "%-yksikköä", "sv": "procentenheter", "en": "percentage points"},
    "thousands": {"fi": "tuhatta", "sv": "tusen", "en": "thousands"},
    # -- table columns -----------------------------------------------------------------------------
    "group": {"fi": "Ryhmä", "sv": "Grupp", "en": "Group"},
    "area": {"fi": "Alue", "sv": "Område", "en": "Area"},
    "area_code": {"fi": "Aluekoodi", "sv": "Områdeskod", "en": "Area code"},
    "municipality": {"fi": "Kunta", "sv": "Kommun", "en": "Municipality"},
    "period": {"fi": "Kuukausi", "sv": "Månad", "en": "Month"},
    "year": {"fi": "Vuosi", "sv": "År", "en": "Year"},
    "variable": {"fi": "Muuttuja", "sv": "Variabel", "en": "Variable"},
    "service": {"fi": "Palvelu", "sv": "Tjänst", "en": "Service"},
    "unemployed": {"fi": "Työttömät työnhakijat", "sv": "Arbetslösa arbetssökande", "en": "Unemployed jobseekers"},
    "in_services": {"fi": "Aktivoivissa palveluissa", "sv": "I aktiverande tjänster",
                    "en": "In activating services"},
    "activation_rate": {"fi": "Aktivointiaste, %", "sv": "Aktiveringsgrad, %", "en": "Activation rate, %"},
    "n_areas": {"fi": "Kuntia", "sv": "Kommuner", "en": "Municipalities"},
    "n_missing": {"fi": "Kuntia ilman tietoa", "sv": "Kommuner utan uppgift", "en": "Municipalities without data"},
    "suppressed": {"fi": "Suojattu", "sv": "Skyddad", "en": "Suppressed"},
    "basis": {"fi": "Peruste", "sv": "Grund", "en": "Basis"},
    "published": {"fi": "julkaistu koko maan luku", "sv": "publicerad siffra för hela landet",
                  "en": "published national figure"},
    "municipal_sum": {"fi": "kuntien summa", "sv": "summa av kommunerna", "en": "sum of municipalities"},
    "pilot_mean": {"fi": "Kokeilukunnat, keskiarvo", "sv": "Försökskommuner, medelvärde",
                   "en": "Pilot municipalities, mean"},
    "comparison_mean": {"fi": "Vertailukunnat, keskiarvo", "sv": "Jämförelsekommuner, medelvärde",
                        "en": "Comparison municipalities, mean"},
    "n_pilot": {"fi": "Kokeilukuntia, joilla tieto", "sv": "Försökskommuner med uppgift",
                "en": "Pilot municipalities with data"},
    "n_comparison": {"fi": "Vertailukuntia, joilla tieto", "sv": "Jämförelsekommuner med uppgift",
                     "en": "Comparison municipalities with data"},
    "std_difference": {"fi": "Standardoitu ero", "sv": "Standardiserad skillnad", "en": "Standardised difference"},
    "weighting": {"fi": "Painotus", "sv": "Viktning", "en": "Weighting"},
    "unweighted": {"fi": "kuntien keskiarvo", "sv": "medelvärde över kommuner", "en": "mean over municipalities"},
    "population_weighted": {"fi": "väestöllä painotettu", "sv": "befolkningsviktad", "en": "population-weighted"},
    "unit": {"fi": "Yksikkö", "sv": "Enhet", "en": "Unit"},
    "unemployed_base": {"fi": "Työttömät, perusajankohta", "sv": "Arbetslösa, basmånad",
                        "en": "Unemployed, base month"},
    "unemployed_now": {"fi": "Työttömät, viimeisin kuukausi", "sv": "Arbetslösa, senaste månad",
                       "en": "Unemployed, latest month"},
    "in_services_now": {"fi": "Palveluissa, viimeisin kuukausi", "sv": "I tjänster, senaste månad",
                        "en": "In services, latest month"},
    "activation_rate_now": {"fi": "Aktivointiaste nyt, %", "sv": "Aktiveringsgrad nu, %",
                            "en": "Activation rate now, %"},
    "activation_rate_counterfactual": {"fi": "Aktivointiaste perustason työttömyydellä, %",
                                       "sv": "Aktiveringsgrad med basmånadens arbetslöshet, %",
                                       "en": "Activation rate at base-month unemployment, %"},
    "relative_rate": {"fi": "Aktivointiaste, koko maa = 100", "sv": "Aktiveringsgrad, hela landet = 100",
                      "en": "Activation rate, whole country = 100"},
    "size_class": {"fi": "Kokoluokka", "sv": "Storleksklass", "en": "Size class"},
    "over_2000": {"fi": "yli 2 000 työtöntä", "sv": "över 2 000 arbetslösa", "en": "over 2,000 unemployed"},
    "1000_2000": {"fi": "1 000–2 000 työtöntä", "sv": "1 000–2 000 arbetslösa", "en": "1,000–2,000 unemployed"},
    "rate_start": {"fi": "Aktivointiaste, alku, %", "sv": "Aktiveringsgrad, början, %",
                   "en": "Activation rate, start, %"},
    "rate_end": {"fi": "Aktivointiaste, loppu, %", "sv": "Aktiveringsgrad, slut, %", "en": "Activation rate, end, %"},
    "unemployed_start": {"fi": "Työttömät, alku", "sv": "Arbetslösa, början", "en": "Unemployed, start"},
    "unemployed_end": {"fi": "Työttömät, loppu", "sv": "Arbetslösa, slut", "en": "Unemployed, end"},
    "in_services_start": {"fi": "Palveluissa, alku", "sv": "I tjänster, början", "en": "In services, start"},
    "in_services_end": {"fi": "Palveluissa, loppu", "sv": "I tjänster, slut", "en": "In services, end"},
    "change": {"fi": "Muutos, %-yks.", "sv": "Förändring, procentenheter", "en": "Change, pp"},
    "national_change": {"fi": "Koko maan muutos, %-yks.", "sv": "Hela landets förändring, procentenheter",
                        "en": "National change, pp"},
    "change_vs_nation": {"fi": "Muutos suhteessa koko maahan, %-yks.",
                         "sv": "Förändring jämfört med hela landet, procentenheter",
                         "en": "Change against the nation, pp"},
    "share_area": {"fi": "Osuus alueella, %", "sv": "Andel i området, %", "en": "Share in the area, %"},
    "share_nation": {"fi": "Osuus koko maassa, %", "sv": "Andel i hela landet, %", "en": "Share in the nation, %"},
    "difference_pp": {"fi": "Ero koko maahan, %-yks.", "sv": "Skillnad mot hela landet, procentenheter",
                      "en": "Difference from the nation, pp"},
    "yoy_change": {"fi": "Muutos vuodentakaisesta, %", "sv": "Förändring från året innan, %",
                   "en": "Change from a year earlier, %"},
    "in_services_year_ago": {"fi": "Palveluissa vuotta aiemmin", "sv": "I tjänster ett år tidigare",
                             "en": "In services a year earlier"},
    "ended": {"fi": "Palvelun päättäneet", "sv": "Avslutade tjänsten", "en": "Ended the service"},
    "unemployed_3m": {"fi": "Työttömänä 3 kk jälkeen", "sv": "Arbetslösa efter 3 mån",
                      "en": "Unemployed after 3 months"},
    "services_3m": {"fi": "Palveluissa 3 kk jälkeen", "sv": "I tjänster efter 3 mån",
                    "en": "In services after 3 months"},
    "other_3m": {"fi": "Muu tilanne 3 kk jälkeen (avoimet työmarkkinat, koulutus, työvoiman ulkopuolella)",
                 "sv": "Annan situation efter 3 mån (öppna arbetsmarknaden, utbildning, utanför arbetskraften)",
                 "en": "Other after 3 months (open labour market, education, outside the labour force)"},
    "share_unemployed_3m": {"fi": "Työttömänä 3 kk jälkeen, %", "sv": "Arbetslösa efter 3 mån, %",
                            "en": "Unemployed after 3 months, %"},
    "share_services_3m": {"fi": "Palveluissa 3 kk jälkeen, %", "sv": "I tjänster efter 3 mån, %",
                          "en": "In services after 3 months, %"},
    "share_other_3m": {"fi": "Muu tilanne 3 kk jälkeen, %", "sv": "Annan situation efter 3 mån, %",
                       "en": "Other after 3 months, %"},
    "municipal_share_eur": {"fi": "Työmarkkinatuen kuntaosuus, €", "sv": "Kommunandel av arbetsmarknadsstödet, €",
                            "en": "Municipal share of labour market subsidy, €"},
    "index_base": {"fi": "Indeksi, perusvuosi = 100", "sv": "Index, basår = 100", "en": "Index, base year = 100"},
    "expected_eur": {"fi": "Odotettu kuntaosuus vertailuryhmän kehityksellä, €",
                     "sv": "Förväntad kommunandel enligt jämförelsegruppens utveckling, €",
                     "en": "Expected municipal share at the comparison trend, €"},
    "difference_eur": {"fi": "Ero odotettuun, €", "sv": "Skillnad mot förväntat, €",
                       "en": "Difference from expected, €"},
    # -- background variables (analysis 1) ------------------------------------------------------------
    "population": {"fi": "Väkiluku", "sv": "Folkmängd", "en": "Population"},
    "share_under_15": {"fi": "Alle 15-vuotiaiden osuus, %", "sv": "Andel under 15 år, %", "en": "Share under 15, %"},
    "share_over_64": {"fi": "Yli 64-vuotiaiden osuus, %", "sv": "Andel över 64 år, %", "en": "Share over 64, %"},
    "share_swedish": {"fi": "Ruotsinkielisten osuus, %", "sv": "Andel svenskspråkiga, %",
                      "en": "Swedish speakers, %"},
    "share_foreign_language": {"fi": "Vieraskielisten osuus, %", "sv": "Andel med främmande språk, %",
                               "en": "Foreign-language speakers, %"},
    "share_tertiary": {"fi": "Korkea-asteen tutkinnon suorittaneiden osuus, %",
                       "sv": "Andel med högre utbildning, %", "en": "Tertiary-educated, %"},
    "share_pensioners": {"fi": "Eläkeläisten osuus, %", "sv": "Andel pensionärer, %", "en": "Pensioners, %"},
    "net_migration": {"fi": "Nettomuutto", "sv": "Nettoflyttning", "en": "Net migration"},
    "natural_change": {"fi": "Luonnollinen väestönlisäys", "sv": "Naturlig folkökning", "en": "Natural change"},
    "urban_share": {"fi": "Taajama-aste, %", "sv": "Tätortsgrad, %", "en": "Urban share, %"},
    "loans_municipality": {"fi": "Kunnan lainakanta, €/asukas", "sv": "Kommunens lånestock, €/invånare",
                           "en": "Municipal loans, € per resident"},
    "loans_group": {"fi": "Kuntakonsernin lainakanta, €/asukas", "sv": "Kommunkoncernens lånestock, €/invånare",
                    "en": "Municipal group loans, € per resident"},
    "social_health_spending": {"fi": "Sosiaali- ja terveystoiminnan nettokäyttökustannukset, €/asukas",
                               "sv": "Social- och hälsovårdens nettodriftskostnader, €/invånare",
                               "en": "Social and health spending, € per resident"},
    "employment_rate": {"fi": "Työllisyysaste, %", "sv": "Sysselsättningsgrad, %", "en": "Employment rate, %"},
    "unemployed_share": {"fi": "Työttömien osuus työvoimasta, %", "sv": "Arbetslösas andel av arbetskraften, %",
                         "en": "Unemployed share of labour force, %"},
    "unemployed_share_background": {"fi": "Työttömien osuus (kuntien avainluvut), %",
                                    "sv": "Andel arbetslösa (kommunernas nyckeltal), %",
                                    "en": "Unemployed share (municipal key figures), %"},
    "jobs_primary": {"fi": "Alkutuotannon työpaikkojen osuus, %", "sv": "Andel arbetsplatser i primärproduktion, %",
                     "en": "Jobs in primary production, %"},
    "jobs_processing": {"fi": "Jalostuksen työpaikkojen osuus, %", "sv": "Andel arbetsplatser i förädling, %",
                        "en": "Jobs in processing, %"},
    "jobs_services": {"fi": "Palvelujen työpaikkojen osuus, %", "sv": "Andel arbetsplatser i tjänster, %",
                      "en": "Jobs in services, %"},
    "avg_unemployed": {"fi": "Työttömät, kuukausikeskiarvo", "sv": "Arbetslösa, månadsmedeltal",
                       "en": "Unemployed, monthly average"},
    "avg_long_term": {"fi": "Pitkäaikaistyöttömät, kuukausikeskiarvo", "sv": "Långtidsarbetslösa, månadsmedeltal",
                      "en": "Long-term unemployed, monthly average"},
    "avg_under_25": {"fi": "Alle 25-vuotiaat työttömät, kuukausikeskiarvo",
                     "sv": "Arbetslösa under 25 år, månadsmedeltal", "en": "Unemployed under 25, monthly average"},
    "avg_foreign": {"fi": "Ulkomaalaiset työttömät, kuukausikeskiarvo",
                    "sv": "Arbetslösa utländska medborgare, månadsmedeltal",
                    "en": "Foreign unemployed, monthly average"},
    "avg_in_services": {"fi": "Aktivoivissa palveluissa, kuukausikeskiarvo",
                        "sv": "I aktiverande tjänster, månadsmedeltal",
                            "en": "In activating services, monthly average"},
    "n_municipalities": {"fi": "Kuntien lukumäärä", "sv": "Antal kommuner", "en": "Number of municipalities"},
    # -- titles ------------------------------------------------------------------------------------------
    "title.pilot_vs_comparison": {"fi": "Kokeilu- ja vertailukunnat ennen kokeiluja",
                                  "sv": "Försöks- och jämförelsekommuner före försöken",
                                  "en": "Pilot and comparison municipalities before the pilots"},
    "title.monthly_paths": {"fi": "Työttömät ja aktivointiaste kuukausittain",
                            "sv": "Arbetslösa och aktiveringsgrad per månad",
                            "en": "Unemployed jobseekers and activation rate by month"},
    "title.counterfactual_activation": {"fi": "Aktivointiaste, jos työttömyys palaisi helmikuun 2020 tasolle",
                                        "sv": "Aktiveringsgraden om arbetslösheten återgick till nivån i februari 2020",
                                        "en": "Activation rate if unemployment returned to its February 2020 level"},
    "title.largest_municipalities": {"fi": "Suurimpien kuntien aktivointiaste suhteessa koko maahan",
                                     "sv": "De största kommunernas aktiveringsgrad jämfört med hela landet",
                                     "en": "Activation rate of the largest municipalities relative to the nation"},
    "title.change_vs_nation": {"fi": "Aktivointiasteen muutos suhteessa koko maahan",
                               "sv": "Aktiveringsgradens förändring jämfört med hela landet",
                               "en": "Change in activation rate against the nation"},
    "title.service_mix": {"fi": "Palvelurakenne suhteessa koko maahan",
                          "sv": "Tjänstestrukturen jämfört med hela landet",
                          "en": "Service mix compared with the nation"},
    "title.services_yoy": {"fi": "Aktivoivien palvelujen asiakkaiden vuosimuutos",
                           "sv": "Årsförändring av klienter i aktiverande tjänster",
                           "en": "Year-on-year change in clients in activating services"},
    "title.outcomes_after_services": {"fi": "Tilanne kolme kuukautta palvelun päättymisen jälkeen",
                                      "sv": "Situationen tre månader efter avslutad tjänst",
                                      "en": "Situation three months after a service ended"},
    "title.municipal_share_tmt": {"fi": "Työmarkkinatuen kuntaosuus", "sv": "Kommunandelen av arbetsmarknadsstödet",
                                  "en": "Municipal share of the labour market subsidy"},
    # -- generated texts ------------------------------------------------------------------------------------
    "text.pilot_vs_comparison": {
        "fi": "Vuonna {year} kokeilukuntia oli {n_pilot} ja vertailukuntia {n_comparison}. Suurin standardoitu "
              "ero oli muuttujassa {largest_variable} ({largest_d}).",
        "sv": "År {year} fanns {n_pilot} försökskommuner och {n_comparison} jämförelsekommuner. Den största "
              "standardiserade skillnaden gällde {largest_variable} ({largest_d}).",
        "en": "In {year} there were {n_pilot} pilot and {n_comparison} comparison municipalities. The largest "
              "standardised difference was in {largest_variable} ({largest_d})."},
    "text.monthly_paths": {
        "fi": "Työttömien työnhakijoiden määrä kasvoi helmikuusta 2020 koronahuippuun {growth_pilot} % "
              "kokeilukunnissa, {growth_comparison} % vertailukunnissa ja {growth_nation} % koko maassa.",
        "sv": "Antalet arbetslösa arbetssökande ökade från februari 2020 till coronatoppen med {growth_pilot} % "
              "i försökskommunerna, {growth_comparison} % i jämförelsekommunerna och {growth_nation} % i hela landet.",
        "en": "Unemployed jobseekers grew from February 2020 to the COVID peak by {growth_pilot}% in the pilot "
              "municipalities, {growth_comparison}% in the comparison municipalities and {growth_nation}% in the "
              "whole country."},
    "text.counterfactual_activation": {
        "fi": "{month}: kokeilukuntien aktivointiaste oli {rate_pilot} % ja vertailukuntien {rate_comparison} %. "
              "Jos työttömiä olisi ollut yhtä paljon kuin helmikuussa 2020, kokeilukuntien aste olisi ollut "
              "{rate_pilot_cf} %, ja eroa vertailukuntiin jäisi {gap_remaining} %-yksikköä.",
        "sv": "{month}: aktiveringsgraden var {rate_pilot} % i försökskommunerna och {rate_comparison} % i "
              "jämförelsekommunerna. Med lika många arbetslösa som i februari 2020 hade försökskommunernas grad "
              "varit {rate_pilot_cf} %, och skillnaden till jämförelsekommunerna vore {gap_remaining} procentenheter.",
        "en": "In {month} the activation rate was {rate_pilot}% in the pilot and {rate_comparison}% in the "
              "comparison municipalities. With as many unemployed as in February 2020 the pilots' rate would have "
              "been {rate_pilot_cf}%, leaving a gap of {gap_remaining} percentage points to the comparison group."},
    "text.largest_municipalities": {
        "fi": "{month}: yli 2 000 työttömän kuntia oli {n_over_2000}, joista kokeilukuntia {n_pilot_over_2000} ja "
              "vertailukuntia {n_comparison_over_2000}. Koko maan aktivointiaste oli {national_rate} %.",
        "sv": "{month}: {n_over_2000} kommuner hade över 2 000 arbetslösa, av dem {n_pilot_over_2000} "
              "försökskommuner och {n_comparison_over_2000} jämförelsekommuner. Aktiveringsgraden i hela landet "
              "var {national_rate} %.",
        "en": "In {month} {n_over_2000} municipalities had over 2,000 unemployed: {n_pilot_over_2000} pilot and "
              "{n_comparison_over_2000} comparison municipalities. The national activation rate was {national_rate}%."},
    "text.change_vs_nation": {
        "fi": "Aikavälillä {start}–{end} koko maan aktivointiaste muuttui {national_change} %-yksikköä. "
              "Kokeilukuntien yhteenlaskettu aste muuttui {pilot_vs_nation} ja vertailukuntien "
              "{comparison_vs_nation} %-yksikköä enemmän kuin koko maan.",
        "sv": "Mellan {start} och {end} förändrades aktiveringsgraden i hela landet med {national_change} "
              "procentenheter. Försökskommunernas sammanlagda grad förändrades {pilot_vs_nation} och "
              "jämförelsekommunernas {comparison_vs_nation} procentenheter mer än hela landets.",
        "en": "From {start} to {end} the national activation rate changed by {national_change} percentage "
              "points. The pilot group's rate changed {pilot_vs_nation} and the comparison group's "
              "{comparison_vs_nation} points more than the nation's."},
    "text.service_mix": {
        "fi": "{month}: suurin poikkeama koko maan palvelurakenteesta oli alueella {area}: {service} "
              "{difference} %-yksikköä.",
        "sv": "{month}: den största avvikelsen från hela landets tjänstestruktur fanns i {area}: {service} "
              "{difference} procentenheter.",
        "en": "In {month} the largest deviation from the national service mix was in {area}: {service} "
              "{difference} percentage points."},
    "text.services_yoy": {
        "fi": "{month}: aktivoivien palvelujen asiakkaita oli kokeilukunnissa {yoy_pilot} % ja muissa kunnissa "
              "{yoy_comparison} % enemmän kuin vuotta aiemmin.",
        "sv": "{month}: i försökskommunerna fanns {yoy_pilot} % och i övriga kommuner {yoy_comparison} % fler "
              "klienter i aktiverande tjänster än ett år tidigare.",
        "en": "In {month} clients in activating services were {yoy_pilot}% more in the pilot municipalities and "
              "{yoy_comparison}% more in the other municipalities than a year earlier."},
    "text.outcomes_after_services": {
        "fi": "Vuonna {year} palvelun päättäneistä oli kolmen kuukauden kuluttua työttömänä {unemployed_pilot} % "
              "kokeilukunnissa ja {unemployed_nation} % koko maassa.",
        "sv": "År {year} var {unemployed_pilot} % av dem som avslutat en tjänst arbetslösa tre månader senare i "
              "försökskommunerna och {unemployed_nation} % i hela landet.",
        "en": "In {year}, {unemployed_pilot}% of those who ended a service were unemployed three months later in "
              "the pilot municipalities and {unemployed_nation}% in the whole country."},
    "text.municipal_share_tmt": {
        "fi": "Kokeilukuntien työmarkkinatuen kuntaosuus oli vuonna {year} {index_pilot} ja muiden kuntien "
              "{index_comparison} (vuosi {base_year} = 100). Muiden kuntien kehityksellä kokeilukunnat olisivat "
              "maksaneet {difference_eur} € vähemmän.",
        "sv": "Försökskommunernas andel av arbetsmarknadsstödet var år {year} {index_pilot} och övriga kommuners "
              "{index_comparison} (år {base_year} = 100). Med övriga kommuners utveckling hade försökskommunerna "
              "betalat {difference_eur} € mindre.",
        "en": "The pilot municipalities' share of the labour market subsidy was {index_pilot} in {year} and the "
              "other municipalities' {index_comparison} ({base_year} = 100). At the others' trend the pilots "
              "would have paid {difference_eur} € less."},
    "text.no_data": {"fi": "Tietoja ei ole saatavilla.", "sv": "Uppgifter saknas.", "en": "No data available."},
    "synthetic_note": {"fi": "Luvut perustuvat osin synteettiseen (simuloituun) aineistoon.",
                       "sv": "Siffrorna bygger delvis på syntetiska (simulerade) data.",
                       "en": "The figures rest partly on synthetic (simulated) data."},
}

_MONTHS: dict[str, tuple[str, ...]] = {
    "fi": ("tammikuu", "helmikuu", "maaliskuu", "huhtikuu", "toukokuu", "kesäkuu", "heinäkuu", "elokuu",
           "syyskuu", "lokakuu", "marraskuu", "joulukuu"),
    "sv": ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
           "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}


def check_lang(lang: str) -> str:
    """``lang`` if it is one of :data:`LANGS`, else a clear error."""
    if lang not in LANGS:
        raise KuvaLookupError(f"unknown language {lang!r}; use one of {list(LANGS)}")
    return lang


def label(key: str, lang: str = "fi") -> str:
    """The label ``key`` in ``lang`` (``fi``, ``sv`` or ``en``)."""
    check_lang(lang)
    entry = LABELS.get(key)
    if entry is None:
        hint = ", ".join(closest(key, list(LABELS))) or "(none)"
        raise KuvaLookupError(f"unknown label key {key!r}; closest: {hint}")
    return entry[lang]


def has_label(key: str) -> bool:
    return key in LABELS


def fmt_number(value: float | int | None, lang: str = "fi", decimals: int = 1, *, signed: bool = False) -> str:
    """A number for text: Finnish and Swedish use a decimal comma and a space between thousands,
    English a decimal point and a comma. Missing values print as an en dash."""
    check_lang(lang)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:{'+' if signed else ''},.{decimals}f}"
    if lang in ("fi", "sv"):
        text = text.replace(",", "\u00a0").replace(".", ",").replace("-", "−")
    return text


def fmt_month(day: date, lang: str = "fi") -> str:
    """``helmikuu 2020`` / ``februari 2020`` / ``February 2020``."""
    check_lang(lang)
    return f"{_MONTHS[lang][day.month - 1]} {day.year}"
