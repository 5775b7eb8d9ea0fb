"""Service types and the measure catalogue."""

from __future__ import annotations

import pytest

from kuva.errors import KuvaLookupError
from kuva.registry import activating_service_types, measure, measures, service_type, service_types


def test_seven_activating_services_match_the_12u4_components() -> None:
    codes = {s.measure for s in activating_service_types()}
    assert codes == {"TYOLLISTETTYLOP", "TVKOULUTUSLOP", "VALMENNUSLOP", "KOKEILULOP", "KUNTTYOLOP",
                     "OMAEHTLOP", "VUORVAPLOP"}
    assert not service_type("other_services").activating
    assert len(service_types()) == 8


def test_service_lookup_by_any_name() -> None:
    assert service_type("Kuntouttava työtoiminta").code == "rehabilitative_work"
    assert service_type("arbetskraftsutbildning").measure == "TVKOULUTUSLOP"
    with pytest.raises(KuvaLookupError, match="closest"):
        service_type("kuntoutus")


def test_every_measure_is_named_in_three_languages_with_unit_and_definition() -> None:
    for m in measures().values():
        assert m.name_fi and m.name_sv and m.name_en and m.unit and m.definition, m.code
        assert m.frequency in ("M", "A")
    assert measure("aktaste").unit == "percent"
    assert measure("TYOVOIMATK").frequency == "A"
    with pytest.raises(KuvaLookupError, match="closest: AKTASTE"):
        measure("AKTASTEE")


def test_service_measures_are_in_the_catalogue() -> None:
    cat = measures()
    assert all(s.measure in cat for s in service_types())
