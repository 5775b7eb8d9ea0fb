"""The data dictionary (``docs/data-dictionary.md``), generated from the registry, the warehouse
schema and the indicator catalogue so it cannot drift: ``python -m kuva.dictionary > docs/data-dictionary.md``
(``make docs``). A test fails when the committed file differs from what this prints.
"""

from __future__ import annotations

from kuva.registry import measure_relations, measures, service_types


def _interval_fields(debt: str) -> list[tuple[str, str]]:
    """The columns of a stored spell-interval table (plan debt's, job-offer debt's); ``debt``
    says what the flag means there."""
    return [("start_id", "the registration"), ("pseudonym", "keyed pseudonym"), ("start", "registration date"),
            ("municipality_code", "municipality at registration"), ("a", "first day of the interval"),
            ("b", "the day after its last day (9999-11-30: still open)"), ("debt", debt),
            ("a_month", "a's month as a number: year × 12 + month − 1"), ("a_day", "a's day of the month"),
            ("b_month", "b's month as a number"), ("b_day", "b's day of the month")]


#: Warehouse tables: (Finnish term, definition, columns with meaning).
TABLES: dict[str, tuple[str, str, list[tuple[str, str]]]] = {
    "observations": (
        "havainnot",
        "Statistics stored long, one row per area, period, measure, breakdown and vintage. Every "
        "vintage is kept; queries take the latest or the one in force at an 'as of' time.",
        [
            ("area_code",
             "area code: SSS whole country, KUnnn municipality, SKnnn sub-region, MKnn region, ELYnn ELY centre"),
            ("period", "first day of the month (monthly) or 1 January (annual)"),
            ("frequency", "M monthly, A annual (from the measure catalogue)"),
            ("measure", "measure code (see Measures below)"),
            ("breakdown", "'' or dimension=code, e.g. tyollistamisen_laji=40 (StatFin classification code)"),
            ("value", "the value; NULL when missing or suppressed by the publisher (never 0 in its place)"),
            ("status", "the publisher's flag for the cell, if any"),
            ("vintage", "when the publisher released the value (revision time)"),
            ("load_id", "the load that stored the row (see loads)"),
            ("source_id", "the source (see sources)"),
        ],
    ),
    "sources": (
        "lähteet",
        "One row per data source.",
        [("source_id", "e.g. statfin:12r5, synthetic:panel"),
         ("kind", "statfin-bundled, statfin-pxweb, synthetic, user-file"),
         ("title", "human-readable title"), ("publisher", "publisher"), ("license", "licence and attribution"),
         ("synthetic", "true for simulated data (always labelled SYNTHETIC where shown)"),
         ("sensitivity", "public (already published by its owner: shown unchanged) or confidential (person-level, "
                         "a municipality's own figures, synthetic stand-ins: disclosure-controlled); docs/privacy.md")],
    ),
    "loads": (
        "lataukset (alkuperätiedot)",
        "Provenance: one row per load that changed something. A load that changes nothing writes no row.",
        [("load_id", "sequence number"), ("source_id", "source"), ("location", "file path or URL"),
         ("query", "query sent to the API (JSON), if any"), ("retrieved_at", "when KuVa fetched the data"),
         ("loaded_at", "when the load committed"), ("vintage", "publisher's release time of the values"),
         ("checksum", "SHA-256 of the validated content, independent of row order"),
         ("rows_in", "rows offered"), ("rows_inserted", "new keys"),
         ("rows_revised", "new vintages of changed values"),
         ("rows_unchanged", "rows equal to what was stored"), ("kuva_version", "KuVa version that loaded"),
         ("undone_at", "when `kuva load undo` removed the load's rows (empty: in force)")],
    ),
    "areas": ("alueet", "Every area of the 2021 division with fi/sv/en names.",
              [("code", "area code"), ("level", "country, municipality, sub_region, region, ely"),
               ("name_fi", "Finnish name"), ("name_sv", "Swedish name"), ("name_en", "English name")]),
    "municipalities": (
        "kunnat",
        "The 309 municipalities of the 2021 division.",
        [("code", "KUnnn"), ("name_fi", "kunnan nimi"), ("name_sv", "kommunens namn"),
         ("sub_region_code", "seutukunta SKnnn"), ("region_code", "maakunta MKnn"),
         ("wellbeing_county", "hyvinvointialue id (empty for Helsinki and Åland)"),
         ("area_type", "urban–rural area type (aluetyyppi)"), ("population", "population at the end of 2020, persons"),
         ("mainland", "false for Åland (Ahvenanmaa)")],
    ),
    "programme_memberships": (
        "kokeilualueiden jäsenkunnat",
        "Member municipalities of programme areas with validity dates and the confidence of each row.",
        [("programme", "programme code, e.g. pilots_2021"), ("area_code", "area slug"), ("area_name", "area name (fi)"),
         ("municipality_code", "KUnnn"), ("start_date", "membership start"),
         ("end_date", "membership end (NULL ongoing)"),
         ("confidence", "confirmed, likely or guess"), ("source_url", "where the membership was found")],
    ),
    "service_types": ("palvelutyypit", "Service types and whether they count in the activation rate.",
                      [("code", "KuVa code"), ("measure", "measure of persons in the service at month end"),
                       ("activating", "counts in the activation rate (aktivointiaste)"),
                       ("name_fi", "nimi"), ("name_sv", "namn"), ("name_en", "name")]),
    "measures": ("muuttujat", "The measure catalogue (the Measures section below).",
                 [("code", "measure code"), ("source_table", "StatFin table(s)"), ("frequency", "M or A"),
                  ("unit", "unit"), ("name_fi", "nimi"), ("name_sv", "namn"), ("name_en", "name"),
                  ("definition", "definition"), ("breakdown", "breakdown dimension, if any")]),
    "service_events": (
        "palvelupolun välietapit",
        "Person-level milestones of a jobseeker's path. Keyed pseudonyms only "
        "(HMAC-SHA256, key outside the warehouse).",
        [("pseudonym", "keyed pseudonym, 64 hex characters"), ("event_date", "date of the event"),
         ("event_type", "registration, initial_interview (alkuhaastattelu), service_need_assessment "
          "(palvelutarvearvio), employment_plan (työllistymissuunnitelma), plan_review, job_search_talk "
          "(työnhakukeskustelu), referral (ohjaus), service_start, service_end, exit, status_3m"),
         ("municipality_code", "home municipality KUnnn"),
         ("sector", "employment_services, social_services, health_care, education, kela"),
         ("service_type", "service type code, for service events"), ("detail", "e.g. exit destination")],
    ),
    "process_events": (
        "palveluprosessin tapahtumat",
        "The service-process event log (docs/process.md): one row per event and load; a later load of the "
        "same event_id is a correction, and reads take each event's latest load. Keyed pseudonyms only.",
        [("event_id", "the event's id in the source system (or derived from its content)"),
         ("pseudonym", "keyed pseudonym, 64 hex characters"), ("event_date", "date of the event"),
         ("event_type", "registration, initial_interview, service_need_assessment, plan_created/updated/expired, "
          "job_search_talk, supplementary_job_search_talk, job_offer, referral_sent/received/accepted/rejected, "
          "service_start/end, intensive_period_start, exit_work/education/other/moved, status_3m, sanction, "
          "obligation"),
         ("municipality_code", "the client's municipality KUnnn"),
         ("origin_sector", "where the event or referral comes from"), ("destination_sector", "where a referral goes"),
         ("service_type", "service, for service events"), ("provider", "service provider"),
         ("case_id", "client spell in the source system"), ("plan_id", "employment plan"),
         ("referral_id", "referral (a service_start realising it carries its id)"),
         ("age_group", "15-24, 25-29, 30-54, 55-"), ("language", "fi, sv, other"), ("detail", "free detail"),
         ("load_id", "the load (vintage)"), ("source_id", "the source"),
         ("is_latest", "true on the event's latest load (its current vintage); set by each load and undo")],
    ),
    "process_clocks": (
        "palveluprosessin sääntöjen kellot (johdettu)",
        "Derived from process_events by `kuva process refresh` and the loads (docs/process.md, \"Stored "
        "intermediates\"): one row per clock of each stored rule — what the rule's measure needs of one client "
        "before it is judged on a day. Keyed pseudonyms only; never published as such.",
        [("rule_key", "the rule's definition (kind, clock start, events, count, window, unit, calendar)"),
         ("start_id", "the event that started the clock"), ("pseudonym", "keyed pseudonym"),
         ("start", "the clock's start date"), ("municipality_code", "the client's municipality at the start"),
         ("hit", "the first event meeting the rule (cadence: the last of the spell)"),
         ("delay", "hit minus start in the rule's unit"), ("deadline_day", "the first day the clock is due"),
         ("exit_date", "the first exit in the spell"), ("met", "met in time (deadline and count rules)"),
         ("unmet_at_exit", "not met by the exit"), ("late", "cadence: a gap exceeded the rule"),
         ("start_month", "the start's month as a number: year × 12 + month − 1"),
         ("lapses", "the exit came before deadline_day without the rule met: not judged once that day passed")],
    ),
    "process_plan_intervals": (
        "työnhakujaksot ja suunnitelmavelan jaksot (johdettu)",
        "Derived from process_events: each registration spell as a day interval, and its intervals without a "
        "valid employment plan (plan debt). Keyed pseudonyms only.",
        _interval_fields("true: no valid plan in the interval; false: the spell itself"),
    ),
    "process_offer_intervals": (
        "työtarjousvelan jaksot (johdettu)",
        "Derived from process_events: each registration spell's days eligible for job-offer debt (from 90 days "
        "after the registration to the exit or the next registration), and its intervals in that debt (no job "
        "offer in the spell on the day or the 89 days before). Keyed pseudonyms only.",
        _interval_fields("true: in job-offer debt; false: eligible"),
    ),
    "process_referrals": (
        "ohjaukset ja niistä alkaneet palvelut (johdettu)",
        "Derived from process_events: each referral sent, with the first service start carrying its referral id.",
        [("event_id", "the referral event"), ("pseudonym", "keyed pseudonym"), ("event_date", "sent on"),
         ("municipality_code", "the client's municipality"), ("origin_sector", "from"),
         ("destination_sector", "to"), ("s_date", "first service start on or after it (empty: none)")],
    ),
    "process_quality_flags": (
        "tietojen laadun havainnot (johdettu)",
        "Derived from process_events: one row per event a data-quality check flags (the checks that need no "
        "judging day).",
        [("quality_check", "events_before_registration, exit_without_registration, duplicate_events, "
          "service_end_without_start, events_after_exit"), ("pseudonym", "keyed pseudonym"),
         ("municipality_code", "the event's municipality"), ("event_date", "the event's date")],
    ),
    "process_derived_state": (
        "johdettujen taulujen tila",
        "The log state the derived process tables belong to; reads use them only while process_events is still "
        "in that state.",
        [("log_state", "rows, largest and summed load id of process_events"),
         ("data_end", "the log's last event date"), ("rule_keys", "the rules whose clocks are stored"),
         ("refreshed_at", "when"), ("mode", "full or incremental")],
    ),
    "survey_answers": (
        "kyselyvastaukset (Kykyviisari)",
        "Person-level survey answers, one row per person, time and item. Keyed pseudonyms only.",
        [("pseudonym", "keyed pseudonym"), ("answered_at", "answer date"), ("instrument", "e.g. kykyviisari"),
         ("municipality_code", "home municipality"), ("area", "pilot or comparison area"),
         ("item", "item code, e.g. work_ability (0–10)"), ("value", "answer value")],
    ),
    "synthetic_truth": ("simuloinnin todelliset vaikutukset",
                        "The effects planted by a simulation, for scoring estimators.",
                        [("load_id", "the simulation's load"), ("name", "parameter name"),
                         ("area_code", "area, or '' for all"), ("period", "period, if the effect varies in time"),
                         ("value", "planted value"), ("note", "description")]),
    "custom_areas": ("omat aluemäärittelyt",
                     "A user's own areas (e.g. a 2025 employment area) from `kuva load file areas`: one row per "
                     "member and load; the latest load of an area is its definition.",
                     [("area_code", "the area's own code (default: its name as a slug)"),
                      ("area_name", "the area's name"), ("municipality_code", "member municipality KUnnn"),
                      ("load_id", "the load (version)"), ("source_id", "own:areas")]),
    "schema_migrations": ("skeemaversiot", "Applied schema migrations.",
                          [("version", "migration number"), ("description", "what it did"), ("applied_at", "when")]),
    "reference_meta": ("viitetietojen versio", "Checksum of the reference tables last written.",
                       [("checksum", "SHA-256"), ("written_at", "when")]),
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render() -> str:
    """The whole data dictionary as Markdown."""
    lines = [
        "# KuVa data dictionary",
        "",
        "Generated by `python -m kuva.dictionary` from the registry and the warehouse schema; do not edit by",
        "hand (`make docs` rewrites it, and a test fails when it is out of date).",
        "",
        "Source of the real statistics: Statistics Finland, employment service statistics (TEM",
        "työnvälitystilasto) / StatFin, CC BY 4.0.",
        "",
        "## Warehouse tables",
        "",
    ]
    for name, (fi, definition, cols) in TABLES.items():
        lines += [f"### `{name}` — {fi}", "", definition, "", "| column | meaning |", "|---|---|"]
        lines += [f"| `{c}` | {_cell(m)} |" for c, m in cols]
        lines.append("")
    lines += ["## Service types (palvelutyypit)", "",
              "| code | measure | activating | fi | sv | en |", "|---|---|---|---|---|---|"]
    for s in service_types():
        lines.append(f"| `{s.code}` | `{s.measure}` | {'yes' if s.activating else 'no'} | {s.name_fi} | "
                     f"{s.name_sv} | {s.name_en} |")
    lines += ["", "## Measures (muuttujat)", "",
              "Frequency M = monthly, A = annual. `breakdown` names the StatFin classification a measure is",
              "also published by.", ""]
    by_file: dict[str, list[str]] = {}
    for m in measures().values():
        by_file.setdefault(m.catalogue, []).append(m.code)
    for catalogue, codes in by_file.items():
        lines += [f"### From `{catalogue}`", "",
                  "| code | Finnish term | sv | en | unit | freq | definition | source | breakdown |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for code in codes:
            m = measures()[code]
            lines.append(
                f"| `{m.code}` | {_cell(m.name_fi)} | {_cell(m.name_sv)} | {_cell(m.name_en)} | {m.unit} | "
                f"{m.frequency} | {_cell(m.definition)} | {_cell(m.table)} | {m.breakdown} |")
        lines.append("")
    lines += ["## Relations between measures (disclosure rulebook)", "",
              "The additive structure the disclosure engine protects (`registry/data/measure_relations.csv`):",
              "`sum`: the result is the sum of the parts; `ratio`: scale × Σ numerator / Σ denominator.", "",
              "| kind | result | numerator / parts | denominator | scale | note |", "|---|---|---|---|---|---|"]
    for rel in measure_relations():
        lines.append(f"| {rel.kind} | `{rel.result}` | {', '.join(f'`{c}`' for c in rel.numerator)} | "
                     f"{', '.join(f'`{c}`' for c in rel.denominator)} | {rel.scale:g} | {_cell(rel.note)} |")
    lines.append("")
    from kuva.indicators.catalogue import render_markdown

    lines += [render_markdown(), ""]
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(render(), end="")
