"""Reports as intake keeps them: stored before acknowledged, published afterwards."""

import hashlib
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.contracts import Report
from shared.errors import ApiError
from shared.mongo import Document

logger = logging.getLogger(__name__)


def fingerprint(report: Report) -> str:
    """Digest of what the client said, to tell a retry from a reused report id."""
    content = report.model_dump_json(exclude={"received_at"})
    return hashlib.sha256(content.encode()).hexdigest()


class ReportStore:
    """The ``reports`` collection; ``published`` is the outbox flag.

    Besides the report, a document keeps what intake learns of it later: the case
    it became and that case's status, from ``cases.events``.
    """

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.reports = db["reports"]

    async def prepare(self) -> None:
        """Index what the outbox relay, token look-ups and Open311 queries look for."""
        await self.reports.create_index([("published", 1), ("accepted_at", 1)])
        await self.reports.create_index("tracking_token")
        await self.reports.create_index([("accepted_at", DESCENDING)])

    async def accept(
        self, report: Report, *, token: str, urgent: bool, service_code: str | None
    ) -> tuple[Document, bool]:
        """Store a report once; answer the stored copy and whether it is new."""
        doc: Document = {
            "_id": report.report_id,
            "report": report.model_dump(mode="json"),
            "fingerprint": fingerprint(report),
            "status": "accepted",
            "published": False,
            "urgent": urgent,
            "tracking_token": token,
            "service_code": service_code,
            "accepted_at": report.received_at,
            "updated_at": report.received_at,
            "open311_status": "open",
        }
        try:
            await self.reports.insert_one(doc)
            return doc, True
        except DuplicateKeyError:
            existing = await self.reports.find_one({"_id": report.report_id})

        if existing is None:
            raise ApiError(503, "retry", "report is being stored; retry shortly")
        if existing["fingerprint"] != doc["fingerprint"]:
            raise ApiError(
                409,
                "report_id_reused",
                "report_id was already used for a different report",
                field="report_id",
            )
        logger.info("report repeated by its client; answering the stored copy")
        return existing, False

    async def mark_published(self, report_id: str) -> None:
        """Clear the outbox flag once Kafka has acknowledged the report."""
        await self.reports.update_one(
            {"_id": report_id}, {"$set": {"published": True, "status": "submitted"}}
        )

    async def record_case(self, report_id: str, version: int, fields: Document) -> bool:
        """Keep the newest case state on the report; older or repeated events do nothing."""
        newer = {"$or": [{"case_version": {"$lt": version}}, {"case_version": None}]}
        result = await self.reports.update_one(
            {"_id": report_id, **newer},
            {"$set": {**fields, "case_version": version}},
        )
        return result.modified_count == 1

    async def find(self, report_id: str) -> Document | None:
        """One stored report."""
        return await self.reports.find_one({"_id": report_id})

    async def find_by_token(self, token: str) -> Document | None:
        """The report a tracking token was issued for."""
        return await self.reports.find_one({"tracking_token": token})

    async def search(self, query: Document, limit: int) -> list[Document]:
        """Reports matching ``query``, newest first."""
        cursor = self.reports.find(
            query, sort=[("accepted_at", DESCENDING), ("_id", 1)], limit=limit
        )
        return [doc async for doc in cursor]

    async def forget_phones(self, closed_before: datetime) -> int:
        """Remove reporters' phones from reports whose case closed before the cut-off."""
        result = await self.reports.update_many(
            {"closed_at": {"$lt": closed_before}, "report.reporter.phone": {"$ne": None}},
            {
                "$set": {
                    "report.reporter.phone": None,
                    "phone_removed_at": datetime.now(UTC),
                }
            },
        )
        return result.modified_count

    async def unpublished(self, older_than: timedelta, limit: int) -> list[Document]:
        """Reports accepted a while ago whose publish was not confirmed."""
        cutoff = datetime.now(UTC) - older_than
        cursor = self.reports.find(
            {"published": False, "accepted_at": {"$lt": cutoff}},
            sort=[("accepted_at", 1)],
            limit=limit,
        )
        return [doc async for doc in cursor]


def report_of(doc: dict[str, Any]) -> Report:
    """The report inside a stored document."""
    return Report.model_validate(doc["report"])
