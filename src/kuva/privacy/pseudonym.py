"""Keyed pseudonyms for person-level data and detection of Finnish personal identity codes.

A pseudonym is ``HMAC-SHA256(key, identifier)`` in hex (64 characters). The key comes from the
environment (``KUVA_PSEUDONYM_KEY``) and is never stored with the data, so the warehouse alone
cannot be linked back to persons. The same key gives the same pseudonym across sources, which
is what lets a person's milestones from several sectors be joined.

A personal identity code (henkilötunnus, HETU) must never be stored: :func:`find_identity_code`
finds one in any text so loaders can refuse the row.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import TYPE_CHECKING

from kuva.config import pseudonym_key

if TYPE_CHECKING:
    import pandas as pd

#: DDMMYY, century sign (+, -, A–F, U–Y), individual number, check character.
_HETU = re.compile(r"(?<![0-9A-Za-z])(\d{2})(\d{2})(\d{2})([-+A-FU-Y])(\d{3})([0-9A-Y])(?![0-9A-Za-z])")
_CHECK_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
PSEUDONYM_PATTERN = r"[0-9a-f]{64}"
_PSEUDONYM = re.compile(f"^{PSEUDONYM_PATTERN}$")


def hetu_check_char(birth: str, individual: str) -> str:
    """The check character of a HETU from DDMMYY and the three-digit individual number."""
    return _CHECK_CHARS[int(birth + individual) % 31]


#: A loose pattern for vectorised screening (pandas ``str.contains``); every hit is then checked
#: with :func:`find_identity_code`.
HETU_SCREEN = r"\d{6}[-+A-FU-Ya-fu-y]\d{3}[0-9A-Ya-y]"


def find_identity_code(text: str) -> str | None:
    """The first valid personal identity code (with a correct check character) in ``text``."""
    for m in _HETU.finditer(text.upper()):
        dd, mm, yy, _sign, nnn, check = m.groups()
        if not (1 <= int(dd) <= 31 and 1 <= int(mm) <= 12):
            continue
        if hetu_check_char(dd + mm + yy, nnn) == check:
            return m.group(0)
    return None


def first_identity_code(column: pd.Series) -> int | None:
    """Position of the first value holding a valid personal identity code, or None.

    Vectorised: a loose regular expression screens the column (for a categorical, only its
    categories), and only the hits are checked digit by digit.
    """
    import numpy as np
    import pandas as pd

    if isinstance(column.dtype, pd.CategoricalDtype):
        cats = pd.Series(column.cat.categories.astype(str))
        bad = {c for c in cats[cats.str.contains(HETU_SCREEN, regex=True)] if find_identity_code(c)}
        if not bad:
            return None
        hits = np.flatnonzero(column.astype(str).isin(bad).to_numpy())
        return int(hits[0])
    if not (column.dtype == object or pd.api.types.is_string_dtype(column)):
        return None
    text = column.astype("string")
    screened = np.flatnonzero(text.str.contains(HETU_SCREEN, regex=True).fillna(False).to_numpy(dtype=bool))
    for i in screened:
        if find_identity_code(str(text.iloc[int(i)])):
            return int(i)
    return None


def pseudonymise(identifier: str, key: bytes | None = None) -> str:
    """The keyed pseudonym of an identifier (64 hex characters)."""
    k = pseudonym_key() if key is None else key
    return hmac.new(k, identifier.strip().upper().encode("utf-8"), hashlib.sha256).hexdigest()


def is_pseudonym(value: str) -> bool:
    """True for a string in pseudonym form (64 lowercase hex characters)."""
    return bool(_PSEUDONYM.match(value))
