"""The design battery (kuva.effects.battery) and the Effects chapter (kuva.report.effects_chapter)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import FrozenInstanceError
from pathlib import Path

import numpy as np
import pytest

from kuva.effects.battery import DESIGNS, TABLE_COLUMNS, Battery, evaluate_cli, run_designs
from kuva.errors import KuvaInputError, KuvaLookupError
from kuva.i18n import label
from kuva.report.chapters import ReportParams
from kuva.report.tables import count_columns
from kuva.simulate import simulate_into
from kuva.warehouse import Warehouse

SEED = 11
AREAS = ("helsinki", "kainuun_seutu", "porvoo", "salon_seutu")


@pytest.fixture(scope="module")
def sim_path(bundled_warehouse_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("effects_battery") / "kuva.duckdb"
    shutil.copy(bundled_warehouse_path, path)
    with Warehouse(path) as wh:
        simulate_into(wh, scale=0.0001, seed=SEED)
    return path


@pytest.fixture
def wh(sim_path: Path) -> Iterator[Warehouse]:
    with Warehouse(sim_path, read_only=True) as w:
        yield w


@pytest.fixture(scope="module")
def battery(sim_path: Path) -> Battery:
    with Warehouse(sim_path, read_only=True) as w:
        return run_designs(w, areas=AREAS, bootstrap_reps=199, sdid_reps=50, seed=1)


def test_table_has_every_design(battery: Battery) -> None:
    t = battery.tidy()
    assert tuple(t.columns) == TABLE_COLUMNS
    assert set(t["design"]) == {*DESIGNS, "did_placebo"}
    assert battery.synthetic
    interval = t[t["design"] != "synth"]
    assert (interval["ci_low"] < interval["estimate"]).all() and (interval["estimate"] < interval["ci_high"]).all()
    # one common start: CS and SA estimate the same thing
    assert battery.estimate("cs") == pytest.approx(battery.estimate("sa"), abs=1e-6)
    assert (t["n_treated"][t["design"] != "synth"] == len(AREAS)).all()
    assert len(battery.synth_by_area) == len(AREAS)
    assert battery.synth_by_area["p_value"].between(0, 1).all()
    assert set(battery.synth_by_area["confidence"]) <= {"confirmed", "likely", "guess"}


def test_immutable_and_summary(battery: Battery) -> None:
    with pytest.raises(FrozenInstanceError):
        battery.table = battery.table  # type: ignore[misc]
    text = str(battery.summary())
    assert "Pre-trend Wald" in text and "SYNTHETIC" in text
    assert "did_placebo" in text


def test_figures_and_write(battery: Battery, tmp_path: Path) -> None:
    fig = battery.spec_curve_figure("fi", reference=-1.0)
    assert len(fig.axes) == 1
    assert battery.event_study_figure("sv") is not None
    assert battery.synth_figure("en") is not None
    files = battery.write(tmp_path)
    names = {p.name for p in files}
    assert {"SYNTHETIC_specification_curve.csv", "SYNTHETIC_specification_curve.png",
            "SYNTHETIC_event_study.png", "SYNTHETIC_synth_by_area.csv", "SYNTHETIC_summary.txt"} <= names
    assert all(p.stat().st_size > 0 for p in files)


def test_design_subset_and_cli(wh: Warehouse, tmp_path: Path) -> None:
    b = run_designs(wh, designs=("cs",), areas=AREAS[:2], unit="municipality", placebo=False)
    assert list(b.table["design"]) == ["cs"]
    assert b.data.unit_level == "municipality"
    with pytest.raises(KuvaInputError, match="design must be one of"):
        run_designs(wh, designs=("magic",))  # type: ignore[arg-type]
    cli = evaluate_cli(wh, design="did,cs", areas=AREAS[:2], comparison="sub_region", out_dir=tmp_path)
    assert set(cli.table["design"]) == {"did", "did_placebo", "cs"}
    assert (tmp_path / "SYNTHETIC_specification_curve.csv").exists()
    with pytest.raises(KuvaInputError, match="design must be one of"):
        evaluate_cli(wh, design="nope")


def test_chapter(wh: Warehouse) -> None:
    from kuva.report.chapters import chapter_keys
    from kuva.report.effects_chapter import KEY, effects_chapter

    assert KEY in chapter_keys()
    ch = effects_chapter(wh, ReportParams(lang="fi"))
    assert ch is not None
    assert ch.title("fi") == "Vaikutukset" and ch.title("sv") == "Effekter" and ch.title("en") == "Effects"
    keys = [r.key for r in ch.results]
    assert keys == ["effects_specification_curve", "effects_event_study", "effects_synthetic", "effects_caveats"]
    for r in ch.results:
        assert r.synthetic
        # estimates and counts of areas only: no person counts declared, none recognised
        assert r.count_columns == () and count_columns(r.table) == []
        for lang in ("fi", "sv", "en"):
            assert r.title(lang) and "{" not in r.text(lang)
    caveats = ch.results[-1].text("en")
    assert "SYNTHETIC" in caveats and "planted" in caveats and "confidence level" in caveats
    assert np.isfinite(float(ch.results[0].numbers["planted"]))
    # the headline interval is the wild cluster bootstrap's, not CRV1's (few treated clusters)
    spec = ch.results[0]
    boot = spec.numbers
    did = spec.table[spec.table["design"] == "did"].iloc[0]
    assert boot["did_interval"] == "wild_cluster_bootstrap"
    assert (float(boot["did_ci_low"]), float(boot["did_ci_high"])) != (did["ci_low"], did["ci_high"])
    assert "wild cluster bootstrap" in spec.text("en") and "villillä bootstrapilla" in spec.text("fi")


def test_a_pilot_areas_synthetic_control(wh: Warehouse) -> None:
    """The area page's section: the effects chapter's synthetic control for one pilot area with
    its in-space placebos — the same estimate as the battery for that area alone, in three
    languages, area aggregates only; refused on a panel with too few months before the pilots."""
    from kuva.analysis.own_area import resolve_own_area
    from kuva.report.effects_chapter import pilot_area_synth

    own = resolve_own_area(wh, "kainuun_seutu")
    r = pilot_area_synth(wh, own)
    alone = run_designs(wh, designs=("synth",), areas=["kainuun_seutu"], synth_by_area=False, placebo=True,
                        start="2018-01").synth_pooled
    assert alone is not None and r.numbers["estimate"] == pytest.approx(alone.estimate, abs=1e-12)
    # synth alone builds only the pooled panel: the same fit as beside another design
    beside = run_designs(wh, designs=("did", "synth"), areas=["kainuun_seutu"], synth_by_area=False, placebo=True,
                         start="2018-01", bootstrap_reps=0)
    assert beside.synth_pooled is not None
    assert beside.synth_pooled.estimate == pytest.approx(alone.estimate, abs=1e-12)
    assert beside.synth_pooled.p_value == alone.p_value
    assert 0 < float(r.numbers["p_value"]) <= 1 and r.count_columns == () and r.synthetic
    for lang in ("fi", "sv", "en"):
        assert own.name(lang) in r.text(lang) and "{" not in r.text(lang)
    assert r.figure is not None
    r.figure("sv")


def test_chapter_without_municipal_services(bundled_wh: Warehouse) -> None:
    """The registry leaves the chapter out, with the reason, without running the designs."""
    from kuva.report.chapters import resolve_chapters

    (ch,) = resolve_chapters(bundled_wh, ReportParams(lang="en"), ["effects"])
    assert ch.results == () and ch.omitted[0][0] == "effects" and "municipal counts" in ch.omitted[0][1]


def test_effects_labels_come_from_the_one_translation_table() -> None:
    assert label("report.chapter.effects", "fi") == "Vaikutukset"
    assert label("report.chapter.effects", "sv") == "Effekter"
    with pytest.raises(KuvaLookupError, match=r"no\.such\.key"):
        label("no.such.key", "en")


def test_the_planted_truth_source_is_the_simulators() -> None:
    from kuva.effects.battery import SYNTHETIC_PANEL_SOURCE
    from kuva.simulate import SOURCE_IDS

    assert SOURCE_IDS["panel"] == SYNTHETIC_PANEL_SOURCE
