"""GET /v1/stats/fieldwork: the periodic field work report, as JSON or CSV."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from services.casework.fieldwork.report import as_csv, compile_report
from services.casework.fieldwork.store import FieldworkStore
from shared.auth import Principal, Role, principal_dependency
from shared.errors import ApiError
from shared.registry.models import Registry

READERS = {Role.OPERATOR, Role.SYSTEM, Role.GRID_STAFF, Role.DEPARTMENT, Role.HOTLINE}


def build_report_router(
    store: FieldworkStore, registry: Callable[[], Registry], signing_key: str
) -> APIRouter:
    """The report route, bound to one store."""
    router = APIRouter(prefix="/v1")
    who = Depends(principal_dependency(signing_key))

    @router.get("/stats/fieldwork", response_model=None)
    async def fieldwork_report(
        start: Annotated[datetime, Query(alias="from")],
        end: Annotated[datetime, Query(alias="to")],
        caller: Principal = who,
        fmt: Annotated[str, Query(alias="format", pattern="^(json|csv)$")] = "json",
    ) -> dict[str, Any] | Response:
        """Visits by type, disputes resolved, problems handled and campaign coverage."""
        if caller.role not in READERS:
            raise ApiError(403, "forbidden", "the report needs a staff credential")
        start, end = (at if at.tzinfo else at.replace(tzinfo=UTC) for at in (start, end))
        if end <= start:
            raise ApiError(422, "invalid_field", "to must be after from", field="to")

        current = registry()
        villages = {grid.code: grid.village_code for grid in current.grids}
        disputes = {c.code for c in current.categories if c.area == "disputes"}
        rows = compile_report(
            villages,
            disputes,
            await store.visits_between(start, end),
            await store.cases_closed_between(start, end),
            await store.campaigns_between(start, end),
        )
        if fmt == "csv":
            return Response(as_csv(rows), media_type="text/csv")
        return {"from": start, "to": end, "rows": rows}

    return router
