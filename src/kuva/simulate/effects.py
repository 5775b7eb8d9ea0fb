"""Planted effects of a simulation (what estimators should recover).

Every effect is relative to a counterfactual run of the same seed without the effect, and the
realised truth is written next to the data (``synthetic_truth``), so bias and coverage of an
estimator can be measured. Defaults reproduce the pattern seen in 2021: the pilots' activation
rate fell behind the comparison municipalities while the pilots started up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from types import MappingProxyType
from typing import Any

from kuva.errors import KuvaInputError


@dataclass(frozen=True)
class EffectSpec:
    """Effects planted in the pilot municipalities (programme ``pilots_2021``).

    Activation (municipal panel): the pilots' activation rate (aktivointiaste) shifts by
    ``activation_pp`` percentage points relative to the non-pilot municipalities, reached
    linearly over ``ramp_months`` from ``start``; during the first ``startup_months`` an extra
    ``startup_pp`` applies (start-up problems). National totals stay equal to the real 12u4
    totals, so the shift is a *gap* (pilot change minus non-pilot change, the DiD estimand).
    ``by_area`` multiplies the effect of single pilot areas (slug → factor, e.g.
    ``{"helsinki": 0.0}``).

    Person level: ``exit_to_work_hr`` multiplies the cause-specific hazard of leaving
    unemployment for work in pilot municipalities after ``start`` (the total exit hazard is
    fixed by the panel, so this is the ratio of the shares of exits to work);
    ``work_ability_points`` is added to the change in Kykyviisari work ability (0–10) between a
    pilot participant's first and follow-up answer. ``startup_backlog`` switches on the 2021
    start-up backlog (slow initial interviews, overdue employment plans) in pilots.
    """

    activation_pp: float = -1.0
    startup_pp: float = -2.0
    startup_months: int = 10
    ramp_months: int = 6
    start: date = date(2021, 3, 1)
    by_area: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    exit_to_work_hr: float = 1.15
    work_ability_points: float = 0.5
    startup_backlog: bool = True

    def __post_init__(self) -> None:
        if self.ramp_months < 0 or self.startup_months < 0:
            raise KuvaInputError("ramp_months and startup_months must be >= 0")
        if not 0.05 <= self.exit_to_work_hr <= 20:
            raise KuvaInputError(f"exit_to_work_hr must be within 0.05…20, got {self.exit_to_work_hr}")
        if abs(self.activation_pp) + abs(self.startup_pp) > 30:
            raise KuvaInputError("activation_pp + startup_pp must stay within ±30 percentage points")
        if self.start.day != 1:
            raise KuvaInputError(f"start must be the first day of a month, got {self.start}")
        object.__setattr__(self, "by_area", MappingProxyType(dict(self.by_area)))

    def activation_gap(self, months_since_start: int) -> float:
        """The planted activation gap (percentage points) ``k`` months after the start (k>=0)."""
        if months_since_start < 0:
            return 0.0
        ramp = 1.0 if self.ramp_months == 0 else min(1.0, (months_since_start + 1) / self.ramp_months)
        extra = self.startup_pp if months_since_start < self.startup_months else 0.0
        return self.activation_pp * ramp + extra

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            out[f.name] = dict(v) if isinstance(v, Mapping) else (v.isoformat() if isinstance(v, date) else v)
        return out


#: No planted effect at all (a placebo world).
NO_EFFECTS = EffectSpec(activation_pp=0.0, startup_pp=0.0, exit_to_work_hr=1.0,
                        work_ability_points=0.0, startup_backlog=False)

#: The default demo world (see :class:`EffectSpec`).
DEMO_EFFECTS = EffectSpec()

_FLOATS = ("activation_pp", "startup_pp", "exit_to_work_hr", "work_ability_points")
_INTS = ("startup_months", "ramp_months")


def _set(spec: EffectSpec, name: str, value: float) -> EffectSpec:
    kwargs: dict[str, Any] = {name: value}
    return replace(spec, **kwargs)


def parse_effects(items: list[str] | tuple[str, ...], base: EffectSpec = DEMO_EFFECTS) -> EffectSpec:
    """Build an :class:`EffectSpec` from ``name=value`` texts (the CLI's ``--effect``).

    Names: ``activation_pp``, ``startup_pp``, ``startup_months``, ``ramp_months``, ``start``
    (YYYY-MM-DD), ``exit_to_work_hr``, ``work_ability_points``, ``startup_backlog`` (yes/no),
    ``area:<slug>`` (a factor for one pilot area), or the single word ``none`` (no effects).
    """
    spec = base
    by_area = dict(base.by_area)
    allowed = [*_FLOATS, *_INTS, "start", "startup_backlog", "area:<slug>", "none"]
    for item in items:
        text = item.strip()
        if text == "none":
            spec, by_area = NO_EFFECTS, {}
            continue
        name, sep, value = text.partition("=")
        name, value = name.strip(), value.strip()
        if not sep:
            raise KuvaInputError(f"effect {item!r} must look like name=value; allowed names: {allowed}")
        try:
            if name in _FLOATS:
                spec = _set(spec, name, float(value))
            elif name in _INTS:
                spec = _set(spec, name, int(value))
            elif name == "start":
                spec = replace(spec, start=date.fromisoformat(value))
            elif name == "startup_backlog":
                if value.lower() not in ("yes", "no", "true", "false", "1", "0"):
                    raise ValueError(value)
                spec = replace(spec, startup_backlog=value.lower() in ("yes", "true", "1"))
            elif name.startswith("area:") and name[5:]:
                by_area[name[5:]] = float(value)
            else:
                raise KuvaInputError(f"unknown effect {name!r}; allowed: {allowed}")
        except ValueError as exc:
            if isinstance(exc, KuvaInputError):
                raise
            raise KuvaInputError(f"effect {item!r}: value {value!r} is not valid") from exc
    return replace(spec, by_area=by_area)
