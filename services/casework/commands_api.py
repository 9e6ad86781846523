"""POST /v1/cases/{case_id}/{action}: commands on cases over HTTP."""

from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse

from services.casework.access import credentials, required
from services.casework.commands import CaseEngine, CommandResult
from services.casework.store import CaseStore
from shared.errors import ApiError

REPLAYED_HEADER = "idempotent-replayed"


def command_fields(body: dict[str, Any]) -> tuple[str, int, dict[str, Any]]:
    """Split a command body into its id, expected version and the action's fields."""
    fields = dict(body)
    command_id = fields.pop("command_id", None)
    if not isinstance(command_id, str) or not 0 < len(command_id) <= 128:
        raise ApiError(
            422, "invalid_field", "command_id: 1 to 128 characters", field="command_id"
        )

    version = fields.pop("expected_version", None)
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise ApiError(
            422,
            "invalid_field",
            "expected_version: the case version the command was decided on",
            field="expected_version",
        )

    return command_id, version, fields


def build_command_router(store: CaseStore, engine: CaseEngine, key: str) -> APIRouter:
    """The command route, bound to one engine."""
    router = APIRouter(prefix="/v1")

    @router.post("/cases/{case_id}/{action}", response_model=CommandResult)
    async def command(
        case_id: str,
        action: str,
        request: Request,
        body: dict[str, Any] = Body(...),  # noqa: B008
    ) -> JSONResponse:
        """Carry out one command; a repeated command id answers as the first time did."""
        who = credentials(request, key)
        required(who)
        command_id, version, fields = command_fields(body)
        doc = await store.load(case_id)
        caller = who.for_case(doc) if doc else None
        if doc is None or caller is None:
            raise ApiError(404, "unknown_case", f"no case {case_id}", field="case_id")

        result, repeated = await engine.command(
            case_id, action, fields, caller, command_id=command_id, expected_version=version
        )

        headers = {REPLAYED_HEADER: "true"} if repeated else {}
        return JSONResponse(result.model_dump(mode="json"), headers=headers)

    return router
