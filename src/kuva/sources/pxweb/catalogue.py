"""The StatFin tables KuVa pulls, each mapped to warehouse measures and breakdowns.

Declarative: one frozen :class:`TableSpec` per table. ``contents`` maps a StatFin content code
(``Tiedot`` / ``contentscode`` value, old form) to a KuVa measure code
(:mod:`kuva.registry.measures`). An entry is **mapped** when every measure it names is in the
measure catalogue, and is then loaded; otherwise it is only **declared** (listed, never loaded,
:attr:`TableSpec.missing_measures` says which measure codes are missing). A declared entry
becomes mapped by itself once its measures are added (e.g. to
``kuva/registry/data/measures_background.csv``).

Variable names. Before 8 June 2026 StatFin named variables by their Finnish text (``Alue``,
``Kuukausi``, ``Vuosi``, ``Tiedot``, breakdowns such as ``Työllistämisen laji``) and table ids
were ``statfin_tyonv_pxt_12r5.px``; after it, variables are codes (``alue_23_20260101``,
``timeperiod_m``, ``timeperiod_y``, ``contentscode``) and table ids short (``12r5``), and some
content codes carry a prefix (``tyonv_…``). :data:`ROLE_NAMES` accepts both forms; anything
else is a :class:`~kuva.sources.pxweb.errors.CatalogueMismatchError` that names what changed.
Breakdowns are stored as ``<old lower-case dimension name>=<code>`` (``tyollistamisen_laji=40``)
to match the bundled files.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from kuva.registry import measures

Status = Literal["mapped", "declared"]
AreaRule = Literal["required", "optional"]
RENAME_DATE = "2026-06-08"


@dataclass(frozen=True)
class RoleNames:
    """Accepted variable codes for one role: old exact names and a new-form code pattern."""

    role: str
    old: tuple[str, ...]
    new_pattern: str  #: regular expression, matched case-insensitively on the whole code
    new_hint: str  #: the 2026 form for messages, e.g. ``alue_…``

    def matches(self, code: str) -> bool:
        return code in self.old or re.fullmatch(self.new_pattern, code, re.IGNORECASE) is not None

    def describe(self) -> str:
        return " / ".join(repr(o) for o in self.old) + f" (or 2026 form {self.new_hint!r})"


ROLE_NAMES: dict[str, RoleNames] = {
    "area": RoleNames("area", ("Alue",), r"alue(_\w+)?", "alue_…"),
    "time_M": RoleNames("time", ("Kuukausi",), r"timeperiod_m", "timeperiod_m"),
    "time_A": RoleNames("time", ("Vuosi",), r"timeperiod_y", "timeperiod_y"),
    "content": RoleNames("content", ("Tiedot",), r"contentscode", "contentscode"),
}


def snake(text: str) -> str:
    """``'Työllistämisen laji'`` -> ``'tyollistamisen_laji'`` (how the bundled files name dims)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")


def breakdown_matches(name: str, code: str, label: str) -> bool:
    """Is the variable (code, label) the breakdown stored as ``name``?

    Old form: the code (or label) is the Finnish text, e.g. ``Valtionosuuskoulutus (VOS)``;
    new form: ``valtionosuuskoulutus_vos`` optionally followed by ``_<n>_<yyyymmdd>``.
    """
    if re.fullmatch(rf"{re.escape(name)}(_\d+_\d{{8}})?", code, re.IGNORECASE):
        return True
    return snake(code) == name or snake(label) == name


@dataclass(frozen=True)
class TableSpec:
    """One StatFin table and how it maps to the warehouse."""

    id: str  #: short table id (2026 form), e.g. ``12r5``
    subject: str  #: StatFin subject folder, e.g. ``tyonv``
    title: str
    frequency: Literal["M", "A"]
    contents: tuple[tuple[str, str], ...]  #: (StatFin content code, KuVa measure code)
    breakdown: str = ""  #: old lower-case breakdown dimension name, or empty
    area: AreaRule = "optional"  #: optional: a table without an area variable is national (SSS)
    annual_from_monthly: tuple[str, ...] = ()  #: annual measures StatFin repeats every month
    note: str = ""
    verified: bool = True  #: False: content codes not yet checked against live metadata

    @property
    def old_id(self) -> str:
        """Pre-2026 table id, e.g. ``statfin_tyonv_pxt_12r5``."""
        return f"statfin_{self.subject}_pxt_{self.id}"

    @property
    def source_id(self) -> str:
        return f"statfin:{self.id}"

    @property
    def measure_codes(self) -> tuple[str, ...]:
        return tuple(m for _, m in self.contents)

    @property
    def missing_measures(self) -> tuple[str, ...]:
        """Measure codes this entry needs that the measure catalogue does not (yet) have."""
        known = measures()
        return tuple(m for m in self.measure_codes if m not in known)

    @property
    def status(self) -> Status:
        return "declared" if self.declared_reason else "mapped"

    @property
    def declared_reason(self) -> str:
        """Why the entry is only declared (empty when it is mapped)."""
        reasons = []
        if self.missing_measures:
            reasons.append(f"measure(s) {list(self.missing_measures)} are not in the measure catalogue")
        if not self.verified:
            reasons.append("its StatFin content codes are not verified against live metadata")
        return "; ".join(reasons)

    def time_role(self) -> RoleNames:
        return ROLE_NAMES[f"time_{self.frequency}"]


