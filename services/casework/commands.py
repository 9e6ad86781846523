"""Carries out commands on cases: judge with the table, write once, then publish.

Every accepted command becomes one conditional update of one document, filtered on
the version and outbox sequence it was decided on, that writes the new state, the
timeline entry and the event. A command id already on the timeline returns the
result it had the first time and changes nothing.
"""

import logging
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from faststream.kafka import KafkaBroker
from prometheus_client import Counter
from pydantic import BaseModel

from services.casework.actors import Caller
from services.casework.case_model import Action, Actor, Command, Decision, Stage, Status
from services.casework.clock import WorkClock
from services.casework.documents import next_tier, state_of
from services.casework.errors import (
    ActionRefused,
    BadCommand,
    CommandIdReused,
    NotPermitted,
    StaleVersion,
    UnknownAction,
    UnknownCase,
)
from services.casework.gauges import observe_stage
from services.casework.outbox import flush
from services.casework.store import CaseStore
from services.casework.transitions import (
    STAGE_OF,
    ActorNotPermitted,
    InvalidPayload,
    TransitionRefused,
    decide,
)
from services.casework.writes import published_view, transition_update, window_after
from shared.logs import bound
from shared.mongo import Document

logger = logging.getLogger(__name__)

INTERNAL: Final = frozenset({Action.SUPPORT})
SET_BY_CASEWORK: Final = frozenset({"deadlines", "deadline", "unit"})
ENTERS_STAGE: Final = frozenset({Action.SIGN, Action.DISPOSE, Action.VERIFY})
RETRIES: Final = 5

COMMANDS = Counter(
    "gridloop_case_commands_total",
    "Commands on cases, by action and outcome.",
    ["action", "outcome"],
)


class CommandResult(BaseModel):
    """What an accepted command did; a repeat of the command gets the same."""

    case_id: str
    command_id: str
    action: str
    version: int
    status: str
    event_type: str
    event_id: str


def result_of(case_id: str, entry: Mapping[str, Any]) -> CommandResult:
    """The result an accepted command had, read from its timeline entry."""
    return CommandResult(
        case_id=case_id,
        command_id=entry["command_id"],
        action=entry["action"],
        version=entry["version"],
        status=entry["to_status"],
        event_type=entry["event_type"],
        event_id=str(entry["event_id"]),
    )


def earlier(doc: Document, command_id: str) -> Mapping[str, Any] | None:
    """The timeline entry a command id already made, if any."""
    for entry in doc.get("timeline", []):
        if entry.get("command_id") == command_id and entry.get("version", 0) > 0:
            found: Mapping[str, Any] = entry
            return found

    return None


def parse_action(name: str) -> Action:
    """The action a caller names, refusing the ones only casework itself takes."""
    try:
        action = Action(name)
    except ValueError:
        raise UnknownAction(f"no action {name!r} on cases", field="action") from None

    if action in INTERNAL:
        raise UnknownAction(f"{name} is taken by casework itself", field="action")

    return action


