"""Immutable data of the casework loop: case state, commands, payloads and decisions."""

from enum import StrEnum
from typing import Annotated, Any, Self
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

Code = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)
]
MediaId = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=256)
]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Reason = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)
]


class Status(StrEnum):
    """Where a case stands in the closed loop; only the transition table moves it."""

    REPORTED = "reported"
    DISPATCHED = "dispatched"
    SIGNED = "signed"
    DISPOSED = "disposed"
    VERIFIED = "verified"
    EVALUATED = "evaluated"
    FILED = "filed"
    RETURNED = "returned"
    MERGED = "merged"
    INVALID = "invalid"


TERMINAL_STATUSES: frozenset[Status] = frozenset(
    {Status.FILED, Status.MERGED, Status.INVALID}
)


class Action(StrEnum):
    """What a command asks for; the names are the wire names of the commands."""

    DISPATCH = "dispatch"
    SIGN = "sign"
    DISPOSE = "dispose"
    RETURN = "return"
    REDISPATCH = "redispatch"
    VERIFY = "verify"
    EVALUATE = "evaluate"
    FILE = "file"
    REQUEST_EXTENSION = "request-extension"
    APPROVE_EXTENSION = "approve-extension"
    REFUSE_EXTENSION = "refuse-extension"
    ESCALATE = "escalate"
    MERGE = "merge"
    INVALIDATE = "invalidate"
    SUPPORT = "support"


class Role(StrEnum):
    """Whose authority a command carries; each role reaches cases through its own scope."""

    OPERATOR = "operator"
    DEPARTMENT = "department"
    GRID_HEAD = "grid_head"
    RESIDENT = "resident"
    SYSTEM = "system"


class Stage(StrEnum):
    """A timed step of the loop, so deadline clocks can be named independently of status."""

    SIGN = "sign"
    DISPOSE = "dispose"
    VERIFY = "verify"
    EVALUATE = "evaluate"


class ReturnReason(StrEnum):
    """Why a unit hands a case back, so routing can learn from the return."""

    NOT_OURS = "not_ours"
    WRONG_PLACE = "wrong_place"
    DUPLICATE = "duplicate"
    INSUFFICIENT_INFO = "insufficient_info"


class ClockOp(StrEnum):
    """What the deadline keeper must do with a stage clock after a transition."""

    START = "start"
    STOP = "stop"
    PAUSE = "pause"
    RESUME = "resume"
    EXTEND = "extend"


class Frozen(BaseModel):
    """Base for values that must never change after they are built."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Actor(Frozen):
    """Who acts; scope holds unit codes for a department, grid codes for a grid head."""

    role: Role
    id: Code
    scope: frozenset[Code] = frozenset()


class CaseState(Frozen):
    """Everything needed to judge the next command on a case; built only by transitions."""

    case_id: Code
    status: Status
    version: int = Field(ge=0)
    reporter_id: Code | None = None
    grid_code: Code | None = None
    level: int = Field(ge=1, le=3)
    tier: Code | None = None
    unit: Code | None = None
    handled_on_spot: bool = False
    reported_at: AwareDatetime
    updated_at: AwareDatetime
    deadlines: dict[Stage, AwareDatetime] = Field(default_factory=dict)
    evidence: tuple[MediaId, ...] = ()
    extension_pending: int | None = Field(default=None, gt=0)
    paused_since: AwareDatetime | None = None
    extended_hours: int = Field(default=0, ge=0)
    reopen_count: int = Field(default=0, ge=0)
    return_count: int = Field(default=0, ge=0)
    last_return_reason: ReturnReason | None = None
    escalation_level: int = Field(default=0, ge=0)
    satisfaction: int | None = Field(default=None, ge=1, le=5)
    supporters: tuple[Code, ...] = ()
    merged_into: Code | None = None
    invalid_reason: Reason | None = None

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        """Refuse field combinations that no sequence of transitions can produce."""
        held = self.status in (Status.DISPATCHED, Status.SIGNED)
        handled = self.status in (Status.DISPOSED, Status.VERIFIED, Status.EVALUATED)
        rules = {
            "a dispatched or signed case needs a unit": not held or self.unit is not None,
            "a returned case has no unit": self.status != Status.RETURNED
            or self.unit is None,
            "a disposed case needs evidence": not handled or bool(self.evidence),
            "only a signed case can wait for an extension": (
                self.extension_pending is None or self.status == Status.SIGNED
            ),
            "the clock is paused exactly while an extension is pending": (
                (self.extension_pending is None) == (self.paused_since is None)
            ),
            "satisfaction is known exactly once evaluated": (
                (self.satisfaction is not None)
                == (self.status in (Status.EVALUATED, Status.FILED))
            ),
            "merged_into is set exactly for merged cases": (
                (self.merged_into is not None) == (self.status == Status.MERGED)
            ),
            "a case cannot be merged into itself": self.merged_into != self.case_id,
            "invalid_reason is set exactly for invalid cases": (
                (self.invalid_reason is not None) == (self.status == Status.INVALID)
            ),
        }
        broken = [rule for rule, holds in rules.items() if not holds]
        if broken:
            raise ValueError("; ".join(broken))

        return self

    @property
    def is_terminal(self) -> bool:
        """Tell callers that no command can change this case any more."""
        return self.status in TERMINAL_STATUSES


class Command(Frozen):
    """A request to change one case; the payload is checked against the action's model."""

    command_id: Code
    action: Action
    actor: Actor
    payload: dict[str, Any] = Field(default_factory=dict)


