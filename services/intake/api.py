"""Intake's HTTP interface for reports."""

import logging
import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status

from services.intake.acceptance import ReportDesk
from services.intake.access import Gate, check_grid, check_reporter
from services.intake.models import Accepted, ReportIn, ReportStatus
from services.intake.places import check_record_grid, place
from services.intake.store import ReportStore
from shared.auth import Principal, Role, principal_dependency
from shared.contracts import Report, Reporter
from shared.errors import ApiError

logger = logging.getLogger(__name__)

REFUSALS: dict[int | str, dict[str, str]] = {
    401: {"description": "credential missing or invalid"},
    403: {"description": "credential does not cover this grid or role"},
    404: {"description": "grid_code names no grid"},
    409: {"description": "report_id reused for different content"},
    422: {"description": "a field is invalid; media_ids names an unknown photo"},
    429: {"description": "too many reports from this address without a credential"},
}


PHONE_READERS = {Role.OPERATOR, Role.HOTLINE, Role.SYSTEM}


def reporter_for(caller: Principal | None, reporter: Reporter) -> Reporter | None:
    """Who reported, as much as the caller needs: the full phone only for call desks."""
    if caller is None or caller.role is Role.RESIDENT:
        return None
    if caller.role in PHONE_READERS:
        return reporter
    return reporter.model_copy(update={"phone": None})


def build_router(desk: ReportDesk, store: ReportStore, gate: Gate) -> APIRouter:
    """The report routes, bound to one desk and store."""
    router = APIRouter(prefix="/v1")
    reader = principal_dependency(gate.signing_key, optional=True)

    @router.post(
        "/reports",
        status_code=status.HTTP_202_ACCEPTED,
        response_model=Accepted,
        responses=REFUSALS,
    )
    async def submit_report(
        body: ReportIn, request: Request, caller: Annotated[Principal, Depends(gate.writer)]
    ) -> Accepted:
        """Accept a report: stored first, then published; a retry gets the same answer."""
        reporter = check_reporter(caller, body.reporter)
        grid_code = place(desk.registry(), body.grid_code, body.location)
        check_grid(caller, grid_code)
        check_record_grid(body.record_ref, grid_code)
        report = Report(
            **body.model_dump(exclude={"report_id", "reporter", "grid_code"}),
            reporter=reporter,
            grid_code=grid_code,
            report_id=str(body.report_id or uuid.uuid4()),
            received_at=datetime.now(UTC),
        )

        doc = await desk.accept(report)
        return Accepted(
            report_id=doc["_id"],
            tracking_token=doc["tracking_token"],
            status_url=str(request.url_for("report_status", report_id=doc["_id"])),
        )

    @router.get(
        "/reports/{report_id}",
        response_model=ReportStatus,
        name="report_status",
        responses={404: {"description": "no such report"}},
    )
    async def report_status(
        report_id: str, caller: Annotated[Principal | None, Depends(reader)]
    ) -> ReportStatus:
        """Where a report is now: stored, published, and the case it became."""
        doc = await store.find(report_id)
        if doc is None:
            raise ApiError(
                404, "unknown_report", f"no report {report_id}", field="report_id"
            )

        return ReportStatus(
            report_id=doc["_id"],
            status=doc["status"],
            accepted_at=doc["accepted_at"],
            published=doc["published"],
            urgent=bool(doc.get("urgent")),
            grid_code=doc["report"].get("grid_code"),
            case_id=doc.get("case_id"),
            case_status=doc.get("case_status"),
            department=doc.get("department"),
            updated_at=doc.get("updated_at"),
            reporter=reporter_for(
                caller, Reporter.model_validate(doc["report"]["reporter"])
            ),
        )

    return router
