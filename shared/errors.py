"""One JSON shape for every refusal, so clients can act on the code and the field."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException


class ApiError(Exception):
    """A refusal with an HTTP status, a stable code and, where known, the field at fault."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.extra = extra or {}
        self.headers = headers


def error_body(code: str, message: str, **details: Any) -> dict[str, Any]:
    """The body of every error answer."""
    return {"error": {"code": code, "message": message, **details}}


def _field_name(location: tuple[Any, ...]) -> str:
    parts = [str(part) for part in location if part not in ("body", "query", "path")]
    return ".".join(parts) or "body"


async def _on_validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = [
        {
            "field": _field_name(tuple(err.get("loc", ()))),
            "reason": err.get("msg", "invalid"),
        }
        for err in exc.errors()
    ]
    first = fields[0] if fields else {"field": "body", "reason": "invalid"}
    message = f"{first['field']}: {first['reason']}"
    body = error_body("invalid_field", message, field=first["field"], fields=fields)
    return JSONResponse(body, status_code=422)


async def _on_api_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return api_error_answer(exc)


def api_error_answer(exc: ApiError) -> JSONResponse:
    """The answer to a refusal, for handlers of a service's own exceptions too."""
    details: dict[str, Any] = dict(exc.extra)
    if exc.field:
        details["field"] = exc.field
    return JSONResponse(
        error_body(exc.code, exc.message, **details),
        status_code=exc.status,
        headers=exc.headers,
    )


async def _on_http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return JSONResponse(
        error_body(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers
    )


def install_error_handlers(app: FastAPI) -> None:
    """Answer validation failures, API errors and unknown routes in the common shape."""
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