class NotePayload(Frozen):
    """Payload of actions that need nothing but an optional remark (sign, file)."""

    note: Note = ""
    deadlines: dict[Stage, AwareDatetime] = Field(default_factory=dict)


class AssignPayload(Frozen):
    """Where a case goes on (re)dispatch, with due times from the working calendar."""

    unit: Code
    tier: Code
    deadlines: dict[Stage, AwareDatetime] = Field(default_factory=dict)


class DisposePayload(Frozen):
    """A unit's report that the problem is handled; a photo is the proof."""

    media_ids: tuple[MediaId, ...] = Field(min_length=1)
    note: Note = ""
    deadlines: dict[Stage, AwareDatetime] = Field(default_factory=dict)


class ReturnPayload(Frozen):
    """A unit's refusal of a case, coded so routing can correct itself."""

    reason_code: ReturnReason
    note: Note = ""


class VerifyPayload(Frozen):
    """An on-site check; a photo is needed either way and a failed check must say why."""

    passed: bool
    media_ids: tuple[MediaId, ...] = Field(min_length=1)
    note: Note = ""
    deadlines: dict[Stage, AwareDatetime] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _failure_explained(self) -> Self:
        """Make the unit that must redo the work learn what is still wrong."""
        if not self.passed and not self.note:
            raise ValueError("a failed verification needs a note saying what is wrong")

        return self


class EvaluatePayload(Frozen):
    """The satisfaction score that closes the resident's side of the loop."""

    score: int = Field(ge=1, le=5)
    comment: Note = ""


class ExtensionPayload(Frozen):
    """A unit's request for more working hours on the disposal stage."""

    hours: int = Field(gt=0)
    reason: Reason


class ApproveExtensionPayload(Frozen):
    """The operator's yes; deadline is the new due time the caller got from the calendar."""

    deadline: AwareDatetime
    note: Note = ""


class RefuseExtensionPayload(Frozen):
    """The operator's no; deadline, if given, gives back the paused time."""

    reason: Reason
    deadline: AwareDatetime | None = None


class EscalatePayload(Frozen):
    """A push up the chain: a higher tier, another unit, or fresh due times."""

    reason: Reason
    tier: Code | None = None
    unit: Code | None = None
    deadlines: dict[Stage, AwareDatetime] = Field(default_factory=dict)


class MergePayload(Frozen):
    """The case that absorbs this one as a duplicate."""

    into: Code
    reason: Note = ""


class SupportPayload(Frozen):
    """Another report of the same problem, added to the case it duplicates."""

    report_id: Code


class InvalidatePayload(Frozen):
    """Why the operator judges the report not to be a case at all."""

    reason: Reason


class ClockInstruction(Frozen):
    """A deadline hook: what the working-calendar clock must do, computed elsewhere."""

    op: ClockOp
    stage: Stage
    due: AwareDatetime | None = None
    hours: int | None = None


class TimelineEntry(Frozen):
    """One accepted command as history, complete enough to be decided again on replay."""

    version: int = Field(ge=1)
    at: AwareDatetime
    command_id: Code
    action: Action
    actor: Actor
    from_status: Status
    to_status: Status
    reason: str | None = None
    media_ids: tuple[str, ...] = ()
    payload: dict[str, Any] = Field(default_factory=dict)
    event_type: str
    event_id: UUID


class Decision(Frozen):
    """The result of an accepted command: new state, its history entry and clock work."""

    state: CaseState
    entry: TimelineEntry
    clock: tuple[ClockInstruction, ...] = ()

    @property
    def event_type(self) -> str:
        """Name the fact to publish, in the past tense."""
        return self.entry.event_type

    @property
    def event_id(self) -> UUID:
        """Identify the fact to publish so consumers can drop duplicates."""
        return self.entry.event_id
