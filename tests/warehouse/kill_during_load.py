"""Run as a subprocess by the tests: start a load and wait, inside the open transaction, to be
killed. Usage: python kill_during_load.py WAREHOUSE"""

from __future__ import annotations

import sys
import time
from datetime import datetime

import pandas as pd

from kuva.warehouse import SourceInfo, Warehouse, load_observations


def main() -> None:
    frame = pd.DataFrame({
        "area_code": ["KU091"] * 120,
        "period": pd.date_range("2010-01-01", periods=120, freq="MS"),
        "measure": "TYOTTOMATLOPUSSA",
        "value": range(120),
    })
    source = SourceInfo("test:killed", "test", "killed load", "tests", "CC0", False, "kill_during_load.py",
                        datetime(2030, 1, 1))

    def wait_to_be_killed() -> None:
        print("IN-TRANSACTION", flush=True)
        time.sleep(120)

    with Warehouse(sys.argv[1]) as wh:
        load_observations(wh, frame, source, before_commit=wait_to_be_killed)


if __name__ == "__main__":
    main()
