"""The warehouse schema as an ordered list of versioned migrations.

A migration is never edited once released: a change to the schema is a new migration appended
to :data:`MIGRATIONS`. :func:`migrate` applies the missing ones, each in its own transaction,
and records it in ``schema_migrations``.

Tables
------
``schema_migrations``  applied migrations.
``sources``            one row per data source (publisher, licence, synthetic or real, and its
                       disclosure class ``sensitivity``: ``public`` or ``confidential``).
``loads``              provenance: one row per load that changed something (source, query or
                       path, retrieved at, vintage, checksum, row counts).
``observations``       statistics stored long: (area_code, period, measure, breakdown, vintage)
                       → value. Every vintage is kept; queries ask for the latest or "as of".
                       The key is unique, enforced by :mod:`kuva.warehouse.load` (one writer
                       per file) rather than by an index: a five-column ART index made the file
                       17 times larger (35 MiB instead of 2 MiB for the bundled data).
``reference_meta``     checksum of the reference tables last written.
``areas``, ``municipalities``, ``programme_memberships``, ``service_types``, ``measures``
                       reference tables written from :mod:`kuva.registry`.
``service_events``     person-level milestones of a jobseeker's path (keyed pseudonyms only).
``survey_answers``     person-level answers, e.g. Kykyviisari (keyed pseudonyms only).
``process_events``     the service-process event log (docs/process.md): one row per event and
                       load; a later load of the same ``event_id`` is a correction (new vintage),
                       and ``is_latest`` marks each event's latest load (kept by the loads and undo).
``process_clocks``, ``process_plan_intervals``, ``process_offer_intervals``, ``process_referrals``,
``process_quality_flags``
                       the service-process measures' per-client intermediates, derived from the
                       log (keyed pseudonyms only) by ``kuva process refresh`` and the loads;
                       ``process_derived_state`` records the log state they belong to, and a
                       read uses them only while the log is still in that state
                       (:mod:`kuva.warehouse.derived`).
``synthetic_truth``    the planted truth of a simulation (effects), for scoring estimators.
``custom_areas``       a user's own area definitions (e.g. a 2025 employment area): one row per
                       member municipality and load; the latest load of an area is its definition.

A load can be undone (``kuva load undo``): its rows are deleted and ``loads.undone_at`` records
when, so the provenance keeps every load that ever happened.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "core: sources, loads (provenance), observations, reference tables",
        (
            """CREATE TABLE sources (
                source_id VARCHAR PRIMARY KEY,
                kind VARCHAR NOT NULL,
                title VARCHAR NOT NULL,
                publisher VARCHAR NOT NULL,
                license VARCHAR NOT NULL,
                synthetic BOOLEAN NOT NULL
            )""",
            """CREATE TABLE loads (
                load_id BIGINT PRIMARY KEY,
                source_id VARCHAR NOT NULL REFERENCES sources(source_id),
                location VARCHAR NOT NULL,
                query VARCHAR,
                retrieved_at TIMESTAMP NOT NULL,
                loaded_at TIMESTAMP NOT NULL,
                vintage TIMESTAMP NOT NULL,
                checksum VARCHAR NOT NULL,
                rows_in BIGINT NOT NULL,
                rows_inserted BIGINT NOT NULL,
                rows_revised BIGINT NOT NULL,
                rows_unchanged BIGINT NOT NULL,
                kuva_version VARCHAR NOT NULL
            )""",
            """CREATE TABLE observations (
                area_code VARCHAR NOT NULL,
                period DATE NOT NULL,
                frequency VARCHAR NOT NULL CHECK (frequency IN ('M', 'A')),
                measure VARCHAR NOT NULL,
                breakdown VARCHAR NOT NULL DEFAULT '',
                value DOUBLE,
                status VARCHAR,
                vintage TIMESTAMP NOT NULL,
                load_id BIGINT NOT NULL,
                source_id VARCHAR NOT NULL
            )""",
            """CREATE TABLE reference_meta (
                checksum VARCHAR NOT NULL,
                written_at TIMESTAMP NOT NULL
            )""",
            """CREATE TABLE areas (
                code VARCHAR PRIMARY KEY,
                level VARCHAR NOT NULL,
                name_fi VARCHAR NOT NULL,
                name_sv VARCHAR NOT NULL,
                name_en VARCHAR NOT NULL
            )""",
            """CREATE TABLE municipalities (
                code VARCHAR PRIMARY KEY,
                name_fi VARCHAR NOT NULL,
                name_sv VARCHAR NOT NULL,
                sub_region_code VARCHAR NOT NULL,
                region_code VARCHAR NOT NULL,
                wellbeing_county VARCHAR NOT NULL,
                area_type VARCHAR NOT NULL,
                population BIGINT NOT NULL,
                mainland BOOLEAN NOT NULL
            )""",
            """CREATE TABLE programme_memberships (
                programme VARCHAR NOT NULL,
                area_code VARCHAR NOT NULL,
                area_name VARCHAR NOT NULL,
                municipality_code VARCHAR NOT NULL,
                start_date DATE NOT NULL,
                end_date DATE,
                confidence VARCHAR NOT NULL,
                source_url VARCHAR NOT NULL
            )""",
            """CREATE TABLE service_types (
                code VARCHAR PRIMARY KEY,
                measure VARCHAR NOT NULL,
                activating BOOLEAN NOT NULL,
                name_fi VARCHAR NOT NULL,
                name_sv VARCHAR NOT NULL,
                name_en VARCHAR NOT NULL
            )""",
            """CREATE TABLE measures (
                code VARCHAR PRIMARY KEY,
                source_table VARCHAR NOT NULL,
                frequency VARCHAR NOT NULL,
                unit VARCHAR NOT NULL,
                name_fi VARCHAR NOT NULL,
                name_sv VARCHAR NOT NULL,
                name_en VARCHAR NOT NULL,
                definition VARCHAR NOT NULL,
                breakdown VARCHAR NOT NULL
            )""",
        ),
    ),
    Migration(
        2,
        "person level: service events and survey answers (keyed pseudonyms only)",
        (
            """CREATE TABLE service_events (
                pseudonym VARCHAR NOT NULL CHECK (length(pseudonym) = 64),
                event_date DATE NOT NULL,
                event_type VARCHAR NOT NULL,
                municipality_code VARCHAR,
                sector VARCHAR,
                service_type VARCHAR,
                detail VARCHAR,
                load_id BIGINT NOT NULL,
                source_id VARCHAR NOT NULL
            )""",
            """CREATE TABLE survey_answers (
                pseudonym VARCHAR NOT NULL CHECK (length(pseudonym) = 64),
                answered_at DATE NOT NULL,
                instrument VARCHAR NOT NULL,
                municipality_code VARCHAR,
                area VARCHAR,
                item VARCHAR NOT NULL,
                value DOUBLE,
                load_id BIGINT NOT NULL,
                source_id VARCHAR NOT NULL
            )""",
            """CREATE TABLE synthetic_truth (
                load_id BIGINT NOT NULL,
                name VARCHAR NOT NULL,
                area_code VARCHAR NOT NULL DEFAULT '',
                period DATE,
                value DOUBLE NOT NULL,
                note VARCHAR NOT NULL DEFAULT ''
            )""",
        ),
    ),
    Migration(
        3,
        "disclosure: every source is classified public (already published by its owner) or confidential",
        (
            "ALTER TABLE sources ADD COLUMN sensitivity VARCHAR DEFAULT 'confidential'",
            "UPDATE sources SET sensitivity = CASE WHEN kind LIKE 'statfin%' AND NOT synthetic "
            "THEN 'public' ELSE 'confidential' END",
        ),
    ),
    Migration(
        4,
        "service process: the client event log with origin and destination sectors (keyed pseudonyms only)",
        (
            """CREATE TABLE process_events (
                event_id VARCHAR NOT NULL,
                pseudonym VARCHAR NOT NULL CHECK (length(pseudonym) = 64),
                event_date DATE NOT NULL,
                event_type VARCHAR NOT NULL,
                municipality_code VARCHAR NOT NULL,
                origin_sector VARCHAR,
                destination_sector VARCHAR,
                service_type VARCHAR,
                provider VARCHAR,
                case_id VARCHAR,
                plan_id VARCHAR,
                referral_id VARCHAR,
                age_group VARCHAR,
                language VARCHAR,
                detail VARCHAR,
                load_id BIGINT NOT NULL,
                source_id VARCHAR NOT NULL
            )""",
        ),
    ),
    Migration(
        5,
        "own files: custom area definitions; loads can be undone (undone_at)",
        (
            "ALTER TABLE loads ADD COLUMN undone_at TIMESTAMP",
            """CREATE TABLE custom_areas (
                area_code VARCHAR NOT NULL,
                area_name VARCHAR NOT NULL,
                municipality_code VARCHAR NOT NULL,
                load_id BIGINT NOT NULL,
                source_id VARCHAR NOT NULL
            )""",
        ),
    ),
    Migration(
        6,
        "service process: each event's latest load flagged (is_latest), so reads need not rank every vintage",
        (
            "ALTER TABLE process_events ADD COLUMN is_latest BOOLEAN NOT NULL DEFAULT true",
            """UPDATE process_events p SET is_latest = false
               FROM (SELECT source_id, event_id, max(load_id) AS m FROM process_events GROUP BY ALL) l
               WHERE p.source_id = l.source_id AND p.event_id = l.event_id AND p.load_id < l.m""",
        ),
    ),
    Migration(
        7,
        "service process: stored per-client intermediates of the measures (rule clocks, plan-debt intervals, "
        "referrals, quality flags) and the log state they were derived from",
        (
            """CREATE TABLE process_clocks (
                rule_key VARCHAR NOT NULL,
                start_id VARCHAR NOT NULL,
                pseudonym VARCHAR NOT NULL,
                start DATE NOT NULL,
                municipality_code VARCHAR,
                hit DATE,
                delay BIGINT,
                deadline_day DATE,
                exit_date DATE,
                met BOOLEAN,
                unmet_at_exit BOOLEAN,
                late BOOLEAN
            )""",
            """CREATE TABLE process_plan_intervals (
                start_id VARCHAR NOT NULL,
                pseudonym VARCHAR NOT NULL,
                start DATE NOT NULL,
                municipality_code VARCHAR,
                a DATE NOT NULL,
                b DATE NOT NULL,
                debt BOOLEAN NOT NULL
            )""",
            """CREATE TABLE process_referrals (
                event_id VARCHAR NOT NULL,
                pseudonym VARCHAR NOT NULL,
                event_date DATE NOT NULL,
                municipality_code VARCHAR,
                origin_sector VARCHAR,
                destination_sector VARCHAR,
                s_date DATE
            )""",
            """CREATE TABLE process_quality_flags (
                quality_check VARCHAR NOT NULL,
                pseudonym VARCHAR NOT NULL,
                municipality_code VARCHAR,
                event_date DATE NOT NULL
            )""",
            """CREATE TABLE process_derived_state (
                log_state VARCHAR NOT NULL,
                data_end DATE,
                rule_keys VARCHAR[] NOT NULL,
                refreshed_at TIMESTAMP NOT NULL,
                mode VARCHAR NOT NULL
            )""",
        ),
    ),
    Migration(
        8,
        "service process: the clocks' start month and lapse, the plan-debt intervals' months and days, stored "
        "(the stored intermediates are emptied; the next refresh derives them again)",
        (
            "ALTER TABLE process_clocks ADD COLUMN start_month INTEGER",
            "ALTER TABLE process_clocks ADD COLUMN lapses BOOLEAN",
            "ALTER TABLE process_plan_intervals ADD COLUMN a_month INTEGER",
            "ALTER TABLE process_plan_intervals ADD COLUMN a_day INTEGER",
            "ALTER TABLE process_plan_intervals ADD COLUMN b_month INTEGER",
            "ALTER TABLE process_plan_intervals ADD COLUMN b_day INTEGER",
            "DELETE FROM process_clocks",
            "DELETE FROM process_plan_intervals",
            "DELETE FROM process_referrals",
            "DELETE FROM process_quality_flags",
            "DELETE FROM process_derived_state",
        ),
    ),
    Migration(
        9,
        "service process: job-offer debt's intervals stored like plan debt's (the stored intermediates are "
        "emptied; the next refresh derives them again)",
        (
            """CREATE TABLE process_offer_intervals (
                start_id VARCHAR NOT NULL,
                pseudonym VARCHAR NOT NULL,
                start DATE NOT NULL,
                municipality_code VARCHAR,
                a DATE NOT NULL,
                b DATE NOT NULL,
                debt BOOLEAN NOT NULL,
                a_month INTEGER,
                a_day INTEGER,
                b_month INTEGER,
                b_day INTEGER
            )""",
            "DELETE FROM process_clocks",
            "DELETE FROM process_plan_intervals",
            "DELETE FROM process_referrals",
            "DELETE FROM process_quality_flags",
            "DELETE FROM process_derived_state",
        ),
    ),
)

LATEST_VERSION = MIGRATIONS[-1].version
#: the tables the migrations create: their columns change only by a migration
SCHEMA_TABLES: frozenset[str] = frozenset(
    stmt.split("(", 1)[0].split()[-1] for m in MIGRATIONS for stmt in m.statements
    if stmt.lstrip().upper().startswith("CREATE TABLE"))
