"""Your own area against the nation and its peers: the first chapter of ``kuva report --area``.

An area is any municipality, sub-region, region, the whole country, a pilot area (the configured
pilot list), a 2025 employment area or a custom area loaded with ``kuva load file areas``. Its
**peers** are, by default:

* a municipality: the other mainland municipalities of the same urban–rural type and size class
  (population 2020: under 5 000, 5 000–19 999, 20 000–49 999, 50 000–99 999, 100 000 or more);
* a sub-region or region: the other areas of the same level whose population is within half to
  twice its own;
* a pilot area: the other pilot areas;
* a 2025 employment area: the other employment areas whose population is within half to twice
  its own;
* a custom area or the whole country: the other mainland municipalities;

or a named list (``--peers``). An area the rule leaves without peers (Helsinki, Uusimaa) is compared
with the rest of the mainland. Counts are summed over members and peers and rates computed from
the sums (never averaged); every table passes the disclosure engine.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

import pandas as pd

from kuva.analysis.inputs import NATION, group_monthly, national_monthly, params, protect, resolve_min_cell
from kuva.analysis.result import AnalysisResult
from kuva.analysis.style import colour, finish, new_figure, styled, year_axis
from kuva.errors import KuvaInputError, KuvaLookupError
from kuva.i18n import check_lang, fmt_month, fmt_number, label
from kuva.privacy.spec import Count, Ratio, TableSpec
from kuva.registry import area_registry
from kuva.registry.areas import Area, Municipality
from kuva.registry.names import closest, normalise
from kuva.registry.pilots import DEFAULT_PROGRAMME, EMPLOYMENT_AREAS, slug
from kuva.warehouse import custom_areas, stored_memberships
from kuva.warehouse.connection import Warehouse

if TYPE_CHECKING:
    from matplotlib.figure import Figure

KEY = "own_area_paths"
PEERS = "peers"
SIZE_CLASSES: tuple[int, ...] = (5_000, 20_000, 50_000, 100_000)
#: ``--area`` qualifiers: ``pilot:helsinki`` is the pilot area even where a registry area has the name
QUALIFIERS: dict[str, str] = {"pilot": "pilot_area", "employment": "employment_area", "custom": "custom"}


@dataclass(frozen=True)
class OwnArea:
    """The area a report is made for, its member municipalities and its peers."""

    code: str  #: registry code (``KU205``, ``SK181``), pilot-area code or custom code
    kind: str  #: municipality, sub_region, region, ely, country, pilot_area or custom
    names: tuple[str, str, str]  #: fi, sv, en
    members: tuple[str, ...]  #: municipality codes
    peers: tuple[str, ...]  #: municipality codes of the peer group
    peer_areas: tuple[str, ...]  #: the peer areas (codes or names), for the list in the report
    peer_rule: str  #: label key saying how the peers were chosen

    def name(self, lang: str) -> str:
        return self.names[("fi", "sv", "en").index(check_lang(lang))]

    @property
    def ref(self) -> str:
        """The name that resolves to this area again: the registry code, or the code qualified
        by its kind (``pilot:helsinki`` — the pilot area, not the municipality)."""
        prefix = {q: k for k, q in QUALIFIERS.items()}.get(self.kind)
        return f"{prefix}:{self.code}" if prefix else self.code


def size_class(population: int) -> int:
    """0 … 4: the population class of :data:`SIZE_CLASSES`."""
    return sum(population >= limit for limit in SIZE_CLASSES)


def resolve_own_area(wh: Warehouse, text: str, peers: Sequence[str] | None = None) -> OwnArea:
    """The area named ``text`` with its default peers, or the union of the areas named in
    ``peers``. A registry area (code or name) comes first — ``Helsinki`` is the municipality, not
    the pilot area of the same name — then a custom area, then a pilot or employment area (by
    name or slug, e.g. ``kainuun_seutu``). A qualified name (``pilot:helsinki``,
    ``employment:helsinki``, ``custom:CODE``; :data:`QUALIFIERS`) looks only among areas of that
    kind; :attr:`OwnArea.ref` is the qualified name that finds an area again."""
    reg = area_registry()
    mainland = list(reg.municipalities(mainland_only=True))
    area = _area(wh, text, mainland)
    if peers:
        named: list[str] = []
        for p in peers:
            other = _area(wh, p, mainland)
            named.extend(other.members)
        return _with_peers(area, tuple(dict.fromkeys(c for c in named if c not in area.members)), tuple(peers),
                           "peers.rule.named")
    if area.peers:
        return area
    rest = tuple(m.code for m in mainland if m.code not in area.members)
    return _with_peers(area, rest, (), "peers.rule.rest")


def _area(wh: Warehouse, text: str, mainland: list[Municipality]) -> OwnArea:
    """The area ``text`` names (qualified or not), without peers from ``--peers``."""
    kind, sep, name = text.partition(":")
    if sep and kind.strip().lower() in QUALIFIERS:
        q = QUALIFIERS[kind.strip().lower()]
        found = _custom(wh, name.strip()) if q == "custom" else _pilot(wh, name.strip(), only=q)
        if found is None:
            hint = ", ".join(closest(name, area_names(wh))) or "(none)"
            raise KuvaLookupError(f"--area: no {q.replace('_', ' ')} {name.strip()!r}; closest: {hint}")
        return found
    reg = area_registry()
    try:
        a = reg.area(text)
    except KuvaLookupError as exc:
        area = _custom(wh, text) or _pilot(wh, text)
        if area is None:
            hint = ", ".join(closest(text, area_names(wh))) or "(none)"
            raise KuvaLookupError(f"--area: {exc}; pilot, employment and custom areas closest: {hint}") from exc
        return area
    return _registry_area(a, mainland)


def _registry_area(a: Area, mainland: list[Municipality]) -> OwnArea:
    """A registry area with its members and default peers (none where the rule finds none)."""
    reg = area_registry()
    if a.level == "country":
        raise KuvaInputError("--area: the whole country is what every area is compared with; name an area")
    members = tuple(m.code for m in reg.members(a.code)) if a.level != "ely" else ()
    if not members:
        raise KuvaInputError(f"--area: the member municipalities of {a.name_fi} ({a.code}) are not bundled")
    area = OwnArea(a.code, a.level, (a.name_fi, a.name_sv, a.name_en), members, (), (), "")
    if a.level == "municipality":
        me = reg.municipality(a.code)
        peer = tuple(m.code for m in mainland if m.code != me.code and m.area_type == me.area_type
                     and size_class(m.population) == size_class(me.population))
        if peer:  # none for a one-of-a-kind municipality (Helsinki): the rest of the mainland
            area = _with_peers(area, peer, peer, "peers.rule.municipality")
    elif a.level in ("sub_region", "region"):
        own_pop = sum(reg.municipality(c).population for c in members)
        chosen = [o for o in reg.areas(a.level) if o.code != a.code
                  and 0.5 * own_pop <= sum(m.population for m in reg.members(o.code)) <= 2 * own_pop]
        if chosen:  # none for the largest (Uusimaa): the rest of the mainland
            area = _with_peers(area, tuple(m.code for o in chosen for m in reg.members(o.code)),
                               tuple(o.code for o in chosen), "peers.rule.same_level")
    return area


def _with_peers(area: OwnArea, peers: tuple[str, ...], peer_areas: tuple[str, ...], rule: str) -> OwnArea:
    if not peers:
        raise KuvaInputError(f"--area {area.names[0]}: no peers ({label(rule, 'en')}); name them with --peers")
    return OwnArea(area.code, area.kind, area.names, area.members, peers, peer_areas, rule)


def _custom(wh: Warehouse, text: str) -> OwnArea | None:
    ca = custom_areas(wh)
    hit = ca[(ca["area_code"] == text) | (ca["area_name"].map(normalise) == normalise(text))]
    if hit.empty:
        return None
    name = str(hit["area_name"].iloc[0])
    return OwnArea(str(hit["area_code"].iloc[0]), "custom", (name, name, name),
                   tuple(hit["municipality_code"]), (), (), "")


def _pilot(wh: Warehouse, text: str, only: str | None = None) -> OwnArea | None:
    """A pilot area (peers: the other pilot areas) or a 2025 employment area (peers: the other
    employment areas with half to twice its population); ``only`` one of the two kinds."""
    reg = area_registry()
    for kind, programme in (("pilot_area", DEFAULT_PROGRAMME), ("employment_area", EMPLOYMENT_AREAS)):
        if only is not None and kind != only:
            continue
        sm = stored_memberships(wh, programme)
        hit = sm[(sm["area_code"] == slug(text)) | (sm["area_name"].map(normalise) == normalise(text))]
        if hit.empty:
            continue
        code, name = str(hit["area_code"].iloc[0]), str(hit["area_name"].iloc[0])
        area = OwnArea(code, kind, (name, name, name), tuple(dict.fromkeys(hit["municipality_code"])), (), (), "")
        others = sm[sm["area_code"] != code]
        if kind == "employment_area":
            pop = sm.assign(pop=[reg.municipality(c).population for c in sm["municipality_code"]])
            sizes = pop.groupby("area_code")["pop"].sum()
            own = sizes[code]
            near = [c for c, n in sizes.items() if c != code and 0.5 * own <= n <= 2 * own]
            if not near:  # the largest areas (Helsinki): the rest of the mainland
                return area
            others = others[others["area_code"].isin(near)]
        rule = "peers.rule.pilot_area" if kind == "pilot_area" else "peers.rule.same_level"
        return _with_peers(area, tuple(dict.fromkeys(others["municipality_code"])),
                           tuple(dict.fromkeys(others["area_code"])), rule)
    return None


def area_names(wh: Warehouse) -> list[str]:
    """Every name ``--area`` accepts besides the registry's (for messages)."""
    return [*custom_areas(wh)["area_name"].unique(), *stored_memberships(wh)["area_name"].unique(),
            *stored_memberships(wh, EMPLOYMENT_AREAS)["area_name"].unique()]


