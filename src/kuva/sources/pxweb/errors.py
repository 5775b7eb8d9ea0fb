"""Errors of the PxWeb client. All derive from :class:`kuva.errors.KuvaSourceError`."""

from __future__ import annotations

from kuva.errors import KuvaSourceError


class PxWebError(KuvaSourceError):
    """The PxWeb API gave something KuVa cannot use."""


class PxWebResponseError(PxWebError):
    """A response body is unusable: truncated, not JSON, or not json-stat2 of the right shape.

    Retryable: the client asks again (a truncated body is never turned into data).
    """


class PxWebRetryError(PxWebError):
    """A request kept failing after every retry (``url``, ``attempts``, ``last_problem``)."""

    def __init__(self, url: str, attempts: int, last_problem: str) -> None:
        self.url = url
        self.attempts = attempts
        self.last_problem = last_problem
        super().__init__(f"{url}: gave up after {attempts} attempt(s); last problem: {last_problem}")


class PxWebNotFoundError(PxWebError):
    """A table (or endpoint) does not exist on the server (HTTP 404)."""


class CatalogueMismatchError(PxWebError):
    """A table's metadata no longer matches the catalogue (a variable or code was renamed)."""


class PxWebPullError(PxWebError):
    """A pull stopped at one table. Tables loaded before it are committed (one transaction per
    table) and listed in ``reports``; the failed table wrote nothing."""

    def __init__(self, table: str, cause: BaseException, reports: list[object]) -> None:
        self.table = table
        self.cause = cause
        self.reports = reports
        done = ", ".join(getattr(r, "table", "?") for r in reports) or "none"
        text = str(cause)
        head = "" if text.startswith(f"table {table}:") else f"table {table}: "
        super().__init__(
            f"{head}{text} (tables loaded before it: {done}; re-run to resume: finished requests are cached)"
        )
