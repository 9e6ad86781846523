"""Random command streams from every kind of actor cannot break the case loop's rules."""

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from services.casework.case_model import (
    Action,
    Actor,
    CaseState,
    ClockOp,
    Command,
    Decision,
    ReturnReason,
    Role,
    Stage,
    TimelineEntry,
)
from services.casework.transitions import (
    EFFECTS,
    STAGE_OF,
    TABLE,
    ActorNotPermitted,
    CommandRefused,
    InvalidPayload,
    TransitionRefused,
    allowed_actions,
    decide,
    event_id,
    open_case,
    replay,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=8)))
CASE_ID = "C-20260302-00000001"
GRID = "G-01-01"
REPORTER_ID = "res-1"
UNITS = ("urban_management", "market_supervision", "water_affairs")

ACTORS = (
    Actor(role=Role.OPERATOR, id="op-1"),
    Actor(role=Role.SYSTEM, id="timer"),
    Actor(role=Role.DEPARTMENT, id="dep-1", scope=frozenset({UNITS[0]})),
    Actor(role=Role.DEPARTMENT, id="dep-2", scope=frozenset({UNITS[1]})),
    Actor(role=Role.DEPARTMENT, id="dep-3", scope=frozenset(UNITS[1:])),
    Actor(role=Role.GRID_HEAD, id="gh-1", scope=frozenset({GRID})),
    Actor(role=Role.GRID_HEAD, id="gh-2", scope=frozenset({"G-09-09"})),
    Actor(role=Role.RESIDENT, id=REPORTER_ID),
    Actor(role=Role.RESIDENT, id="res-2"),
)

Payloads = Callable[[datetime], st.SearchStrategy[dict[str, Any]]]

notes = st.sampled_from(["done", "still broken", "", "  "])
reasons = st.sampled_from(["rain", "deadline passed", "no crew", ""])
no_media: list[str] = []
media = st.lists(st.sampled_from(["m-1", "m-2", "m-3", " "]), min_size=1, max_size=3)
media |= st.just(no_media)
tiers = st.sampled_from(["department", "sub_district"])
units = st.sampled_from(UNITS)


def due_times(now: datetime) -> st.SearchStrategy[datetime]:
    """Due times around now, some already past."""
    return st.integers(-48, 240).map(lambda hours: now + timedelta(hours=hours))


def deadlines(now: datetime) -> st.SearchStrategy[dict[Stage, datetime]]:
    """Any set of stage due times."""
    return st.dictionaries(st.sampled_from(list(Stage)), due_times(now), max_size=4)


