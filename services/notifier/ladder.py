"""The sign-for ladder: reminders and escalations for a dispatched case nobody signed for.

Who owns which clock: casework owns every stage deadline of a case (sign-for,
disposal, verification) and emits ``case.reminder_due``, ``case.overdue`` and
``case.escalated`` when they pass; those change or describe the case itself. The
notifier owns only the notification ladder for signing for: from
``case.dispatched`` (or ``case.redispatched``) it schedules a reminder to the unit,
then an alert to the sub-district command centre, then one to its leadership, each
after its own delay, and any later event that leaves the case no longer
``dispatched`` (``case.signed`` first of all) stops it. The ladder changes no case
state; it only decides who is told and when.

The schedule is a ``sign_ladders`` document per case, written before the Kafka
offset is committed, so a restart loses nothing. Each step is planned before the
ladder moves past it; a crash in between plans it again under the same delivery
ids, which the job store drops as duplicates.
"""

import asyncio
import logging
from datetime import datetime, timedelta

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.notifier.jobs import utcnow
from services.notifier.notices import notice_for
from services.notifier.planner import Planner
from services.notifier.settings import NotifierSettings
from shared.contracts import CaseSnapshot
from shared.mongo import Document

logger = logging.getLogger(__name__)

ARMING_EVENTS = {"case.dispatched", "case.redispatched"}
REMINDER = "sign_for.reminder"
TO_CENTRE = "sign_for.escalated"
TO_LEADERSHIP = "sign_for.escalated_to_leadership"


def ladder_steps(
    dispatched_at: datetime, settings: NotifierSettings, sign_due: datetime | None = None
) -> list[Document]:
    """When each rung falls due for a case dispatched at ``dispatched_at``.

    The first rung is the case's own sign-for deadline, set by casework from its
    category and level, so an emergency climbs in minutes and a bin in hours; the
    configured limit stands in only for events that carry no deadline.
    """
    fallback = dispatched_at + timedelta(seconds=settings.sign_for_limit_s)
    reminder = sign_due or fallback
    centre = reminder + timedelta(seconds=settings.ladder_centre_after_s)
    leadership = centre + timedelta(seconds=settings.ladder_leadership_after_s)
    return [
        {"event_type": REMINDER, "due_at": reminder},
        {"event_type": TO_CENTRE, "due_at": centre},
        {"event_type": TO_LEADERSHIP, "due_at": leadership},
    ]


class SignForLadder:
    """Arms, stops and climbs the ladder of every dispatched case."""

    def __init__(
        self, db: AsyncDatabase[Document], planner: Planner, settings: NotifierSettings
    ) -> None:
        self.ladders = db["sign_ladders"]
        self.planner = planner
        self.settings = settings

    async def prepare(self) -> None:
        """Index the query the climber runs."""
        await self.ladders.create_index([("status", ASCENDING), ("next_due_at", ASCENDING)])

    async def observe(
        self, event_type: str, case: CaseSnapshot, occurred_at: datetime
    ) -> None:
        """Arm the ladder on dispatch; stop it once the case is no longer waiting."""
        if event_type in ARMING_EVENTS:
            steps = ladder_steps(occurred_at, self.settings, case.sign_due)
            await self._write(
                case,
                {
                    "status": "active",
                    "steps": steps,
                    "next": 0,
                    "next_due_at": steps[0]["due_at"],
                    "case": case.model_dump(mode="json"),
                },
            )
        elif case.status != "dispatched":
            await self._write(case, {"status": "stopped", "next_due_at": None})

    async def _write(self, case: CaseSnapshot, changes: Document) -> None:
        """Apply a change only over an older version of the case, never a newer one."""
        try:
            await self.ladders.update_one(
                {"_id": case.case_id, "version": {"$lt": case.version}},
                {"$set": {**changes, "version": case.version}},
                upsert=True,
            )
        except DuplicateKeyError:
            logger.info("ladder already past version %d", case.version)

    async def climb(self) -> int:
        """Plan every rung that fell due and move each ladder past it."""
        fired = 0
        cursor = self.ladders.find({"status": "active", "next_due_at": {"$lte": utcnow()}})
        for doc in await cursor.to_list(200):
            step_index = doc["next"]
            step = doc["steps"][step_index]
            case = CaseSnapshot.model_validate(doc["case"])
            notice = notice_for(
                step["event_type"],
                case,
                occurred_at=step["due_at"],
                source_event_id=f"{case.case_id}/{case.version}/{step['event_type']}",
            )
            if notice is not None:
                await self.planner.plan(notice)

            following = step_index + 1
            last = following >= len(doc["steps"])
            await self.ladders.update_one(
                {"_id": doc["_id"], "version": doc["version"], "next": step_index},
                {
                    "$set": {
                        "next": following,
                        "status": "finished" if last else "active",
                        "next_due_at": None if last else doc["steps"][following]["due_at"],
                    }
                },
            )
            fired += 1
            logger.info(
                "ladder step %s", step["event_type"], extra={"case_id": case.case_id}
            )
        return fired

    async def run(self) -> None:
        """Climb for the life of the process."""
        while True:
            await self.climb()
            await asyncio.sleep(self.settings.ladder_poll_s)
