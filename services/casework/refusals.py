"""Casework's refusals in the common error shape, answered wherever a route raises them.

One handler on the app serves the case routes, commands, field work and basic
information alike, so a route raises what it refuses and never translates it.
"""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.casework.errors import ActionRefused, CaseworkError, StaleVersion
from services.casework.views import card
from shared.errors import ApiError, api_error_answer


def refusal(error: CaseworkError) -> ApiError:
    """The common error shape, with the current state or allowed actions on a 409."""
    extra: dict[str, Any] = dict(error.extra)
    if isinstance(error, StaleVersion) and error.current:
        extra["current"] = card(error.current, full=True).model_dump(mode="json")

    if isinstance(error, ActionRefused):
        extra.update(allowed_actions=error.allowed, version=error.version)

    return ApiError(error.status, error.code, error.message, field=error.field, extra=extra)


async def _on_refusal(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CaseworkError)
    return api_error_answer(refusal(exc))


def install_refusals(app: FastAPI) -> None:
    """Answer every casework refusal a route lets through."""
    app.add_exception_handler(CaseworkError, _on_refusal)
