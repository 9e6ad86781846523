"""Intake's HTTP interface."""

import logging
import uuid
from datetime import UTC, datetime

from fastapi import APIRouter, Request, status
from faststream.kafka import KafkaBroker
from prometheus_client import Counter

from services.intake.models import Accepted, ReportIn, ReportStatus
from services.intake.publisher import publish_report
from services.intake.store import ReportStore, tracking_token
from shared.contracts import Report
from shared.errors import ApiError
from shared.logs import bound

logger = logging.getLogger(__name__)

REPORTS_RECEIVED = Counter(
    "gridloop_reports_received_total",
    "Reports accepted by intake, by channel; a retried report counts once.",
    ["channel"],
)


def build_router(broker: KafkaBroker, store: ReportStore, signing_key: str) -> APIRouter:
    """The report routes, bound to one broker and store."""
    router = APIRouter(prefix="/v1")

    @router.post(
        "/reports",
        status_code=status.HTTP_202_ACCEPTED,
        response_model=Accepted,
        responses={409: {"description": "report_id reused for different content"}},
    )
    async def submit_report(body: ReportIn, request: Request) -> Accepted:
        """Accept a report: stored first, then published; a retry gets the same answer."""
        report = Report(
            **body.model_dump(exclude={"report_id"}),
            report_id=str(body.report_id or uuid.uuid4()),
            received_at=datetime.now(UTC),
        )

        with bound(report_id=report.report_id):
            doc, created = await store.accept(report)
            if created:
                REPORTS_RECEIVED.labels(report.channel.value).inc()
                logger.info("report accepted from %s", report.channel.value)
                await publish_report(broker, store, report)

        return Accepted(
            report_id=doc["_id"],
            tracking_token=tracking_token(signing_key, doc["_id"]),
            status_url=str(request.url_for("report_status", report_id=doc["_id"])),
        )

    @router.get("/reports/{report_id}", response_model=ReportStatus, name="report_status")
    async def report_status(report_id: str) -> ReportStatus:
        """Where a report is now."""
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
        )

    return router
