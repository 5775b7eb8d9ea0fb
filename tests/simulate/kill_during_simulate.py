"""Run as a subprocess by the tests: ``kuva simulate`` that waits, after the panel, background,
paths and answers are written and before the service-process log, to be killed.
Usage: python kill_during_simulate.py WAREHOUSE SEED"""

from __future__ import annotations

import sys
import time

import kuva.simulate.process
from kuva.cli import app


def wait_to_be_killed(*_args: object, **_kwargs: object) -> None:
    print("IN-TRANSACTION", flush=True)
    time.sleep(120)


if __name__ == "__main__":
    kuva.simulate.process.simulate_process_into = wait_to_be_killed  # type: ignore[assignment]
    app(["--warehouse", sys.argv[1], "simulate", "--scale", "0.0005", "--seed", sys.argv[2], "--years", "2019-2022"])
