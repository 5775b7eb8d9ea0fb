"""User-facing words of the report in Finnish, Swedish and English.

:func:`text` looks a key up in the project's one translation table (:mod:`kuva.i18n`) first
and falls back to :data:`REPORT_LABELS` below, so the report works before and after its labels
are merged into ``kuva.i18n``. Unknown keys come back unchanged (a visible gap, never a crash).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

ReportLang = Literal["fi", "sv", "en"]
LANGS: tuple[ReportLang, ...] = ("fi", "sv", "en")

#: Report labels: key -> {lang: text}.
REPORT_LABELS: dict[str, dict[str, str]] = {
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
        "fi": "Osa raportin sisällöstä perustuu synteettiseen (simuloituun) aineistoon. "
              "Synteettiset kuviot ja taulukot on merkitty.",
        "sv": "En del av rapportens innehåll bygger på syntetiska (simulerade) data. "
              "Syntetiska figurer och tabeller är märkta.",
        "en": "Part of this report rests on synthetic (simulated) data. "
              "Synthetic figures and tables are labelled.",
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
    # Chapter titles of the built-in chapters.
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
}


def text(key: str, lang: str, **fmt: object) -> str:
    """The label ``key`` in ``lang`` (``kuva.i18n`` first, then the report's own table).

    Keyword arguments fill ``{placeholders}``. An unknown key is returned as it is.
    """
    found: str | None = None
    entry = REPORT_LABELS.get(key)
    if entry is not None:
        found = entry.get(lang) or entry.get("en")
    if found is None:
        found = _i18n_label(key, lang)
    if found is None:
        found = key
    return found.format(**fmt) if fmt else found


@lru_cache(maxsize=8192)
def column_label(key: str, lang: str) -> str:
    """A table column or number key as a reader sees it (``kuva.i18n``, measures, else the key)."""
    found = _i18n_label(key, lang)
    if found is not None:
        return found
    entry = REPORT_LABELS.get(key)
    if entry is not None:
        return entry.get(lang) or key
    try:
        from kuva.registry import measures

        m = measures().get(key.upper())
    except Exception:  # pragma: no cover - registry is always importable
        m = None
    if m is not None:
        return m.name(lang)
    return key


def _i18n_label(key: str, lang: str) -> str | None:
    """``kuva.i18n.label(key, lang)`` when that module and key exist, else None."""
    try:
        from kuva import i18n  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return None
    fn = getattr(i18n, "label", None)
    if fn is None:
        return None
    try:
        out = fn(key, lang)
    except (KeyError, LookupError, ValueError):
        return None
    if not isinstance(out, str) or out == key:
        return None
    return out
