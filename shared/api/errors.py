"""The one exception handler set every service installs (architecture §7): every failure leaves as
``{"error": {"code", "message", "details"}}`` with a catalogue code, its message in the language of
``Accept-Language`` (kk by default), and never a stack trace. A body FastAPI cannot decode is
REQUEST_MALFORMED, like malformed JSON; a recursion too deep is INTERNAL_ERROR, logged in one line
(bad input never gets that far: `shared.api.limits` refuses bodies nested too deep)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.errors import CATALOGUE, AppError, error_body, pick_language
from shared.logging import get_logger

log = get_logger(__name__)

_STATUS_CODES = {
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    409: "CONFLICT",
    413: "REQUEST_TOO_LARGE",
}
MAX_REPORTED_ERRORS = 50
"""Validation errors listed in ``details.errors`` at most (``details.more`` counts the rest): a 1 MiB
body of unknown keys must not make a ten-megabyte answer."""


def error_response(
    request: Request, code: str, details: dict[str, Any] | None = None, status: int | None = None
) -> JSONResponse:
    body = error_body(code, pick_language(request.headers.get("accept-language")), details)
    headers = {"Content-Language": pick_language(request.headers.get("accept-language"))}
    return JSONResponse(body, status_code=status or CATALOGUE[code].status, headers=headers)


def _validation_details(exc: RequestValidationError) -> tuple[str, dict[str, Any]]:
    found = exc.errors()
    malformed = any(error.get("type") == "json_invalid" for error in found)
    errors = [
        {"loc": [str(part) for part in error.get("loc", ())], "type": error.get("type"), "msg": error.get("msg")}
        for error in found[:MAX_REPORTED_ERRORS]
    ]
    details: dict[str, Any] = {"errors": errors}
    if len(found) > MAX_REPORTED_ERRORS:
        details["more"] = len(found) - MAX_REPORTED_ERRORS
    return ("REQUEST_MALFORMED" if malformed else "VALIDATION_FAILED"), details


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def on_app_error(request: Request, exc: AppError) -> JSONResponse:
        return error_response(request, exc.code, exc.details, exc.status)

    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        code, details = _validation_details(exc)
        return error_response(request, code, details)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # FastAPI could not read the body as JSON (not UTF-8, say): malformed
            return error_response(request, "REQUEST_MALFORMED", {"errors": [{"loc": ["body"], "msg": str(exc.detail)}]})
        code = _STATUS_CODES.get(exc.status_code, "INTERNAL_ERROR" if exc.status_code >= 500 else "VALIDATION_FAILED")
        return error_response(request, code, {}, exc.status_code)

    @app.exception_handler(RecursionError)
    async def on_recursion(request: Request, exc: RecursionError) -> JSONResponse:
        # Its traceback is a thousand frames of the same few lines: one line says it all.
        log.error("recursion too deep", path=request.url.path, error=str(exc)[:200])
        return error_response(request, "INTERNAL_ERROR")

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error", path=request.url.path, exc_info=exc)
        return error_response(request, "INTERNAL_ERROR")


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {"description": 'Caller\'s fault: `{"error": {"code", "message", "details"}}`, code from the catalogue'},
    "5XX": {"description": "Service fault or an upstream system unavailable, in the same error format"},
}
