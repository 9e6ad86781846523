"""Field work's HTTP routes: visits, the checklist and campaigns."""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from services.casework.fieldwork.campaigns import CampaignDesk, coverage_of, overall
from services.casework.fieldwork.catalogue import Checklist, checklist
from services.casework.fieldwork.models import (
    CampaignIn,
    CampaignList,
    CampaignOut,
    Finding,
    GridCoverage,
    ProgressIn,
    VisitIn,
    VisitOut,
)
from services.casework.fieldwork.visits import VisitDesk
from shared.auth import Principal, Role, bearer_token, principal_dependency
from shared.mongo import Document
from shared.privacy import mask_phone

PHONE_READERS = {Role.OPERATOR, Role.HOTLINE, Role.SYSTEM}


def visit_out(doc: Document, caller: Principal) -> VisitOut:
    """A stored visit as the caller may see it: phones masked unless a call desk asks."""
    phone = doc.get("contact_phone")
    return VisitOut(
        visit_id=doc["_id"],
        visit_type=doc["visit_type"],
        grid_code=doc["grid_code"],
        visitor=doc["visitor"],
        household=doc.get("household"),
        place=doc.get("place"),
        record_ref=doc.get("record_ref"),
        contact_phone=phone if caller.role in PHONE_READERS else mask_phone(phone),
        checklist=doc["checklist"],
        findings=[Finding.model_validate(item) for item in doc["findings"]],
        report_ids=doc.get("report_ids", []),
        visited_at=doc["visited_at"],
    )


def campaign_out(doc: Document) -> CampaignOut:
    """A campaign with its coverage per grid."""
    grids = [
        GridCoverage(
            grid_code=code,
            village_code=entry.get("village_code"),
            households=entry["households"],
            confirmed=entry["confirmed"],
            blocked=entry["blocked"],
            coverage=coverage_of(entry),
            report_ids=entry.get("report_ids", []),
        )
        for code, entry in sorted(doc["grids"].items())
    ]
    return CampaignOut(
        campaign_id=doc["_id"],
        title=doc["title"],
        instructions=doc["instructions"],
        status=doc["status"],
        deadline=doc["deadline"],
        created_by=doc["created_by"],
        created_at=doc["created_at"],
        reminded=doc["reminded"],
        escalated=doc["escalated"],
        coverage=overall(doc),
        grids=grids,
        summary=doc.get("summary"),
    )


def build_fieldwork_router(
    visits: VisitDesk, campaigns: CampaignDesk, signing_key: str
) -> APIRouter:
    """The field work routes."""
    router = APIRouter(prefix="/v1")
    resolve: Callable[[Request], Awaitable[Principal | None]] = principal_dependency(
        signing_key
    )
    who = Depends(resolve)

    @router.get("/visits/checklist", response_model=Checklist)
    async def visit_checklist() -> Checklist:
        """The catalogue of items a visitor checks."""
        return checklist()

    @router.post("/visits", status_code=status.HTTP_201_CREATED, response_model=VisitOut)
    async def log_visit(
        body: VisitIn, request: Request, caller: Principal = who
    ) -> VisitOut:
        """Log a visit or patrol; findings marked for a report go to intake as reports."""
        doc = await visits.record(caller, bearer_token(request) or "", body)
        return visit_out(doc, caller)

    @router.post(
        "/campaigns", status_code=status.HTTP_201_CREATED, response_model=CampaignOut
    )
    async def issue_campaign(body: CampaignIn, caller: Principal = who) -> CampaignOut:
        """Issue a task to grids; every grid head is notified."""
        return campaign_out(await campaigns.issue(caller, body))

    @router.get("/campaigns", response_model=CampaignList)
    async def recent_campaigns(
        caller: Principal = who,
        state: Annotated[list[str] | None, Query(alias="status")] = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
    ) -> CampaignList:
        """The newest campaigns with their coverage, optionally only some states."""
        docs = await campaigns.recent(state or [], limit)
        return CampaignList(items=[campaign_out(doc) for doc in docs])

    @router.get("/campaigns/{campaign_id}", response_model=CampaignOut)
    async def campaign(campaign_id: str, caller: Principal = who) -> CampaignOut:
        """A campaign with its live coverage per grid."""
        return campaign_out(await campaigns.get(campaign_id))

    @router.post("/campaigns/{campaign_id}/progress", response_model=CampaignOut)
    async def report_progress(
        campaign_id: str, body: ProgressIn, request: Request, caller: Principal = who
    ) -> CampaignOut:
        """Report households confirmed, absent or blocked; a blocker becomes a case."""
        token = bearer_token(request) or ""
        return campaign_out(await campaigns.progress(caller, token, campaign_id, body))

    @router.post("/campaigns/{campaign_id}/close", response_model=CampaignOut)
    async def close_campaign(campaign_id: str, caller: Principal = who) -> CampaignOut:
        """Close a campaign with its summary."""
        return campaign_out(await campaigns.close(caller, campaign_id))

    return router
