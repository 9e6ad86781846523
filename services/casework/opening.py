"""Routing decisions become cases: dispatched, left for the command centre, or support.

A report the router placed is dispatched to its unit at once by the system actor, so
the case starts at version 1 with the dispatch on its timeline. A report sent to
triage waits in ``reported`` for the command centre to dispatch, merge or
invalidate it. A duplicate of an open case adds its report to that case as a
supporter instead of opening a case of its own.
"""

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from services.casework.actors import reporter_identity
from services.casework.case_model import Action, Actor, Command, Role, Stage
from services.casework.clock import WorkClock, next_timer_at
from services.casework.commands import CaseEngine, is_open
from services.casework.documents import (
    outbox_item,
    state_fields,
    state_of,
    transition_event,
)
from services.casework.store import CaseStore, case_id_for
from services.casework.transitions import decide, open_case
from services.casework.writes import window_after
from shared.contracts import RoutingDecision
from shared.logs import bound
from shared.mongo import Document
from shared.registry import Registry

logger = logging.getLogger(__name__)

ROUTER = Actor(role=Role.SYSTEM, id="router")
LiveRecords = Callable[[list[str]], Awaitable[set[str]]]
"""Answers which of some record references name live basic information records."""


class CaseOpener:
    """Turns each routing decision into exactly one case or one supporter."""

    def __init__(
        self,
        store: CaseStore,
        engine: CaseEngine,
        clock: WorkClock,
        registry: Callable[[], Registry],
        live_records: LiveRecords | None = None,
    ) -> None:
        self.store = store
        self.engine = engine
        self.clock = clock
        self.registry = registry
        self.live_records = live_records

    async def on_decision(self, decision: RoutingDecision, causation_id: str) -> None:
        """Open, support or recognise a repeat, then publish what was written."""
        report = decision.report
        if decision.duplicate_of and await self._support(decision):
            return

        doc = self.build(decision, causation_id, datetime.now(UTC))
        await self._link_record(doc, report.record_ref)
        stored = await self.store.insert(doc)
        with bound(case_id=stored["_id"], report_id=report.report_id):
            if stored is doc:
                logger.info("case opened: %s", stored["status"])
            else:
                logger.info("case already open for this report")

            if stored.get("outbox_pending"):
                await self.engine.publish(stored)

    async def _link_record(self, doc: Document, ref: str | None) -> None:
        """Name the basic information record the report is about, if it exists."""
        if ref is None:
            return
        known = self.live_records is not None and ref in await self.live_records([ref])
        if known:
            doc["record_ref"] = ref
            return
        doc["record_ref_unknown"] = ref
        logger.warning("case %s: no record %s, opened without it", doc["_id"], ref)

    async def _support(self, decision: RoutingDecision) -> bool:
        """Add the report to the open case it duplicates; False if there is none."""
        target = str(decision.duplicate_of)
        doc = await self.store.load(target)
        if doc is None or not is_open(doc):
            logger.info("duplicate of %s, which is not open: opening a case", target)
            return False

        report_id = decision.report.report_id
        body = {"report_id": report_id}
        key = f"support/{report_id}"
        done = await self.engine.internal(target, Action.SUPPORT, body, ROUTER, key)
        return done is not None

    def build(
        self, decision: RoutingDecision, causation_id: str, now: datetime
    ) -> Document:
        """The whole first write of a case: state, timeline, clock and first event."""
        report = decision.report
        case_id = case_id_for(report.report_id, report.received_at)
        state = open_case(
            case_id=case_id,
            reporter_id=reporter_identity(report.report_id),
            grid_code=report.grid_code,
            level=decision.level,
            at=now,
        )
        limits = self.clock.limits(decision.category, decision.level, decision.limits_hours)
        doc: Document = {
            "_id": case_id,
            "report_id": report.report_id,
            "owner": decision.department,
            "grid_code": report.grid_code,
            "village_code": decision.village_code or self._village(report.grid_code),
            "category": decision.category,
            "emergency": decision.emergency,
            "triage": decision.triage,
            "description": report.description,
            "address": report.address,
            "channel": report.channel.value,
            "media_ids": report.media_ids,
            "record_ref": None,
            "reporter_kind": report.reporter.kind,
            "routing_explanation": decision.explanation,
            "routed_by": causation_id,
            "limits_hours": limits,
            "created_at": now,
            "initial": state.model_dump(mode="json"),
            "timeline": [_reported(report.report_id, now, report.reporter.kind)],
            "outbox": [],
            "outbox_seq": 0,
            "outbox_pending": False,
            "overdue": False,
            "summary": {"opened_at": now},
            "clock": None,
            "next_timer_at": None,
            "expected_at": None,
        }
        doc.update(state_fields(state, decision.department))
        doc["tier"] = decision.tier
        if decision.triage:
            return doc

        return self._dispatched(doc, decision, now)

    def _dispatched(
        self, doc: Document, decision: RoutingDecision, now: datetime
    ) -> Document:
        """Apply the router's dispatch through the table, as every change is."""
        sign_due = self.clock.due(Stage.SIGN, now, doc["limits_hours"])
        command = Command(
            command_id=f"route/{doc['report_id']}",
            action=Action.DISPATCH,
            actor=ROUTER,
            payload={
                "unit": decision.department,
                "tier": decision.tier,
                "deadlines": {Stage.SIGN.value: sign_due},
            },
        )
        result = decide(state_of(doc), command, now)
        window = window_after(doc, result, self.clock, now)
        disposal = self.clock.hours(Stage.DISPOSE, doc["limits_hours"])
        doc.update(state_fields(result.state, decision.department))
        doc.update(
            clock=window,
            next_timer_at=next_timer_at(window),
            expected_at=self.clock.add(sign_due, disposal),
            outbox_seq=1,
            outbox_pending=True,
        )
        doc["timeline"].append(result.entry.model_dump(mode="json"))
        doc["outbox"] = [
            outbox_item(doc, transition_event(doc, result.entry, result.state))
        ]
        return doc

    def _village(self, grid_code: str | None) -> str | None:
        """The village a grid belongs to, from the registry."""
        grid = self.registry().grid(grid_code) if grid_code else None
        return grid.village_code if grid else None


def _reported(report_id: str, at: datetime, reporter_kind: str) -> Document:
    """The opening line of every timeline: the report as it arrived."""
    return {
        "version": 0,
        "at": at.isoformat(),
        "command_id": f"report/{report_id}",
        "action": "report",
        "actor": {"role": "reporter", "id": reporter_kind},
        "from_status": None,
        "to_status": "reported",
        "reason": None,
        "media_ids": [],
    }
