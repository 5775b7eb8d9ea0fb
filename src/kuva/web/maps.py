"""The municipal choropleth: municipality boundaries of 2021 (TopoJSON, bundled from
``../shared/data/geo``; see ``kuva/web/static/geo/README.md``) decoded and projected in plain
Python, drawn as inline SVG on the server (no JavaScript, nothing fetched from outside), with
quantile classes in a colour-blind-safe sequential palette and a "no data or protected" class.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path

from kuva.errors import KuvaInputError

TOPOJSON = Path(__file__).parent / "static" / "geo" / "municipalities_2021.topo.json"
#: sequential blues (ColorBrewer, colour-blind safe), light to dark
PALETTE = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
NO_DATA = "#d9d9d9"
WIDTH = 420.0  #: SVG user units across


def decode_arcs(topology: Mapping[str, object]) -> list[list[tuple[float, float]]]:
    """The arcs of a quantised TopoJSON topology in longitude/latitude: each arc's positions are
    deltas from the previous one, scaled and translated by the topology's transform."""
    transform = topology.get("transform")
    arcs: list[list[list[float]]] = topology["arcs"]  # type: ignore[assignment]
    if not isinstance(transform, dict):
        return [[(float(p[0]), float(p[1])) for p in arc] for arc in arcs]
    (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
    out = []
    for arc in arcs:
        x = y = 0.0
        pts = []
        for dx, dy, *_ in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        out.append(pts)
    return out


def ring(arcs: list[list[tuple[float, float]]], indices: Sequence[int]) -> list[tuple[float, float]]:
    """A closed ring from arc indices (a negative index ``~i`` is arc ``i`` reversed); the first
    point of each following arc repeats the last of the previous one and is dropped."""
    pts: list[tuple[float, float]] = []
    for i in indices:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        pts.extend(arc if not pts else arc[1:])
    return pts


def polygons(topology: Mapping[str, object], obj: str) -> dict[str, list[list[list[tuple[float, float]]]]]:
    """``id`` → its polygons (each a list of rings) of the object ``obj``."""
    arcs = decode_arcs(topology)
    out: dict[str, list[list[list[tuple[float, float]]]]] = {}
    for g in topology["objects"][obj]["geometries"]:  # type: ignore[index]
        parts = [g["arcs"]] if g["type"] == "Polygon" else g["arcs"]
        out[str(g["properties"]["id"])] = [[ring(arcs, r) for r in poly] for poly in parts]
    return out


@dataclass(frozen=True)
class Outline:
    """Projected municipality outlines: SVG path data by municipality code, and the height."""

    paths: dict[str, str]
    names: dict[str, tuple[str, str]]  #: code → (Finnish, Swedish) name from the boundary file
    height: float


@cache
def outlines() -> Outline:
    """The municipalities of 2021 as SVG paths (``KU`` + the three-digit code), projected with
    longitude scaled by the cosine of the map's middle latitude (near-true shapes for Finland)."""
    topo = json.loads(TOPOJSON.read_text(encoding="utf-8"))
    polys = polygons(topo, "munis")
    pts = [p for parts in polys.values() for poly in parts for r in poly for p in r]
    lon0, lon1 = min(p[0] for p in pts), max(p[0] for p in pts)
    lat0, lat1 = min(p[1] for p in pts), max(p[1] for p in pts)
    k = math.cos(math.radians((lat0 + lat1) / 2))
    scale = WIDTH / ((lon1 - lon0) * k)

    def xy(p: tuple[float, float]) -> str:
        return f"{(p[0] - lon0) * k * scale:.1f},{(lat1 - p[1]) * scale:.1f}"

    paths = {f"KU{code}": " ".join("M" + "L".join(xy(p) for p in r) + "Z" for poly in parts for r in poly)
             for code, parts in polys.items()}
    names = {f"KU{g['properties']['id']}": (g["properties"]["name_fi"], g["properties"]["name_sv"])
             for g in topo["objects"]["munis"]["geometries"]}
    return Outline(paths, names, (lat1 - lat0) * scale)


def classes(values: Sequence[float], n: int = len(PALETTE)) -> list[float]:
    """Upper bounds of ``n`` quantile classes of ``values`` (fewer when values repeat)."""
    if not values:
        return []
    v = sorted(values)
    bounds = [v[min(len(v) - 1, math.ceil(len(v) * (i + 1) / n) - 1)] for i in range(n)]
    return sorted(set(bounds))


def colour(value: float | None, bounds: Sequence[float]) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NO_DATA
    for i, b in enumerate(bounds):
        if value <= b:
            return PALETTE[i + len(PALETTE) - len(bounds)]
    return PALETTE[-1]


def choropleth_svg(values: Mapping[str, float | None], names: Mapping[str, str], fmt: object,
                   title: str, no_data: str) -> tuple[str, list[tuple[str, str]]]:
    """The map as an SVG element and its legend rows (colour, text). ``values`` by municipality
    code (None: no data or protected); ``fmt`` formats a value for the reader."""
    if not callable(fmt):
        raise KuvaInputError("fmt must format a value")
    o = outlines()
    shown = [float(v) for v in values.values() if v is not None and not math.isnan(float(v))]
    bounds = classes(shown)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH:.0f} {o.height:.0f}" class="map" '
             f'role="img" aria-labelledby="map-title"><title id="map-title">{escape(title)}</title>']
    for code, d in sorted(o.paths.items()):
        v = values.get(code)
        text = fmt(v) if v is not None and not math.isnan(float(v)) else no_data
        name = names.get(code, o.names.get(code, (code, code))[0])
        parts.append(f'<path d="{d}" fill="{colour(v, bounds)}" data-code="{code}">'
                     f'<title>{escape(name)}: {escape(str(text))}</title></path>')
    parts.append("</svg>")
    legend = []
    lower = min(shown) if shown else None
    for i, b in enumerate(bounds):
        lo = lower if i == 0 else bounds[i - 1]
        legend.append((PALETTE[i + len(PALETTE) - len(bounds)], f"{fmt(lo)} – {fmt(b)}"))
    legend.append((NO_DATA, no_data))
    return "".join(parts), legend


__all__ = ["NO_DATA", "PALETTE", "Outline", "choropleth_svg", "classes", "colour", "decode_arcs", "outlines",
           "polygons", "ring"]
