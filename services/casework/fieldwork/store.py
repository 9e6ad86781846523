"""Visits, campaigns and campaign progress as field work keeps them in MongoDB."""

from datetime import datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.mongo import Document


class FieldworkStore:
    """The ``fieldwork_*`` collections.

    Campaign counters live on the campaign document and change by ``$inc`` when a
    household's status changes, so coverage is read from one document rather than
    counted over the progress collection.
    """

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.visits = db["fieldwork_visits"]
        self.campaigns = db["fieldwork_campaigns"]
        self.progress = db["fieldwork_progress"]
        self.cases = db["cases"]

    async def prepare(self) -> None:
        """Index what the periodic report and the deadline scan look for."""
        await self.visits.create_index([("visited_at", 1)])
        await self.campaigns.create_index([("status", 1), ("deadline", 1)])

    async def add_visit(self, doc: Document) -> tuple[Document, bool]:
        """Store a visit once; answer the stored copy and whether it is new."""
        try:
            await self.visits.insert_one(doc)
            return doc, True
        except DuplicateKeyError:
            existing = await self.visits.find_one({"_id": doc["_id"]})
        assert existing is not None
        return existing, False

    async def set_visit(self, visit_id: str, fields: Document) -> None:
        """Record what happened after a visit was stored."""
        await self.visits.update_one({"_id": visit_id}, {"$set": fields})

    async def visits_between(self, start: datetime, end: datetime) -> list[Document]:
        """Visits made in ``[start, end)``."""
        cursor = self.visits.find({"visited_at": {"$gte": start, "$lt": end}})
        return [doc async for doc in cursor]

    async def forget_visit_phones(self, visited_before: datetime, at: datetime) -> int:
        """Remove the contact phone from visits made before the cut-off."""
        result = await self.visits.update_many(
            {"visited_at": {"$lt": visited_before}, "contact_phone": {"$ne": None}},
            {"$set": {"contact_phone": None, "phone_removed_at": at}},
        )
        return result.modified_count

    async def cases_closed_between(self, start: datetime, end: datetime) -> list[Document]:
        """Cases filed in ``[start, end)``: the problems handled through the loop."""
        cursor = self.cases.find(
            {"status": "filed", "summary.closed_at": {"$gte": start, "$lt": end}},
            {"grid_code": 1, "village_code": 1, "category": 1},
        )
        return [doc async for doc in cursor]

    async def add_campaign(self, doc: Document) -> None:
        """Store a new campaign."""
        await self.campaigns.insert_one(doc)

    async def campaign(self, campaign_id: str) -> Document | None:
        """One campaign."""
        return await self.campaigns.find_one({"_id": campaign_id})

    async def recent_campaigns(self, statuses: list[str], limit: int) -> list[Document]:
        """The newest campaigns in the given states (all states when none are given)."""
        query: Document = {"status": {"$in": statuses}} if statuses else {}
        cursor = self.campaigns.find(query).sort("created_at", -1).limit(limit)
        return [doc async for doc in cursor]

    async def campaigns_between(self, start: datetime, end: datetime) -> list[Document]:
        """Campaigns that ran in ``[start, end)``: issued before it ended, due after."""
        cursor = self.campaigns.find(
            {"created_at": {"$lt": end}, "deadline": {"$gte": start}}
        )
        return [doc async for doc in cursor]

    async def unfinished(self) -> list[Document]:
        """Campaigns the deadline scan still has to look at."""
        cursor = self.campaigns.find({"status": {"$in": ["open", "overdue"]}})
        return [doc async for doc in cursor]

    async def claim(self, campaign_id: str, flag: str, fields: Document) -> bool:
        """Set ``flag`` once; only the caller that set it acts on it."""
        result = await self.campaigns.update_one(
            {"_id": campaign_id, flag: False}, {"$set": {flag: True, **fields}}
        )
        return result.modified_count == 1

    async def record_progress(self, key: str, fields: Document) -> Document | None:
        """Upsert one household's progress; answers what it was before, if anything."""
        return await self.progress.find_one_and_update(
            {"_id": key},
            {"$set": fields},
            upsert=True,
            return_document=ReturnDocument.BEFORE,
        )

    async def count_change(self, campaign_id: str, changes: dict[str, Any]) -> None:
        """Move a campaign's counters."""
        await self.campaigns.update_one({"_id": campaign_id}, {"$inc": changes})

    async def add_report(self, campaign_id: str, grid_code: str, report_id: str) -> None:
        """Remember a report raised from a blocker."""
        await self.campaigns.update_one(
            {"_id": campaign_id},
            {"$addToSet": {f"grids.{grid_code}.report_ids": report_id}},
        )
