"""Schemathesis fuzzing of the served OpenAPI document (issue 14): every API operation with
generated parameters, public and with an analyst key, against the real server — no server error,
every status code documented (the one error shape for refusals), and answers conform to the
declared content type, headers and schema.

Schemathesis' pytest plugin does not run under this pytest, so the operations are fuzzed with
its Hypothesis strategies directly."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.conftest import ANALYST_KEY

pytestmark = [pytest.mark.slow]
EXAMPLES = 15  #: generated cases per operation and role ...
SLOW_EXAMPLES = 4  #: ... and for the process measures and the benchmark (seconds per call)
TIMEOUT = 120  #: seconds per request (a process table by client group takes several)


def test_no_server_error_and_schema_conformance(server: tuple[str, Path]) -> None:
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import (
        content_type_conformance,
        not_a_server_error,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    # not "positive data acceptance": area and measure codes are free text in the schema, and an
    # unknown one is a documented 404, not a rejected valid request
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
              response_headers_conformance]

    base, _ = server
    schema = schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json")
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 10
    def fuzzer(op: object, headers: dict[str, str]) -> object:
        slow = any(part in str(op.path) for part in ("/process/", "/benchmark"))  # type: ignore[attr-defined]

        @given(case=op.as_strategy())  # type: ignore[attr-defined]
        @settings(max_examples=SLOW_EXAMPLES if slow else EXAMPLES, deadline=None,
                  suppress_health_check=list(HealthCheck), derandomize=True, database=None)
        def fuzz(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=checks, timeout=TIMEOUT)

        return fuzz

    for op in operations:
        for headers in ({}, {"X-KuVa-Key": ANALYST_KEY}):
            fuzzer(op, headers)()  # type: ignore[operator]
