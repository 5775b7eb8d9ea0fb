"""The choropleth map (issue 14): TopoJSON decoding on a hand-made topology, quantile classes,
and the /map page on a real server — one shape per municipality, coloured values equal to the
warehouse's protected ones, hidden values drawn as such, a text alternative, errors."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import httpx

from kuva.web.maps import NO_DATA, PALETTE, classes, colour, decode_arcs, outlines, polygons


def test_decoding_a_hand_made_topology() -> None:
    """Two squares sharing an edge: arc 0 is the shared edge, drawn reversed (~0) by the second
    square; positions are quantised deltas under a transform."""
    topo = {
        "type": "Topology", "transform": {"scale": [0.5, 2.0], "translate": [20.0, 60.0]},
        "arcs": [[[2, 0], [0, 1]],  # (1,60) → (1,62)
                 [[2, 1], [-2, 0], [0, -1], [2, 0]],  # (1,62) → (0,62) → (0,60) → (1,60)
                 [[2, 0], [2, 0], [0, 1], [-2, 0]]],  # (1,60) → (2,60) → (2,62) → (1,62)
        "objects": {"munis": {"type": "GeometryCollection", "geometries": [
            {"type": "Polygon", "arcs": [[0, 1]], "properties": {"id": "001"}},
            {"type": "MultiPolygon", "arcs": [[[2, -1]]], "properties": {"id": "002"}}]}},
    }
    arcs = decode_arcs(topo)
    assert arcs[0] == [(21.0, 60.0), (21.0, 62.0)]
    assert arcs[1] == [(21.0, 62.0), (20.0, 62.0), (20.0, 60.0), (21.0, 60.0)]
    polys = polygons(topo, "munis")
    assert polys["001"] == [[[(21.0, 60.0), (21.0, 62.0), (20.0, 62.0), (20.0, 60.0), (21.0, 60.0)]]]
    # the second square walks the shared edge backwards: (21,62) → (21,60), closing the ring
    assert polys["002"] == [[[(21.0, 60.0), (22.0, 60.0), (22.0, 62.0), (21.0, 62.0), (21.0, 60.0)]]]


def test_quantile_classes_and_colours() -> None:
    values = [float(v) for v in range(1, 101)]
    bounds = classes(values)
    assert bounds == [20.0, 40.0, 60.0, 80.0, 100.0]
    assert [colour(v, bounds) for v in (1, 20, 21, 100)] == [PALETTE[0], PALETTE[0], PALETTE[1], PALETTE[4]]
    assert colour(None, bounds) == NO_DATA and colour(float("nan"), bounds) == NO_DATA
    assert classes([5.0, 5.0, 5.0]) == [5.0] and classes([]) == []
    o = outlines()
    assert len(o.paths) == 309 and "KU091" in o.paths and o.height > 0


def test_the_map_page_shows_the_protected_values(server: tuple[str, Path], portal_warehouse: Path) -> None:
    from kuva.registry import area_registry
    from kuva.warehouse import Warehouse
    from kuva.web.data import protected_observations

    base, _ = server
    month = date(2023, 6, 1)
    with Warehouse(portal_warehouse, read_only=True) as wh:
        munis = [m.code for m in area_registry().municipalities()]
        p, _ = protected_observations(wh, ["VALMENNUSLOP"], munis, month, month, name="test")
    want = {str(r.area_code): r.value for r in p.frame.itertuples()}
    shown = {c for c, v in want.items() if v is not None and v == v}
    assert 0 < len(shown) < len(munis)  # coaching counts: some small municipalities are hidden
    for lang in ("fi", "sv", "en"):
        r = httpx.get(f"{base}/map", params={"lang": lang, "measure": "VALMENNUSLOP", "month": "2023-06"})
        assert r.status_code == 200
        paths = re.findall(r'<path d="[^"]+" fill="([^"]+)" data-code="(KU\d+)"><title>([^<]+)</title>', r.text)
        assert len(paths) == 309
        coloured = {code for fill, code, _ in paths if fill != NO_DATA}
        assert coloured == shown
    titles = {code: title for _, code, title in paths}
    assert titles["KU091"] == f"Helsinki: {int(want['KU091'])}" or want["KU091"] != want["KU091"]
    hidden = sorted(set(munis) - shown)
    assert titles[hidden[0]].endswith("no data or hidden")
    assert "<caption>" in r.text and "<th scope=\"col\">" in r.text  # the table is the text alternative
    assert httpx.get(f"{base}/map").status_code == 200  # the default measure and month
    bad = httpx.get(f"{base}/map", params={"measure": "NOPE"})
    assert bad.status_code == 404 and "NOPE" in bad.text
    assert httpx.get(f"{base}/map", params={"measure": "VALMENNUSLOP", "month": "2023-13"}).status_code == 400


def test_a_measure_without_municipal_values_is_refused(server: tuple[str, Path]) -> None:
    base, _ = server
    r = httpx.get(f"{base}/map", params={"measure": "TVKALKOI"})  # published for the nation only
    assert r.status_code == 400 and "no municipal values" in r.text
