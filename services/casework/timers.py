"""The clock: reminders at 50% and 80% of a stage limit, and what happens at breach.

The loop reads cases whose indexed ``next_timer_at`` has come. At a breach of the
sign-for or disposal limit it records ``case.overdue`` and escalates the case to the
next tier through the table, in one update; a verification breach is only reported;
an evaluation nobody gave in time is given by the system.
"""

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any, Final

from prometheus_client import Counter

from services.casework.case_model import Action, Actor, Role, Stage
from services.casework.clock import Mark, fired
from services.casework.commands import CaseEngine
from services.casework.documents import clock_event, outbox_item, state_of
from services.casework.errors import CaseworkError
from services.casework.writes import clock_update, published_view
from shared.logs import bound
from shared.mongo import Document

logger = logging.getLogger(__name__)

CLOCK: Final = Actor(role=Role.SYSTEM, id="clock")
BATCH: Final = 200
ESCALATING: Final = frozenset({Stage.SIGN, Stage.DISPOSE})

TIMER_EVENTS = Counter(
    "gridloop_case_timer_events_total",
    "Reminders, breaches and automatic steps taken by the casework clock, by kind.",
    ["kind"],
)


class CaseTimer:
    """Scans for due clocks and acts on each case in one conditional write."""

    def __init__(self, engine: CaseEngine, *, auto_score: int) -> None:
        self.engine = engine
        self.auto_score = auto_score

    async def run(self, interval_s: float) -> None:
        """Tick for the life of the process."""
        while True:
            await self.tick(datetime.now(UTC))
            await asyncio.sleep(interval_s)

    async def tick(self, now: datetime) -> int:
        """Handle every case whose clock is due now; how many were handled."""
        due = await self.engine.store.due_timers(now, BATCH)
        for doc in due:
            with bound(case_id=doc["_id"], report_id=doc.get("report_id")):
                try:
                    await self.handle(doc, now)
                except CaseworkError:
                    logger.exception("clock step refused")

        return len(due)

    async def handle(self, doc: Document, now: datetime) -> None:
        """Send owed reminders, and at a breach report it and act on it."""
        window: dict[str, Any] = dict(doc["clock"])
        marks = fired(window, now)
        state = state_of(doc)
        items = []
        breach: Mark | None = None
        for mark in marks:
            if mark.is_breach:
                breach = mark
                event_type = "case.overdue"
            else:
                event_type = "case.reminder_due"
            message = clock_event(
                doc, state, event_type, window, mark.key, mark.at, mark.percent
            )
            items.append(outbox_item(doc, message))
            TIMER_EVENTS.labels(event_type.removeprefix("case.")).inc()

        window["sent"] = [*window.get("sent", []), *(mark.key for mark in marks)]
        stage = Stage(window["stage"])
        if breach is not None and (stage in ESCALATING or stage is Stage.EVALUATE):
            await self._act(doc, stage, items, now)
            return

        update = clock_update(items, window, breached=breach is not None)
        written = await self.engine.store.apply(
            doc["_id"], doc["version"], int(doc.get("outbox_seq", 0)), update
        )
        if written:
            logger.info("clock: %s", ", ".join(mark.key for mark in marks))
            await self.engine.publish(published_view(doc, items))

    async def _act(
        self, doc: Document, stage: Stage, items: list[Document], now: datetime
    ) -> None:
        """Escalate a breached case, or evaluate one nobody evaluated, with the events."""
        if stage is Stage.EVALUATE:
            action = Action.EVALUATE
            body: dict[str, Any] = {
                "score": self.auto_score,
                "comment": "evaluated automatically: no answer within the time allowed",
            }
        else:
            action = Action.ESCALATE
            body = {"reason": f"{stage} limit passed"}

        window = doc["clock"]
        key = f"clock/{stage}/{window['number']}/{action}"
        decision = self.engine.judge(doc, action, body, CLOCK, key, now)
        summary = doc.get("summary", {})
        also: dict[str, Any] = {}
        if action is Action.ESCALATE:
            summary = {**summary, "breached": True}
            also["overdue"] = True

        written = await self.engine.commit(
            doc, decision, before=items, summary=summary, also=also
        )
        if written:
            TIMER_EVENTS.labels(action.value).inc()