def own_area_paths(
    wh: Warehouse,
    area: OwnArea,
    *,
    start: date | None = None,
    end: date | None = None,
    min_cell: int | None = None,
    as_of: datetime | date | None = None,
) -> AnalysisResult:
    """Unemployed jobseekers and the activation rate of the area, its peers and the nation by month
    (the last 25 months with data unless ``start``/``end``); ``numbers`` hold the latest month's
    values and the change of the unemployed from a year earlier."""
    cell = resolve_min_cell(min_cell)
    g = group_monthly(wh, start, end, mapping=_own_mapping(area), as_of=as_of)
    n = national_monthly(wh, start, end, as_of=as_of)
    cols = ["group", "period", "unemployed", "in_services", "activation_rate"]
    frame = pd.concat([g.frame[cols], n.frame.assign(group=NATION)[cols]], ignore_index=True)
    own = frame[(frame["group"] == area.code) & frame["unemployed"].notna()]
    if own.empty:
        raise KuvaInputError(f"no unemployed jobseekers for {area.names[0]} in the chosen months")
    last = end or max(own["period"])
    first = start or (pd.Timestamp(last) - pd.DateOffset(months=24)).date()
    frame = frame[(frame["period"] >= first) & (frame["period"] <= last)]
    order = {area.code: 0, PEERS: 1, NATION: 2}
    table = frame.sort_values(["group", "period"], key=lambda s: s.map(order) if s.name == "group" else s)
    spec = TableSpec(counts=(Count("unemployed", ("group", "period")), Count("in_services", ("group", "period"))),
                     derived=(Ratio("activation_rate", "in_services", ("unemployed", "in_services")),))
    protected = protect(table.reset_index(drop=True), spec, KEY, cell)
    table = protected.frame
    synthetic = g.provenance.synthetic or n.provenance.synthetic
    numbers = _numbers(table, area.code, last)

    def figure(lang: str) -> Figure:
        with styled():
            fig, axes = new_figure(1, 2)
            ax_u, ax_a = axes[0]
            for i, grp in enumerate((area.code, PEERS, NATION)):
                sub = table[table["group"] == grp]
                x = pd.to_datetime(sub["period"])
                base = sub["unemployed"].dropna()
                name = _group_name(area, grp, lang)
                if len(base) and base.iloc[0] > 0:
                    ax_u.plot(x, 100 * sub["unemployed"] / base.iloc[0], color=colour(grp, i), label=name)
                ax_a.plot(x, sub["activation_rate"], color=colour(grp, i), label=name)
            ax_u.set_title(label("own_area.index_title", lang))
            ax_a.set_title(label("activation_rate", lang))
            for ax in (ax_u, ax_a):
                year_axis(ax)
            ax_a.legend(loc="best", fontsize=7)
            return finish(fig, label(f"title.{KEY}", lang), lang, synthetic=synthetic,
                          source=", ".join(sorted(set(g.provenance.sources) | set(n.provenance.sources))))

    def text(lang: str) -> str:
        return _text(area, numbers, synthetic, lang)

    return AnalysisResult(
        key=KEY, title=lambda lang: f"{label(f'title.{KEY}', lang)}: {area.name(lang)}", table=table,
        figure=figure, text=text, numbers=numbers,
        sources=tuple(sorted(set(g.provenance.sources) | set(n.provenance.sources))), synthetic=synthetic,
        count_columns=("unemployed", "in_services"), disclosure=protected,
        parameters=params(area=area.code, members=len(area.members), peers=len(area.peers), start=first, end=last,
                          peer_rule=area.peer_rule, min_cell=cell, as_of=as_of),
    )


