"""Keyed pseudonyms and the detection of personal identity codes."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kuva.errors import KuvaConfigError
from kuva.privacy.pseudonym import find_identity_code, hetu_check_char, is_pseudonym, pseudonymise

KEY = b"test-key-0123456789abcdef"


@st.composite
def hetus(draw: st.DrawFn) -> str:
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)))
    sign = "+" if born.year < 1900 else ("-" if born.year < 2000 else "A")
    nnn = f"{draw(st.integers(2, 899)):03d}"
    ddmmyy = born.strftime("%d%m%y")
    return f"{ddmmyy}{sign}{nnn}{hetu_check_char(ddmmyy, nnn)}"


def test_known_example_check_character() -> None:
    assert hetu_check_char("131052", "308") == "T"  # the example of the Digital and Population Data Services Agency


@given(hetus(), st.text(max_size=20), st.text(max_size=20))
def test_every_valid_identity_code_is_found_in_text(code: str, before: str, after: str) -> None:
    text = f"{before} {code} {after}"
    assert find_identity_code(text) is not None


@given(hetus())
def test_a_wrong_check_character_is_not_an_identity_code(code: str) -> None:
    wrong = "0" if code[-1] != "0" else "1"
    assert find_identity_code(code[:-1] + wrong) is None


def test_dates_and_numbers_are_not_identity_codes() -> None:
    for text in ("2020-01-01", "311299-", "population 5533793", "KU091", "131052 308T"):
        assert find_identity_code(text) is None


@given(st.text(min_size=1, max_size=30))
def test_pseudonyms_are_deterministic_keyed_and_well_formed(ident: str) -> None:
    p = pseudonymise(ident, KEY)
    assert is_pseudonym(p)
    assert p == pseudonymise(ident, KEY)
    assert p != pseudonymise(ident, KEY + b"x")


def test_the_key_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KUVA_PSEUDONYM_KEY", raising=False)
    with pytest.raises(KuvaConfigError, match="KUVA_PSEUDONYM_KEY"):
        pseudonymise("131052-308T")
    monkeypatch.setenv("KUVA_PSEUDONYM_KEY", "short")
    with pytest.raises(KuvaConfigError, match="at least 16"):
        pseudonymise("131052-308T")
    monkeypatch.setenv("KUVA_PSEUDONYM_KEY", KEY.decode())
    assert pseudonymise("131052-308T") == pseudonymise("131052-308t", KEY)