def shaped(
    required: dict[str, st.SearchStrategy[Any]],
    optional: dict[str, st.SearchStrategy[Any]] | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """Build payload dictionaries with some fields left out."""
    return st.fixed_dictionaries(required, optional=optional or {})


PAYLOADS: dict[Action, Payloads] = {
    Action.DISPATCH: lambda now: shaped(
        {"unit": units, "tier": tiers, "deadlines": deadlines(now)}
    ),
    Action.REDISPATCH: lambda now: shaped(
        {"unit": units, "tier": tiers}, {"deadlines": deadlines(now)}
    ),
    Action.SIGN: lambda now: shaped({}, {"note": notes, "deadlines": deadlines(now)}),
    Action.FILE: lambda now: shaped({}, {"note": notes}),
    Action.DISPOSE: lambda now: shaped(
        {"media_ids": media}, {"note": notes, "deadlines": deadlines(now)}
    ),
    Action.RETURN: lambda now: shaped(
        {"reason_code": st.sampled_from([*ReturnReason, "too_busy"])}, {"note": notes}
    ),
    Action.VERIFY: lambda now: shaped(
        {"passed": st.booleans(), "media_ids": media},
        {"note": notes, "deadlines": deadlines(now)},
    ),
    Action.EVALUATE: lambda now: shaped(
        {"score": st.integers(1, 5) | st.sampled_from([0, 6])}, {"comment": notes}
    ),
    Action.REQUEST_EXTENSION: lambda now: shaped(
        {"hours": st.integers(1, 72) | st.just(0), "reason": reasons}
    ),
    Action.APPROVE_EXTENSION: lambda now: shaped(
        {"deadline": due_times(now)}, {"note": notes}
    ),
    Action.REFUSE_EXTENSION: lambda now: shaped(
        {"reason": reasons}, {"deadline": due_times(now)}
    ),
    Action.ESCALATE: lambda now: shaped(
        {"reason": reasons}, {"tier": tiers, "unit": units, "deadlines": deadlines(now)}
    ),
    Action.MERGE: lambda now: shaped(
        {"into": st.sampled_from(["C-20260301-00000009", CASE_ID])}, {"reason": notes}
    ),
    Action.INVALIDATE: lambda now: shaped({"reason": reasons}),
    Action.SUPPORT: lambda now: shaped(
        {"report_id": st.sampled_from(["r-2", "r-3", "r-4", "r-5", ""])}
    ),
}


ENDINGS = frozenset({Action.MERGE, Action.INVALIDATE})


def payloads(action: Action, now: datetime) -> st.SearchStrategy[dict[str, Any]]:
    """Mostly well-formed payloads for the action, sometimes junk."""
    junk = st.sampled_from([{}, {"unexpected": 1}])
    return st.integers(0, 5).flatmap(
        lambda roll: junk if roll == 0 else PAYLOADS[action](now)
    )


def choose(data: st.DataObject, state: CaseState) -> tuple[Actor, Action]:
    """Mostly someone who can act doing something allowed, sometimes anyone doing anything.

    Shortcuts to the end (merge, invalidate) are drawn less often, so that streams
    travel further along the loop before they stop.
    """
    able = [actor for actor in ACTORS if allowed_actions(state, actor)]
    if not able or data.draw(st.integers(0, 3), label="wild") == 0:
        actor = data.draw(st.sampled_from(ACTORS), label="actor")
        return actor, data.draw(st.sampled_from(list(Action)), label="action")

    actor = data.draw(st.sampled_from(able), label="actor")
    allowed = [Action(name) for name in allowed_actions(state, actor)]
    weighted = [a for a in allowed for _ in range(1 if a in ENDINGS else 8)]
    return actor, data.draw(st.sampled_from(weighted), label="action")


def opening(on_spot: bool) -> CaseState:
    """A fresh case, either reported or already fixed on the spot."""
    return open_case(
        case_id=CASE_ID,
        reporter_id=REPORTER_ID,
        grid_code=GRID,
        level=1,
        at=T0,
        handled_on_spot=on_spot,
        evidence=["m-spot"] if on_spot else [],
    )


def check_refusal(error: CommandRefused, state: CaseState, command: Command) -> None:
    """A refusal must agree with what allowed_actions promised."""
    allowed = allowed_actions(state, command.actor)
    if command.action in allowed:
        assert isinstance(error, InvalidPayload), error
    else:
        assert isinstance(error, TransitionRefused | ActorNotPermitted), error

    if isinstance(error, TransitionRefused):
        assert error.allowed_actions == allowed

    if state.is_terminal:
        assert isinstance(error, TransitionRefused), error


def check_acceptance(
    decision: Decision, state: CaseState, command: Command, seen: set[UUID]
) -> None:
    """An accepted command must follow its table row and make exactly one new fact."""
    after = decision.state
    entry = decision.entry
    rule = TABLE[(state.status, command.action)]

    assert not state.is_terminal
    assert command.action in allowed_actions(state, command.actor)
    assert after.status in rule.targets
    assert after.version == state.version + 1
    assert (entry.version, entry.from_status, entry.to_status) == (
        after.version,
        state.status,
        after.status,
    )
    assert entry.event_id == event_id(entry.event_type, CASE_ID, after.version)
    assert entry.event_id not in seen
    assert entry.event_type.startswith("case.")

    for instruction in decision.clock:
        assert instruction.stage in (STAGE_OF.get(state.status), STAGE_OF.get(after.status))
        if instruction.op is ClockOp.STOP:
            assert after.status != state.status


WELL_FORMED: dict[Action, dict[str, Any]] = {
    Action.DISPATCH: {"unit": UNITS[0], "tier": "department"},
    Action.REDISPATCH: {"unit": UNITS[1], "tier": "department"},
    Action.SIGN: {},
    Action.FILE: {},
    Action.DISPOSE: {"media_ids": ["m-1"]},
    Action.RETURN: {"reason_code": "not_ours"},
    Action.VERIFY: {"passed": True, "media_ids": ["m-1"]},
    Action.EVALUATE: {"score": 3},
    Action.REQUEST_EXTENSION: {"hours": 8, "reason": "rain"},
    Action.APPROVE_EXTENSION: {"deadline": T0 + timedelta(days=30)},
    Action.REFUSE_EXTENSION: {"reason": "no"},
    Action.ESCALATE: {"reason": "late"},
    Action.MERGE: {"into": "C-20260301-00000009"},
    Action.INVALIDATE: {"reason": "prank"},
    Action.SUPPORT: {"report_id": "r-9"},
}


def check_terminal(state: CaseState, now: datetime) -> None:
    """Nobody can do anything to a closed case, even with a well-formed command."""
    for actor in ACTORS:
        assert allowed_actions(state, actor) == []
        for action, payload in WELL_FORMED.items():
            command = Command(
                command_id="late", action=action, actor=actor, payload=payload
            )
            try:
                decide(state, command, now)
            except TransitionRefused:
                continue
            raise AssertionError(f"{action} by {actor.role} changed a {state.status} case")


@settings(
    max_examples=250,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data(), on_spot=st.booleans(), steps=st.integers(5, 40))
def test_random_command_streams_keep_the_loop_sound(
    data: st.DataObject, on_spot: bool, steps: int
) -> None:
    initial = opening(on_spot)
    state = initial
    now = T0
    accepted: list[TimelineEntry] = []
    seen: set[UUID] = set()

    for number in range(steps):
        if state.is_terminal:
            break

        now += timedelta(hours=data.draw(st.integers(0, 30), label="hours later"))
        actor, action = choose(data, state)
        payload = data.draw(payloads(action, now), label="payload")
        command = Command(
            command_id=f"cmd-{number}", action=action, actor=actor, payload=payload
        )

        try:
            decision = decide(state, command, now)
        except CommandRefused as error:
            check_refusal(error, state, command)
            continue

        check_acceptance(decision, state, command, seen)
        assert decide(state, command, now) == decision
        seen.add(decision.event_id)
        accepted.append(decision.entry)
        state = decision.state

    event(f"ends {state.status}")
    event(f"{len(accepted) // 5 * 5}+ commands accepted")
    assert state.version == len(accepted)
    assert replay(initial, accepted) == state
    stored = [TimelineEntry.model_validate_json(e.model_dump_json()) for e in accepted]
    assert replay(initial, stored) == state
    if state.is_terminal:
        check_terminal(state, now)


def test_generators_know_every_action_and_their_samples_are_well_formed() -> None:
    assert set(PAYLOADS) == set(WELL_FORMED) == set(Action)
    for action, payload in WELL_FORMED.items():
        EFFECTS[action].payload.model_validate(payload)