MIX_KEY = "own_area_service_mix"


def own_area_service_mix(
    wh: Warehouse,
    area: OwnArea,
    *,
    end: date | None = None,
    min_cell: int | None = None,
    as_of: datetime | date | None = None,
) -> AnalysisResult:
    """The service mix of the area, its peers and the nation in one month (``end``, or the
    latest with the area's service counts): persons in each activating service and their share of
    everyone in services. ``numbers``: the month, the area's largest service and the service whose
    share differs most from the nation's (``diff_service``, ``diff_pp``)."""
    from kuva.indicators import codes
    from kuva.privacy.spec import SumOver
    from kuva.registry.services import service_type

    cell = resolve_min_cell(min_cell)
    first = (pd.Timestamp(end) - pd.DateOffset(months=1)).date() if end else None
    g = group_monthly(wh, first, end, mapping=_own_mapping(area), as_of=as_of)
    n = national_monthly(wh, first, end, as_of=as_of)
    frame = pd.concat([g.frame, n.frame.assign(group=NATION)], ignore_index=True)
    own = frame[(frame["group"] == area.code) & (frame["in_services"] > 0)]
    if own.empty:
        raise KuvaInputError(f"no counts of persons in services for {area.names[0]}; they are public in StatFin "
                             "table 12u4 (`kuva load statfin -t 12u4`)")
    month = end or max(own["period"])
    now = frame[frame["period"] == month]
    rows = [(grp, month, service_type(s).code, r[s], r["in_services"])
            for grp in (area.code, PEERS, NATION) for _, r in now[now["group"] == grp].iterrows()
            for s in codes.SERVICES]
    table = pd.DataFrame(rows, columns=["group", "period", "service", "persons", "in_services"])
    table["share"] = 100.0 * table["persons"] / table["in_services"]
    spec = TableSpec(counts=(Count("persons", ("group", "period", "service"), quantity="in_service"),
                             Count("in_services", ("group", "period"))),
                     relations=(SumOver("in_services", "persons", "service"),),
                     derived=(Ratio("share", "persons", ("in_services",)),))
    protected = protect(table, spec, MIX_KEY, cell)
    table = protected.frame
    synthetic = g.provenance.synthetic or n.provenance.synthetic
    sources = tuple(sorted(set(g.provenance.sources) | set(n.provenance.sources)))
    shares = table.pivot_table(index="service", columns="group", values="share", aggfunc="first")
    numbers: dict[str, float | str] = {"month": month.isoformat()}
    if area.code in shares and shares[area.code].notna().any():
        mine = shares[area.code].dropna()
        numbers |= {"top_service": str(mine.idxmax()), "top_share": float(mine.max())}
        if NATION in shares:
            diff = (mine - shares[NATION]).dropna()
            if len(diff):
                k = int(diff.abs().to_numpy().argmax())
                numbers |= {"diff_service": str(diff.index[k]), "diff_pp": float(diff.iloc[k])}

    def figure(lang: str) -> Figure:
        import numpy as np

        with styled():
            fig, axes = new_figure(1, 1, width=8.0, height=4.2)
            ax = axes[0][0]
            services = [service_type(s).code for s in codes.SERVICES]
            y = np.arange(len(services))
            for i, grp in enumerate((area.code, PEERS, NATION)):
                vals = [shares.get(grp, pd.Series(dtype=float)).get(c, np.nan) for c in services]
                ax.barh(y + (i - 1) * 0.27, vals, height=0.27, color=colour(grp, i), label=_group_name(area, grp, lang))
            ax.set_yticks(y, [service_type(c).name(lang) for c in services], fontsize=7)
            ax.invert_yaxis()
            ax.set_xlabel(label("share_of_services", lang))
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=3, fontsize=7)
            return finish(fig, f"{label(f'title.{MIX_KEY}', lang)} {fmt_month(month, lang)}", lang,
                          synthetic=synthetic, source=", ".join(sources))

    def text(lang: str) -> str:
        if "top_service" not in numbers:
            return label("text.no_data", lang)
        body = label("own_area.mix.text", lang, area=area.name(lang), month=fmt_month(month, lang),
                     service=service_type(str(numbers["top_service"])).name(lang),
                     share=fmt_number(float(numbers["top_share"]), lang, 1))
        if "diff_service" in numbers:
            body += " " + label("own_area.mix.diff", lang,
                                service=service_type(str(numbers["diff_service"])).name(lang),
                                pp=fmt_number(float(numbers["diff_pp"]), lang, 1, signed=True))
        return f"{body} {label('synthetic_note', lang)}" if synthetic else body

    return AnalysisResult(
        key=MIX_KEY, title=lambda lang: f"{label(f'title.{MIX_KEY}', lang)}: {area.name(lang)}", table=table,
        figure=figure, text=text, numbers=numbers, sources=sources, synthetic=synthetic,
        count_columns=("persons", "in_services"), disclosure=protected,
        parameters=params(area=area.code, members=len(area.members), peers=len(area.peers), month=month,
                          peer_rule=area.peer_rule, min_cell=cell, as_of=as_of),
    )


