"""Cases in MongoDB, each document carrying its own outbox of unpublished events.

The state and the events it causes are written in one single-document update, the
only atomicity every MongoDB-compatible server offers. A relay publishes the outbox
and clears it only if the case has not moved on meanwhile, so nothing written is
lost and nothing is cleared unpublished.
"""

import hashlib
import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from pymongo import DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.contracts import (
    EVENT_NAMESPACE,
    CaseEvent,
    CaseSnapshot,
    Envelope,
    RoutingDecision,
)
from shared.contracts import envelope as make_envelope
from shared.mongo import Document

logger = logging.getLogger(__name__)

PUBLIC_EXCLUDE = {"outbox": 0, "outbox_pending": 0}


def case_id_for(report_id: str, received_at: datetime) -> str:
    """A readable case id derived from the report, so a redelivered report maps to it."""
    digest = uuid.uuid5(EVENT_NAMESPACE, f"case/{report_id}").hex[:8].upper()
    return f"C-{received_at:%Y%m%d}-{digest}"


def snapshot(doc: Document) -> CaseSnapshot:
    """The case as events carry it."""
    return CaseSnapshot.model_validate({"case_id": doc["_id"], **doc})


class CaseStore:
    """The ``cases`` collection."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.cases = db["cases"]

    async def prepare(self) -> None:
        """Indexes for the case list filters and the outbox relay."""
        await self.cases.create_index("report_id", unique=True)
        await self.cases.create_index([("status", 1), ("created_at", DESCENDING)])
        await self.cases.create_index([("department", 1), ("created_at", DESCENDING)])
        await self.cases.create_index([("grid_code", 1), ("created_at", DESCENDING)])
        await self.cases.create_index("outbox_pending")

    async def open_case(self, decision: RoutingDecision, causation_id: str) -> Document:
        """Store a dispatched case for a routed report; a repeat returns the stored case."""
        report = decision.report
        case_id = case_id_for(report.report_id, report.received_at)
        now = datetime.now(UTC)
        doc: Document = {
            "_id": case_id,
            "report_id": report.report_id,
            "status": "dispatched",
            "grid_code": report.grid_code,
            "category": decision.category,
            "level": decision.level,
            "tier": decision.tier,
            "department": decision.department,
            "emergency": decision.emergency,
            "version": 1,
            "description": report.description,
            "address": report.address,
            "channel": report.channel.value,
            "media_ids": report.media_ids,
            "routing_explanation": decision.explanation,
            "created_at": now,
            "updated_at": now,
            "timeline": [
                _entry(
                    now, "reported", None, "reported", f"reporter:{report.reporter.kind}"
                ),
                _entry(
                    now,
                    "dispatch",
                    "reported",
                    "dispatched",
                    "router",
                    decision.explanation,
                ),
            ],
        }
        event = make_envelope(
            CaseEvent(
                action="dispatch",
                from_status="reported",
                actor="router",
                reason=decision.explanation,
                case=snapshot(doc),
            ),
            event_type="case.dispatched",
            correlation_id=report.report_id,
            causation_id=causation_id,
            producer="casework",
            identity=(case_id, "1"),
            occurred_at=now,
        )
        doc["outbox"] = [event.model_dump(mode="json")]
        doc["outbox_pending"] = True

        try:
            await self.cases.insert_one(doc)
            logger.info(
                "case opened for %s", decision.department, extra={"case_id": case_id}
            )
            return doc
        except DuplicateKeyError:
            existing = await self.cases.find_one({"report_id": report.report_id})
            if existing is None:
                raise
            logger.info(
                "case already open for this report", extra={"case_id": existing["_id"]}
            )
            return existing

    async def pending_outboxes(self, limit: int) -> list[Document]:
        """Cases with events still to publish."""
        cursor = self.cases.find(
            {"outbox_pending": True}, {"outbox": 1, "version": 1}, limit=limit
        )
        return [doc async for doc in cursor]

    async def clear_outbox(self, case_id: str, version: int) -> bool:
        """Empty the outbox if the case is still at ``version``; else the relay retries."""
        result = await self.cases.update_one(
            {"_id": case_id, "version": version},
            {"$set": {"outbox": [], "outbox_pending": False}},
        )
        return result.modified_count == 1

    async def get(self, case_id: str) -> Document | None:
        """One case, with its timeline."""
        return await self.cases.find_one({"_id": case_id}, PUBLIC_EXCLUDE)

    async def search(
        self, filters: dict[str, Any], limit: int, skip: int
    ) -> list[Document]:
        """Cases matching equality filters, newest first, without timelines."""
        cursor = self.cases.find(
            filters,
            {**PUBLIC_EXCLUDE, "timeline": 0},
            sort=[("created_at", DESCENDING), ("_id", DESCENDING)],
            limit=limit,
            skip=skip,
        )
        return [doc async for doc in cursor]


def outbox_events(doc: Document) -> list[Envelope[CaseEvent]]:
    """The stored events of a case's outbox."""
    return [Envelope[CaseEvent].model_validate(item) for item in doc.get("outbox", [])]


def _entry(
    at: datetime,
    action: str,
    from_status: str | None,
    to_status: str,
    actor: str,
    reason: str | None = None,
) -> Document:
    entry_id = hashlib.sha256(f"{at.isoformat()}/{action}/{actor}".encode()).hexdigest()[
        :16
    ]
    return {
        "entry_id": entry_id,
        "at": at,
        "action": action,
        "from_status": from_status,
        "to_status": to_status,
        "actor": actor,
        "reason": reason,
        "media_ids": [],
    }