class CaseEngine:
    """The one path by which a case document changes after it was opened."""

    def __init__(
        self,
        store: CaseStore,
        broker: KafkaBroker,
        clock: WorkClock,
        *,
        crash_after_write: bool = False,
    ) -> None:
        self.store = store
        self.broker = broker
        self.clock = clock
        self.crash_after_write = crash_after_write

    async def command(
        self,
        case_id: str,
        action_name: str,
        body: Mapping[str, Any],
        caller: Caller,
        *,
        command_id: str,
        expected_version: int,
    ) -> tuple[CommandResult, bool]:
        """Carry out a caller's command; the flag says whether it was a repeat."""
        action = parse_action(action_name)
        for _ in range(RETRIES):
            doc = await self.store.load(case_id)
            if doc is None or not caller.sees(doc):
                raise UnknownCase(f"no case {case_id}", field="case_id")

            actor = caller.actor()
            if actor is None:
                raise NotPermitted(f"{caller.label} may read cases but not act on them")

            done = earlier(doc, command_id)
            if done is not None:
                if done["action"] != action.value:
                    raise CommandIdReused(
                        f"command {command_id} was a {done['action']}", field="command_id"
                    )
                COMMANDS.labels(action.value, "repeated").inc()
                return result_of(case_id, done), True

            if doc["version"] != expected_version:
                stale = f"case {case_id} is at version {doc['version']}"
                raise StaleVersion(f"{stale}, not {expected_version}", doc)

            decision = self.judge(doc, action, body, actor, command_id)
            if await self.commit(doc, decision):
                COMMANDS.labels(action.value, "accepted").inc()
                return result_of(case_id, decision.entry.model_dump(mode="json")), False

        raise StaleVersion(f"case {case_id} kept changing", doc or {})

    async def internal(
        self, case_id: str, action: Action, body: Mapping[str, Any], actor: Actor, key: str
    ) -> CommandResult | None:
        """Carry out casework's own command on the latest version; None if refused."""
        for _ in range(RETRIES):
            doc = await self.store.load(case_id)
            if doc is None:
                return None

            done = earlier(doc, key)
            if done is not None:
                return result_of(case_id, done)

            try:
                decision = self.judge(doc, action, body, actor, key)
            except (ActionRefused, NotPermitted, BadCommand) as refused:
                logger.info("%s refused: %s", action, refused, extra={"case_id": case_id})
                return None

            if await self.commit(doc, decision):
                return result_of(case_id, decision.entry.model_dump(mode="json"))

        return None

    def judge(
        self,
        doc: Document,
        action: Action,
        body: Mapping[str, Any],
        actor: Actor,
        command_id: str,
        now: datetime | None = None,
    ) -> Decision:
        """Decide a command on the stored state, adding the due times casework owns."""
        now = now or datetime.now(UTC)
        state = state_of(doc)
        payload = self.payload(doc, action, body, now)
        decision = self._decide(state, action, payload, actor, command_id, now)

        entered = STAGE_OF.get(decision.state.status)
        moved = decision.state.status != state.status
        if action in ENTERS_STAGE and entered is not None and moved:
            due = self.clock.due(entered, now, doc.get("limits_hours", {}))
            payload = {**payload, "deadlines": {entered.value: due}}
            decision = self._decide(state, action, payload, actor, command_id, now)

        return decision

    def payload(
        self, doc: Document, action: Action, body: Mapping[str, Any], now: datetime
    ) -> dict[str, Any]:
        """Turn a caller's fields into the table's payload; due times are computed here."""
        given = sorted(set(body) & SET_BY_CASEWORK)
        if given:
            raise BadCommand(
                f"{given[0]} is set by casework, not by callers", field=given[0]
            )

        payload = {
            ("unit" if key == "department" else key): val for key, val in body.items()
        }
        limits = doc.get("limits_hours", {})
        state = state_of(doc)
        if action in (Action.DISPATCH, Action.REDISPATCH):
            payload.setdefault("tier", doc.get("tier") or "department")
            payload["deadlines"] = {
                Stage.SIGN.value: self.clock.due(Stage.SIGN, now, limits)
            }

        running = STAGE_OF.get(state.status)
        if action is Action.ESCALATE and running is not None:
            payload.setdefault("tier", next_tier(state.tier))
            restart = self.clock.due(running, now, limits)
            payload["deadlines"] = {running.value: restart}

        paused = now - state.paused_since if state.paused_since else None
        current = state.deadlines.get(running) if running else None
        if action is Action.APPROVE_EXTENSION and paused is not None:
            start = (current or now) + paused
            payload["deadline"] = self.clock.add(start, state.extension_pending or 0)

        if action is Action.REFUSE_EXTENSION and paused is not None and current:
            payload["deadline"] = current + paused

        return payload

    def _decide(
        self,
        state: Any,
        action: Action,
        payload: dict[str, Any],
        actor: Actor,
        command_id: str,
        now: datetime,
    ) -> Decision:
        """Ask the table, turning its refusals into the answers callers get."""
        command = Command(
            command_id=command_id, action=action, actor=actor, payload=payload
        )
        try:
            return decide(state, command, now)
        except TransitionRefused as refused:
            COMMANDS.labels(action.value, "refused").inc()
            raise ActionRefused(
                str(refused), refused.allowed_actions, state.version
            ) from None
        except ActorNotPermitted as refused:
            COMMANDS.labels(action.value, "forbidden").inc()
            raise NotPermitted(str(refused)) from None
        except InvalidPayload as refused:
            COMMANDS.labels(action.value, "invalid").inc()
            field = refused.errors[0].split(":")[0] if refused.errors else None
            raise BadCommand(str(refused), field=field) from None

    async def commit(
        self,
        doc: Document,
        decision: Decision,
        *,
        before: list[Document] | None = None,
        summary: Mapping[str, Any] | None = None,
        also: Mapping[str, Any] | None = None,
    ) -> bool:
        """Write a decision over the version it was made on, then publish its events."""
        now = decision.entry.at
        window = window_after(doc, decision, self.clock, now)
        update, items = transition_update(
            doc, decision, window, before=before or [], summary=summary
        )
        update["$set"].update(also or {})
        written = await self.store.apply(
            doc["_id"], doc["version"], int(doc.get("outbox_seq", 0)), update
        )
        if not written:
            return False

        if decision.state.status != doc.get("status"):
            observe_stage(doc, now)
        with bound(case_id=doc["_id"]):
            logger.info("%s: %s", decision.event_type, decision.state.status)
            if self.crash_after_write:
                logger.warning("stopping between write and publish, as configured")
                os._exit(70)

            await self.publish(published_view(doc, items))
        return True

    async def publish(self, view: Document) -> None:
        """Publish a case's outbox now; if Kafka fails, the relay publishes it later."""
        try:
            await flush(self.broker, self.store, view)
        except Exception:
            logger.exception(
                "publish failed; the relay retries", extra={"case_id": view["_id"]}
            )


def is_open(doc: Document) -> bool:
    """Whether a case can still change."""
    return doc.get("status") not in {Status.FILED, Status.MERGED, Status.INVALID}
