"""User-facing labels: ONE translation table (label key → Finnish, Swedish, English).

Figures, table headers and generated texts take every word from :data:`LABELS` through
:func:`label`. Text templates use ``str.format`` placeholders filled with numbers already
formatted for the language (:func:`fmt_number`). To add a label, add one entry with all three
languages; a test checks that every entry has them.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Literal, get_args

from kuva.errors import KuvaInputError, KuvaLookupError
from kuva.registry.names import closest

Lang = Literal["fi", "sv", "en"]
LANGS: tuple[Lang, ...] = get_args(Lang)

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


# Report words (kuva.report).
LABELS.update({
    "report.title": {
        "fi": "Työllisyyspalvelujen tilannekuva ja vaikuttavuus",
        "sv": "Sysselsättningstjänsternas lägesbild och effekter",
        "en": "Employment services: situation and impact",
    },
    "report.subtitle": {
        "fi": "KuVa-raportti kuntien työllisyyspalveluista",
        "sv": "KuVa-rapport om kommunernas sysselsättningstjänster",
        "en": "KuVa report on municipal employment services",
    },
    "report.generated": {"fi": "Laadittu", "sv": "Sammanställd", "en": "Generated"},
    "report.contents": {"fi": "Sisällys", "sv": "Innehåll", "en": "Contents"},
    "report.summary": {"fi": "Tiivistelmä", "sv": "Sammanfattning", "en": "Summary"},
    "report.key_numbers": {"fi": "Keskeiset luvut", "sv": "Nyckeltal", "en": "Key numbers"},
    "report.definitions": {"fi": "Määritelmät", "sv": "Definitioner", "en": "Definitions"},
    "report.provenance": {
        "fi": "Liite: aineistot ja niiden alkuperä",
        "sv": "Bilaga: data och deras ursprung",
        "en": "Appendix: data and provenance",
    },
    "report.sources": {"fi": "Lähteet", "sv": "Källor", "en": "Sources"},
    "report.loads": {"fi": "Lataukset", "sv": "Inläsningar", "en": "Loads"},
    "report.parameters": {"fi": "Käytetyt parametrit", "sv": "Använda parametrar", "en": "Parameters used"},
    "report.synthetic": {"fi": "SYNTEETTINEN", "sv": "SYNTETISK", "en": "SYNTHETIC"},
    "report.synthetic_note": {
        "fi": (
            "Osa raportin sisällöstä perustuu synteettiseen (simuloituun) aineistoon. Synteettiset "
            "kuviot ja taulukot on merkitty."
        ),
        "sv": (
            "En del av rapportens innehåll bygger på syntetiska (simulerade) data. Syntetiska figurer "
            "och tabeller är märkta."
        ),
        "en": "Part of this report rests on synthetic (simulated) data. Synthetic figures and tables are labelled.",
    },
    "report.synthetic_items": {
        "fi": "Synteettiseen aineistoon perustuvat kuviot ja taulukot",
        "sv": "Figurer och tabeller som bygger på syntetiska data",
        "en": "Figures and tables resting on synthetic data",
    },
    "report.no_synthetic": {
        "fi": "Raportissa ei ole synteettiseen aineistoon perustuvia kuvioita tai taulukoita.",
        "sv": "Rapporten innehåller inga figurer eller tabeller som bygger på syntetiska data.",
        "en": "No figure or table in this report rests on synthetic data.",
    },
    "report.figure": {"fi": "Kuvio", "sv": "Figur", "en": "Figure"},
    "report.table": {"fi": "Taulukko", "sv": "Tabell", "en": "Table"},
    "report.rows_shown": {
        "fi": "Näytetään {shown} riviä {total} rivistä; koko taulukko: {file}",
        "sv": "{shown} av {total} rader visas; hela tabellen: {file}",
        "en": "Showing {shown} of {total} rows; full table: {file}",
    },
    "report.table_files": {"fi": "Taulukkotiedostot", "sv": "Tabellfiler", "en": "Table files"},
    "report.suppressed_note": {
        "fi": "Pienet solut (alle {min_cell} henkilöä) on häivytetty tietosuojan vuoksi (–).",
        "sv": "Små celler (under {min_cell} personer) har dolts av dataskyddsskäl (–).",
        "en": "Small cells (fewer than {min_cell} persons) are suppressed for confidentiality (–).",
    },
    "report.empty_chapter": {
        "fi": "Tähän lukuun ei ole tuloksia valituilla rajauksilla.",
        "sv": "Inga resultat för detta kapitel med de valda avgränsningarna.",
        "en": "No results for this chapter with the chosen selection.",
    },
    "report.empty_report": {
        "fi": "Raportissa ei ole lukuja: analyysejä ei ole rekisteröity tai rajaus ei tuota tuloksia.",
        "sv": "Rapporten har inga kapitel: inga analyser är registrerade eller avgränsningen ger inga resultat.",
        "en": "The report has no chapters: no analyses are registered or the selection gives no results.",
    },
    "report.omitted": {
        "fi": "Analyysit, joita ei voitu laatia tästä aineistosta",
        "sv": "Analyser som inte kunde göras med dessa data",
        "en": "Analyses that could not be produced from these data",
    },
    "report.source_id": {"fi": "Lähde", "sv": "Källa", "en": "Source"},
    "report.source_title": {"fi": "Nimi", "sv": "Namn", "en": "Title"},
    "report.publisher": {"fi": "Julkaisija", "sv": "Utgivare", "en": "Publisher"},
    "report.license": {"fi": "Lisenssi", "sv": "Licens", "en": "Licence"},
    "report.kind": {"fi": "Tyyppi", "sv": "Typ", "en": "Kind"},
    "report.is_synthetic": {"fi": "Synteettinen", "sv": "Syntetisk", "en": "Synthetic"},
    "report.used": {"fi": "Käytetty raportissa", "sv": "Använd i rapporten", "en": "Used in report"},
    "report.load_id": {"fi": "Lataus", "sv": "Inläsning", "en": "Load"},
    "report.location": {"fi": "Sijainti", "sv": "Plats", "en": "Location"},
    "report.vintage": {"fi": "Versio (julkaistu)", "sv": "Version (publicerad)", "en": "Vintage (published)"},
    "report.retrieved_at": {"fi": "Haettu", "sv": "Hämtad", "en": "Retrieved"},
    "report.loaded_at": {"fi": "Ladattu", "sv": "Inläst", "en": "Loaded"},
    "report.checksum": {"fi": "Tarkistussumma (SHA-256)", "sv": "Kontrollsumma (SHA-256)", "en": "Checksum (SHA-256)"},
    "report.rows": {"fi": "Rivejä", "sv": "Rader", "en": "Rows"},
    "report.yes": {"fi": "kyllä", "sv": "ja", "en": "yes"},
    "report.no": {"fi": "ei", "sv": "nej", "en": "no"},
    "report.parameter": {"fi": "Parametri", "sv": "Parameter", "en": "Parameter"},
    "report.value": {"fi": "Arvo", "sv": "Värde", "en": "Value"},
    "report.analysis": {"fi": "Analyysi", "sv": "Analys", "en": "Analysis"},
    "report.term": {"fi": "Käsite", "sv": "Begrepp", "en": "Term"},
    "report.definition": {"fi": "Määritelmä", "sv": "Definition", "en": "Definition"},
    "report.param.lang": {"fi": "Kieli", "sv": "Språk", "en": "Language"},
    "report.param.start": {"fi": "Alkaen", "sv": "Från", "en": "From"},
    "report.param.end": {"fi": "Päättyen", "sv": "Till", "en": "To"},
    "report.param.areas": {"fi": "Alueet", "sv": "Områden", "en": "Areas"},
    "report.param.min_cell": {
        "fi": "Pienin julkaistava solu (henkilöä)",
        "sv": "Minsta publicerbara cell (personer)",
        "en": "Minimum cell size (persons)",
    },
    "report.param.chapters": {"fi": "Luvut", "sv": "Kapitel", "en": "Chapters"},
    "report.param.warehouse": {"fi": "Tietovarasto", "sv": "Datalager", "en": "Warehouse"},
    "report.param.kuva_version": {"fi": "KuVa-versio", "sv": "KuVa-version", "en": "KuVa version"},
    "report.all": {"fi": "kaikki", "sv": "alla", "en": "all"},
    "report.page": {"fi": "Sivu", "sv": "Sida", "en": "Page"},
    "report.footer": {
        "fi": "Tuotettu KuVa-järjestelmällä. Luvut ovat tietosuojattuja (pienet solut häivytetty).",
        "sv": "Framställd med KuVa. Siffrorna är skyddade (små celler dolda).",
        "en": "Produced with KuVa. Figures are disclosure-controlled (small cells suppressed).",
    },
    "report.chapter.situation": {"fi": "Tilannekuva", "sv": "Lägesbild", "en": "Where we stand"},
    "report.chapter.situation.intro": {
        "fi": "Kokeilualueiden ja vertailualueiden työttömyys, aktivointi ja palvelut kuukausittain.",
        "sv": "Arbetslöshet, aktivering och tjänster i försöks- och jämförelseområdena månad för månad.",
        "en": "Unemployment, activation and services in the pilot and comparison areas, month by month.",
    },
    "report.chapter.comparisons": {"fi": "Vertailut", "sv": "Jämförelser", "en": "Comparisons"},
    "report.chapter.comparisons.intro": {
        "fi": "Suurimmat kunnat, muutos suhteessa koko maahan ja palvelurakenne.",
        "sv": "De största kommunerna, förändring jämfört med hela landet och tjänsteutbud.",
        "en": "The largest municipalities, change against the nation and the service mix.",
    },
    "report.chapter.indicators": {
        "fi": "Seminaarin indikaattorit",
        "sv": "Seminariets indikatorer",
        "en": "Seminar indicators",
    },
    "report.chapter.indicators.intro": {
        "fi": "Kokeilujen seurannassa käytetyt keskeiset indikaattorit.",
        "sv": "De centrala indikatorerna i uppföljningen av försöken.",
        "en": "The key indicators used to follow the pilots.",
    },
})

# Kykyviisari words (kuva.wellbeing); 'wellbeing.' marks a key whose plain form means
# something else elsewhere.
LABELS.update({
    "area_comparison": {
        "fi": "Vertailualue (Kymenlaakso ja Etelä-Karjala)",
        "sv": "Jämförelseområde (Kymmenedalen och Södra Karelen)",
        "en": "Comparison area (Kymenlaakso and South Karelia)",
    },
    "area_pilots_total": {
        "fi": "Kokeilualueet yhteensä",
        "sv": "Försöksområdena sammanlagt",
        "en": "Pilot areas in total",
    },
    "area_all": {"fi": "Kaikki vastaajat", "sv": "Alla svarande", "en": "All respondents"},
    "area_other": {"fi": "Muu tai tuntematon alue", "sv": "Annat eller okänt område", "en": "Other or unknown area"},
    "area_unknown": {"fi": "Tuntematon alue", "sv": "Okänt område", "en": "Unknown area"},
    "work_ability": {"fi": "Työkyky nyt (0–10)", "sv": "Arbetsförmåga nu (0–10)", "en": "Work ability now (0–10)"},
    "working_life_relation": {
        "fi": "Suhde työelämään nyt (0–10)",
        "sv": "Förhållande till arbetslivet nu (0–10)",
        "en": "Relation to working life now (0–10)",
    },
    "working": {"fi": "Työssä", "sv": "I arbete", "en": "Working"},
    "coaching": {
        "fi": "Valmennuksellisissa palveluissa",
        "sv": "I träningstjänster",
        "en": "In coaching-type services",
    },
    "student": {"fi": "Opiskelija", "sv": "Studerande", "en": "Student"},
    "health": {
        "fi": "Terveydelliset syyt (sairausloma, eläke)",
        "sv": "Hälsoskäl (sjukledighet, pension)",
        "en": "Health problems (sick leave, pension)",
    },
    "wellbeing.unemployed": {"fi": "Työtön", "sv": "Arbetslös", "en": "Unemployed"},
    "other_unknown": {"fi": "Muu tai tuntematon", "sv": "Annat eller okänt", "en": "Other or unknown"},
    "total": {"fi": "Yhteensä", "sv": "Totalt", "en": "Total"},
    "share_pct": {"fi": "Osuus, %", "sv": "Andel, %", "en": "Share, %"},
    "mean": {"fi": "Keskiarvo", "sv": "Medelvärde", "en": "Mean"},
    "score": {"fi": "Pistemäärä", "sv": "Poäng", "en": "Score"},
    "first_answer": {"fi": "Ensimmäinen vastaus", "sv": "Första svaret", "en": "First answer"},
    "change_all": {
        "fi": "Kaikki toistuvasti vastanneet",
        "sv": "Alla som svarat upprepade gånger",
        "en": "All repeat respondents",
    },
    "change_service": {
        "fi": "Palvelu alkoi vastausten välillä",
        "sv": "Tjänst började mellan svaren",
        "en": "A service started between the answers",
    },
    "change_no_service": {
        "fi": "Ei palvelua vastausten välillä",
        "sv": "Ingen tjänst mellan svaren",
        "en": "No service between the answers",
    },
    "title.basic_situation": {
        "fi": "Kykyviisari: vastaajien perustilanne alueittain",
        "sv": "Kykyviisari: de svarandes grundsituation per område",
        "en": "Kykyviisari: respondents' basic situation by area",
    },
    "title.coverage": {
        "fi": "Kykyviisari: vastaajat ja kattavuus alueittain",
        "sv": "Kykyviisari: svarande och täckning per område",
        "en": "Kykyviisari: respondents and coverage by area",
    },
    "title.distribution": {
        "fi": "Kykyviisari: työkyvyn ja työelämäsuhteen jakaumat",
        "sv": "Kykyviisari: fördelningar av arbetsförmåga och förhållande till arbetslivet",
        "en": "Kykyviisari: distributions of work ability and relation to working life",
    },
    "title.means": {
        "fi": "Kykyviisari: keskiarvot alueittain luottamusväleineen",
        "sv": "Kykyviisari: medelvärden per område med konfidensintervall",
        "en": "Kykyviisari: means by area with confidence intervals",
    },
    "title.change": {
        "fi": "Kykyviisari: muutos toistuvissa vastauksissa",
        "sv": "Kykyviisari: förändring i upprepade svar",
        "en": "Kykyviisari: change between repeated answers",
    },
    "chapter": {
        "fi": "Koettu työkyky (Kykyviisari)",
        "sv": "Upplevd arbetsförmåga (Kykyviisari)",
        "en": "Self-assessed work ability (Kykyviisari)",
    },
    "chapter.intro": {
        "fi": (
            "Kykyviisari on itsearviointi työkyvystä ja suhteesta työelämään. Vastaajat valikoituvat: "
            "luvut kuvaavat vastanneita, eivät kaikkia asiakkaita."
        ),
        "sv": (
            "Kykyviisari är en självskattning av arbetsförmåga och förhållande till arbetslivet. De "
            "svarande är ett urval: siffrorna beskriver de svarande, inte alla kunder."
        ),
        "en": (
            "Kykyviisari is a self-assessment of work ability and relation to working life. Respondents "
            "are self-selected: the figures describe those who answered, not all clients."
        ),
    },
    "situation.work_practice": {"fi": "Työharjoittelu", "sv": "Arbetspraktik", "en": "Work practice"},
    "situation.workshop": {
        "fi": "Työpaja tai kuntouttava työtoiminta",
        "sv": "Verkstad eller arbetsverksamhet i rehabiliteringssyfte",
        "en": "Workshop or rehabilitative work activity",
    },
    "situation.work_trial": {"fi": "Työkokeilu", "sv": "Arbetsprövning", "en": "Work trial"},
    "situation.unemployed_jobseeker": {
        "fi": "Työtön työnhakija TE-toimistossa",
        "sv": "Arbetslös arbetssökande vid TE-byrån",
        "en": "Unemployed jobseeker at the TE office",
    },
    "situation.unemployed_not_registered": {
        "fi": "Työtön, en ole ilmoittautunut työnhakijaksi",
        "sv": "Arbetslös, inte anmäld som arbetssökande",
        "en": "Unemployed, not a registered jobseeker",
    },
    "situation.unpaid_work": {
        "fi": "Palkaton työ, esim. vapaaehtoistyö",
        "sv": "Oavlönat arbete, t.ex. frivilligarbete",
        "en": "Unpaid work such as volunteering",
    },
    "situation.community_service": {"fi": "Yhdyskuntapalvelu", "sv": "Samhällstjänst", "en": "Community service"},
    "situation.student": {
        "fi": "Opiskelija tai oppisopimusopiskelija",
        "sv": "Studerande eller läroavtalsstuderande",
        "en": "Student or apprentice",
    },
    "situation.at_home": {
        "fi": "Kotona (vanhempi tai omaishoitaja)",
        "sv": "Hemma (förälder eller närståendevårdare)",
        "en": "At home (parent or carer)",
    },
    "situation.sick_leave": {
        "fi": "Sairauslomalla tai osasairauslomalla",
        "sv": "Sjukledig eller partiellt sjukledig",
        "en": "Sick leave or partial sick leave",
    },
    "situation.pension": {
        "fi": "Eläkkeellä (työkyvyttömyyseläke, osatyökyvyttömyyseläke, kuntoutustuki, perhe-eläke)",
        "sv": "Pension (sjukpension, partiell sjukpension, rehabiliteringsstöd, familjepension)",
        "en": "Pension (disability, partial disability, rehabilitation subsidy, family pension)",
    },
    "situation.paid_work": {
        "fi": "Palkkatyössä (kokoaikainen, osa-aikainen tai palkkatuettu)",
        "sv": "Avlönat arbete (heltid, deltid eller med lönesubvention)",
        "en": "Paid work (full-time, part-time or subsidised)",
    },
    "situation.entrepreneur": {
        "fi": "Yrittäjä tai maanviljelijä",
        "sv": "Företagare eller jordbrukare",
        "en": "Entrepreneur or farmer",
    },
    "situation.freelancer": {"fi": "Freelancer", "sv": "Frilansare", "en": "Freelancer"},
    "situation.grant": {"fi": "Apurahalla", "sv": "Med stipendium", "en": "Grant"},
    "relation.not_relevant": {
        "fi": "Työelämä ei ole minulle nyt ajankohtaista",
        "sv": "Arbetslivet är inte aktuellt för mig nu",
        "en": "Working life is not relevant to me now",
    },
    "relation.no_work_need_support": {
        "fi": "Ei työtä, tarvitsen tukea työn löytämiseen",
        "sv": "Inget arbete, jag behöver stöd för att hitta arbete",
        "en": "No work, I need support to find work",
    },
    "relation.no_work_may_need_support": {
        "fi": "Ei työtä, saatan tarvita tukea",
        "sv": "Inget arbete, jag kan behöva stöd",
        "en": "No work, I may need support",
    },
    "relation.work_may_need_support": {
        "fi": "Minulla on työ, mutta saatan tarvita tukea jatkaakseni",
        "sv": "Jag har arbete men kan behöva stöd för att fortsätta",
        "en": "I have work but may need support to continue",
    },
    "relation.work_good_prerequisites": {
        "fi": "Minulla on työ ja hyvät edellytykset jatkaa",
        "sv": "Jag har arbete och goda förutsättningar att fortsätta",
        "en": "I have work and good prerequisites to continue",
    },
})

# Effect estimates (kuva.evaluate: the Effects chapter, battery figures and tables).
LABELS.update({
    "report.chapter.effects": {"fi": "Vaikutukset", "sv": "Effekter", "en": "Effects"},
    "report.chapter.effects.intro": {
        "fi": (
            "Tässä luvussa arvioidaan kuntakokeilujen vaikutusta usealla tutkimusasetelmalla: "
            "kaksisuuntainen kiinteiden vaikutusten erotuserotus (DiD), tapahtumatutkimus, "
            "Callaway–Sant'Anna, Sun–Abraham, synteettinen kontrolli ja synteettinen DiD. "
            "Vertailuryhmänä ovat kokeilun ulkopuoliset Manner-Suomen kunnat. Asetelmat tekevät eri "
            "oletuksia; jos ne antavat samansuuntaisen tuloksen, tulos on uskottavampi."
        ),
        "sv": (
            "I detta kapitel skattas kommunförsökens effekt med flera forskningsupplägg: "
            "differens-i-differenser med fixa effekter (DiD), händelsestudie, Callaway–Sant'Anna, "
            "Sun–Abraham, syntetisk kontroll och syntetisk DiD. Jämförelsegruppen är kommunerna på "
            "fastlandet som inte deltog i försöken. Uppläggen vilar på olika antaganden; om de ger "
            "samstämmiga resultat är resultatet mer trovärdigt."
        ),
        "en": (
            "This chapter estimates the effect of the municipal employment pilots with several designs: "
            "two-way fixed-effects difference-in-differences (DiD), an event study, Callaway–Sant'Anna, "
            "Sun–Abraham, synthetic control and synthetic DiD. The comparison group is the mainland "
            "municipalities outside the pilots. The designs rest on different assumptions; where they "
            "agree, the result is more credible."
        ),
    },
    "effects.omitted": {
        "fi": "Vaikutusarvioita ei voitu laskea: {reason}",
        "sv": "Effektskattningarna kunde inte beräknas: {reason}",
        "en": "The effect estimates could not be computed: {reason}",
    },
    "effects.spec_curve": {
        "fi": "Vaikutusarviot eri asetelmilla",
        "sv": "Effektskattningar med olika upplägg",
        "en": "Effect estimates across designs",
    },
    "effects.spec_curve.text": {
        "fi": (
            "Asetelmien arviot vaihtelevat välillä {low}–{high} {unit}. Erotuserotusarvio on {did} "
            "{unit} (95 %:n luottamusväli {did_low}–{did_high})."
        ),
        "sv": (
            "Uppläggens skattningar ligger mellan {low} och {high} {unit}. "
            "Differens-i-differens-skattningen är {did} {unit} (95 % konfidensintervall "
            "{did_low}–{did_high})."
        ),
        "en": (
            "The designs' estimates range from {low} to {high} {unit}. The difference-in-differences "
            "estimate is {did} {unit} (95% confidence interval {did_low} to {did_high})."
        ),
    },
    "effects.event_study": {
        "fi": "Tapahtumatutkimus: vaikutus kuukausittain kokeilun alusta",
        "sv": "Händelsestudie: effekt per månad från försökets start",
        "en": "Event study: effect by month since the pilot start",
    },
    "effects.event_study.text": {
        "fi": "Ennen kokeilua kertoimien pitäisi olla lähellä nollaa. Esitrenditesti: F = {f}, p = {p}. {verdict}",
        "sv": "Före försöket bör koefficienterna ligga nära noll. Test av förtrender: F = {f}, p = {p}. {verdict}",
        "en": "Before the pilots the coefficients should be close to zero. Pre-trend test: F = {f}, p = {p}. {verdict}",
    },
    "effects.pretrend_ok": {
        "fi": "Testi ei hylkää yhdensuuntaisia esitrendejä 5 %:n tasolla (tämä ei todista niitä).",
        "sv": "Testet förkastar inte parallella förtrender på 5 %-nivån (det bevisar dem inte).",
        "en": "The test does not reject parallel pre-trends at the 5% level (which does not prove them).",
    },
    "effects.pretrend_bad": {
        "fi": (
            "Testi hylkää yhdensuuntaiset esitrendit 5 %:n tasolla: erotuserotusarvioihin on "
            "suhtauduttava varauksella."
        ),
        "sv": (
            "Testet förkastar parallella förtrender på 5 %-nivån: differens-i-differens-skattningarna "
            "ska tolkas med försiktighet."
        ),
        "en": (
            "The test rejects parallel pre-trends at the 5% level: treat the difference-in-differences "
            "estimates with caution."
        ),
    },
    "effects.sdid": {
        "fi": "Synteettinen DiD ja synteettinen kontrolli",
        "sv": "Syntetisk DiD och syntetisk kontroll",
        "en": "Synthetic DiD and synthetic control",
    },
    "effects.sdid.text": {
        "fi": (
            "Synteettinen DiD: {sdid} {unit} (95 %:n luottamusväli {sdid_low}–{sdid_high}). "
            "Synteettinen kontrolli kaikille kokeilualueille yhteensä: keskimääräinen ero {sc} {unit}, "
            "placebo-p = {sc_p}. Alueittain {n_sig}/{n_areas} aluetta p < 0,10."
        ),
        "sv": (
            "Syntetisk DiD: {sdid} {unit} (95 % konfidensintervall {sdid_low}–{sdid_high}). Syntetisk "
            "kontroll för alla försöksområden sammantaget: genomsnittlig skillnad {sc} {unit}, "
            "placebo-p = {sc_p}. Per område {n_sig}/{n_areas} områden p < 0,10."
        ),
        "en": (
            "Synthetic DiD: {sdid} {unit} (95% confidence interval {sdid_low} to {sdid_high}). "
            "Synthetic control for all pilot areas together: average gap {sc} {unit}, placebo p = "
            "{sc_p}. By area, {n_sig} of {n_areas} areas have p < 0.10."
        ),
    },
    "effects.synth_paths": {
        "fi": "Kokeilualueet yhteensä ja synteettinen vertailu",
        "sv": "Försöksområdena sammantaget och den syntetiska jämförelsen",
        "en": "All pilot areas and their synthetic comparison",
    },
    "effects.caveats": {
        "fi": "Asetelmien oletukset ja varaukset",
        "sv": "Uppläggens antaganden och förbehåll",
        "en": "What the designs assume, and caveats",
    },
    "effects.caveat.did": {
        "fi": (
            "DiD olettaa, että kokeilu- ja vertailukuntien kehitys olisi ollut ilman kokeilua "
            "yhdensuuntainen (tasoissa). Keskivirheet on klusteroitu kokeilualueittain."
        ),
        "sv": (
            "DiD antar att försöks- och jämförelsekommunerna utan försöket skulle ha utvecklats "
            "parallellt (i nivåer). Medelfelen är klustrade per försöksområde."
        ),
        "en": (
            "DiD assumes that pilot and comparison units would have moved in parallel (in levels) "
            "without the pilots. Standard errors are clustered by pilot area."
        ),
    },
    "effects.caveat.event": {
        "fi": (
            "Tapahtumatutkimus näyttää, olivatko ryhmät yhdensuuntaisia ennen kokeilua; esitrendit "
            "eivät todista, että ne olisivat pysyneet yhdensuuntaisina."
        ),
        "sv": (
            "Händelsestudien visar om grupperna var parallella före försöket; förtrender bevisar inte "
            "att de skulle ha förblivit parallella."
        ),
        "en": (
            "The event study shows whether the groups were parallel before the pilots; pre-trends do "
            "not prove that they would have stayed parallel."
        ),
    },
    "effects.caveat.cs": {
        "fi": (
            "Callaway–Sant'Anna vertaa kokeilukuntia kuntiin, jotka eivät koskaan olleet mukana; "
            "yhteisellä aloituspäivällä se vastaa DiD:tä mutta ei painota arvioita vääristävästi."
        ),
        "sv": (
            "Callaway–Sant'Anna jämför försökskommunerna med kommuner som aldrig deltog; med ett "
            "gemensamt startdatum motsvarar den DiD men utan snedvridande vikter."
        ),
        "en": (
            "Callaway–Sant'Anna compares the pilots with never-treated units; with one common start it "
            "matches DiD but without distorting weights."
        ),
    },
    "effects.caveat.sa": {
        "fi": "Sun–Abraham on tapahtumatutkimus, joka kestää vaikutusten vaihtelun aloitusajankohdan mukaan.",
        "sv": "Sun–Abraham är en händelsestudie som tål att effekterna varierar med starttidpunkten.",
        "en": "Sun–Abraham is an event study robust to effects that differ by start date.",
    },
    "effects.caveat.synth": {
        "fi": (
            "Synteettinen kontrolli rakentaa vertailun painotetuista vertailukunnista, jotka seuraavat "
            "kokeilualuetta ennen kokeilua. p-arvo perustuu placebo-ajoihin (jokainen vertailuyksikkö "
            "vuorollaan 'kokeiluna'); hyvä sovite ennen kokeilua on edellytys."
        ),
        "sv": (
            "Syntetisk kontroll bygger jämförelsen av viktade jämförelseenheter som följer "
            "försöksområdet före försöket. p-värdet bygger på placebokörningar (varje jämförelseenhet i "
            "tur som 'försök'); god anpassning före försöket är en förutsättning."
        ),
        "en": (
            "Synthetic control builds the comparison from weighted comparison units that track the "
            "pilot area before the pilots. The p-value comes from placebo runs (each comparison unit in "
            "turn as 'treated'); a good pre-period fit is a precondition."
        ),
    },
    "effects.caveat.sdid": {
        "fi": (
            "Synteettinen DiD yhdistää painotetut vertailuyksiköt ja -kuukaudet; se sallii tasoerot "
            "mutta olettaa painotetun vertailun kulkevan yhdensuuntaisesti."
        ),
        "sv": (
            "Syntetisk DiD kombinerar viktade jämförelseenheter och -månader; den tillåter "
            "nivåskillnader men antar att den viktade jämförelsen rör sig parallellt."
        ),
        "en": (
            "Synthetic DiD combines weighted comparison units and months; it allows level differences "
            "but assumes the weighted comparison moves in parallel."
        ),
    },
    "effects.caveat.membership": {
        "fi": (
            "Kokeilukuntien luettelo on koottu julkisista lähteistä, ja jokaisella rivillä on "
            "varmuusaste (varmistettu, todennäköinen, arvaus); {n_uncertain}/{n_areas} aluetta sisältää "
            "muun kuin varmistetun rivin."
        ),
        "sv": (
            "Förteckningen över försökskommuner är rekonstruerad ur offentliga källor och varje rad har "
            "en säkerhetsgrad (bekräftad, sannolik, gissning); {n_uncertain}/{n_areas} områden har "
            "någon rad som inte är bekräftad."
        ),
        "en": (
            "The pilot membership list is reconstructed from public sources and each row has a "
            "confidence level (confirmed, likely, guess); {n_uncertain} of {n_areas} areas have a row "
            "that is not confirmed."
        ),
    },
    "effects.caveat.synthetic": {
        "fi": (
            "Aineisto on SYNTEETTINEN: 'vaikutus' on simulaattoriin istutettu vaikutus ({planted} "
            "{unit} keskimäärin tarkastelujaksolla), ei tieto kokeilujen todellisesta vaikutuksesta."
        ),
        "sv": (
            "Data är SYNTETISKA: 'effekten' är den effekt som planterats i simulatorn ({planted} {unit} "
            "i genomsnitt under perioden), inte kunskap om försökens verkliga effekt."
        ),
        "en": (
            "The data are SYNTHETIC: the 'effect' is the one planted in the simulator ({planted} {unit} "
            "on average over the period), not knowledge of the pilots' real effect."
        ),
    },
    "effects.caveat.synthetic_nounit": {
        "fi": "Aineisto on SYNTEETTINEN: arviot kuvaavat simulaattoria, eivät kokeilujen todellista vaikutusta.",
        "sv": "Data är SYNTETISKA: skattningarna beskriver simulatorn, inte försökens verkliga effekt.",
        "en": "The data are SYNTHETIC: the estimates describe the simulator, not the pilots' real effect.",
    },
    "design": {"fi": "Asetelma", "sv": "Upplägg", "en": "Design"},
    "estimate": {"fi": "Arvio", "sv": "Skattning", "en": "Estimate"},
    "std_error": {"fi": "Keskivirhe", "sv": "Medelfel", "en": "Std. error"},
    "ci_low": {"fi": "95 % LV alaraja", "sv": "95 % KI nedre", "en": "95% CI low"},
    "ci_high": {"fi": "95 % LV yläraja", "sv": "95 % KI övre", "en": "95% CI high"},
    "p_value": {"fi": "p-arvo", "sv": "p-värde", "en": "p-value"},
    "n_units": {"fi": "Yksiköitä", "sv": "Enheter", "en": "Units"},
    "n_treated": {"fi": "Kokeiluyksiköitä", "sv": "Försöksenheter", "en": "Treated units"},
    "pre_rmspe": {"fi": "Sovitevirhe ennen (RMSPE)", "sv": "Anpassningsfel före (RMSPE)", "en": "Pre-period RMSPE"},
    "confidence": {"fi": "Jäsenyyden varmuus", "sv": "Medlemskapets säkerhet", "en": "Membership confidence"},
    "event_time": {
        "fi": "Kuukautta kokeilun alusta",
        "sv": "Månader från försökets start",
        "en": "Months since the pilot start",
    },
    "effect_pp": {"fi": "Vaikutus, %-yks.", "sv": "Effekt, procentenheter", "en": "Effect, percentage points"},
    "effect": {"fi": "Vaikutus", "sv": "Effekt", "en": "Effect"},
    "planted": {"fi": "Istutettu vaikutus", "sv": "Planterad effekt", "en": "Planted effect"},
    "synthetic_unit": {"fi": "Synteettinen vertailu", "sv": "Syntetisk jämförelse", "en": "Synthetic comparison"},
    "pilot_areas": {"fi": "Kokeilualueet", "sv": "Försöksområden", "en": "Pilot areas"},
    "design.did": {"fi": "DiD (TWFE)", "sv": "DiD (TWFE)", "en": "DiD (TWFE)"},
    "design.did_placebo": {
        "fi": "DiD, aikaplasebo (alku 12 kk aiemmin)",
        "sv": "DiD, tidsplacebo (start 12 mån tidigare)",
        "en": "DiD, in-time placebo (start 12 months earlier)",
    },
    "design.event": {
        "fi": "Tapahtumatutkimus (jälkikertoimien ka.)",
        "sv": "Händelsestudie (medel av efterkoeff.)",
        "en": "Event study (mean of post coefficients)",
    },
    "design.cs": {"fi": "Callaway–Sant'Anna", "sv": "Callaway–Sant'Anna", "en": "Callaway–Sant'Anna"},
    "design.sa": {"fi": "Sun–Abraham", "sv": "Sun–Abraham", "en": "Sun–Abraham"},
    "design.synth": {
        "fi": "Synteettinen kontrolli (alueet yhteensä)",
        "sv": "Syntetisk kontroll (områdena sammantaget)",
        "en": "Synthetic control (areas pooled)",
    },
    "design.sdid": {"fi": "Synteettinen DiD", "sv": "Syntetisk DiD", "en": "Synthetic DiD"},
    "outcome.activation_rate": {"fi": "aktivointiaste", "sv": "aktiveringsgrad", "en": "activation rate"},
    "outcome.unemployment_share": {
        "fi": "työttömien osuus työvoimasta",
        "sv": "arbetslösas andel av arbetskraften",
        "en": "unemployed share of the labour force",
    },
    "outcome.log_unemployed": {
        "fi": "työttömien määrän logaritmi",
        "sv": "logaritmen av antalet arbetslösa",
        "en": "log of unemployed jobseekers",
    },
    "unit.activation_rate": {"fi": "%-yksikköä", "sv": "procentenheter", "en": "percentage points"},
    "unit.unemployment_share": {"fi": "%-yksikköä", "sv": "procentenheter", "en": "percentage points"},
    "unit.log_unemployed": {"fi": "log-yksikköä", "sv": "log-enheter", "en": "log points"},
})

_MONTHS: dict[str, tuple[str, ...]] = {
    "fi": ("tammikuu", "helmikuu", "maaliskuu", "huhtikuu", "toukokuu", "kesäkuu", "heinäkuu", "elokuu",
           "syyskuu", "lokakuu", "marraskuu", "joulukuu"),
    "sv": ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
           "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}


def check_lang(lang: str, *, name: str = "language") -> Lang:
    """``lang`` as a :data:`Lang` if it is one of :data:`LANGS`, else a :class:`KuvaInputError`
    listing the allowed values and the value received (``name`` says whose value it is, e.g.
    ``--lang``)."""
    for allowed in LANGS:
        if lang == allowed:
            return allowed
    raise KuvaInputError(f"{name} must be one of {list(LANGS)}, got {lang!r}")


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
