"""Basic information records and their change history in MongoDB.

One document per record in ``basic_info``, keyed by its reference, with a revision
that every change raises. A change is written only over the revision it was compared
with, so the history entry written after it describes exactly that step. History
keeps person numbers masked: the full number lives in the current record only.
"""

import contextlib
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.casework.basicinfo.models import SENSITIVE
from shared.mongo import Document
from shared.privacy import mask_identity, mask_phone

REFERENCES_SHOWN = 50


def masked(value: dict[str, Any]) -> dict[str, Any]:
    """The record with its person numbers masked."""
    shown = dict(value)
    if shown.get("phone"):
        shown["phone"] = mask_phone(shown["phone"])
    if shown.get("id_number"):
        shown["id_number"] = mask_identity(shown["id_number"])
    return shown


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What changed, field by field, with person numbers masked on both sides."""
    old, new = masked(before), masked(after)
    return {
        name: {"from": old.get(name), "to": new.get(name)}
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


class BasicInfoStore:
    """The ``basic_info`` and ``basic_info_history`` collections."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.records = db["basic_info"]
        self.history = db["basic_info_history"]
        self.visits = db["fieldwork_visits"]
        self.cases = db["cases"]

    async def prepare(self) -> None:
        """Indexes for listing by grid and kind, history, references and retention."""
        await self.records.create_index([("grid_code", 1), ("kind", 1), ("_id", 1)])
        await self.records.create_index([("deleted", 1), ("deleted_at", 1)])
        await self.history.create_index([("ref", 1), ("revision", DESCENDING)])
        await self.visits.create_index("record_ref")
        await self.cases.create_index("record_ref")

    async def get(self, ref: str) -> Document | None:
        """One record's document, deleted or not."""
        return await self.records.find_one({"_id": ref})

    async def exists(self, ref: str) -> bool:
        """Whether a live record has this reference."""
        found = await self.records.find_one({"_id": ref, "deleted": False}, {"_id": 1})
        return found is not None

    async def live_refs(self, refs: list[str]) -> set[str]:
        """Those of ``refs`` that name live records."""
        cursor = self.records.find({"_id": {"$in": refs}, "deleted": False}, {"_id": 1})
        return {doc["_id"] async for doc in cursor}

    async def search(
        self, filters: Document, *, limit: int, skip: int = 0
    ) -> list[Document]:
        """Live records matching ``filters``, in reference order."""
        cursor = self.records.find(
            {**filters, "deleted": False},
            sort=[("_id", ASCENDING)],
            limit=limit,
            skip=skip,
        )
        return [doc async for doc in cursor]

    async def insert(self, doc: Document) -> bool:
        """Store a new record at revision 1; False if one appeared meanwhile."""
        try:
            await self.records.insert_one(doc)
            return True
        except DuplicateKeyError:
            return False

    async def replace(self, ref: str, revision: int, fields: Document) -> bool:
        """Write over exactly ``revision``; False if someone changed it meanwhile."""
        result = await self.records.update_one(
            {"_id": ref, "revision": revision},
            {"$set": {**fields, "revision": revision + 1}},
        )
        return result.modified_count == 1

    async def add_history(self, entry: Document) -> None:
        """Remember one change; a repeat of the same revision is ignored."""
        with contextlib.suppress(DuplicateKeyError):
            await self.history.insert_one(entry)

    async def history_of(self, ref: str, limit: int = 200) -> list[Document]:
        """A record's changes, newest first."""
        cursor = self.history.find(
            {"ref": ref}, sort=[("revision", DESCENDING)], limit=limit
        )
        return [doc async for doc in cursor]

    async def referenced_by(self, ref: str) -> dict[str, list[str]]:
        """The visits and cases that name a record, the most recent few."""
        visits = self.visits.find(
            {"record_ref": ref}, {"_id": 1}, sort=[("visited_at", DESCENDING)]
        )
        cases = self.cases.find(
            {"record_ref": ref}, {"_id": 1}, sort=[("created_at", DESCENDING)]
        )
        return {
            "visits": [doc["_id"] async for doc in visits.limit(REFERENCES_SHOWN)],
            "cases": [doc["_id"] async for doc in cases.limit(REFERENCES_SHOWN)],
        }

    async def forget_numbers(self, deleted_before: datetime, at: datetime) -> int:
        """Remove person numbers from records deleted before the cut-off."""
        result = await self.records.update_many(
            {
                "deleted": True,
                "deleted_at": {"$lt": deleted_before},
                "numbers_removed_at": None,
            },
            {
                "$unset": {f"value.{name}": "" for name in SENSITIVE},
                "$set": {"numbers_removed_at": at},
            },
        )
        return result.modified_count