def _same(*codes: str) -> tuple[tuple[str, str], ...]:
    return tuple((c, c) for c in codes)


_ACT = (
    "TVKOULUTUSLOP",
    "VALMENNUSLOP",
    "TYOLLISTETTYLOP",
    "KOKEILULOP",
    "VUORVAPLOP",
    "KUNTTYOLOP",
    "OMAEHTLOP",
)

TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "12r5",
        "tyonv",
        "Unemployed jobseekers, labour force and open vacancies by area",
        "M",
        _same("TYOTTOMATLOPUSSA", "TYOVOIMATK", "AVPAIKATLOPUSSA"),
        area="required",
        annual_from_monthly=("TYOVOIMATK",),
        note="TYOVOIMATK is annual: stored once per year at 1 January.",
    ),
    TableSpec(
        "12u4",
        "tyonv",
        "Activation rate and persons in activating services by area",
        "M",
        _same("AKTASTE", "TYOTTOMATLOPUSSA", "PALVELUISSAYHTEENSA", *_ACT),
    ),
    TableSpec(
        "12u5",
        "tyonv",
        "Activation rate and services, foreign nationals",
        "M",
        _same("AKTASTEULK", "TYOTTOMATULK", "PALVELUISSAYHTEENSAULK", *(f"{c}ULK" for c in _ACT)),
    ),
    TableSpec(
        "12u1",
        "tyonv",
        "Persons in coaching by type",
        "M",
        _same("VALMENNUSLOP"),
        breakdown="valmennus",
    ),
    TableSpec(
        "12u2",
        "tyonv",
        "Labour market training: stocks, starts, ends, durations",
        "M",
        _same("TVKOULUTUSLOP", "KOULOLOYHT", "TVKALKOI", "TVKPAATTYI", "TVKAVGPAATKESTO"),
        breakdown="valtionosuuskoulutus_vos",
    ),
    TableSpec(
        "12u6",
        "tyonv",
        "Subsidised employment by type",
        "M",
        _same("TYOLLISTETTYLOP", "SIJOITYHT", "SIJOITALKOI", "SIJOITPAATTYI", "SIJOITAVGPAATKESTO"),
        breakdown="tyollistamisen_laji",
    ),
    TableSpec(
        "12u8",
        "tyonv",
        "Work and training trials",
        "M",
        _same("KOKEILULOP", "KOKAVGEDTYKESTOLOP"),
        breakdown="arviointi_kokeilut",
    ),
    TableSpec(
        "12u9",
        "tyonv",
        "Other services",
        "M",
        _same(
            "MTPPALVELUTLOP",
            "MTPALVELUYHT",
            "MTPTOIMPIDEALKOI",
            "MTPTOIMPIDEPAATTYI",
            "MTPAVGPAATKESTO",
        ),
        breakdown="muut_palvelut",
    ),
    TableSpec(
        "12ur",
        "tyonv",
        "Three-month follow-up: labour market training",
        "A",
        _same(
            "TVKPAATTYNYT_TAJO",
            "TVKTYOTTOMANA_TAJO",
            "TVKYHTEENSA_TAJO",
            "TVKTYOTOSUUS_TAJO",
            "TVKTOIMPOSUUS_TAJO",
        ),
        breakdown="valtionosuuskoulutus_vos",
    ),
    TableSpec(
        "12us",
        "tyonv",
        "Three-month follow-up: coaching",
        "A",
        _same(
            "VALMPAATTYNYT_TAJO",
            "VALMTYOTTOMANA_TAJO",
            "VALMYHTEENSA_TAJO",
            "VALMTYOTOSUUS_TAJO",
            "VALMTOIMPOSUUS_TAJO",
        ),
        breakdown="valmennus",
    ),
    TableSpec(
        "12ut",
        "tyonv",
        "Three-month follow-up: subsidised employment",
        "A",
        _same(
            "TYOLSIJOITPAATTYI_TAJO",
            "TYOLTYOTTOMANA_TAJO",
            "TYOLYHTEENSA_TAJO",
            "TYOLTYOTOSUUS_TAJO",
            "TYOLTOIMPOSUUS_TAJO",
        ),
        breakdown="tyollistamisen_laji",
    ),
    TableSpec(
        "12uu",
        "tyonv",
        "Other services during the year (follow-up base)",
        "A",
        _same(
            "MTPTOIMPITYHT_TAJO",
            "MTPTOIMALKOI_TAJO",
            "MTPTOIMPAATTYI_TAJO",
            "MTPAVGPAATKESTO_TAJO",
            "MTPAVGEDTYKESTOALK_TAJO",
        ),
        breakdown="muut_palvelut",
    ),
    TableSpec(
        "12uv",
        "tyonv",
        "Work and training trials during the year (follow-up base)",
        "A",
        _same(
            "KOKTOIMPITYHT_TAJO",
            "KOKTOIMALKOI_TAJO",
            "KOKTOIMPAATTYI_TAJO",
            "KOKAVGPAATKESTO_TAJO",
            "KOKAVGEDTYKESTOALK_TAJO",
        ),
        breakdown="arviointi_kokeilut",
    ),
    TableSpec(
        "12uw",
        "tyonv",
        "Three-month follow-up: work and training trials",
        "A",
        _same(
            "KOKTOIMPIDEPAATTYI_TAJO",
            "KOKTYOTTOMANA_TAJO",
            "KOKYHTEENSA_TAJO",
            "KOKTYOTOSUUS_TAJO",
            "KOKTOIMPOSUUS_TAJO",
        ),
        breakdown="arviointi_kokeilut",
    ),
    TableSpec(
        "12ux",
        "tyonv",
        "Three-month follow-up: other services",
        "A",
        _same(
            "MTPTOIMPIDEPAATTYI_TAJO",
            "MTPTYOTTOMANA_TAJO",
            "MTPYHTEENSA_TAJO",
            "MTPTYOTOSUUS_TAJO",
            "MTPTOIMPOSUUS_TAJO",
        ),
        breakdown="muut_palvelut",
    ),
    TableSpec(
        "12v7",
        "tyonv",
        "Labour market training during the year: participants, starts",
        "A",
        _same("KOULOLOYHTVV", "TVKALKOIVV"),
        breakdown="valtionosuuskoulutus_vos",
    ),
    TableSpec(
        "12v8",
        "tyonv",
        "Labour market training during the year: ends, durations",
        "A",
        _same("TVKPAATTYIVV", "TVKAVGPAATKESTOVV"),
        breakdown="valtionosuuskoulutus_vos",
    ),
    TableSpec(
        "12v9",
        "tyonv",
        "Coaching during the year",
        "A",
        _same("VALMENNUSYHTVV", "VALMENNUSALKOIVV", "VALMENNUSPAATTYIVV", "VALMAVGPAATKESTOVV"),
        breakdown="valmennus",
    ),
    TableSpec(
        "12va",
        "tyonv",
        "Subsidised employment during the year",
        "A",
        _same("SIJOITYHTVV", "SIJOITALKOIVV", "SIJOITPAATTYIVV", "SIJOITAVGPAATKESTOVV"),
        breakdown="tyollistamisen_laji",
    ),
    # -- declared only: their measures are not (yet) in the measure catalogue -----------------
    TableSpec(
        "12tf",
        "tyonv",
        "Unemployment rate (työttömyysaste) by area",
        "M",
        (("TYOTOSUUS", "TYOTOSUUS"),),
        area="required",
        note="Declared: background measure; content code TYOTOSUUS seen in public scripts "
        "using statfin_tyonv_pxt_12tf. Verify against live metadata before mapping.",
    ),
    TableSpec(
        "11ra",
        "vaerak",
        "Municipal key figures (kuntien avainluvut): population",
        "A",
        (("vaesto", "VAKILUKU"), ("vaesto_alle15_p", "VAESTO_ALLE15_OSUUS")),
        area="required",
        verified=False,
        note="Declared: the measures are in measures_background.csv, but the content codes "
        "'vaesto' and 'vaesto_alle15_p' come from a public script using "
        "statfin_vaerak_pxt_11ra.px and are not verified. Long-term, youth and "
        "foreign-language unemployed (measures_groups.csv) are not declared: their StatFin "
        "content codes in 12r5 could not be verified offline.",
    ),
)


