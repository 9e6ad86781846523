"""Casework's HTTP interface for reading cases."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from services.casework.store import CaseStore
from shared.errors import ApiError
from shared.mongo import Document


class TimelineEntry(BaseModel):
    """One step in a case's life."""

    entry_id: str
    at: datetime
    action: str
    from_status: str | None
    to_status: str
    actor: str
    reason: str | None = None
    media_ids: list[str] = []


class CaseOut(BaseModel):
    """A case as the API shows it."""

    model_config = ConfigDict(extra="ignore")

    case_id: str
    report_id: str
    status: str
    grid_code: str | None
    category: str | None
    level: int
    tier: str
    department: str
    emergency: bool
    version: int
    description: str
    address: str
    channel: str
    routing_explanation: str
    created_at: datetime
    updated_at: datetime


class CaseDetail(CaseOut):
    """A case with its timeline."""

    timeline: list[TimelineEntry]


class CaseList(BaseModel):
    """A page of cases."""

    items: list[CaseOut]
    limit: int
    offset: int


def _out(doc: Document) -> dict[str, Any]:
    return {"case_id": doc["_id"], **doc}


def build_router(store: CaseStore) -> APIRouter:
    """The case routes, bound to one store."""
    router = APIRouter(prefix="/v1")

    @router.get("/cases", response_model=CaseList)
    async def list_cases(
        report_id: str | None = None,
        status: str | None = None,
        grid_code: str | None = None,
        department: str | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    ) -> CaseList:
        """Cases matching every given filter, newest first."""
        given = {
            "report_id": report_id,
            "status": status,
            "grid_code": grid_code,
            "department": department,
        }
        filters = {key: value for key, value in given.items() if value is not None}
        docs = await store.search(filters, limit=limit, skip=offset)
        return CaseList(
            items=[CaseOut.model_validate(_out(doc)) for doc in docs],
            limit=limit,
            offset=offset,
        )

    @router.get("/cases/{case_id}", response_model=CaseDetail)
    async def get_case(case_id: str) -> CaseDetail:
        """One case with its full timeline."""
        doc = await store.get(case_id)
        if doc is None:
            raise ApiError(404, "unknown_case", f"no case {case_id}", field="case_id")
        return CaseDetail.model_validate(_out(doc))

    return router
