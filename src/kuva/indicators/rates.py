"""Indicator formulas as Ibis expressions over wide tables (one column per measure).

Every rate of a group of areas is computed from the group's summed counts (see
:mod:`kuva.indicators.groups`), never by averaging the members' rates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from kuva.indicators import codes

if TYPE_CHECKING:
    import ibis.expr.types as ir


def ratio_pct(numerator: ir.NumericValue, denominator: ir.NumericValue) -> ir.NumericValue:
    """``100 × numerator / denominator``; missing when the denominator is zero or missing."""
    import ibis

    den = denominator.cast("float64")
    return ibis.cases((den > 0, numerator.cast("float64") * 100.0 / den), else_=ibis.null("float64"))


def activation_rate(in_services: ir.NumericValue, unemployed: ir.NumericValue) -> ir.NumericValue:
    """Activation rate (aktivointiaste) = persons in activating services / (unemployed
    jobseekers + persons in activating services) × 100."""
    return ratio_pct(in_services, unemployed + in_services)


def services_total(t: ir.Table, services: Sequence[str] = codes.SERVICES) -> ir.NumericValue:
    """Sum of the persons in the activating services of a wide table (missing if any is)."""
    total: ir.NumericValue = t[services[0]]
    for s in services[1:]:
        total = total + t[s]
    return total


def with_activation(t: ir.Table, *, services: Sequence[str] = codes.SERVICES,
                    in_services: str | None = None) -> ir.Table:
    """Add ``in_services`` (if not given, the sum of ``services``), ``activation_rate``, the
    components ``rate_<MEASURE>`` (each service's contribution to the rate; they sum to the
    rate) and ``share_<MEASURE>`` (each service's share of the activating services, summing to
    100) to a wide table with ``TYOTTOMATLOPUSSA`` and the service columns."""
    p = t[in_services] if in_services is not None else services_total(t, services)
    u = t[codes.UNEMPLOYED]
    out = t.mutate(in_services=p)
    out = out.mutate(activation_rate=activation_rate(out.in_services, u))
    extra = {}
    for s in services:
        extra[f"rate_{s}"] = ratio_pct(out[s], u + out.in_services)
        extra[f"share_{s}"] = ratio_pct(out[s], out.in_services)
    return out.mutate(**extra)


def unemployment_share(t: ir.Table, labour_force: ir.Table) -> ir.Table:
    """Unemployed share of the labour force = TYOTTOMATLOPUSSA / TYOVOIMATK × 100.

    ``t`` is monthly (``area_code``, ``period``, ``TYOTTOMATLOPUSSA``); ``labour_force`` is the
    annual wide table (``area_code``, ``period`` = 1 January, ``TYOVOIMATK``), joined to every
    month of its year. For a group, pass summed counts of both.
    """
    lf = labour_force.select(
        area_code_lf=labour_force.area_code, year_lf=labour_force.period.year(),
        labour_force=labour_force[codes.LABOUR_FORCE],
    )
    joined = t.left_join(lf, [t.area_code == lf.area_code_lf, t.period.year() == lf.year_lf])
    joined = joined.drop("area_code_lf", "year_lf")
    return joined.mutate(unemployed_share=ratio_pct(joined[codes.UNEMPLOYED], joined.labour_force))


def long_term_share(t: ir.Table) -> ir.Table:
    """Long-term unemployed (≥ 12 months) share of the unemployed jobseekers, %."""
    return t.mutate(long_term_share=ratio_pct(t[codes.LONG_TERM_UNEMPLOYED], t[codes.UNEMPLOYED]))
