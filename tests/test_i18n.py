"""The one translation table: data files per domain, one accessor, one missing-key rule, one
language validator."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

import kuva.i18n
from kuva.errors import KuvaInputError, KuvaLookupError
from kuva.i18n import LANGS, catalogue, check_lang, data_files, fmt_month, fmt_number, has_label, label

DATA = Path(kuva.i18n.__file__).with_name("data")


def test_every_entry_of_every_file_has_the_three_languages() -> None:
    files = sorted(DATA.glob("*.json"))
    assert {"common", "analysis", "report", "effects", "wellbeing"} <= {f.stem for f in files}
    for f in files:
        for key, entry in json.loads(f.read_text(encoding="utf-8")).items():
            assert list(entry) == list(LANGS), (f.name, key)
            assert all(isinstance(v, str) and v.strip() for v in entry.values()), (f.name, key)


def test_no_key_is_in_two_files() -> None:
    counts = Counter(key for f in DATA.glob("*.json") for key in json.loads(f.read_text(encoding="utf-8")))
    assert [k for k, n in counts.items() if n > 1] == []
    assert len(catalogue()) == sum(counts.values())


def test_the_loader_refuses_a_key_in_two_files_and_a_missing_language(monkeypatch: pytest.MonkeyPatch) -> None:
    from kuva.errors import KuvaConfigError

    twice = {"a": {"x": {"fi": "1", "sv": "1", "en": "1"}}, "b": {"x": {"fi": "2", "sv": "2", "en": "2"}}}
    monkeypatch.setattr(kuva.i18n, "data_files", lambda: twice)
    kuva.i18n.catalogue.cache_clear()
    try:
        with pytest.raises(KuvaConfigError, match=r"'x' is in both a\.json and b\.json"):
            kuva.i18n.catalogue()
        monkeypatch.setattr(kuva.i18n, "data_files", lambda: {"a": {"y": {"fi": "1", "en": "1"}}})
        kuva.i18n.catalogue.cache_clear()
        with pytest.raises(KuvaConfigError, match=r"'y' in a\.json"):
            kuva.i18n.catalogue()
    finally:
        monkeypatch.undo()
        kuva.i18n.catalogue.cache_clear()
    assert has_label("pilot")


def test_the_table_is_read_only_and_loaded_once() -> None:
    assert catalogue() is catalogue()
    with pytest.raises(TypeError):
        catalogue()["pilot"] = {"fi": "x", "sv": "x", "en": "x"}  # type: ignore[index]
    with pytest.raises(TypeError):
        catalogue()["pilot"]["fi"] = "x"  # type: ignore[index]
    assert data_files()["common"]["pilot"]["sv"] == "Försökskommuner"


def test_label_and_the_one_missing_key_rule() -> None:
    assert label("pilot", "sv") == "Försökskommuner"
    assert label("report.chapter.effects", "fi") == "Vaikutukset"
    with pytest.raises(KuvaLookupError, match=r"unknown label key 'pilott'; closest: pilot"):
        label("pilott", "fi")


def test_label_fills_placeholders() -> None:
    templates = [k for k, v in catalogue().items() if "{min_cell}" in v["en"]]
    assert templates
    assert "7" in label(templates[0], "en", min_cell=7)


def test_check_lang_is_the_one_validator() -> None:
    assert [check_lang(x) for x in LANGS] == list(LANGS)
    with pytest.raises(KuvaInputError, match=r"language must be one of \['fi', 'sv', 'en'\], got 'de'"):
        check_lang("de")
    with pytest.raises(KuvaInputError, match=r"--lang must be one of"):
        check_lang("FI", name="--lang")
    with pytest.raises(KuvaInputError, match="got 'de'"):
        label("pilot", "de")


def test_numbers_and_months() -> None:
    assert fmt_number(12345.678, "fi") == "12\u00a0345,7"
    assert fmt_number(-1.25, "en", 2) == "-1.25"
    assert fmt_number(-1.25, "sv", 1) == "−1,2"
    assert fmt_number(float("nan"), "en") == "–"
    assert fmt_month(date(2020, 2, 1), "fi") == "helmikuu 2020"
    assert fmt_month(date(2020, 2, 1), "sv") == "februari 2020"


def test_no_module_keeps_its_own_accessor() -> None:
    """The former per-domain views (report, evaluate, wellbeing labels) are gone."""
    import importlib.util

    for name in ("kuva.report.labels", "kuva.evaluate.labels", "kuva.wellbeing.labels"):
        assert importlib.util.find_spec(name) is None, name
