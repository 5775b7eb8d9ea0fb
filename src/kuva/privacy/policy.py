"""The disclosure policy: minimum cell, zeros, rounding — one object, read once from the settings.

Words as a data-protection officer uses them (docs/privacy.md):

- *primary suppression*: a confidential person count in ``[1, min_cell)`` is hidden;
- *secondary (complementary) suppression*: further cells are hidden so that no hidden cell can
  be recovered from the published totals and margins;
- *protection interval*: what an attacker who knows every published value and every additive
  relation must still be unable to rule out for a hidden cell — its value may be as small as 1
  (or 0) **and** as large as ``min_cell``;
- *zero policy*: ``shown`` publishes zeros (then the attacker knows a hidden cell is at least 1,
  and the engine protects against exactly that knowledge); ``protected`` hides zeros like small
  counts (the attacker's lower bound is 0);
- *controlled rounding*: optionally every published confidential count is rounded to a multiple
  of 5 or 10 such that the published totals still add up.

``min_cell`` below :data:`SAFE_MIN_CELL` is refused unless the override is given explicitly;
the override is logged and written into every disclosure note.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from kuva.errors import KuvaConfigError

ZeroPolicy = Literal["shown", "protected"]
ZERO_POLICIES: tuple[ZeroPolicy, ...] = ("shown", "protected")
RoundingBase = Literal[0, 5, 10]
ROUNDING_BASES: tuple[int, ...] = (0, 5, 10)

#: the smallest minimum cell accepted without an explicit, logged override
SAFE_MIN_CELL = 3

log = logging.getLogger("kuva.privacy")


@dataclass(frozen=True)
class DisclosurePolicy:
    """How confidential tables are protected. Build with :func:`policy` to get validation."""

    min_cell: int = 5
    zeros: ZeroPolicy = "shown"
    rounding: int = 0  #: 0 = no rounding; 5 or 10 = controlled rounding to that base
    override: bool = False  #: ``min_cell`` below :data:`SAFE_MIN_CELL` was explicitly allowed

    @property
    def lower_bound(self) -> float:
        """What an attacker knows a hidden cell is at least (1 when zeros are shown)."""
        return 1.0 if self.zeros == "shown" else 0.0

    def describe(self) -> dict[str, object]:
        """The policy as recorded in a disclosure note."""
        return {"min_cell": self.min_cell, "zeros": self.zeros, "rounding": self.rounding,
                "protection_interval": [1, self.min_cell], "override": self.override}


def policy(min_cell: int = 5, *, zeros: str = "shown", rounding: int = 0,
           override: bool = False) -> DisclosurePolicy:
    """A validated :class:`DisclosurePolicy`.

    ``min_cell`` below 3 is refused with a clear error unless ``override`` is true (then a
    warning is logged and the note says so); below 1 it is always refused.
    """
    if isinstance(min_cell, bool) or not isinstance(min_cell, int):
        raise KuvaConfigError(f"min_cell must be a whole number, got {min_cell!r}")
    if min_cell < 1:
        raise KuvaConfigError(f"min_cell must be at least 1, got {min_cell}")
    if min_cell < SAFE_MIN_CELL:
        if not override:
            raise KuvaConfigError(
                f"min_cell {min_cell} is below {SAFE_MIN_CELL} and would publish identifying counts; "
                f"set KUVA_MIN_CELL_OVERRIDE=yes (or min_cell_override = true in kuva.toml) to allow it "
                f"explicitly — the override is logged and shown in every disclosure note")
        log.warning("disclosure override: min_cell=%d is below %d", min_cell, SAFE_MIN_CELL)
    if zeros not in ZERO_POLICIES:
        raise KuvaConfigError(f"zeros must be one of {list(ZERO_POLICIES)}, got {zeros!r}")
    if rounding not in ROUNDING_BASES:
        raise KuvaConfigError(f"rounding must be one of {list(ROUNDING_BASES)}, got {rounding!r}")
    return DisclosurePolicy(min_cell=min_cell, zeros="shown" if zeros == "shown" else "protected",
                            rounding=rounding, override=override and min_cell < SAFE_MIN_CELL)
