"""Cases in MongoDB, each document carrying its own outbox of unpublished events.

The state and the events it causes are written in one single-document update, the
only atomicity every MongoDB-compatible server offers. Every write that adds to the
outbox also bumps ``outbox_seq``; the relay clears the outbox only if that number is
unchanged, so an event appended meanwhile is never cleared unpublished. (FerretDB v1
does not apply ``$pull`` with a condition, which rules out removing events by id.)
"""

import asyncio
import logging
import uuid
from datetime import datetime
from typing import Any

from prometheus_client import Counter
from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, OperationFailure

from shared.contracts import EVENT_NAMESPACE
from shared.mongo import Document

logger = logging.getLogger(__name__)

BUSY_RETRIES = 8
BUSY = Counter(
    "gridloop_case_write_busy_total",
    "Case writes the database refused as busy and casework retried.",
)


def is_busy(error: OperationFailure) -> bool:
    """FerretDB on SQLite refuses a write while another holds the lock; it did nothing."""
    return "SQLITE_BUSY" in str(error) or "database is locked" in str(error)


HIDDEN = {"outbox": 0, "outbox_pending": 0, "outbox_seq": 0, "state": 0, "initial": 0}


def case_id_for(report_id: str, received_at: datetime) -> str:
    """A readable case id derived from the report, so a redelivered report maps to it."""
    digest = uuid.uuid5(EVENT_NAMESPACE, f"case/{report_id}").hex[:8].upper()
    return f"C-{received_at:%Y%m%d}-{digest}"


class CaseStore:
    """The ``cases`` collection."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.cases = db["cases"]

    async def prepare(self) -> None:
        """Indexes for the list filters, the queues, the timer and the outbox relay."""
        await self.cases.create_index("report_id", unique=True)
        await self.cases.create_index("supporters")
        await self.cases.create_index([("status", 1), ("created_at", DESCENDING)])
        await self.cases.create_index([("department", 1), ("created_at", DESCENDING)])
        await self.cases.create_index([("grid_code", 1), ("created_at", DESCENDING)])
        await self.cases.create_index([("village_code", 1), ("created_at", DESCENDING)])
        await self.cases.create_index([("category", 1), ("created_at", DESCENDING)])
        await self.cases.create_index([("created_at", DESCENDING), ("_id", DESCENDING)])
        await self.cases.create_index([("next_timer_at", ASCENDING)])
        await self.cases.create_index("outbox_pending")

    async def insert(self, doc: Document) -> Document:
        """Store a new case; a case already stored for the report wins."""
        try:
            await self.cases.insert_one(doc)
            return doc
        except DuplicateKeyError:
            existing = await self.cases.find_one({"report_id": doc["report_id"]})
            if existing is None:
                raise

            return existing

    async def load(self, case_id: str) -> Document | None:
        """One whole case, outbox and state included."""
        return await self.cases.find_one({"_id": case_id})

    async def apply(self, case_id: str, version: int, seq: int, update: Document) -> bool:
        """Write one update over exactly the version and outbox it was decided on."""
        filters = {"_id": case_id, "version": version, "outbox_seq": seq}
        return await self._update(filters, update)

    async def _update(self, filters: Document, update: Document) -> bool:
        """One conditional update, retried while the database says it is busy."""
        for attempt in range(BUSY_RETRIES):
            try:
                result = await self.cases.update_one(filters, update)
                return result.modified_count == 1
            except OperationFailure as error:
                if not is_busy(error) or attempt == BUSY_RETRIES - 1:
                    raise

                BUSY.inc()
                await asyncio.sleep(0.005 * 2**attempt)

        return False

    async def pending_outboxes(self, limit: int) -> list[Document]:
        """Cases with events still to publish."""
        cursor = self.cases.find(
            {"outbox_pending": True},
            {"outbox": 1, "outbox_seq": 1, "report_id": 1},
            limit=limit,
        )
        return [doc async for doc in cursor]

    async def clear_outbox(self, case_id: str, seq: int) -> bool:
        """Empty the outbox if nothing was added to it since it was read."""
        return await self._update(
            {"_id": case_id, "outbox_seq": seq},
            {"$set": {"outbox": [], "outbox_pending": False}},
        )

    async def due_timers(self, now: datetime, limit: int) -> list[Document]:
        """Cases whose clock owes a reminder, a breach or an automatic step.

        The outbox comes along: the clock publishes what it adds behind whatever
        earlier events still wait there, or a reminder would overtake its dispatch.
        """
        cursor = self.cases.find(
            {"next_timer_at": {"$lte": now}},
            {"timeline": 0},
            sort=[("next_timer_at", ASCENDING)],
            limit=limit,
        )
        return [doc async for doc in cursor]

    async def get(self, case_id: str) -> Document | None:
        """One case as callers see it, with its timeline."""
        return await self.cases.find_one({"_id": case_id}, HIDDEN)

    async def search(
        self,
        filters: dict[str, Any],
        *,
        sort: list[tuple[str, int]],
        limit: int,
        skip: int,
    ) -> list[Document]:
        """Cases matching the filters, without timelines."""
        cursor = self.cases.find(
            filters,
            {**HIDDEN, "timeline": 0, "clock": 0},
            sort=sort,
            limit=limit,
            skip=skip,
        )
        return [doc async for doc in cursor]

    async def count(self, filters: dict[str, Any]) -> int:
        """How many cases match, for pagination."""
        return await self.cases.count_documents(filters)

    async def summaries(self, filters: dict[str, Any], fields: list[str]) -> list[Document]:
        """The few fields statistics read, for every matching case."""
        projection = dict.fromkeys(fields, 1)
        return [doc async for doc in self.cases.find(filters, projection, batch_size=5000)]
