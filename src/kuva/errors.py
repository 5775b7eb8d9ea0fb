"""The one exception root of KuVa and the typed warnings for data problems.

Every exception also inherits the matching builtin, so callers that only know Python's own
exceptions still catch them (the ibis convention). The CLI turns any ``KuvaError`` into one
clear line and a non-zero exit code.
"""

from __future__ import annotations


class KuvaError(Exception):
    """Root of every error KuVa raises on purpose."""


class KuvaInputError(KuvaError, ValueError):
    """Input (a file, a row, an option) is not acceptable. The message names where and why."""


class KuvaLookupError(KuvaError, LookupError):
    """A code or name is not known. The message lists the closest known matches."""


class KuvaConfigError(KuvaError, ValueError):
    """A setting (environment variable or ``kuva.toml``) is missing or invalid."""


class KuvaWarehouseError(KuvaError, RuntimeError):
    """The warehouse cannot be opened, migrated or written."""


class KuvaSourceError(KuvaError, RuntimeError):
    """An outside source (file or HTTP API) gave something KuVa cannot use."""


class KuvaDataWarning(UserWarning):
    """Root of warnings about data problems (missing values, gaps, singletons)."""


class MissingValuesWarning(KuvaDataWarning):
    """Values are missing (suppressed by the publisher or not yet published)."""


class SyntheticDataWarning(KuvaDataWarning):
    """A result rests on synthetic (simulated) data."""


class BadRowError(KuvaInputError):
    """One row of an input is invalid.

    Attributes name the file (or source), the 1-based data row number and the field.
    """

    def __init__(self, source: str, row: int | None, field: str | None, problem: str) -> None:
        self.source = source
        self.row = row
        self.field = field
        self.problem = problem
        where = source
        if row is not None:
            where += f", row {row}"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {problem}")