def _own_mapping(area: OwnArea) -> pd.DataFrame:
    """Members and peers as the groups of :func:`group_monthly` (the area's code and ``peers``)."""
    return pd.DataFrame({"municipality_code": [*area.members, *area.peers],
                         "group_code": [area.code] * len(area.members) + [PEERS] * len(area.peers)})


def _group_name(area: OwnArea, group: str, lang: str) -> str:
    return area.name(lang) if group == area.code else label(group, lang)


def _numbers(table: pd.DataFrame, own: str, last: date) -> dict[str, float | str]:
    year_before = (pd.Timestamp(last) - pd.DateOffset(months=12)).date()
    out: dict[str, float | str] = {"month": last.isoformat()}
    for key, grp in (("own", own), ("peers", PEERS), ("nation", NATION)):
        sub = table[table["group"] == grp].set_index("period")
        now = sub["unemployed"].get(last, math.nan)
        before = sub["unemployed"].get(year_before, math.nan)
        out[f"unemployed_{key}"] = float(now)
        out[f"change_{key}"] = float(now / before * 100 - 100) if before and not math.isnan(before) else math.nan
        out[f"rate_{key}"] = float(sub["activation_rate"].get(last, math.nan))
    return out


def _text(area: OwnArea, numbers: dict[str, float | str], synthetic: bool, lang: str) -> str:
    """The paragraph: every number printed has its inputs; a missing one changes the sentence."""
    month = fmt_month(date.fromisoformat(str(numbers["month"])), lang)
    parts: list[str] = []
    unemployed = float(numbers["unemployed_own"])
    if not math.isnan(unemployed):
        parts.append(label("own_area.text.unemployed", lang, area=area.name(lang), month=month,
                           n=fmt_number(unemployed, lang, 0)))
    changes = [float(numbers[f"change_{k}"]) for k in ("own", "peers", "nation")]
    if not any(math.isnan(c) for c in changes):
        parts.append(label("own_area.text.change", lang, own=fmt_number(changes[0], lang, 1, signed=True),
                           peers=fmt_number(changes[1], lang, 1, signed=True),
                           nation=fmt_number(changes[2], lang, 1, signed=True)))
    rates = [float(numbers[f"rate_{k}"]) for k in ("own", "peers", "nation")]
    if not any(math.isnan(r) for r in rates):
        parts.append(label("own_area.text.rate", lang, own=fmt_number(rates[0], lang, 1),
                           peers=fmt_number(rates[1], lang, 1), nation=fmt_number(rates[2], lang, 1)))
    else:
        parts.append(label("own_area.text.no_rate", lang))
    body = " ".join(parts)
    return f"{body} {label('synthetic_note', lang)}" if synthetic else body


