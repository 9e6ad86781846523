"""Routing rules kept as one MongoDB document and cached in memory.

The whole rule set is one document (``notify_rules``, id ``current``) because a
rule edit often touches several rules at once and without multi-document
transactions only a single-document write is atomic: a reader sees the old set
or the new one, never half of each. Every notifier re-reads it every few
seconds, so an edit made through any process takes effect everywhere.
"""

import asyncio
import logging
from datetime import UTC, datetime

from pydantic import ValidationError
from pymongo.asynchronous.database import AsyncDatabase

from services.notifier.rules import RuleSet
from shared.mongo import Document

logger = logging.getLogger(__name__)

CURRENT = "current"


class RuleCache:
    """The rule set in force, refreshed from the database."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection = db["notify_rules"]
        self.current = RuleSet()
        self.revision = 0

    async def refresh(self) -> None:
        """Load the stored rule set if it changed."""
        doc = await self.collection.find_one({"_id": CURRENT})
        if doc is None or doc["revision"] == self.revision:
            return
        try:
            self.current = RuleSet.model_validate(doc["rules"])
        except ValidationError:
            logger.exception(
                "stored rules do not validate; keeping revision %d", self.revision
            )
            return
        self.revision = doc["revision"]
        logger.info("rules at revision %d", self.revision)

    async def save(self, rules: RuleSet, author: str) -> int:
        """Store a new rule set and use it at once; returns its revision."""
        await self.refresh()
        revision = self.revision + 1
        await self.collection.update_one(
            {"_id": CURRENT},
            {
                "$set": {
                    "rules": rules.model_dump(mode="json", by_alias=True),
                    "revision": revision,
                    "author": author,
                    "saved_at": datetime.now(UTC),
                }
            },
            upsert=True,
        )
        # TODO: two operators saving at the same moment both get the same revision
        # number; the last write wins. Guard the update on the revision read if needed.
        self.current = rules
        self.revision = revision
        return revision

    async def follow(self, interval_s: float) -> None:
        """Refresh for the life of the process."""
        while True:
            try:
                await self.refresh()
            except Exception:
                logger.exception("rules not refreshed")
            await asyncio.sleep(interval_s)
