"""The casework state machine: the only place where a case changes, as a pure function."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Generic, TypeVar
from uuid import UUID

from pydantic import BaseModel, ValidationError

from services.casework.case_model import (
    Action,
    Actor,
    ApproveExtensionPayload,
    AssignPayload,
    CaseState,
    ClockInstruction,
    ClockOp,
    Command,
    Decision,
    DisposePayload,
    EscalatePayload,
    EvaluatePayload,
    ExtensionPayload,
    InvalidatePayload,
    MergePayload,
    NotePayload,
    RefuseExtensionPayload,
    ReturnPayload,
    Role,
    Stage,
    Status,
    SupportPayload,
    TimelineEntry,
    VerifyPayload,
)
from shared.contracts import event_id_for

P = TypeVar("P", bound=BaseModel)

# Short names keep the table below readable at a glance.
S = Status
A = Action


class CommandRefused(Exception):
    """Base of every refusal, so callers can say no without knowing each reason."""


class TransitionRefused(CommandRefused):
    """The action does not apply to the case as it stands, whoever asks."""

    def __init__(
        self,
        status: Status,
        action: Action,
        allowed_actions: list[str],
        needs: str | None = None,
    ) -> None:
        self.status = status
        self.action = action
        self.allowed_actions = allowed_actions
        self.needs = needs
        because = f" unless {needs}" if needs else ""
        allowed = ", ".join(allowed_actions) or "nothing"
        super().__init__(f"cannot {action} a {status} case{because}; allowed: {allowed}")


class ActorNotPermitted(CommandRefused):
    """The actor's role or scope does not reach this action on this case."""

    def __init__(self, actor: Actor, action: Action, why: str) -> None:
        self.actor = actor
        self.action = action
        super().__init__(f"{actor.role} {actor.id} may not {action}: {why}")


class InvalidPayload(CommandRefused):
    """The command's data is malformed or contradicts the case."""

    def __init__(self, message: str, errors: tuple[str, ...] = ()) -> None:
        self.errors = errors
        super().__init__("; ".join((message, *errors)))


class ReplayDiverged(Exception):
    """A stored timeline no longer decides to what it recorded."""


@dataclass(frozen=True)
class Precondition:
    """A named test on the state that a table row needs besides the status."""

    needs: str
    holds: Callable[[CaseState], bool]


@dataclass(frozen=True)
class Rule:
    """One row of the table: where an action leads from a status, and who may take it."""

    to: Status
    roles: frozenset[Role]
    when: Precondition | None = None
    alt: tuple[Status, ...] = ()

    @property
    def targets(self) -> tuple[Status, ...]:
        """List every status this row may lead to, the usual one first."""
        return (self.to, *self.alt)


ADMIN: Final = frozenset({Role.OPERATOR, Role.SYSTEM})
OPERATOR: Final = frozenset({Role.OPERATOR})
UNIT: Final = frozenset({Role.DEPARTMENT})
SITE_CHECK: Final = frozenset({Role.GRID_HEAD, Role.OPERATOR})
EVALUATORS: Final = frozenset({Role.RESIDENT, Role.OPERATOR, Role.SYSTEM})
SYSTEM: Final = frozenset({Role.SYSTEM})

NO_EXTENSION: Final = Precondition(
    "no extension is pending", lambda state: state.extension_pending is None
)
EXTENSION: Final = Precondition(
    "an extension is pending", lambda state: state.extension_pending is not None
)

# A failed verification sends the work back to the assigned unit (signed) or, for a case
# handled on the spot and so without a unit, back to routing (reported).
REDO: Final = (S.SIGNED, S.REPORTED)

