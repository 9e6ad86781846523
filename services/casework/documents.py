"""How a case is stored: its state, the fields queries and statistics read, its events.

The pure state (``state``) is what the transition table judges; the top-level fields
are copies of it, plus what the routing decision said, laid out for indexes. The
``summary`` holds the few numbers statistics need, so they never read a timeline.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from services.casework.case_model import (
    Action,
    CaseState,
    Role,
    Stage,
    Status,
    TimelineEntry,
)
from shared.contracts import CaseEventDetail, CaseSnapshot, Envelope, envelope
from shared.mongo import Document
from shared.topics import CASES_EVENTS, CASES_EVENTS_URGENT

PRODUCER = "casework"
CLOSED = frozenset({Status.FILED, Status.MERGED, Status.INVALID})
TIER_LADDER = ("grid", "village", "department", "sub_district", "leadership")


def next_tier(tier: str | None) -> str:
    """The tier a breached case escalates to; the top tier stays where it is."""
    if tier not in TIER_LADDER:
        return "sub_district"

    position = TIER_LADDER.index(tier)
    return TIER_LADDER[min(position + 1, len(TIER_LADDER) - 1)]


def state_of(doc: Document) -> CaseState:
    """The state the table judges, read back from the document."""
    return CaseState.model_validate(doc["state"])


def state_fields(state: CaseState, owner: str) -> Document:
    """The top-level copies of the state that queries filter and sort on."""
    return {
        "state": state.model_dump(mode="json"),
        "status": state.status.value,
        "version": state.version,
        "level": state.level,
        "tier": state.tier,
        "department": state.unit or owner,
        "deadlines": {stage.value: due for stage, due in state.deadlines.items()},
        "supporters": list(state.supporters),
        "return_count": state.return_count,
        "reopen_count": state.reopen_count,
        "escalation_level": state.escalation_level,
        "extension_pending": state.extension_pending,
        "satisfaction": state.satisfaction,
        "updated_at": state.updated_at,
    }


def summarise(
    summary: Mapping[str, Any], entry: TimelineEntry, after: CaseState, opened: datetime
) -> dict[str, Any]:
    """Fold one accepted transition into the per-case figures statistics read."""
    result = dict(summary)
    seconds = (entry.at - opened).total_seconds()
    if entry.action is Action.SIGN and "sign_s" not in result:
        result["sign_s"] = seconds

    if entry.action is Action.DISPOSE and "dispose_s" not in result:
        result["dispose_s"] = seconds

    if after.status in CLOSED and "close_s" not in result:
        result["close_s"] = seconds
        result["closed_at"] = entry.at
        result["on_time"] = not result.get("breached", False)

    if entry.action is Action.EVALUATE and entry.actor.role is not Role.SYSTEM:
        result["satisfaction"] = after.satisfaction

    result["returned"] = after.return_count > 0
    result["reopened"] = after.reopen_count > 0
    return result


def expected_at(state: CaseState, fallback: datetime | None) -> datetime | None:
    """When the problem is expected to be handled: the disposal due time once known."""
    return state.deadlines.get(Stage.DISPOSE) or fallback


def events_topic(doc: Document) -> str:
    """Emergencies travel in their own lane."""
    return CASES_EVENTS_URGENT if doc.get("emergency") else CASES_EVENTS


def snapshot(doc: Document, state: CaseState) -> CaseSnapshot:
    """The case as every event carries it."""
    return CaseSnapshot(
        case_id=state.case_id,
        report_id=doc["report_id"],
        status=state.status.value,
        grid_code=state.grid_code,
        category=doc.get("category"),
        level=state.level,
        tier=state.tier or doc.get("tier") or "",
        department=state.unit or doc["owner"],
        emergency=bool(doc.get("emergency")),
        version=state.version,
        village_code=doc.get("village_code"),
        sign_due=state.deadlines.get(Stage.SIGN),
    )


def transition_event(
    doc: Document, entry: TimelineEntry, after: CaseState
) -> Envelope[CaseEventDetail]:
    """The published fact of one accepted transition; its id is the entry's."""
    detail = CaseEventDetail(
        action=entry.action.value,
        from_status=entry.from_status.value,
        to_status=entry.to_status.value,
        actor=f"{entry.actor.role}:{entry.actor.id}",
        reason=entry.reason,
        case=snapshot(doc, after),
        village_code=doc.get("village_code"),
        media_ids=list(entry.media_ids),
        deadlines={stage.value: due for stage, due in after.deadlines.items()},
        supporters=len(after.supporters),
    )
    message = envelope(
        detail,
        event_type=entry.event_type,
        correlation_id=doc["report_id"],
        causation_id=entry.command_id,
        producer=PRODUCER,
        identity=(after.case_id, str(after.version)),
        occurred_at=entry.at,
    )
    if message.event_id != entry.event_id:
        raise AssertionError("event id and timeline entry disagree")

    return message


def clock_event(
    doc: Document,
    state: CaseState,
    event_type: str,
    window: Mapping[str, Any],
    key: str,
    at: datetime,
    percent: int | None = None,
) -> Envelope[CaseEventDetail]:
    """A reminder or breach of a stage limit: a fact about time, not a transition."""
    stage = str(window["stage"])
    detail = CaseEventDetail(
        action="clock",
        from_status=state.status.value,
        to_status=state.status.value,
        actor="system:clock",
        reason=f"{stage} limit {'passed' if percent is None else f'{percent}% used'}",
        case=snapshot(doc, state),
        village_code=doc.get("village_code"),
        deadlines={name.value: due for name, due in state.deadlines.items()},
        supporters=len(state.supporters),
        stage=stage,
        percent=percent,
    )
    return envelope(
        detail,
        event_type=event_type,
        correlation_id=doc["report_id"],
        causation_id=f"clock/{stage}/{window['number']}",
        producer=PRODUCER,
        identity=(state.case_id, stage, str(window["number"]), key),
        occurred_at=at,
    )


def outbox_item(doc: Document, message: Envelope[CaseEventDetail]) -> Document:
    """An event waiting in the case document, with the topic it goes to."""
    return {"topic": events_topic(doc), "event": message.model_dump(mode="json")}
