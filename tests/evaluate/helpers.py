"""Shared loaders for the reference data sets (tests only)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kuva.evaluate import PanelData

REFERENCE = Path(__file__).parent / "reference"

# pyfixest 0.60 calls DataFrame methods with inplace=True, deprecated in pandas 3.1
# (Pandas4Warning). The warning concerns pyfixest's internals, not our use of it, so modules
# whose code paths run pyfixest ignore exactly this message.
PYFIXEST_PANDAS_FILTER = pytest.mark.filterwarnings(
    r"ignore:The inplace keyword in DataFrame\.\w+ is deprecated:pandas.errors.Pandas4Warning"
)


def mpdta_frame() -> pd.DataFrame:
    frame = pd.read_csv(REFERENCE / "mpdta.csv")
    frame["g"] = frame["first.treat"].where(frame["first.treat"] > 0)
    return frame


def mpdta_panel(covariates: tuple[str, ...] = ()) -> PanelData:
    return PanelData(
        mpdta_frame(),
        unit="countyreal",
        time="year",
        outcome="lemp",
        treat_start="g",
        covariates=covariates,
    )


def prop99_frame() -> pd.DataFrame:
    frame = pd.read_csv(REFERENCE / "california_prop99.csv", sep=";")
    frame["start"] = np.where(frame["State"] == "California", 1989.0, np.nan)
    return frame


def prop99_panel() -> PanelData:
    return PanelData(
        prop99_frame(),
        unit="State",
        time="Year",
        outcome="PacksPerCapita",
        treat_start="start",
    )


def prop99_retprice_panel() -> PanelData:
    frame = pd.read_csv(REFERENCE / "california_retprice.csv")
    frame["start"] = np.where(frame["state"] == "California", 1989.0, np.nan)
    return PanelData(
        frame,
        unit="state",
        time="year",
        outcome="cigsale",
        treat_start="start",
        covariates=("retprice",),
    )