# fmt: off
LOOP: Final[Mapping[tuple[Status, Action], Rule]] = {
    # from         action                     to            who may     needs
    (S.REPORTED,   A.DISPATCH):          Rule(S.DISPATCHED, ADMIN),
    (S.REPORTED,   A.MERGE):             Rule(S.MERGED,     ADMIN),
    (S.REPORTED,   A.INVALIDATE):        Rule(S.INVALID,    OPERATOR),
    (S.DISPATCHED, A.SIGN):              Rule(S.SIGNED,     UNIT),
    (S.DISPATCHED, A.RETURN):            Rule(S.RETURNED,   UNIT),
    (S.DISPATCHED, A.ESCALATE):          Rule(S.DISPATCHED, ADMIN),
    (S.DISPATCHED, A.MERGE):             Rule(S.MERGED,     ADMIN),
    (S.DISPATCHED, A.INVALIDATE):        Rule(S.INVALID,    OPERATOR),
    (S.SIGNED,     A.DISPOSE):           Rule(S.DISPOSED,   UNIT),
    (S.SIGNED,     A.RETURN):            Rule(S.RETURNED,   UNIT),
    (S.SIGNED,     A.REQUEST_EXTENSION): Rule(S.SIGNED,     UNIT,       NO_EXTENSION),
    (S.SIGNED,     A.APPROVE_EXTENSION): Rule(S.SIGNED,     OPERATOR,   EXTENSION),
    (S.SIGNED,     A.REFUSE_EXTENSION):  Rule(S.SIGNED,     OPERATOR,   EXTENSION),
    (S.SIGNED,     A.ESCALATE):          Rule(S.SIGNED,     ADMIN),
    (S.SIGNED,     A.MERGE):             Rule(S.MERGED,     ADMIN),
    (S.SIGNED,     A.INVALIDATE):        Rule(S.INVALID,    OPERATOR),
    (S.DISPOSED,   A.VERIFY):            Rule(S.VERIFIED,   SITE_CHECK, alt=REDO),
    (S.VERIFIED,   A.EVALUATE):          Rule(S.EVALUATED,  EVALUATORS),
    (S.EVALUATED,  A.FILE):              Rule(S.FILED,      ADMIN),
    (S.RETURNED,   A.REDISPATCH):        Rule(S.DISPATCHED, ADMIN),
    (S.RETURNED,   A.MERGE):             Rule(S.MERGED,     ADMIN),
    (S.RETURNED,   A.INVALIDATE):        Rule(S.INVALID,    OPERATOR),
}
# fmt: on

# A duplicate report joins the case it duplicates wherever that case stands, as long as
# it is still open; only the system that matched the duplicate adds supporters.
TABLE: Final[Mapping[tuple[Status, Action], Rule]] = {
    **LOOP,
    **{
        (status, A.SUPPORT): Rule(status, SYSTEM)
        for status in Status
        if status not in (S.FILED, S.MERGED, S.INVALID)
    },
}

# Supporters raise the level: every this many reports of the same problem, one level up.
SUPPORTERS_PER_LEVEL: Final = 3

# Deadlines are never computed here. Due times come in payloads, worked out by the caller
# on the working-day calendar, so replaying old commands cannot change with the calendar;
# a decision only says which stage clock to start, stop, pause, resume or extend.
STAGE_OF: Final[Mapping[Status, Stage]] = {
    S.DISPATCHED: Stage.SIGN,
    S.SIGNED: Stage.DISPOSE,
    S.DISPOSED: Stage.VERIFY,
    S.VERIFIED: Stage.EVALUATE,
}

SCOPE: Final[Mapping[Role, Callable[[CaseState, Actor], bool]]] = {
    Role.OPERATOR: lambda state, actor: True,
    Role.SYSTEM: lambda state, actor: True,
    Role.DEPARTMENT: lambda state, actor: state.unit in actor.scope,
    Role.GRID_HEAD: lambda state, actor: state.grid_code in actor.scope,
    Role.RESIDENT: lambda state, actor: actor.id == state.reporter_id,
}