def tables() -> dict[str, TableSpec]:
    """Every catalogue entry by short id."""
    return {t.id: t for t in TABLES}


def mapped_tables() -> list[TableSpec]:
    """Entries whose measures all exist in the measure catalogue (these are pulled)."""
    return [t for t in TABLES if t.status == "mapped"]


def declared_tables() -> list[TableSpec]:
    """Entries that are declared but not mapped (never pulled), with their missing measures."""
    return [t for t in TABLES if t.status == "declared"]


def normalise_table_id(text: str) -> str:
    """``statfin_tyonv_pxt_12r5.px`` / ``12r5.px`` / ``12R5`` -> ``12r5``."""
    t = text.strip().lower()
    t = t.removesuffix(".px")
    m = re.fullmatch(r"statfin_[a-z0-9]+_pxt_([0-9a-z]+)", t)
    return m.group(1) if m else t


def normalise_content_code(raw: str, known: set[str]) -> str | None:
    """Map a content code of either form to a known old-form code, or None.

    ``TYOTTOMATLOPUSSA`` -> itself; ``tyonv_TYOTTOMATLOPUSSA`` / ``tyonv-tyottomatlopussa`` ->
    ``TYOTTOMATLOPUSSA`` (the 2026 prefix). Matching is case-insensitive; a prefix is accepted
    only if it is letters/digits followed by ``_``, ``-`` or ``.``.
    """
    by_upper = {k.upper(): k for k in known}
    up = raw.upper()
    if up in by_upper:
        return by_upper[up]
    m = re.fullmatch(r"[A-Z0-9]+[-_.](.+)", up)
    if m and m.group(1) in by_upper:
        return by_upper[m.group(1)]
    return None
