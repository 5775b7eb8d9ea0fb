"""KuVa — knowledge-based management and impact evaluation of Finnish municipal employment
services (työllisyyspalvelujen tiedolla johtaminen ja vaikuttavuuden arviointi)."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    """``__version__`` is read from the installed package's metadata when first asked for
    (importlib.metadata costs every CLI command tens of milliseconds otherwise)."""
    if name != "__version__":
        raise AttributeError(f"module 'kuva' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("kuva")
    except PackageNotFoundError:  # pragma: no cover - only when run from a source tree
        found = "0.0.0"
    globals()["__version__"] = found
    return found


__all__ = ["__version__"]
