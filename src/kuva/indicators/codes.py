"""The one mapping from the indicators and analyses to warehouse measure codes.

Every measure code the indicator layer reads is named here, so aligning KuVa with a new source
(or with the simulator, :mod:`kuva.simulate`) means editing this file only. Codes come from the
measure catalogue (:mod:`kuva.registry.measures`): ``measures.csv`` (StatFin employment service
statistics), ``measures_groups.csv`` and ``measures_background.csv`` (municipal group counts and
background variables: public in StatFin but not bundled, so offline simulated or from a user's
file) and ``measures_kela.csv`` (Kela's municipal share of the labour market subsidy).
"""

from __future__ import annotations

from typing import Final

#: Unemployed jobseekers at the end of the month (työttömät työnhakijat), 12r5/12u4.
UNEMPLOYED: Final = "TYOTTOMATLOPUSSA"
#: Labour force (työvoima), annual, 12r5.
LABOUR_FORCE: Final = "TYOVOIMATK"
#: Open vacancies at the end of the month, 12r5.
VACANCIES: Final = "AVPAIKATLOPUSSA"
#: Persons in activating services in total (palveluissa yhteensä), 12u4.
IN_SERVICES: Final = "PALVELUISSAYHTEENSA"
#: Published activation rate (aktivointiaste), 12u4 (only used to check our computation).
ACTIVATION_RATE_PUBLISHED: Final = "AKTASTE"

#: The seven activating services (persons at month end), in ``service_types.csv`` order.
SERVICES: Final[tuple[str, ...]] = (
    "TYOLLISTETTYLOP", "TVKOULUTUSLOP", "VALMENNUSLOP", "KOKEILULOP", "KUNTTYOLOP", "OMAEHTLOP", "VUORVAPLOP",
)

#: Unemployed by group (municipal level public in StatFin 12r5/12u5, not bundled; ``measures_groups.csv``).
LONG_TERM_UNEMPLOYED: Final = "PITKAAIKAISTYOTTOMAT"
UNDER_25_UNEMPLOYED: Final = "TYOTTOMAT_ALLE25"
FOREIGN_UNEMPLOYED: Final = "TYOTTOMATULK"
FOREIGN_LANGUAGE_UNEMPLOYED: Final = "TYOTTOMAT_VIERASKIEL"

#: Annual background variables (``measures_background.csv``): variable key → measure code.
BACKGROUND: Final[dict[str, str]] = {
    "population": "VAKILUKU",
    "share_under_15": "VAESTO_ALLE15_OSUUS",
    "share_over_64": "VAESTO_YLI64_OSUUS",
    "share_swedish": "RUOTSINKIELISET_OSUUS",
    "share_foreign_language": "VIERASKIELISET_OSUUS",
    "share_tertiary": "KORKEASTI_KOULUTETUT_OSUUS",
    "share_pensioners": "ELAKELAISET_OSUUS",
    "net_migration": "NETTOMUUTTO",
    "natural_change": "LUONNOLLINEN_VAESTONLISAYS",
    "urban_share": "TAAJAMA_ASTE",
    "loans_municipality": "KUNTA_LAINAKANTA_AS",
    "loans_group": "KUNTAKONSERNI_LAINAKANTA_AS",
    "social_health_spending": "SOTE_NETTOMENOT_AS",
    "employment_rate": "TYOLLISYYSASTE",
    "unemployed_share_background": "TYOTTOMIEN_OSUUS",
    "jobs_primary": "TP_ALKUTUOTANTO_OSUUS",
    "jobs_processing": "TP_JALOSTUS_OSUUS",
    "jobs_services": "TP_PALVELUT_OSUUS",
}

#: Three-month follow-up after a service ended (``*_TAJO``, 12ur…12ux, annual):
#: service key → (ended, unemployed 3 months later, in services 3 months later).
FOLLOW_UP: Final[dict[str, tuple[str, str, str]]] = {
    "labour_market_training": ("TVKPAATTYNYT_TAJO", "TVKTYOTTOMANA_TAJO", "TVKYHTEENSA_TAJO"),
    "coaching": ("VALMPAATTYNYT_TAJO", "VALMTYOTTOMANA_TAJO", "VALMYHTEENSA_TAJO"),
    "subsidised_employment": ("TYOLSIJOITPAATTYI_TAJO", "TYOLTYOTTOMANA_TAJO", "TYOLYHTEENSA_TAJO"),
    "trials": ("KOKTOIMPIDEPAATTYI_TAJO", "KOKTYOTTOMANA_TAJO", "KOKYHTEENSA_TAJO"),
    "other_services": ("MTPTOIMPIDEPAATTYI_TAJO", "MTPTYOTTOMANA_TAJO", "MTPYHTEENSA_TAJO"),
}

#: Kela: municipal share of the labour market subsidy (``measures_kela.csv``).
KELA_MUNICIPAL_SHARE: Final = "KELA_TMT_KUNTAOSUUS"
KELA_PAID: Final = "KELA_TMT_MAKSETUT"
KELA_RECIPIENTS: Final = "KELA_TMT_SAAJAT"

#: Area code of the whole country.
NATION: Final = "SSS"