def peer_names(wh: Warehouse, area: OwnArea, lang: str) -> list[str]:
    """The peers' names in ``lang``: registry areas by their names, pilot and employment areas by
    the names of the stored membership lists."""
    reg = area_registry()
    stored = {**dict(zip(*_names_of(stored_memberships(wh)), strict=True)),
              **dict(zip(*_names_of(stored_memberships(wh, EMPLOYMENT_AREAS)), strict=True))}
    return [reg.area(c).name(lang) if reg.is_known(c) else stored.get(c, c) for c in area.peer_areas or area.peers]


def _names_of(frame: pd.DataFrame) -> tuple[list[str], list[str]]:
    f = frame.drop_duplicates("area_code")
    return list(f["area_code"]), list(f["area_name"])


def peer_list(area: OwnArea) -> AnalysisResult:
    """The peers as a table (names through the report's code names), and how they were chosen."""
    table = pd.DataFrame({"area": list(area.peer_areas or area.peers)})

    def text(lang: str) -> str:
        return label("own_area.peers.text", lang, rule=label(area.peer_rule, lang), n=str(len(table)))

    return AnalysisResult(key="own_area_peers", title=lambda lang: label("title.own_area_peers", lang),
                          table=table, figure=None, text=text, parameters={"peer_rule": area.peer_rule})


__all__ = [
    "KEY",
    "MIX_KEY",
    "QUALIFIERS",
    "OwnArea",
    "area_names",
    "own_area_paths",
    "own_area_service_mix",
    "peer_list",
    "peer_names",
    "resolve_own_area",
    "size_class",
]