@dataclass(frozen=True)
class Outcome:
    """What an action changes besides status and version, and what the timeline keeps."""

    changes: Mapping[str, Any] = field(default_factory=dict)
    reason: str | None = None
    media_ids: tuple[str, ...] = ()
    to: Status | None = None
    clock: tuple[ClockInstruction, ...] = ()


@dataclass(frozen=True)
class Effect(Generic[P]):
    """How an action reads its payload and what it does, whatever status it starts from."""

    payload: type[P]
    apply: Callable[[CaseState, P, datetime], Outcome]
    event: str
    failed_event: str | None = None


def _text(*parts: str) -> str | None:
    """Join the non-empty parts of a reason, or say there is none."""
    joined = ": ".join(part for part in parts if part)
    return joined or None


def _running_stage(state: CaseState) -> Stage:
    """Name the clock that runs in the case's status; rows using it always have one."""
    return STAGE_OF[state.status]


def _pending_hours(state: CaseState) -> int:
    """Read the requested extension that the row's precondition guarantees."""
    if state.extension_pending is None:
        raise InvalidPayload("no extension is pending")

    return state.extension_pending


def _not_earlier(stage: Stage, new: datetime | None, current: datetime | None) -> None:
    """Keep extension decisions from ever shortening a stage."""
    if new is not None and current is not None and new < current:
        raise InvalidPayload(
            f"the {stage} deadline cannot move before {current.isoformat()}"
        )


def _assign(state: CaseState, payload: AssignPayload, now: datetime) -> Outcome:
    """Hand the case to a unit with a fresh set of due times."""
    changes = {"unit": payload.unit, "tier": payload.tier, "deadlines": payload.deadlines}
    return Outcome(changes=changes, reason=f"to {payload.unit}")


def _due(state: CaseState, deadlines: Mapping[Stage, datetime]) -> dict[str, Any]:
    """Take the due times of the stage an action enters, worked out by the caller."""
    return {"deadlines": {**state.deadlines, **deadlines}} if deadlines else {}


def _note(state: CaseState, payload: NotePayload, now: datetime) -> Outcome:
    """Record the remark of an action that changes nothing but status."""
    return Outcome(changes=_due(state, payload.deadlines), reason=_text(payload.note))


def _dispose(state: CaseState, payload: DisposePayload, now: datetime) -> Outcome:
    """Keep the photos that prove the work, for the verifier."""
    return Outcome(
        changes={"evidence": payload.media_ids, **_due(state, payload.deadlines)},
        reason=_text(payload.note),
        media_ids=payload.media_ids,
    )


def _return(state: CaseState, payload: ReturnPayload, now: datetime) -> Outcome:
    """Release the case from its unit and count the return against routing."""
    changes = {
        "unit": None,
        "return_count": state.return_count + 1,
        "last_return_reason": payload.reason_code,
    }
    return Outcome(changes=changes, reason=_text(payload.reason_code.value, payload.note))


def _verify(state: CaseState, payload: VerifyPayload, now: datetime) -> Outcome:
    """Confirm the work, or send it back to be done again and count the reopening."""
    due = _due(state, payload.deadlines)
    if payload.passed:
        return Outcome(changes=due, reason=_text(payload.note), media_ids=payload.media_ids)

    back = S.REPORTED if state.unit is None else S.SIGNED
    return Outcome(
        changes={"reopen_count": state.reopen_count + 1, **due},
        reason=_text(payload.note),
        media_ids=payload.media_ids,
        to=back,
    )


def _evaluate(state: CaseState, payload: EvaluatePayload, now: datetime) -> Outcome:
    """Keep the satisfaction score that closes the resident's side of the loop."""
    return Outcome(changes={"satisfaction": payload.score}, reason=_text(payload.comment))


