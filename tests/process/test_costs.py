"""Unit costs (issue 16's cost proxy): the bundled table, a user's table and its errors (file,
row and field named), spell costs and the service types they are priced by, and the CLI lines."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from kuva.cli import app
from kuva.errors import BadRowError, KuvaInputError
from kuva.process.costs import (
    cost_per_treated,
    cost_summary,
    first_service_types,
    load_unit_costs,
    spell_costs,
)
from kuva.process.eventlog import validate_event_log
from kuva.process.outcomes import client_spells
from kuva.warehouse import SourceInfo, Warehouse
from kuva.warehouse.persons import load_process_events
from tests.process.test_outcomes import _simulated

KEY = b"cost-test-key-0123456789"
SRC = SourceInfo("synthetic:process", "synthetic", "t", "tests", "none", True, "t", datetime(2025, 1, 1))
HEADER = "item;service_type;unit;euros;year;source\n"
BENEFIT = "benefit;;payment_day;37,21;2024;Kela\nbenefit_days_per_week;;days;5;2024;law\n"


def _table(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "costs.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_the_bundled_table_prices_the_benefit_and_leaves_services_to_the_area() -> None:
    c = load_unit_costs()
    assert c.benefit_per_payment_day == 37.21 and c.payment_days_per_week == 5 and c.year == 2024
    assert c.benefit_per_day == pytest.approx(37.21 * 5 / 7, abs=1e-12)
    assert set(c.services) == {"VALMENNUS", "TYOKOKEILU", "KOULUTUS", "PALKKATUKI"}  # the simulator's codes
    assert all(v is None for v in c.services.values())


def test_a_users_table_semicolons_and_decimal_commas(tmp_path: Path) -> None:
    c = load_unit_costs(_table(tmp_path, BENEFIT + "service;VALMENNUS;start;1 200,50;2024;own\n"
                                                  "service;KOULUTUS;start;;2024;not known\n"))
    assert c.service_cost("VALMENNUS") == 1200.5 and c.service_cost("KOULUTUS") is None
    assert c.service_cost("PALKKATUKI") is None and c.source.endswith("costs.csv")


@pytest.mark.parametrize(("body", "where"), [
    (BENEFIT + "servise;VALMENNUS;start;1;2024;x\n", "row 3, field 'item'"),
    (BENEFIT + "service;VALMENNUS;day;1;2024;x\n", "row 3, field 'unit'"),
    (BENEFIT + "service;VALMENNUS;start;abc;2024;x\n", "row 3, field 'euros'"),
    (BENEFIT + "service;VALMENNUS;start;-5;2024;x\n", "row 3, field 'euros'"),
    (BENEFIT + "service;;start;5;2024;x\n", "row 3, field 'service_type'"),
    (BENEFIT + "service;A;start;5;2024;x\nservice;A;start;6;2024;x\n", "row 4, field 'service_type'"),
    (BENEFIT + "service;A;start;5;24;x\n", "row 3, field 'year'"),
    (BENEFIT + "service;A;start;5;2025;x\n", "field 'year'"),
    ("benefit;;payment_day;37,21;2024;Kela\n", "field 'item': the table has no benefit_days_per_week row"),
    ("benefit;;payment_day;;2024;Kela\nbenefit_days_per_week;;days;5;2024;law\n", "row 1, field 'euros'"),
    ("benefit;;payment_day;37;2024;Kela\nbenefit_days_per_week;;days;8;2024;law\n", "row 2, field 'euros'"),
])
def test_a_bad_table_names_file_row_and_field(tmp_path: Path, body: str, where: str) -> None:
    with pytest.raises(BadRowError, match=r"costs\.csv") as info:
        load_unit_costs(_table(tmp_path, body))
    assert where in str(info.value)


def test_spell_costs_from_a_hand_made_log(tmp_path: Path) -> None:
    rows = [("a", "2024-01-02", "registration", None), ("a", "2024-02-01", "service_start", "VALMENNUS"),
            ("a", "2024-03-01", "exit_work", None), ("b", "2024-01-10", "registration", None),
            ("b", "2024-05-20", "exit_other", None), ("c", "2024-06-01", "registration", None),
            ("c", "2024-06-03", "service_start", "KOULUTUS"), ("c", "2024-06-03", "service_start", "TYOKOKEILU")]
    f = pd.DataFrame([{"client_id": c, "event_date": d, "event_type": t, "municipality_code": "KU091",
                       "service_type": s} for c, d, t, s in rows])
    with Warehouse(tmp_path / "k.duckdb") as wh:
        load_process_events(wh, validate_event_log(f, "log", key=KEY), SRC)
        spells = client_spells(wh, as_of=date(2024, 7, 1)).sort_values("start").reset_index(drop=True)
        types = first_service_types(wh, spells)
    assert list(spells["duration_days"]) == [59, 131, 30]
    assert list(types) == ["VALMENNUS", None, "KOULUTUS"]  # two starts on one day: the first code
    costs = load_unit_costs(_table(tmp_path, BENEFIT + "service;VALMENNUS;start;1000;2024;x\n"
                                                       "service;KOULUTUS;start;3000;2024;x\n"))
    table = spell_costs(spells, types, costs)
    np.testing.assert_allclose(table["benefit_days"], np.array([59, 131, 30]) * 5 / 7, atol=1e-12)
    np.testing.assert_allclose(table["benefit_euros"], np.array([59, 131, 30]) * 37.21 * 5 / 7, atol=1e-9)
    assert list(table["service_euros"]) == [1000.0, 0.0, 3000.0]
    summary = cost_summary(spells, types, costs).set_index("group")
    assert summary.loc["service", "spells"] == 2 and summary.loc["no service", "spells"] == 1
    assert summary.loc["service", "benefit_days"] == pytest.approx((59 + 30) / 2 * 5 / 7, abs=1e-12)
    assert summary.loc["service", "service_euros"] == 2000.0 and summary.loc["no service", "service_euros"] == 0.0
    assert np.isnan(cost_summary(spells, types, load_unit_costs()).set_index("group").loc["service",
                                                                                          "service_euros"])
    assert cost_per_treated(types, costs) == (2000.0, [])
    assert cost_per_treated(types, load_unit_costs()) == (None, ["KOULUTUS", "VALMENNUS"])
    assert np.isnan(spell_costs(spells, types, load_unit_costs())["service_euros"].iloc[0])
    with pytest.raises(KuvaInputError, match="no spell has a service start"):
        cost_per_treated(np.array([None, None], dtype=object), costs)


def test_the_cli_prices_from_the_table(tmp_path: Path) -> None:
    _simulated(tmp_path / "k.duckdb", 1.5, 7, 1500).close()
    prices = "".join(f"service;{s};start;{e};2024;own\n" for s, e in
                     (("VALMENNUS", 1000), ("TYOKOKEILU", 2000), ("KOULUTUS", 3000), ("PALKKATUKI", 4000)))
    table = _table(tmp_path, BENEFIT + prices)
    base = ["--warehouse", str(tmp_path / "k.duckdb"), "evaluate", "--level", "person"]
    r = CliRunner().invoke(app, [*base, "--unit-costs", str(table)])
    assert r.exit_code == 0, r.stderr
    text = " ".join(r.stdout.split())  # the console wraps long lines
    line = text.split("Net cost per additional exit to work (service ")[1]
    service = float(line.split()[0].replace(",", ""))
    assert 1000 < service < 4000  # the mean price of the services started (the simulator draws all four)
    assert "benefit 26.58 €/day)" in line  # 37.21 € a payment day, five a week
    spell_line = text.split("Costs per spell, service (")[1].split("Costs per spell")[0]
    assert "benefit days" in spell_line and "not priced" not in spell_line
    assert float(spell_line.split("services ")[1].split()[0].replace(",", "")) == pytest.approx(service, abs=1)
    bundled = CliRunner().invoke(app, base)
    assert bundled.exit_code == 0, bundled.stderr
    plain = " ".join(bundled.stdout.split())
    assert "Net cost per additional exit to work: needs the price of KOULUTUS, PALKKATUKI, TYOKOKEILU, VALMENNUS" \
        in plain and "services not priced in the table" in plain
    bad = CliRunner().invoke(app, [*base, "--unit-costs", str(_table(tmp_path, "benefit;;payment_day;x;2024;a\n"))])
    assert bad.exit_code == 1 and "costs.csv, row 1, field 'euros'" in bad.stderr
    wrong = CliRunner().invoke(app, ["--warehouse", str(tmp_path / "k.duckdb"), "evaluate", "--unit-costs",
                                     str(table)])
    assert wrong.exit_code == 1 and "--unit-costs needs --level person" in wrong.stderr
