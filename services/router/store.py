"""The router's memory of where reports were made and which cases are open.

``router_places`` holds each routed report's spot, so that when casework announces a
case the router knows where it is; ``router_open_cases`` holds the open cases, keyed
by case id, with their H3 cell. Both live in MongoDB so they survive restarts. Every
write is a single-document update, guarded by the case version where order matters.
"""

import logging
from datetime import datetime

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.router.duplicates import CLOSED_STATUSES, Neighbourhood, OpenCase, Spot
from shared.contracts import CaseSnapshot
from shared.mongo import Document

logger = logging.getLogger(__name__)


def _open_case(doc: Document) -> OpenCase:
    return OpenCase(
        case_id=doc["_id"],
        report_id=doc["report_id"],
        category=doc["category"],
        base_level=doc["base_level"],
        lat=doc["lat"],
        lon=doc["lon"],
        opened_at=doc["opened_at"],
    )


class CaseIndex:
    """Spots of routed reports and the open cases they became."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.places = db["router_places"]
        self.cases = db["router_open_cases"]

    async def prepare(self) -> None:
        """The index the neighbourhood query runs on."""
        await self.cases.create_index([("category", 1), ("cell", 1)])
        await self.cases.create_index("report_id")

    async def remember(self, spot: Spot) -> None:
        """Keep where a report was made, for when its case opens."""
        await self.places.update_one(
            {"_id": spot.report_id},
            {
                "$set": {
                    "category": spot.category,
                    "lat": spot.lat,
                    "lon": spot.lon,
                    "cell": spot.cell,
                    "at": spot.at,
                }
            },
            upsert=True,
        )

    async def candidates(self, spot: Spot, where: Neighbourhood) -> list[OpenCase]:
        """Open cases of the spot's category in the neighbourhood and time window."""
        cursor = self.cases.find(
            {
                "category": spot.category,
                "cell": {"$in": where.cells},
                "closed": False,
                "opened_at": {"$gte": where.since},
            }
        )
        return [_open_case(doc) async for doc in cursor]

    async def add_supporter(self, case_id: str, report_id: str) -> int:
        """Count a report as a supporter of a case, once; the number of supporters."""
        doc = await self.cases.find_one_and_update(
            {"_id": case_id},
            {"$addToSet": {"supporters": report_id}},
            return_document=ReturnDocument.AFTER,
        )
        return len(doc["supporters"]) if doc else 1

    async def observe(self, case: CaseSnapshot, occurred_at: datetime) -> None:
        """Track a case transition: open cases enter the index, closed ones leave it."""
        closed = case.status in CLOSED_STATUSES
        fields: Document = {
            "report_id": case.report_id,
            "status": case.status,
            "level": case.level,
            "version": case.version,
            "closed": closed,
        }
        insert: Document = {"supporters": [], "opened_at": occurred_at}
        if case.category is not None:
            fields["category"] = case.category

        place = await self.places.find_one({"_id": case.report_id})
        if place is None and not closed:
            logger.debug("case of an unplaced report: not indexed")
            return

        if place is not None:
            fields.update(lat=place["lat"], lon=place["lon"], cell=place["cell"])
            insert.update(opened_at=place["at"], base_level=case.level)
            fields.setdefault("category", place["category"])

        try:
            await self.cases.update_one(
                {"_id": case.case_id, "version": {"$lt": case.version}},
                {"$set": fields, "$setOnInsert": insert},
                upsert=True,
            )
        except DuplicateKeyError:
            logger.debug("case event older than the index: ignored")
