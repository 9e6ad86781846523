"""The single-document updates that record a transition or a tick of the clock."""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from services.casework.case_model import ClockOp, Decision, Stage
from services.casework.clock import WorkClock, next_timer_at
from services.casework.documents import (
    expected_at,
    outbox_item,
    state_fields,
    summarise,
    transition_event,
)
from shared.mongo import Document


def window_after(
    doc: Document, decision: Decision, clock: WorkClock, now: datetime
) -> dict[str, Any] | None:
    """Carry the stage window through the clock instructions of a decision."""
    window: dict[str, Any] | None = doc.get("clock")
    number = int((window or {}).get("number", 0))
    limits = doc.get("limits_hours", {})
    for instruction in decision.clock:
        if instruction.op is ClockOp.STOP:
            window = None
        elif instruction.op is ClockOp.START:
            stage = Stage(instruction.stage)
            due = instruction.due or clock.due(stage, now, limits)
            number += 1
            window = clock.window(stage, now, due, limits, number)
        elif window is not None and instruction.op is ClockOp.PAUSE:
            window = {**window, "paused": True}
        elif window is not None and instruction.op is ClockOp.RESUME:
            window = {**window, "paused": False, "due": instruction.due or window["due"]}
        elif window is not None and instruction.op is ClockOp.EXTEND:
            window = {**window, "due": instruction.due or window["due"]}

    return window


def transition_update(
    doc: Document,
    decision: Decision,
    window: Mapping[str, Any] | None,
    *,
    before: Iterable[Document] = (),
    summary: Mapping[str, Any] | None = None,
) -> tuple[Document, list[Document]]:
    """The update writing a decision with its timeline entry and event; and the events."""
    after = decision.state
    entry = decision.entry
    folded = summarise(summary or doc.get("summary", {}), entry, after, doc["created_at"])
    fields = state_fields(after, doc["owner"])
    fields.update(
        clock=window,
        next_timer_at=next_timer_at(window),
        summary=folded,
        outbox_pending=True,
        expected_at=expected_at(after, doc.get("expected_at")),
    )
    if entry.from_status != entry.to_status:
        fields["overdue"] = False

    items = [*before, outbox_item(doc, transition_event(doc, entry, after))]
    update = {
        "$set": fields,
        "$push": {"timeline": entry.model_dump(mode="json"), "outbox": {"$each": items}},
        "$inc": {"outbox_seq": 1},
    }
    return update, items


def clock_update(
    items: list[Document], window: Mapping[str, Any], *, breached: bool
) -> Document:
    """The update recording reminders or a breach that change no state."""
    fields: dict[str, Any] = {
        "clock": dict(window),
        "next_timer_at": next_timer_at(window),
        "outbox_pending": True,
    }
    if breached:
        fields.update({"overdue": True, "summary.breached": True})

    return {
        "$set": fields,
        "$push": {"outbox": {"$each": items}},
        "$inc": {"outbox_seq": 1},
    }


def published_view(doc: Document, items: list[Document]) -> Document:
    """The outbox as it stands after a write, for publishing without reading it back.

    ``doc`` must have been read with its outbox: events still waiting there go out
    before the new ones, so a missing outbox is an error, not an empty one.
    """
    return {
        "_id": doc["_id"],
        "report_id": doc.get("report_id"),
        "outbox": [*doc["outbox"], *items],
        "outbox_seq": int(doc.get("outbox_seq", 0)) + 1,
    }