def _request_extension(
    state: CaseState, payload: ExtensionPayload, now: datetime
) -> Outcome:
    """Hold the disposal clock while the operator considers more time."""
    stage = _running_stage(state)
    pause = ClockInstruction(op=ClockOp.PAUSE, stage=stage, hours=payload.hours)
    return Outcome(
        changes={"extension_pending": payload.hours, "paused_since": now},
        reason=payload.reason,
        clock=(pause,),
    )


def _approve_extension(
    state: CaseState, payload: ApproveExtensionPayload, now: datetime
) -> Outcome:
    """Move the stage deadline to the calendar-computed time and restart its clock."""
    stage = _running_stage(state)
    hours = _pending_hours(state)
    current = state.deadlines.get(stage)
    if current is not None and payload.deadline <= current:
        raise InvalidPayload(f"an approved extension must move the {stage} deadline later")

    changes = {
        "deadlines": {**state.deadlines, stage: payload.deadline},
        "extended_hours": state.extended_hours + hours,
        "extension_pending": None,
        "paused_since": None,
    }
    clock = (
        ClockInstruction(op=ClockOp.EXTEND, stage=stage, due=payload.deadline, hours=hours),
        ClockInstruction(op=ClockOp.RESUME, stage=stage, due=payload.deadline),
    )
    return Outcome(changes=changes, reason=_text(payload.note), clock=clock)


def _refuse_extension(
    state: CaseState, payload: RefuseExtensionPayload, now: datetime
) -> Outcome:
    """Drop the request and restart the clock, giving back the paused time if told."""
    stage = _running_stage(state)
    _not_earlier(stage, payload.deadline, state.deadlines.get(stage))
    due = payload.deadline or state.deadlines.get(stage)
    deadlines = dict(state.deadlines) if due is None else {**state.deadlines, stage: due}
    changes = {"deadlines": deadlines, "extension_pending": None, "paused_since": None}
    resume = ClockInstruction(op=ClockOp.RESUME, stage=stage, due=due)
    return Outcome(changes=changes, reason=payload.reason, clock=(resume,))


def _escalate(state: CaseState, payload: EscalatePayload, now: datetime) -> Outcome:
    """Push the case to another tier or unit without losing its place in the loop."""
    stage = _running_stage(state)
    restarted = payload.deadlines.get(stage)
    changes = {
        "tier": payload.tier or state.tier,
        "unit": payload.unit or state.unit,
        "deadlines": {**state.deadlines, **payload.deadlines},
        "escalation_level": state.escalation_level + 1,
    }
    if restarted is None:
        return Outcome(changes=changes, reason=payload.reason)

    restart = ClockInstruction(op=ClockOp.START, stage=stage, due=restarted)
    return Outcome(changes=changes, reason=payload.reason, clock=(restart,))


def _merge(state: CaseState, payload: MergePayload, now: datetime) -> Outcome:
    """Fold a duplicate into the case that carries on."""
    if payload.into == state.case_id:
        raise InvalidPayload("a case cannot be merged into itself")

    return Outcome(changes={"merged_into": payload.into}, reason=_text(payload.reason))


def _invalidate(state: CaseState, payload: InvalidatePayload, now: datetime) -> Outcome:
    """Close a report that is not a case, keeping why."""
    return Outcome(changes={"invalid_reason": payload.reason}, reason=payload.reason)


