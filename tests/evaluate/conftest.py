"""Fixtures for the evaluate tests."""

from __future__ import annotations

from collections.abc import Iterator

import matplotlib
import pytest

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    """Close figures made by ``plot()`` so a long session never hits matplotlib's
    too-many-open-figures warning (an error under ``filterwarnings = error``)."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
