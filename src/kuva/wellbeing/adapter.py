"""Adapter for Kykyviisari answer exports (CSV or Excel) into ``survey_answers``.

One row of an export is one answer of one respondent at one time. The columns (Finnish names
as an export has them, English aliases accepted; header matching ignores case, accents,
spaces and punctuation, see :func:`header_key`):

=========================  ====================================  ==============================
field                      Finnish column (aliases)              content
=========================  ====================================  ==============================
respondent (one of two)    ``vastaajatunnus`` (``vastaaja_id``,   raw respondent id; turned into
                           ``respondent_id``, ``respondent``)    a keyed pseudonym on import
                           ``pseudonyymi`` (``pseudonym``)       an existing keyed pseudonym
answered at                ``vastausaika`` (``vastauspaiva``,    date or date and time:
                           ``answered_at``, ``answer_date``)     ``2023-03-14``, ``14.3.2023``,
                                                                 ``14.3.2023 10:05``, Excel date
home municipality          ``kotikunta`` (``kunta``,             code ``KU091``/``091``/``91``
                           ``home_municipality``,                or name (fi/sv)
                           ``municipality_code``)
area (optional)            ``alue`` (``kokeilualue``, ``area``)  pilot area name or code, or
                                                                 ``vertailualue`` (comparison);
                                                                 blank = from municipality
work ability now           ``tyokyky_nyt`` (``tyokyky``,         whole number 0–10; blank = not
                           the question text, ``work_ability``)  answered
relation to working life   ``suhde_tyoelamaan_nyt``              whole number 0–10
                           (``suhde_tyoelamaan``,
                           ``working_life_relation``)
current situation          ``nykytilanne`` (``tilanne``,         several choices separated by
                           ``situation``)                        ``;``, ``|`` or a line break;
                                                                 choice text (fi/en) or code
  or one column per choice ``tilanne_<fi code>`` or              ``1``/``x``/``kyllä``/``yes``
                           ``situation_<code>``                  = chosen; ``0``/blank/``ei``
=========================  ====================================  ==============================

Other columns are ignored (and listed in the load report) but still searched for personal
identity codes. A personal identity code (HETU) anywhere in the file refuses the whole file
with an error naming the row and column; it is never stored. Every other problem (score out
of range, unknown choice, bad date, unknown municipality or area, duplicate answer) also
refuses the whole file with file, row and field. Row numbers are those a spreadsheet shows:
the header is row 1, the first answer row 2.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from kuva.errors import BadRowError, KuvaLookupError
from kuva.privacy.pseudonym import find_identity_code, is_pseudonym, pseudonymise
from kuva.registry import area_registry
from kuva.registry.names import normalise
from kuva.registry.resources import read_user_table
from kuva.warehouse import LoadReport, SourceInfo, Warehouse, load_survey_answers
from kuva.wellbeing.areas import AreaResolver
from kuva.wellbeing.items import (
    INSTRUMENT,
    SCORE_MAX,
    SCORE_MIN,
    SITUATION_PREFIX,
    SITUATIONS,
    WORK_ABILITY,
    WORKING_LIFE_RELATION,
)

WORK_ABILITY_QUESTION = "Minkä pistemäärän antaisit nykyiselle työkyvyllesi?"


def header_key(text: str) -> str:
    """A column header folded for matching: ``"Työkyky nyt (0–10)"`` → ``tyokyky_nyt_0_10``."""
    return re.sub(r"[^a-z0-9]+", "_", normalise(str(text))).strip("_")


#: Canonical field -> the Finnish column name first, then aliases.
COLUMNS: dict[str, tuple[str, ...]] = {
    "respondent": ("vastaajatunnus", "vastaaja_id", "vastaajan_tunnus", "respondent_id", "respondent"),
    "pseudonym": ("pseudonyymi", "pseudonym"),
    "answered_at": ("vastausaika", "vastauspaiva", "vastattu", "answered_at", "answer_date"),
    "municipality": ("kotikunta", "kunta", "home_municipality", "municipality", "municipality_code"),
    "area": ("alue", "kokeilualue", "area", "pilot_area"),
    WORK_ABILITY: ("tyokyky_nyt", "tyokyky", WORK_ABILITY_QUESTION, "work_ability", "work_ability_now"),
    WORKING_LIFE_RELATION: ("suhde_tyoelamaan_nyt", "suhde_tyoelamaan", "working_life_relation",
                            "relation_to_working_life"),
    "situation": ("nykytilanne", "tilanne", "situation", "current_situation"),
}

#: Finnish short code of each situation choice, for the one-column-per-choice form
#: (``tilanne_<fi code>``); ``situation_<code>`` works as well.
SITUATION_FI_CODES: dict[str, str] = {
    "work_practice": "tyoharjoittelu",
    "workshop": "tyopaja",
    "work_trial": "tyokokeilu",
    "unemployed_jobseeker": "tyoton_tyonhakija",
    "unemployed_not_registered": "tyoton_ei_tyonhakija",
    "unpaid_work": "palkaton_tyo",
    "community_service": "yhdyskuntapalvelu",
    "student": "opiskelija",
    "at_home": "kotona",
    "sick_leave": "sairausloma",
    "pension": "elake",
    "paid_work": "palkkatyo",
    "entrepreneur": "yrittaja",
    "freelancer": "freelancer",
    "grant": "apuraha",
}
_CHOICE_COLUMN_PREFIXES = ("tilanne_", "situation_")
_YES = frozenset({"1", "x", "kylla", "k", "yes", "y", "true", "tosi"})
_NO = frozenset({"", "0", "ei", "e", "no", "n", "false", "epatosi"})
_SEPARATORS = re.compile(r"[;|\n]")


def _choice_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for s in SITUATIONS:
        for text in (s.code, s.item, s.label_fi, s.label_en, s.label_sv, SITUATION_FI_CODES[s.code]):
            keys[header_key(text)] = s.code
    return keys


_CHOICES = _choice_keys()

#: Word beginnings (folded: lower case, no diacritics) that identify a choice in the
#: questionnaire's own wordings and their usual variants, Finnish and Swedish (and English), so
#: an export's answer text is read whatever the form's exact version says ("Palkkatyössä
#: (kokoaikainen, osa-aikainen tai palkkatuettu)", "I lönearbete", "Eläkkeellä (…)").
WORDING_STEMS: dict[str, tuple[str, ...]] = {
    "work_practice": ("tyoharjoittel", "arbetspraktik", "work practice"),
    "workshop": ("tyopaja", "kuntouttava", "verkstad", "arbetsverksamhet i rehab", "rehabiliterande arbetsverksamhet",
                 "workshop", "rehabilitative work"),
    "work_trial": ("tyokokeilu", "arbetsprovning", "work trial"),
    "unemployed_jobseeker": ("tyoton tyonhakija", "tyottomana tyonhakija", "arbetslos arbetssokande",
                             "unemployed jobseeker", "registered jobseeker"),
    "unemployed_not_registered": ("en ole ilmoittautunut", "ei ole ilmoittautunut", "ei ilmoittautunut",
                                  "ilmoittautumaton", "inte anmald", "ej anmald", "inte registrerad",
                                  "not registered", "not a registered"),
    "unpaid_work": ("palkaton", "vapaaehtoistyo", "oavlonat", "frivilligarbete", "unpaid", "volunteer"),
    "community_service": ("yhdyskuntapalvelu", "samhallstjanst", "community service"),
    "student": ("opiskel", "oppisopimus", "studera", "laroavtal", "student", "apprentice"),
    "at_home": ("kotona", "kotiaiti", "kotiisa", "vanhempainvapaa", "omaishoita", "hemma", "foraldraledig",
                "narstaendevard", "at home", "carer"),
    "sick_leave": ("sairausloma", "osasairausloma", "sairauspoissa", "sjukledig", "sjukskriv", "sjukfranvar",
                   "sick leave"),
    "pension": ("elak", "kuntoutustu", "pension", "rehabiliteringsstod"),
    "paid_work": ("palkkatyo", "palkkatu", "tyossa", "tyosuhtee", "lonearbete", "avlonat arbete", "anstalld",
                  "lonesubvention", "paid work"),
    "entrepreneur": ("yrittaj", "maanviljelij", "foretagare", "jordbrukare", "lantbrukare", "entrepreneur",
                     "farmer", "self employed"),
    "freelancer": ("freelance", "frilans"),
    "grant": ("apuraha", "stipendi", "grant"),
}
#: When a wording names both, the first is meant ("Työtön, en ole ilmoittautunut
#: työnhakijaksi" is not a registered jobseeker).
_WORDING_OVERRIDES: tuple[tuple[str, str], ...] = (("unemployed_not_registered", "unemployed_jobseeker"),
                                                   ("unpaid_work", "paid_work"))
_STEM_PATTERNS: dict[str, re.Pattern[str]] = {
    code: re.compile(r"\b(?:" + "|".join(re.escape(stem) for stem in stems) + ")")
    for code, stems in WORDING_STEMS.items()
}


def choice_of(text: str) -> str | None:
    """The situation code of one answer text: exact label, code or Finnish short code first, then
    the wording's distinctive words; None when nothing matches, an error when the words fit
    several choices."""
    exact = _CHOICES.get(header_key(text))
    if exact is not None:
        return exact
    folded = " ".join(re.sub(r"[^a-z0-9]+", " ", normalise(text)).split())
    found = {code for code, pattern in _STEM_PATTERNS.items() if pattern.search(folded)}
    for winner, loser in _WORDING_OVERRIDES:
        if winner in found:
            found.discard(loser)
    if len(found) > 1:
        raise ValueError(f"choice {text.strip()!r} fits several choices {sorted(found)}; use the code")
    return found.pop() if found else None
_FIELD_KEYS = {header_key(alias): field for field, aliases in COLUMNS.items() for alias in aliases}


@dataclass(frozen=True)
class ExportLayout:
    """Which column of a file holds which field."""

    fields: dict[str, str]  #: canonical field -> column name in the file
    choice_columns: dict[str, str]  #: situation code -> column name (one-column-per-choice form)
    ignored: tuple[str, ...]


@dataclass(frozen=True)
class KykyviisariLoadReport:
    """What :func:`load_kykyviisari` did."""

    path: str
    answers: int  #: answer rows in the file
    respondents: int  #: distinct respondents
    rows_stored: int  #: item rows given to the warehouse (long form)
    ignored_columns: tuple[str, ...]
    load: LoadReport

    @property
    def changed(self) -> bool:
        """False when the same content was loaded before (nothing written)."""
        return self.load.load_id is not None


# -- reading the file ---------------------------------------------------------------------------
def read_export(path: Path | str, *, sheet: str | None = None) -> pd.DataFrame:
    """The raw cells of an export as text, with its spreadsheet row number in ``_row``
    (:func:`kuva.registry.resources.read_user_table`: CSV or Excel)."""
    return read_user_table(path, sheet=sheet)


# -- checking the layout ------------------------------------------------------------------------
def layout(columns: Sequence[str], source: str) -> ExportLayout:
    """Map the columns of a file to fields; refuse duplicates, unknown choices, missing fields."""
    fields: dict[str, str] = {}
    choices: dict[str, str] = {}
    ignored: list[str] = []
    for col in columns:
        if col == "_row":
            continue
        key = header_key(col)
        field = _FIELD_KEYS.get(key)
        if field is None and key.startswith(_CHOICE_COLUMN_PREFIXES):
            rest = key.split("_", 1)[1]
            code = _CHOICES.get(rest) or _CHOICES.get(key)
            if code is None:
                known = [f"tilanne_{SITUATION_FI_CODES[s.code]}" for s in SITUATIONS]
                raise BadRowError(source, 1, col, f"unknown situation choice column; known: {known} "
                                                  f"(or situation_<code>)")
            if code in choices:
                raise BadRowError(source, 1, col, f"choice {code!r} already given by column {choices[code]!r}")
            choices[code] = col
            continue
        if field is None:
            ignored.append(col)
            continue
        if field in fields:
            raise BadRowError(source, 1, col, f"field {field!r} already given by column {fields[field]!r}")
        fields[field] = col
    if "respondent" in fields and "pseudonym" in fields:
        raise BadRowError(source, 1, fields["pseudonym"],
                          f"give either a respondent id ({fields['respondent']!r}) or a pseudonym, not both")
    needed = {
        "respondent or pseudonym": ("respondent" in fields or "pseudonym" in fields, "vastaajatunnus"),
        "answered_at": ("answered_at" in fields, "vastausaika"),
        "municipality or area": ("municipality" in fields or "area" in fields, "kotikunta"),
        WORK_ABILITY: (WORK_ABILITY in fields, "tyokyky_nyt"),
        WORKING_LIFE_RELATION: (WORKING_LIFE_RELATION in fields, "suhde_tyoelamaan_nyt"),
        "situation": ("situation" in fields or bool(choices), "nykytilanne"),
    }
    missing = [f"{name} (e.g. {fi!r})" for name, (ok, fi) in needed.items() if not ok]
    if missing:
        raise BadRowError(source, None, None,
                          f"missing column(s): {', '.join(missing)}; found {[c for c in columns if c != '_row']}")
    return ExportLayout(fields, choices, tuple(ignored))


# -- checking values -----------------------------------------------------------------------------
_DATE_FI = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+(?:klo\s+)?(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$")


def parse_answer_date(text: str) -> date:
    """The date of an answer from ``YYYY-MM-DD[ HH:MM[:SS]]`` or ``D.M.YYYY[ HH:MM[:SS]]``."""
    t = text.strip()
    m = _DATE_ISO.match(t)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = _DATE_FI.match(t)
        if not m:
            raise ValueError(f"not a date (YYYY-MM-DD or D.M.YYYY): {text!r}")
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if m.group(4) is not None and not (int(m.group(4)) < 24 and int(m.group(5)) < 60):
        raise ValueError(f"not a time of day in {text!r}")
    try:
        return date(y, mo, d)
    except ValueError as exc:
        raise ValueError(f"not a calendar date: {text!r}") from exc


def parse_score(text: str) -> int | None:
    """A 0–10 score (whole number; ``7``, ``7.0``, ``7,0``); None for blank."""
    t = text.strip().replace(",", ".")
    if t == "":
        return None
    try:
        value = float(t)
    except ValueError as exc:
        raise ValueError(f"not a number: {text!r}; a score is a whole number {SCORE_MIN}–{SCORE_MAX}") from exc
    if not value.is_integer():
        raise ValueError(f"{text!r} is not a whole number; a score is {SCORE_MIN}–{SCORE_MAX}")
    if not SCORE_MIN <= value <= SCORE_MAX:
        raise ValueError(f"{text!r} is out of range; a score is a whole number {SCORE_MIN}–{SCORE_MAX}")
    return int(value)


def parse_choices(text: str) -> list[str]:
    """Situation codes from a several-choices cell (``;``, ``|`` or line break between choices)."""
    out: list[str] = []
    for part in _SEPARATORS.split(text):
        if part.strip() == "":
            continue
        code = choice_of(part)
        if code is None:
            known = [s.label_fi for s in SITUATIONS]
            raise ValueError(f"unknown choice {part.strip()!r}; choices are separated by ';' and must be one of "
                             f"{known} (or the Swedish or English text, a wording of the form, or the code)")
        if code not in out:
            out.append(code)
    return out


def _flag(text: str) -> bool:
    key = header_key(text)
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise ValueError(f"{text!r} is not a choice mark; use 1/x/kyllä for chosen, 0/blank/ei for not chosen")


def refuse_identity_codes(frame: pd.DataFrame, source: str) -> None:
    """Raise if any cell (or header) holds a personal identity code."""
    for col in frame.columns:
        if col != "_row" and find_identity_code(str(col)):
            raise BadRowError(source, 1, "(header)", "a column name contains a personal identity code")
    rows = frame["_row"].tolist() if "_row" in frame.columns else list(range(2, len(frame) + 2))
    for col in frame.columns:
        if col == "_row":
            continue
        for i, v in enumerate(frame[col].tolist()):
            if isinstance(v, str) and find_identity_code(v):
                raise BadRowError(source, int(rows[i]), str(col),
                                  "contains a personal identity code (henkilötunnus); the file is refused and "
                                  "nothing is stored. Export a respondent id or pseudonym instead")


def parse_export(
    frame: pd.DataFrame,
    source: str,
    *,
    key: bytes | None = None,
    resolver: AreaResolver | None = None,
    today: date | None = None,
) -> tuple[pd.DataFrame, ExportLayout]:
    """Validate the raw cells of an export and return answers in the ``survey_answers`` shape.

    Output columns: ``pseudonym, answered_at, instrument, municipality_code, area, item, value,
    row``; one row per answered score and per chosen situation. ``key`` pseudonymises raw
    respondent ids (default: ``KUVA_PSEUDONYM_KEY``). Raises :class:`BadRowError` on the first
    problem, naming ``source``, the spreadsheet row and the column.
    """
    refuse_identity_codes(frame, source)
    lay = layout([str(c) for c in frame.columns], source)
    areas = resolver or AreaResolver.from_warehouse(None)
    registry = area_registry()
    limit = today or datetime.now(UTC).date()
    f = lay.fields
    hmac_key = key
    if "respondent" in f and hmac_key is None:
        from kuva.config import pseudonym_key

        hmac_key = pseudonym_key()
    records: list[dict[str, object]] = []
    seen: dict[tuple[str, date], int] = {}
    for raw_rec in frame.to_dict(orient="records"):
        rec: dict[str, object] = {str(k): v for k, v in raw_rec.items()}
        row = int(str(rec["_row"]))

        def cell(field: str, rec: dict[str, object] = rec) -> str:
            return str(rec.get(f[field], "") or "").strip() if field in f else ""

        def bad(field: str, problem: str, row: int = row) -> BadRowError:
            return BadRowError(source, row, f.get(field, field), problem)

        if "pseudonym" in f:
            pseud = cell("pseudonym").lower()
            if not is_pseudonym(pseud):
                raise bad("pseudonym", "not a keyed pseudonym (64 hex characters); give raw ids in column "
                                       "'vastaajatunnus' to pseudonymise them on import")
        else:
            raw_id = cell("respondent")
            if raw_id == "":
                raise bad("respondent", "empty respondent id")
            pseud = pseudonymise(raw_id, hmac_key)
        when_text = cell("answered_at")
        if when_text == "":
            raise bad("answered_at", "empty answer date")
        try:
            when = parse_answer_date(when_text)
        except ValueError as exc:
            raise bad("answered_at", str(exc)) from exc
        if when > limit:
            raise bad("answered_at", f"{when.isoformat()} is in the future")
        muni: str | None = None
        muni_text = cell("municipality")
        if muni_text:
            try:
                muni = registry.municipality(muni_text).code
            except KuvaLookupError as exc:
                raise bad("municipality", str(exc)) from exc
        area_text = cell("area")
        area: str | None
        if area_text:
            try:
                area = areas.area(area_text)
            except KuvaLookupError as exc:
                raise bad("area", str(exc)) from exc
        elif muni is not None:
            area = areas.area_of(muni, when)
        else:
            raise bad("municipality", "no home municipality and no area; give at least one")
        items: list[tuple[str, float]] = []
        for item in (WORK_ABILITY, WORKING_LIFE_RELATION):
            try:
                score = parse_score(cell(item))
            except ValueError as exc:
                raise bad(item, str(exc)) from exc
            if score is not None:
                items.append((item, float(score)))
        chosen: list[str] = []
        if "situation" in f:
            try:
                chosen = parse_choices(cell("situation"))
            except ValueError as exc:
                raise bad("situation", str(exc)) from exc
        for code, col in lay.choice_columns.items():
            text = str(rec.get(col, "") or "")
            try:
                if _flag(text) and code not in chosen:
                    chosen.append(code)
            except ValueError as exc:
                raise BadRowError(source, row, col, str(exc)) from exc
        items.extend((SITUATION_PREFIX + c, 1.0) for c in chosen)
        if not any(name in (WORK_ABILITY, WORKING_LIFE_RELATION) for name, _ in items) and not chosen:
            raise bad(WORK_ABILITY, "the answer has no score and no situation (an empty answer)")
        if (pseud, when) in seen:
            raise bad("answered_at", f"a second answer of the same respondent on {when.isoformat()} "
                                     f"(first on row {seen[(pseud, when)]})")
        seen[(pseud, when)] = row
        for name, value in items:
            records.append({"pseudonym": pseud, "answered_at": when, "instrument": INSTRUMENT,
                            "municipality_code": muni, "area": area, "item": name, "value": value, "row": row})
    if not records:
        raise BadRowError(source, None, None, "no answer rows below the header")
    columns = ["pseudonym", "answered_at", "instrument", "municipality_code", "area", "item", "value", "row"]
    return pd.DataFrame.from_records(records, columns=columns), lay


def read_kykyviisari(
    path: Path | str,
    *,
    key: bytes | None = None,
    wh: Warehouse | None = None,
    sheet: str | None = None,
) -> pd.DataFrame:
    """Read and validate an export (nothing stored); answers in the ``survey_answers`` shape."""
    raw = read_export(path, sheet=sheet)
    frame, _ = parse_export(raw, str(path), key=key, resolver=AreaResolver.from_warehouse(wh))
    return frame


def load_kykyviisari(
    wh: Warehouse,
    path: Path | str,
    *,
    key: bytes | None = None,
    source_id: str = "kykyviisari:export",
    synthetic: bool = False,
    sheet: str | None = None,
) -> KykyviisariLoadReport:
    """Validate a Kykyviisari export and store it in ``survey_answers`` in one transaction.

    ``key`` pseudonymises raw respondent ids (default ``KUVA_PSEUDONYM_KEY``). Any problem
    refuses the whole file (nothing is written). Loading the same content again writes nothing.
    Set ``synthetic=True`` for made-up files (e.g. the test samples).
    """
    p = Path(path)
    raw = read_export(p, sheet=sheet)
    frame, lay = parse_export(raw, str(p), key=key, resolver=AreaResolver.from_warehouse(wh))
    vintage = datetime.fromtimestamp(p.stat().st_mtime, UTC).replace(tzinfo=None)
    source = SourceInfo(
        source_id=source_id, kind="user-file", title="Kykyviisari answers (export)",
        publisher="Kykyviisari export of the user's organisation", license="restricted: person-level data",
        synthetic=synthetic, location=str(p), vintage=vintage,
    )
    report = load_survey_answers(wh, frame, source)
    answers = frame[["pseudonym", "answered_at"]].drop_duplicates()
    return KykyviisariLoadReport(
        path=str(p), answers=len(answers), respondents=int(answers["pseudonym"].nunique()),
        rows_stored=len(frame), ignored_columns=lay.ignored, load=report,
    )


__all__ = [
    "COLUMNS",
    "SITUATION_FI_CODES",
    "WORK_ABILITY_QUESTION",
    "ExportLayout",
    "KykyviisariLoadReport",
    "choice_of",
    "header_key",
    "layout",
    "load_kykyviisari",
    "parse_answer_date",
    "parse_choices",
    "parse_export",
    "parse_score",
    "read_export",
    "read_kykyviisari",
    "refuse_identity_codes",
]
