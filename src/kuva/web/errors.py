"""The one error shape of the API (the datasette habit): ``{"error": {"code", "message",
"status"}}`` with a stable ``code`` per HTTP status, declared in the OpenAPI document for every
route so clients (and the Schemathesis fuzz test) know what a refusal looks like."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

#: stable error codes by HTTP status
ERROR_CODES: dict[int, str] = {
    400: "invalid_input", 401: "unknown_key", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    413: "request_too_large", 414: "query_too_long", 415: "unsupported_media_type", 422: "invalid_parameter",
    429: "rate_limited", 500: "internal_error",
}


class ErrorDetail(BaseModel):
    code: str
    message: str
    status: int


class ErrorBody(BaseModel):
    """What every refused or failed API request answers."""

    error: ErrorDetail


#: the refusals any API route can answer, for the OpenAPI document (304 for a matching ETag)
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified (the ETag or Last-Modified matched)"},
    **{status: {"model": ErrorBody, "description": code.replace("_", " ")}
       for status, code in ERROR_CODES.items() if status not in (405, 415)},
}

__all__ = ["ERROR_CODES", "ERROR_RESPONSES", "ErrorBody", "ErrorDetail"]
