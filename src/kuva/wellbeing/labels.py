"""User-facing words of the Kykyviisari analyses in Finnish, Swedish and English.

The project's shared translation table (``kuva.i18n``) did not exist when this was written, so
the labels live here (keys are the label keys the tables use; merge them into ``kuva.i18n``
under the prefix ``wellbeing.`` when that table exists).
"""

from __future__ import annotations

from kuva.wellbeing.items import RELATION_BANDS, SITUATIONS

LABELS: dict[str, dict[str, str]] = {
    "area_comparison": {"fi": "Vertailualue (Kymenlaakso ja Etelä-Karjala)",
                        "sv": "Jämförelseområde (Kymmenedalen och Södra Karelen)",
                        "en": "Comparison area (Kymenlaakso and South Karelia)"},
    "area_pilots_total": {"fi": "Kokeilualueet yhteensä", "sv": "Försöksområdena sammanlagt",
                          "en": "Pilot areas in total"},
    "area_all": {"fi": "Kaikki vastaajat", "sv": "Alla svarande", "en": "All respondents"},
    "area_other": {"fi": "Muu tai tuntematon alue", "sv": "Annat eller okänt område", "en": "Other or unknown area"},
    "area_unknown": {"fi": "Tuntematon alue", "sv": "Okänt område", "en": "Unknown area"},
    "work_ability": {"fi": "Työkyky nyt (0–10)", "sv": "Arbetsförmåga nu (0–10)", "en": "Work ability now (0–10)"},
    "working_life_relation": {"fi": "Suhde työelämään nyt (0–10)", "sv": "Förhållande till arbetslivet nu (0–10)",
                              "en": "Relation to working life now (0–10)"},
    "working": {"fi": "Työssä", "sv": "I arbete", "en": "Working"},
    "coaching": {"fi": "Valmennuksellisissa palveluissa", "sv": "I träningstjänster",
                 "en": "In coaching-type services"},
    "student": {"fi": "Opiskelija", "sv": "Studerande", "en": "Student"},
    "health": {"fi": "Terveydelliset syyt (sairausloma, eläke)", "sv": "Hälsoskäl (sjukledighet, pension)",
               "en": "Health problems (sick leave, pension)"},
    "unemployed": {"fi": "Työtön", "sv": "Arbetslös", "en": "Unemployed"},
    "other_unknown": {"fi": "Muu tai tuntematon", "sv": "Annat eller okänt", "en": "Other or unknown"},
    "total": {"fi": "Yhteensä", "sv": "Totalt", "en": "Total"},
    "share_pct": {"fi": "Osuus, %", "sv": "Andel, %", "en": "Share, %"},
    "mean": {"fi": "Keskiarvo", "sv": "Medelvärde", "en": "Mean"},
    "score": {"fi": "Pistemäärä", "sv": "Poäng", "en": "Score"},
    "first_answer": {"fi": "Ensimmäinen vastaus", "sv": "Första svaret", "en": "First answer"},
    "change_all": {"fi": "Kaikki toistuvasti vastanneet", "sv": "Alla som svarat upprepade gånger",
                   "en": "All repeat respondents"},
    "change_service": {"fi": "Palvelu alkoi vastausten välillä", "sv": "Tjänst började mellan svaren",
                       "en": "A service started between the answers"},
    "change_no_service": {"fi": "Ei palvelua vastausten välillä", "sv": "Ingen tjänst mellan svaren",
                          "en": "No service between the answers"},
    "synthetic": {"fi": "SYNTEETTINEN AINEISTO", "sv": "SYNTETISKA DATA", "en": "SYNTHETIC DATA"},
    "title.basic_situation": {"fi": "Kykyviisari: vastaajien perustilanne alueittain",
                              "sv": "Kykyviisari: de svarandes grundsituation per område",
                              "en": "Kykyviisari: respondents' basic situation by area"},
    "title.coverage": {"fi": "Kykyviisari: vastaajat ja kattavuus alueittain",
                       "sv": "Kykyviisari: svarande och täckning per område",
                       "en": "Kykyviisari: respondents and coverage by area"},
    "title.distribution": {"fi": "Kykyviisari: työkyvyn ja työelämäsuhteen jakaumat",
                           "sv": "Kykyviisari: fördelningar av arbetsförmåga och förhållande till arbetslivet",
                           "en": "Kykyviisari: distributions of work ability and relation to working life"},
    "title.means": {"fi": "Kykyviisari: keskiarvot alueittain luottamusväleineen",
                    "sv": "Kykyviisari: medelvärden per område med konfidensintervall",
                    "en": "Kykyviisari: means by area with confidence intervals"},
    "title.change": {"fi": "Kykyviisari: muutos toistuvissa vastauksissa",
                     "sv": "Kykyviisari: förändring i upprepade svar",
                     "en": "Kykyviisari: change between repeated answers"},
    "chapter": {"fi": "Koettu työkyky (Kykyviisari)", "sv": "Upplevd arbetsförmåga (Kykyviisari)",
                "en": "Self-assessed work ability (Kykyviisari)"},
    "chapter.intro": {
        "fi": "Kykyviisari on itsearviointi työkyvystä ja suhteesta työelämään. Vastaajat valikoituvat: "
              "luvut kuvaavat vastanneita, eivät kaikkia asiakkaita.",
        "sv": "Kykyviisari är en självskattning av arbetsförmåga och förhållande till arbetslivet. De svarande "
              "är ett urval: siffrorna beskriver de svarande, inte alla kunder.",
        "en": "Kykyviisari is a self-assessment of work ability and relation to working life. Respondents "
              "are self-selected: the figures describe those who answered, not all clients.",
    },
}
for _s in SITUATIONS:
    LABELS[f"situation.{_s.code}"] = {"fi": _s.label_fi, "sv": _s.label_sv, "en": _s.label_en}
for _b in RELATION_BANDS:
    LABELS[f"relation.{_b.code}"] = {"fi": _b.label_fi, "sv": _b.label_sv, "en": _b.label_en}


def label(key: str, lang: str = "fi") -> str:
    """The label of ``key`` in ``lang`` (fi/sv/en); an unknown key comes back unchanged."""
    entry = LABELS.get(key)
    if entry is None:
        return key
    return entry.get(lang, entry["fi"])


__all__ = ["LABELS", "label"]
