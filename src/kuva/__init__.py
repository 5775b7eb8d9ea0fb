"""KuVa — knowledge-based management and impact evaluation of Finnish municipal employment
services (työllisyyspalvelujen tiedolla johtaminen ja vaikuttavuuden arviointi)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kuva")
except PackageNotFoundError:  # pragma: no cover - only when run from a source tree
    __version__ = "0.0.0"

__all__ = ["__version__"]
