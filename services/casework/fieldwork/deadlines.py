"""Reminds grids that lag before a campaign's deadline and escalates after it."""

import asyncio
import logging
from datetime import UTC, datetime

from prometheus_client import Counter

from services.casework.fieldwork.campaigns import change_of, missing_of, notice
from services.casework.fieldwork.events import FieldworkEvents
from services.casework.fieldwork.store import FieldworkStore
from shared.mongo import Document

logger = logging.getLogger(__name__)

CAMPAIGN_ALERTS = Counter(
    "gridloop_campaign_alerts_total",
    "Campaign reminders and escalations sent, by kind.",
    ["kind"],
)


class CampaignClock:
    """Looks at unfinished campaigns; each reminder and escalation is sent once."""

    def __init__(self, store: FieldworkStore, events: FieldworkEvents) -> None:
        self.store = store
        self.events = events

    async def run(self, interval_s: float) -> None:
        """Scan for the life of the process."""
        while True:
            await self.scan(datetime.now(UTC))
            await asyncio.sleep(interval_s)

    async def scan(self, now: datetime) -> None:
        """Remind and escalate whatever is due at ``now``."""
        for doc in await self.store.unfinished():
            if not doc["reminded"] and doc["remind_at"] <= now < doc["deadline"]:
                await self._remind(doc)
            if not doc["escalated"] and doc["deadline"] <= now:
                await self._escalate(doc)

    async def _remind(self, doc: Document) -> None:
        """Tell the heads of lagging grids that the deadline is near."""
        if not await self.store.claim(doc["_id"], "reminded", {}):
            return
        lagging = missing_of(doc)
        text = "The deadline is near; households are still unconfirmed."
        await self.events.notify_grids(
            [notice(doc, code, "campaign_reminder", text) for code in lagging]
        )
        await self.events.campaign_changed(change_of(doc, "reminded"), "reminded")
        CAMPAIGN_ALERTS.labels("reminder").inc()
        logger.info("campaign %s: reminded %d grids", doc["_id"], len(lagging))

    async def _escalate(self, doc: Document) -> None:
        """Report what is missing at the deadline, to the heads and on the event stream."""
        lagging = missing_of(doc)
        status = "overdue" if lagging else "complete"
        if not await self.store.claim(doc["_id"], "escalated", {"status": status}):
            return
        text = "The deadline has passed; the missing households were escalated."
        await self.events.notify_grids(
            [notice(doc, code, "campaign_overdue", text) for code in lagging]
        )
        await self.events.campaign_changed(change_of(doc, "escalated"), "escalated")
        CAMPAIGN_ALERTS.labels("escalation").inc()
        logger.warning(
            "campaign %s: %d grids missed the deadline", doc["_id"], len(lagging)
        )
