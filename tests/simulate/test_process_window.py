"""The window of the simulated event log that `kuva simulate` and `kuva demo` write."""

from __future__ import annotations

from datetime import date

from kuva.cli.simulate import PROCESS_FIRST_YEAR, process_window


def test_the_log_covers_the_simulated_years_from_2019_on_a_monday() -> None:
    assert process_window((2017, 2024)) == (date(2019, 1, 7), 72)  # the demo: cohorts before 3/2021
    assert process_window((2021, 2023)) == (date(2021, 1, 4), 36)
    assert process_window((2010, 2012)) == (date(PROCESS_FIRST_YEAR, 1, 7), 12)  # never before the first year
    for years in ((2019, 2019), (2022, 2030)):
        first, months = process_window(years)
        assert first.weekday() == 0 and first.year == years[0] and months == 12 * (years[1] - years[0] + 1)
