"""User-facing words of the effect estimates (the "Effects" chapter, battery figures and tables).

:data:`EFFECTS_LABELS` has the shape of :data:`kuva.i18n.LABELS` (key → fi/sv/en) so the
project's one translation table can absorb it; :func:`effects_label` looks a key up in
``kuva.i18n.LABELS`` first, then here, and returns unknown keys unchanged.
"""

from __future__ import annotations

EFFECTS_LABELS: dict[str, dict[str, str]] = {
    # -- chapter --------------------------------------------------------------------------------
    "report.chapter.effects": {"fi": "Vaikutukset", "sv": "Effekter", "en": "Effects"},
    "report.chapter.effects.intro": {
        "fi": "Tässä luvussa arvioidaan kuntakokeilujen vaikutusta usealla tutkimusasetelmalla: "
              "kaksisuuntainen kiinteiden vaikutusten erotuserotus (DiD), tapahtumatutkimus, "
              "Callaway–Sant'Anna, Sun–Abraham, synteettinen kontrolli ja synteettinen DiD. "
              "Vertailuryhmänä ovat kokeilun ulkopuoliset Manner-Suomen kunnat. Asetelmat tekevät "
              "eri oletuksia; jos ne antavat samansuuntaisen tuloksen, tulos on uskottavampi.",
        "sv": "I detta kapitel skattas kommunförsökens effekt med flera forskningsupplägg: "
              "differens-i-differenser med fixa effekter (DiD), händelsestudie, Callaway–Sant'Anna, "
              "Sun–Abraham, syntetisk kontroll och syntetisk DiD. Jämförelsegruppen är kommunerna på "
              "fastlandet som inte deltog i försöken. Uppläggen vilar på olika antaganden; om de ger "
              "samstämmiga resultat är resultatet mer trovärdigt.",
        "en": "This chapter estimates the effect of the municipal employment pilots with several "
              "designs: two-way fixed-effects difference-in-differences (DiD), an event study, "
              "Callaway–Sant'Anna, Sun–Abraham, synthetic control and synthetic DiD. The comparison "
              "group is the mainland municipalities outside the pilots. The designs rest on different "
              "assumptions; where they agree, the result is more credible.",
    },
    "effects.omitted": {
        "fi": "Vaikutusarvioita ei voitu laskea: {reason}",
        "sv": "Effektskattningarna kunde inte beräknas: {reason}",
        "en": "The effect estimates could not be computed: {reason}",
    },
    # -- results --------------------------------------------------------------------------------
    "effects.spec_curve": {"fi": "Vaikutusarviot eri asetelmilla", "sv": "Effektskattningar med olika upplägg",
                           "en": "Effect estimates across designs"},
    "effects.spec_curve.text": {
        "fi": "Asetelmien arviot vaihtelevat välillä {low}–{high} {unit}. Erotuserotusarvio on {did} {unit} "
              "(95 %:n luottamusväli {did_low}–{did_high}).",
        "sv": "Uppläggens skattningar ligger mellan {low} och {high} {unit}. Differens-i-differens-skattningen "
              "är {did} {unit} (95 % konfidensintervall {did_low}–{did_high}).",
        "en": "The designs' estimates range from {low} to {high} {unit}. The difference-in-differences "
              "estimate is {did} {unit} (95% confidence interval {did_low} to {did_high}).",
    },
    "effects.event_study": {"fi": "Tapahtumatutkimus: vaikutus kuukausittain kokeilun alusta",
                            "sv": "Händelsestudie: effekt per månad från försökets start",
                            "en": "Event study: effect by month since the pilot start"},
    "effects.event_study.text": {
        "fi": "Ennen kokeilua kertoimien pitäisi olla lähellä nollaa. Esitrenditesti: F = {f}, p = {p}. {verdict}",
        "sv": "Före försöket bör koefficienterna ligga nära noll. Test av förtrender: F = {f}, p = {p}. {verdict}",
        "en": "Before the pilots the coefficients should be close to zero. Pre-trend test: F = {f}, p = {p}. "
              "{verdict}",
    },
    "effects.pretrend_ok": {
        "fi": "Testi ei hylkää yhdensuuntaisia esitrendejä 5 %:n tasolla (tämä ei todista niitä).",
        "sv": "Testet förkastar inte parallella förtrender på 5 %-nivån (det bevisar dem inte).",
        "en": "The test does not reject parallel pre-trends at the 5% level (which does not prove them).",
    },
    "effects.pretrend_bad": {
        "fi": "Testi hylkää yhdensuuntaiset esitrendit 5 %:n tasolla: erotuserotusarvioihin on "
              "suhtauduttava varauksella.",
        "sv": "Testet förkastar parallella förtrender på 5 %-nivån: differens-i-differens-skattningarna "
              "ska tolkas med försiktighet.",
        "en": "The test rejects parallel pre-trends at the 5% level: treat the difference-in-differences "
              "estimates with caution.",
    },
    "effects.sdid": {"fi": "Synteettinen DiD ja synteettinen kontrolli", "sv": "Syntetisk DiD och syntetisk kontroll",
                     "en": "Synthetic DiD and synthetic control"},
    "effects.sdid.text": {
        "fi": "Synteettinen DiD: {sdid} {unit} (95 %:n luottamusväli {sdid_low}–{sdid_high}). Synteettinen "
              "kontrolli kaikille kokeilualueille yhteensä: keskimääräinen ero {sc} {unit}, placebo-p = {sc_p}. "
              "Alueittain {n_sig}/{n_areas} aluetta p < 0,10.",
        "sv": "Syntetisk DiD: {sdid} {unit} (95 % konfidensintervall {sdid_low}–{sdid_high}). Syntetisk "
              "kontroll för alla försöksområden sammantaget: genomsnittlig skillnad {sc} {unit}, placebo-p = "
              "{sc_p}. Per område {n_sig}/{n_areas} områden p < 0,10.",
        "en": "Synthetic DiD: {sdid} {unit} (95% confidence interval {sdid_low} to {sdid_high}). Synthetic "
              "control for all pilot areas together: average gap {sc} {unit}, placebo p = {sc_p}. By area, "
              "{n_sig} of {n_areas} areas have p < 0.10.",
    },
    "effects.synth_paths": {"fi": "Kokeilualueet yhteensä ja synteettinen vertailu",
                            "sv": "Försöksområdena sammantaget och den syntetiska jämförelsen",
                            "en": "All pilot areas and their synthetic comparison"},
    "effects.caveats": {"fi": "Asetelmien oletukset ja varaukset", "sv": "Uppläggens antaganden och förbehåll",
                        "en": "What the designs assume, and caveats"},
    # -- caveats per design -----------------------------------------------------------------------
    "effects.caveat.did": {
        "fi": "DiD olettaa, että kokeilu- ja vertailukuntien kehitys olisi ollut ilman kokeilua "
              "yhdensuuntainen (tasoissa). Keskivirheet on klusteroitu kokeilualueittain.",
        "sv": "DiD antar att försöks- och jämförelsekommunerna utan försöket skulle ha utvecklats parallellt "
              "(i nivåer). Medelfelen är klustrade per försöksområde.",
        "en": "DiD assumes that pilot and comparison units would have moved in parallel (in levels) without "
              "the pilots. Standard errors are clustered by pilot area.",
    },
    "effects.caveat.event": {
        "fi": "Tapahtumatutkimus näyttää, olivatko ryhmät yhdensuuntaisia ennen kokeilua; esitrendit "
              "eivät todista, että ne olisivat pysyneet yhdensuuntaisina.",
        "sv": "Händelsestudien visar om grupperna var parallella före försöket; förtrender bevisar inte att "
              "de skulle ha förblivit parallella.",
        "en": "The event study shows whether the groups were parallel before the pilots; pre-trends do not "
              "prove that they would have stayed parallel.",
    },
    "effects.caveat.cs": {
        "fi": "Callaway–Sant'Anna vertaa kokeilukuntia kuntiin, jotka eivät koskaan olleet mukana; "
              "yhteisellä aloituspäivällä se vastaa DiD:tä mutta ei painota arvioita vääristävästi.",
        "sv": "Callaway–Sant'Anna jämför försökskommunerna med kommuner som aldrig deltog; med ett "
              "gemensamt startdatum motsvarar den DiD men utan snedvridande vikter.",
        "en": "Callaway–Sant'Anna compares the pilots with never-treated units; with one common start it "
              "matches DiD but without distorting weights.",
    },
    "effects.caveat.sa": {
        "fi": "Sun–Abraham on tapahtumatutkimus, joka kestää vaikutusten vaihtelun aloitusajankohdan mukaan.",
        "sv": "Sun–Abraham är en händelsestudie som tål att effekterna varierar med starttidpunkten.",
        "en": "Sun–Abraham is an event study robust to effects that differ by start date.",
    },
    "effects.caveat.synth": {
        "fi": "Synteettinen kontrolli rakentaa vertailun painotetuista vertailukunnista, jotka seuraavat "
              "kokeilualuetta ennen kokeilua. p-arvo perustuu placebo-ajoihin (jokainen vertailuyksikkö "
              "vuorollaan 'kokeiluna'); hyvä sovite ennen kokeilua on edellytys.",
        "sv": "Syntetisk kontroll bygger jämförelsen av viktade jämförelseenheter som följer försöksområdet "
              "före försöket. p-värdet bygger på placebokörningar (varje jämförelseenhet i tur som "
              "'försök'); god anpassning före försöket är en förutsättning.",
        "en": "Synthetic control builds the comparison from weighted comparison units that track the pilot "
              "area before the pilots. The p-value comes from placebo runs (each comparison unit in turn as "
              "'treated'); a good pre-period fit is a precondition.",
    },
    "effects.caveat.sdid": {
        "fi": "Synteettinen DiD yhdistää painotetut vertailuyksiköt ja -kuukaudet; se sallii tasoerot "
              "mutta olettaa painotetun vertailun kulkevan yhdensuuntaisesti.",
        "sv": "Syntetisk DiD kombinerar viktade jämförelseenheter och -månader; den tillåter nivåskillnader "
              "men antar att den viktade jämförelsen rör sig parallellt.",
        "en": "Synthetic DiD combines weighted comparison units and months; it allows level differences but "
              "assumes the weighted comparison moves in parallel.",
    },
    "effects.caveat.membership": {
        "fi": "Kokeilukuntien luettelo on koottu julkisista lähteistä, ja jokaisella rivillä on "
              "varmuusaste (varmistettu, todennäköinen, arvaus); {n_uncertain}/{n_areas} aluetta sisältää "
              "muun kuin varmistetun rivin.",
        "sv": "Förteckningen över försökskommuner är rekonstruerad ur offentliga källor och varje rad har en "
              "säkerhetsgrad (bekräftad, sannolik, gissning); {n_uncertain}/{n_areas} områden har någon rad "
              "som inte är bekräftad.",
        "en": "The pilot membership list is reconstructed from public sources and each row has a confidence "
              "level (confirmed, likely, guess); {n_uncertain} of {n_areas} areas have a row that is not "
              "confirmed.",
    },
    "effects.caveat.synthetic": {
        "fi": "Aineisto on SYNTEETTINEN: 'vaikutus' on simulaattoriin istutettu vaikutus ({planted} {unit} "
              "keskimäärin tarkastelujaksolla), ei tieto kokeilujen todellisesta vaikutuksesta.",
        "sv": "Data är SYNTETISKA: 'effekten' är den effekt som planterats i simulatorn ({planted} {unit} i "
              "genomsnitt under perioden), inte kunskap om försökens verkliga effekt.",
        "en": "The data are SYNTHETIC: the 'effect' is the one planted in the simulator ({planted} {unit} on "
              "average over the period), not knowledge of the pilots' real effect.",
    },
    "effects.caveat.synthetic_nounit": {
        "fi": "Aineisto on SYNTEETTINEN: arviot kuvaavat simulaattoria, eivät kokeilujen todellista vaikutusta.",
        "sv": "Data är SYNTETISKA: skattningarna beskriver simulatorn, inte försökens verkliga effekt.",
        "en": "The data are SYNTHETIC: the estimates describe the simulator, not the pilots' real effect.",
    },
    # -- table columns and figure words -------------------------------------------------------------
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
    "event_time": {"fi": "Kuukautta kokeilun alusta", "sv": "Månader från försökets start",
                   "en": "Months since the pilot start"},
    "effect_pp": {"fi": "Vaikutus, %-yks.", "sv": "Effekt, procentenheter", "en": "Effect, percentage points"},
    "effect": {"fi": "Vaikutus", "sv": "Effekt", "en": "Effect"},
    "planted": {"fi": "Istutettu vaikutus", "sv": "Planterad effekt", "en": "Planted effect"},
    "synthetic_unit": {"fi": "Synteettinen vertailu", "sv": "Syntetisk jämförelse", "en": "Synthetic comparison"},
    "pilot_areas": {"fi": "Kokeilualueet", "sv": "Försöksområden", "en": "Pilot areas"},
    "design.did": {"fi": "DiD (TWFE)", "sv": "DiD (TWFE)", "en": "DiD (TWFE)"},
    "design.did_placebo": {"fi": "DiD, aikaplasebo (alku 12 kk aiemmin)",
                           "sv": "DiD, tidsplacebo (start 12 mån tidigare)",
                           "en": "DiD, in-time placebo (start 12 months earlier)"},
    "design.event": {"fi": "Tapahtumatutkimus (jälkikertoimien ka.)", "sv": "Händelsestudie (medel av efterkoeff.)",
                     "en": "Event study (mean of post coefficients)"},
    "design.cs": {"fi": "Callaway–Sant'Anna", "sv": "Callaway–Sant'Anna", "en": "Callaway–Sant'Anna"},
    "design.sa": {"fi": "Sun–Abraham", "sv": "Sun–Abraham", "en": "Sun–Abraham"},
    "design.synth": {"fi": "Synteettinen kontrolli (alueet yhteensä)",
                     "sv": "Syntetisk kontroll (områdena sammantaget)",
                     "en": "Synthetic control (areas pooled)"},
    "design.sdid": {"fi": "Synteettinen DiD", "sv": "Syntetisk DiD", "en": "Synthetic DiD"},
    "outcome.activation_rate": {"fi": "aktivointiaste", "sv": "aktiveringsgrad", "en": "activation rate"},
    "outcome.unemployment_share": {"fi": "työttömien osuus työvoimasta", "sv": "arbetslösas andel av arbetskraften",
                                   "en": "unemployed share of the labour force"},
    "outcome.log_unemployed": {"fi": "työttömien määrän logaritmi", "sv": "logaritmen av antalet arbetslösa",
                               "en": "log of unemployed jobseekers"},
    "unit.activation_rate": {"fi": "%-yksikköä", "sv": "procentenheter", "en": "percentage points"},
    "unit.unemployment_share": {"fi": "%-yksikköä", "sv": "procentenheter", "en": "percentage points"},
    "unit.log_unemployed": {"fi": "log-yksikköä", "sv": "log-enheter", "en": "log points"},
}


def effects_label(key: str, lang: str = "en") -> str:
    """The label in ``lang``: from :data:`kuva.i18n.LABELS` if merged there, else from here."""
    from kuva.i18n import LABELS, check_lang

    lang = check_lang(lang)
    entry = LABELS.get(key) or EFFECTS_LABELS.get(key)
    if entry is None:
        return key
    return entry.get(lang, key)