def _support(state: CaseState, payload: SupportPayload, now: datetime) -> Outcome:
    """Count another report of the problem; many reports make it more urgent."""
    if payload.report_id in state.supporters:
        raise InvalidPayload(f"report {payload.report_id} already supports this case")

    supporters = (*state.supporters, payload.report_id)
    level = max(state.level, min(3, 1 + len(supporters) // SUPPORTERS_PER_LEVEL))
    return Outcome(
        changes={"supporters": supporters, "level": level},
        reason=f"supported by report {payload.report_id}",
    )


EFFECTS: Final[Mapping[Action, Effect[Any]]] = {
    A.DISPATCH: Effect(AssignPayload, _assign, "case.dispatched"),
    A.SIGN: Effect(NotePayload, _note, "case.signed"),
    A.DISPOSE: Effect(DisposePayload, _dispose, "case.disposed"),
    A.RETURN: Effect(ReturnPayload, _return, "case.returned"),
    A.REDISPATCH: Effect(AssignPayload, _assign, "case.redispatched"),
    A.VERIFY: Effect(VerifyPayload, _verify, "case.verified", "case.verification_failed"),
    A.EVALUATE: Effect(EvaluatePayload, _evaluate, "case.evaluated"),
    A.FILE: Effect(NotePayload, _note, "case.filed"),
    A.REQUEST_EXTENSION: Effect(
        ExtensionPayload, _request_extension, "case.extension_requested"
    ),
    A.APPROVE_EXTENSION: Effect(
        ApproveExtensionPayload, _approve_extension, "case.extension_approved"
    ),
    A.REFUSE_EXTENSION: Effect(
        RefuseExtensionPayload, _refuse_extension, "case.extension_refused"
    ),
    A.ESCALATE: Effect(EscalatePayload, _escalate, "case.escalated"),
    A.MERGE: Effect(MergePayload, _merge, "case.merged"),
    A.INVALIDATE: Effect(InvalidatePayload, _invalidate, "case.invalidated"),
    A.SUPPORT: Effect(SupportPayload, _support, "case.supported"),
}


# Each version of a case comes from exactly one accepted command (the store writes a version
# only over the one it read), so ids built from it never collide; deciding the same command
# on the same state again, as after a redelivery or a retried write, repeats the id, and
# consumers drop the duplicate. Command ids are chosen by clients and could be reused.
def event_id(event_type: str, case_id: str, version: int) -> UUID:
    """Name the fact that made a version, so deciding the same command again repeats it."""
    return event_id_for(event_type, case_id, str(version))


def _permits(rule: Rule, state: CaseState, actor: Actor) -> bool:
    """Tell whether a row is open to this actor on this case right now."""
    if actor.role not in rule.roles or not SCOPE[actor.role](state, actor):
        return False

    return rule.when is None or rule.when.holds(state)


def allowed_actions(state: CaseState, actor: Actor) -> list[str]:
    """List what this actor may do to this case now, for refusals and for screens."""
    return [
        action.value
        for (status, action), rule in TABLE.items()
        if status == state.status and _permits(rule, state, actor)
    ]


def _rule_for(state: CaseState, action: Action, actor: Actor) -> Rule:
    """Find the table row for the command, refusing with the most specific reason."""
    rule = TABLE.get((state.status, action))
    if rule is None:
        raise TransitionRefused(state.status, action, allowed_actions(state, actor))

    if actor.role not in rule.roles:
        raise ActorNotPermitted(
            actor, action, f"{actor.role} is not among {sorted(rule.roles)}"
        )

    if not SCOPE[actor.role](state, actor):
        raise ActorNotPermitted(
            actor, action, f"case {state.case_id} is outside their scope"
        )

    if rule.when is not None and not rule.when.holds(state):
        allowed = allowed_actions(state, actor)
        raise TransitionRefused(state.status, action, allowed, needs=rule.when.needs)

    return rule


def _parse(model: type[P], command: Command) -> P:
    """Validate the command's payload against its action's model."""
    try:
        return model.model_validate(command.payload)
    except ValidationError as error:
        errors = tuple(
            f"{'.'.join(str(part) for part in item['loc']) or 'payload'}: {item['msg']}"
            for item in error.errors()
        )
        raise InvalidPayload(f"bad payload for {command.action}", errors) from error


def _evolve(
    state: CaseState, to: Status, changes: Mapping[str, Any], now: datetime
) -> CaseState:
    """Build the next state; leaving a status drops any extension that waited in it."""
    base: dict[str, Any] = dict(state)
    base.update(status=to, version=state.version + 1, updated_at=now)
    if to != state.status:
        base.update(extension_pending=None, paused_since=None)

    base.update(changes)
    return CaseState(**base)


def _moved_clocks(before: CaseState, after: CaseState) -> tuple[ClockInstruction, ...]:
    """Stop the clock of the status left and start the one of the status entered."""
    if before.status == after.status:
        return ()

    clock: list[ClockInstruction] = []
    stopped = STAGE_OF.get(before.status)
    if stopped is not None:
        clock.append(ClockInstruction(op=ClockOp.STOP, stage=stopped))

    started = STAGE_OF.get(after.status)
    if started is not None:
        due = after.deadlines.get(started)
        clock.append(ClockInstruction(op=ClockOp.START, stage=started, due=due))

    return tuple(clock)


def decide(state: CaseState, command: Command, now: datetime) -> Decision:
    """Judge one command against one case state: the only way a case ever changes."""
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")

    rule = _rule_for(state, command.action, command.actor)
    effect = EFFECTS[command.action]
    payload = _parse(effect.payload, command)
    outcome = effect.apply(state, payload, now)

    to = outcome.to or rule.to
    if to not in rule.targets:
        raise LookupError(f"{command.action} led to {to}, outside its row {rule.targets}")

    after = _evolve(state, to, outcome.changes, now)
    event_type = effect.event if to == rule.to else effect.failed_event or effect.event

    entry = TimelineEntry(
        version=after.version,
        at=now,
        command_id=command.command_id,
        action=command.action,
        actor=command.actor,
        from_status=state.status,
        to_status=after.status,
        reason=outcome.reason,
        media_ids=outcome.media_ids,
        payload=payload.model_dump(mode="json"),
        event_type=event_type,
        event_id=event_id(event_type, state.case_id, after.version),
    )
    return Decision(
        state=after, entry=entry, clock=_moved_clocks(state, after) + outcome.clock
    )


def command_of(entry: TimelineEntry) -> Command:
    """Rebuild the command an entry records, so history can be decided again."""
    return Command(
        command_id=entry.command_id,
        action=entry.action,
        actor=entry.actor,
        payload=entry.payload,
    )


def replay(initial: CaseState, timeline: Iterable[TimelineEntry]) -> CaseState:
    """Re-decide stored history from the opening state, proving the stored state honest."""
    state = initial
    for entry in timeline:
        decision = decide(state, command_of(entry), entry.at)
        if decision.entry != entry:
            raise ReplayDiverged(
                f"version {entry.version} of {state.case_id} decides otherwise"
            )

        state = decision.state

    return state


def open_case(
    *,
    case_id: str,
    reporter_id: str | None,
    grid_code: str | None,
    level: int,
    at: datetime,
    handled_on_spot: bool = False,
    evidence: Iterable[str] = (),
) -> CaseState:
    """Build a case at version 0; a level 1 case fixed on the spot starts at disposed."""
    media = tuple(evidence)
    if handled_on_spot and level != 1:
        raise InvalidPayload("only level 1 cases are handled on the spot")

    if handled_on_spot != bool(media):
        raise InvalidPayload("evidence is given exactly for cases handled on the spot")

    try:
        return CaseState(
            case_id=case_id,
            status=S.DISPOSED if handled_on_spot else S.REPORTED,
            version=0,
            reporter_id=reporter_id,
            grid_code=grid_code,
            level=level,
            handled_on_spot=handled_on_spot,
            reported_at=at,
            updated_at=at,
            evidence=media,
        )
    except ValidationError as error:
        errors = tuple(str(item["msg"]) for item in error.errors())
        raise InvalidPayload("cannot open the case", errors) from error


def opening_clock(state: CaseState) -> tuple[ClockInstruction, ...]:
    """Start the clock of a freshly opened case, if its status has one."""
    stage = STAGE_OF.get(state.status)
    return () if stage is None else (ClockInstruction(op=ClockOp.START, stage=stage),)
