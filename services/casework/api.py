"""Casework's HTTP reads: case lists, one case with its timeline, work queues, CSV."""

import csv
import io
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from services.casework.access import Credentials, credentials, required
from services.casework.actors import Caller
from services.casework.documents import state_of
from services.casework.queries import OPEN_STATUSES, CaseQuery, combine, sort_order
from services.casework.store import CaseStore
from services.casework.transitions import allowed_actions
from services.casework.views import CaseDetail, CaseList, card
from shared.errors import ApiError

CSV_FIELDS = (
    "case_id", "report_id", "status", "grid_code", "village_code", "category", "level",
    "tier", "department", "emergency", "overdue", "created_at", "updated_at", "expected_at",
)  # fmt: skip
CSV_LIMIT = 100_000


def build_router(store: CaseStore, signing_key: str) -> APIRouter:
    """The read routes, bound to one store."""
    router = APIRouter(prefix="/v1")

    def creds(request: Request) -> Credentials:
        return credentials(request, signing_key)

    resolve = Depends(creds)

    def scope(who: Credentials, report_id: str | None) -> dict[str, object] | None:
        """The visibility filter for a list; None for the public view."""
        if who.anonymous:
            return None

        caller = who.for_report(report_id) if report_id else None
        if who.principal is not None:
            caller = Caller(principal=who.principal)

        rule = caller.visibility() if caller else None
        if rule is None:
            raise ApiError(404, "unknown_case", "no case you may see", field="report_id")

        return rule

    @router.get("/cases", response_model=CaseList)
    async def list_cases(
        query: Annotated[CaseQuery, Depends()],
        who: Credentials = resolve,
        sort: str = "-created_at",
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    ) -> CaseList:
        """Cases matching every given filter, in the given order, paged."""
        order = sort_order(sort)
        rule = scope(who, query.report_id)
        filters = combine(query.mongo(), rule or {})
        docs = await store.search(filters, sort=order, limit=limit, skip=offset)
        items = [card(doc, full=rule is not None) for doc in docs]
        return CaseList(items=items, limit=limit, offset=offset)

    @router.get("/cases.csv")
    async def export_cases(
        query: Annotated[CaseQuery, Depends()], who: Credentials = resolve
    ) -> StreamingResponse:
        """Every case the caller may see that matches, as CSV for a spreadsheet."""
        required(who)
        rule = scope(who, query.report_id)
        filters = combine(query.mongo(), rule or {})
        order = sort_order("-created_at")

        async def rows() -> AsyncIterator[str]:
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow(CSV_FIELDS)
            skip = 0
            while skip < CSV_LIMIT:
                docs = await store.search(filters, sort=order, limit=1000, skip=skip)
                for doc in docs:
                    shown = card(doc, full=True).model_dump()
                    writer.writerow([_cell(shown.get(name)) for name in CSV_FIELDS])
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
                if len(docs) < 1000:
                    return
                skip += 1000

        headers = {"content-disposition": 'attachment; filename="cases.csv"'}
        return StreamingResponse(rows(), media_type="text/csv", headers=headers)

    @router.get("/cases/{case_id}", response_model=CaseDetail)
    async def get_case(case_id: str, who: Credentials = resolve) -> CaseDetail:
        """One case with its full timeline and what the caller may do next."""
        required(who)
        doc = await store.load(case_id)
        caller = who.for_case(doc) if doc else None
        if doc is None or caller is None or not caller.sees(doc):
            raise ApiError(404, "unknown_case", f"no case {case_id}", field="case_id")

        actor = caller.actor()
        allowed = allowed_actions(state_of(doc), actor) if actor else []
        return CaseDetail.model_validate(
            {"case_id": doc["_id"], **doc, "allowed_actions": allowed}
        )

    @router.get("/queues/departments/{department}", response_model=CaseList)
    async def department_queue(department: str, who: Credentials = resolve) -> CaseList:
        """A department's open cases, the nearest due first."""
        required(who)
        rule = scope(who, None)
        filters = combine(
            {"department": department, "status": {"$in": list(OPEN_STATUSES)}}, rule or {}
        )
        docs = await store.search(filters, sort=sort_order("due"), limit=500, skip=0)
        return CaseList(items=[card(doc, True) for doc in docs], limit=500, offset=0)

    @router.get("/queues/grids/{grid_code}", response_model=CaseList)
    async def grid_queue(grid_code: str, who: Credentials = resolve) -> CaseList:
        """A grid's open cases, for its grid head's round, the nearest due first."""
        required(who)
        rule = scope(who, None)
        filters = combine(
            {"grid_code": grid_code, "status": {"$in": list(OPEN_STATUSES)}}, rule or {}
        )
        docs = await store.search(filters, sort=sort_order("due"), limit=500, skip=0)
        return CaseList(items=[card(doc, True) for doc in docs], limit=500, offset=0)

    return router


def _cell(value: object) -> str:
    """A CSV cell: times in ISO form, nothing as empty."""
    if value is None:
        return ""

    if isinstance(value, datetime):
        return value.isoformat()

    return str(value)
