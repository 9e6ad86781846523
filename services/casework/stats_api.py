"""GET /v1/stats: how well cases close, per grid, village, department, tier or period."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from services.casework.access import credentials, required
from services.casework.actors import Caller
from services.casework.queries import combine
from services.casework.stats import DIMENSIONS, FIELDS, PERIODS, compute
from services.casework.store import CaseStore
from shared.errors import ApiError


def build_stats_router(store: CaseStore, key: str) -> APIRouter:
    """The statistics route, bound to one store."""
    router = APIRouter(prefix="/v1")

    @router.get("/stats")
    async def stats(
        request: Request,
        by: str = "department",
        period: str = "month",
        created_from: datetime | None = None,
        created_to: datetime | None = None,
        min_sample: Annotated[int, Query(ge=1, le=10_000)] = 20,
    ) -> dict[str, Any]:
        """Figures for the cases the caller may see, opened in the given span."""
        who = credentials(request, key)
        required(who)
        if by not in DIMENSIONS:
            raise ApiError(
                422, "invalid_field", f"by: one of {', '.join(DIMENSIONS)}", field="by"
            )

        if period not in PERIODS:
            raise ApiError(
                422, "invalid_field", f"period: one of {', '.join(PERIODS)}", field="period"
            )

        rule = Caller(principal=who.principal).visibility() if who.principal else None
        if rule is None:
            raise ApiError(403, "not_permitted", "statistics need a staff credential")

        span: dict[str, datetime] = {}
        if created_from is not None:
            span["$gte"] = created_from

        if created_to is not None:
            span["$lt"] = created_to

        filters = combine({"created_at": span} if span else {}, rule)
        docs = await store.summaries(filters, FIELDS)
        groups = compute(docs, by, period, min_sample)
        return {"by": by, "period": period, "min_sample": min_sample, "groups": groups}

    return router
