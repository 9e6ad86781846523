"""Scenarios of the casework state machine, one rule of the loop per test."""

import itertools
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from services.casework.case_model import (
    TERMINAL_STATUSES,
    Action,
    Actor,
    CaseState,
    ClockInstruction,
    ClockOp,
    Command,
    Decision,
    ReturnReason,
    Role,
    Stage,
    Status,
    TimelineEntry,
)
from services.casework.transitions import (
    EFFECTS,
    STAGE_OF,
    TABLE,
    ActorNotPermitted,
    CommandRefused,
    InvalidPayload,
    ReplayDiverged,
    TransitionRefused,
    allowed_actions,
    decide,
    event_id,
    open_case,
    opening_clock,
    replay,
)

CST = timezone(timedelta(hours=8))
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=CST)
CASE_ID = "C-20260302-0A1B2C3D"
GRID = "G-01-02"
ROADS_UNIT = "urban_management"

OPERATOR = Actor(role=Role.OPERATOR, id="op-1")
SYSTEM = Actor(role=Role.SYSTEM, id="router")
ROADS = Actor(role=Role.DEPARTMENT, id="dep-7", scope=frozenset({ROADS_UNIT}))
MARKET = Actor(role=Role.DEPARTMENT, id="dep-9", scope=frozenset({"market_supervision"}))
GRID_HEAD = Actor(role=Role.GRID_HEAD, id="gh-3", scope=frozenset({GRID}))
FAR_GRID_HEAD = Actor(role=Role.GRID_HEAD, id="gh-8", scope=frozenset({"G-07-07"}))
REPORTER = Actor(role=Role.RESIDENT, id="res-42")
NEIGHBOUR = Actor(role=Role.RESIDENT, id="res-43")
EVERYONE = (OPERATOR, SYSTEM, ROADS, MARKET, GRID_HEAD, FAR_GRID_HEAD, REPORTER, NEIGHBOUR)

DEADLINES = {Stage.SIGN: T0 + timedelta(hours=2), Stage.DISPOSE: T0 + timedelta(hours=48)}
PHOTO = ["m-after-1"]


class Story:
    """A case walked through commands one hour apart, keeping what was decided."""

    def __init__(self, initial: CaseState) -> None:
        self.initial = initial
        self.state = initial
        self.decisions: list[Decision] = []
        self.numbers = itertools.count(1)

    @property
    def now(self) -> datetime:
        """Give each step its own hour, so the timeline reads in order."""
        return T0 + timedelta(hours=len(self.decisions) + 1)

    @property
    def timeline(self) -> list[TimelineEntry]:
        """List the entries the store would keep."""
        return [decision.entry for decision in self.decisions]

    def command(self, action: Action, actor: Actor, **payload: Any) -> Command:
        """Build a command with a fresh id."""
        number = next(self.numbers)
        return Command(
            command_id=f"cmd-{number}", action=action, actor=actor, payload=payload
        )

    def do(self, action: Action, actor: Actor, **payload: Any) -> Decision:
        """Decide a command and keep the result as the new state."""
        decision = decide(self.state, self.command(action, actor, **payload), self.now)
        self.decisions.append(decision)
        self.state = decision.state
        return decision

    def attempt(self, action: Action, actor: Actor, **payload: Any) -> Decision:
        """Decide a command without keeping it, for refusals and what-ifs."""
        return decide(self.state, self.command(action, actor, **payload), self.now)


def reported(**options: Any) -> Story:
    """Open a fresh case reported by the resident in the grid."""
    fields: dict[str, Any] = {
        "case_id": CASE_ID,
        "reporter_id": REPORTER.id,
        "grid_code": GRID,
        "level": 2,
        "at": T0,
    }
    return Story(open_case(**(fields | options)))


def dispatched() -> Story:
    """A case routed to the roads unit with sign and dispose deadlines."""
    story = reported()
    story.do(
        Action.DISPATCH, SYSTEM, unit=ROADS_UNIT, tier="department", deadlines=DEADLINES
    )
    return story


def signed() -> Story:
    """A case the roads unit accepted."""
    story = dispatched()
    story.do(Action.SIGN, ROADS)
    return story


def disposed() -> Story:
    """A case the roads unit reports handled, with a photo."""
    story = signed()
    story.do(Action.DISPOSE, ROADS, media_ids=PHOTO, note="pothole filled")
    return story


def verified() -> Story:
    """A case the grid head confirmed on site."""
    story = disposed()
    story.do(Action.VERIFY, GRID_HEAD, passed=True, media_ids=["m-check-1"])
    return story


def filed() -> Story:
    """A case through the whole loop."""
    story = verified()
    story.do(Action.EVALUATE, REPORTER, score=5, comment="quick and tidy")
    story.do(Action.FILE, OPERATOR)
    return story


def on_spot() -> Story:
    """A level 1 case the grid head fixed while reporting it."""
    return reported(level=1, handled_on_spot=True, evidence=["m-spot-1"])


def test_new_case_starts_reported_at_version_zero() -> None:
    state = reported().state

    assert state.status is Status.REPORTED
    assert state.version == 0
    assert state.unit is None
    assert opening_clock(state) == ()


def test_dispatch_assigns_unit_and_deadlines_and_starts_the_sign_clock() -> None:
    story = reported()

    decision = story.do(
        Action.DISPATCH, SYSTEM, unit=ROADS_UNIT, tier="department", deadlines=DEADLINES
    )

    assert decision.state.status is Status.DISPATCHED
    assert decision.state.unit == ROADS_UNIT
    assert decision.state.tier == "department"
    assert decision.state.deadlines == DEADLINES
    assert decision.event_type == "case.dispatched"
    assert decision.clock == (
        ClockInstruction(op=ClockOp.START, stage=Stage.SIGN, due=DEADLINES[Stage.SIGN]),
    )


def test_department_signs_case_of_its_unit() -> None:
    story = dispatched()

    decision = story.do(Action.SIGN, ROADS, note="on our way")

    assert decision.state.status is Status.SIGNED
    assert decision.state.version == 2
    assert decision.event_type == "case.signed"
    assert decision.entry.reason == "on our way"
    assert decision.clock == (
        ClockInstruction(op=ClockOp.STOP, stage=Stage.SIGN),
        ClockInstruction(
            op=ClockOp.START, stage=Stage.DISPOSE, due=DEADLINES[Stage.DISPOSE]
        ),
    )


def test_department_cannot_sign_case_of_another_unit() -> None:
    story = dispatched()

    with pytest.raises(ActorNotPermitted, match="outside their scope"):
        story.attempt(Action.SIGN, MARKET)


def test_grid_head_cannot_sign_for_a_unit() -> None:
    story = dispatched()

    with pytest.raises(ActorNotPermitted, match="grid_head"):
        story.attempt(Action.SIGN, GRID_HEAD)


def test_operator_does_not_sign_in_a_units_place() -> None:
    story = dispatched()

    with pytest.raises(ActorNotPermitted):
        story.attempt(Action.SIGN, OPERATOR)


def test_dispose_without_photo_is_invalid() -> None:
    story = signed()

    with pytest.raises(InvalidPayload, match="media_ids") as refused:
        story.attempt(Action.DISPOSE, ROADS, media_ids=[], note="done")

    assert refused.value.errors


def test_dispose_with_blank_media_id_is_invalid() -> None:
    story = signed()

    with pytest.raises(InvalidPayload):
        story.attempt(Action.DISPOSE, ROADS, media_ids=["  "])


def test_dispose_keeps_evidence_and_starts_the_verification_clock() -> None:
    story = signed()

    decision = story.do(Action.DISPOSE, ROADS, media_ids=["m-1", "m-2"], note="fixed")

    assert decision.state.status is Status.DISPOSED
    assert decision.state.evidence == ("m-1", "m-2")
    assert decision.entry.media_ids == ("m-1", "m-2")
    assert decision.clock[-1] == ClockInstruction(op=ClockOp.START, stage=Stage.VERIFY)


def test_unknown_payload_field_is_invalid() -> None:
    story = dispatched()

    with pytest.raises(InvalidPayload, match="note_typo"):
        story.attempt(Action.SIGN, ROADS, note_typo="x")


def test_signing_twice_is_refused_with_what_is_allowed() -> None:
    story = signed()

    with pytest.raises(TransitionRefused) as refused:
        story.attempt(Action.SIGN, ROADS)

    assert refused.value.allowed_actions == ["dispose", "return", "request-extension"]


def test_refusal_lists_allowed_actions_for_the_actor_only() -> None:
    story = signed()

    with pytest.raises(TransitionRefused) as refused:
        story.attempt(Action.FILE, OPERATOR)

    assert refused.value.allowed_actions == ["escalate", "merge", "invalidate"]


def test_grid_head_verifies_a_disposal_in_own_grid() -> None:
    story = disposed()

    decision = story.do(Action.VERIFY, GRID_HEAD, passed=True, media_ids=["m-check-1"])

    assert decision.state.status is Status.VERIFIED
    assert decision.event_type == "case.verified"
    assert decision.clock == (
        ClockInstruction(op=ClockOp.STOP, stage=Stage.VERIFY),
        ClockInstruction(op=ClockOp.START, stage=Stage.EVALUATE),
    )


def test_grid_head_cannot_verify_in_another_grid() -> None:
    story = disposed()

    with pytest.raises(ActorNotPermitted):
        story.attempt(Action.VERIFY, FAR_GRID_HEAD, passed=True, media_ids=PHOTO)


def test_unit_cannot_verify_its_own_work() -> None:
    story = disposed()

    with pytest.raises(ActorNotPermitted):
        story.attempt(Action.VERIFY, ROADS, passed=True, media_ids=PHOTO)


def test_verification_needs_a_photo_even_when_it_passes() -> None:
    story = disposed()

    with pytest.raises(InvalidPayload, match="media_ids"):
        story.attempt(Action.VERIFY, GRID_HEAD, passed=True, media_ids=[])


def test_failed_verification_needs_a_note() -> None:
    story = disposed()

    with pytest.raises(InvalidPayload, match="what is wrong"):
        story.attempt(Action.VERIFY, GRID_HEAD, passed=False, media_ids=["m-check-1"])


def test_failed_verification_reopens_and_counts() -> None:
    story = disposed()

    failed = story.do(
        Action.VERIFY, GRID_HEAD, passed=False, media_ids=["m-c1"], note="still a hole"
    )
    story.do(Action.DISPOSE, ROADS, media_ids=["m-2"], note="filled again")
    again = story.do(
        Action.VERIFY, OPERATOR, passed=False, media_ids=["m-c2"], note="cracked"
    )

    assert failed.state.status is Status.SIGNED
    assert failed.state.unit == ROADS_UNIT
    assert failed.event_type == "case.verification_failed"
    assert failed.entry.reason == "still a hole"
    assert failed.clock == (
        ClockInstruction(op=ClockOp.STOP, stage=Stage.VERIFY),
        ClockInstruction(
            op=ClockOp.START, stage=Stage.DISPOSE, due=DEADLINES[Stage.DISPOSE]
        ),
    )
    assert again.state.reopen_count == 2


def test_on_spot_case_starts_disposed_with_its_evidence() -> None:
    state = on_spot().state

    assert state.status is Status.DISPOSED
    assert state.evidence == ("m-spot-1",)
    assert state.unit is None
    assert opening_clock(state) == (ClockInstruction(op=ClockOp.START, stage=Stage.VERIFY),)


def test_on_spot_case_without_evidence_is_invalid() -> None:
    with pytest.raises(InvalidPayload, match="evidence"):
        reported(level=1, handled_on_spot=True)


def test_only_level_one_cases_are_handled_on_the_spot() -> None:
    with pytest.raises(InvalidPayload, match="level 1"):
        reported(level=2, handled_on_spot=True, evidence=["m-spot-1"])


def test_failed_verification_of_on_spot_case_goes_back_to_routing() -> None:
    story = on_spot()

    decision = story.do(
        Action.VERIFY, OPERATOR, passed=False, media_ids=["m-c1"], note="not fixed"
    )

    assert decision.state.status is Status.REPORTED
    assert decision.state.reopen_count == 1
    assert decision.clock == (ClockInstruction(op=ClockOp.STOP, stage=Stage.VERIFY),)
    assert allowed_actions(decision.state, SYSTEM) == ["dispatch", "merge", "support"]


def test_resident_evaluates_own_case() -> None:
    story = verified()

    decision = story.do(Action.EVALUATE, REPORTER, score=4, comment="fine")

    assert decision.state.status is Status.EVALUATED
    assert decision.state.satisfaction == 4
    assert decision.entry.reason == "fine"


def test_resident_cannot_evaluate_someone_elses_case() -> None:
    story = verified()

    with pytest.raises(ActorNotPermitted):
        story.attempt(Action.EVALUATE, NEIGHBOUR, score=1)


def test_resident_cannot_verify() -> None:
    story = disposed()

    with pytest.raises(ActorNotPermitted):
        story.attempt(Action.VERIFY, REPORTER, passed=True, media_ids=PHOTO)


@pytest.mark.parametrize("score", [0, 6, -1])
def test_evaluation_score_outside_one_to_five_is_invalid(score: int) -> None:
    story = verified()

    with pytest.raises(InvalidPayload, match="score"):
        story.attempt(Action.EVALUATE, REPORTER, score=score)


def test_system_evaluates_when_the_resident_stays_silent() -> None:
    story = verified()

    decision = story.do(Action.EVALUATE, SYSTEM, score=5, comment="no answer in time")

    assert decision.state.satisfaction == 5
    assert decision.entry.actor == SYSTEM


def test_filed_is_terminal() -> None:
    story = filed()

    assert story.state.status is Status.FILED
    assert story.decisions[-1].event_type == "case.filed"
    for actor in EVERYONE:
        assert allowed_actions(story.state, actor) == []
        for action in Action:
            with pytest.raises(TransitionRefused):
                story.attempt(action, actor)


def test_merge_ends_the_case_and_points_to_the_survivor() -> None:
    story = dispatched()

    decision = story.do(Action.MERGE, OPERATOR, into="C-20260301-FFFF0000")

    assert decision.state.status is Status.MERGED
    assert decision.state.merged_into == "C-20260301-FFFF0000"
    assert decision.clock == (ClockInstruction(op=ClockOp.STOP, stage=Stage.SIGN),)
    with pytest.raises(TransitionRefused):
        story.attempt(Action.SIGN, ROADS)


def test_merge_into_itself_is_invalid() -> None:
    story = dispatched()

    with pytest.raises(InvalidPayload, match="itself"):
        story.attempt(Action.MERGE, OPERATOR, into=CASE_ID)


def test_only_operator_invalidates() -> None:
    story = reported()

    with pytest.raises(ActorNotPermitted):
        story.attempt(Action.INVALIDATE, SYSTEM, reason="prank call")
    decision = story.do(Action.INVALIDATE, OPERATOR, reason="prank call")

    assert decision.state.status is Status.INVALID
    assert decision.state.invalid_reason == "prank call"
    assert decision.state.is_terminal


def test_invalidate_needs_a_reason() -> None:
    story = reported()

    with pytest.raises(InvalidPayload):
        story.attempt(Action.INVALIDATE, OPERATOR, reason="   ")


def test_return_releases_the_unit_and_counts() -> None:
    story = signed()

    decision = story.do(
        Action.RETURN, ROADS, reason_code="not_ours", note="private courtyard"
    )

    assert decision.state.status is Status.RETURNED
    assert decision.state.unit is None
    assert decision.state.return_count == 1
    assert decision.state.last_return_reason is ReturnReason.NOT_OURS
    assert decision.entry.reason == "not_ours: private courtyard"
    assert decision.clock == (ClockInstruction(op=ClockOp.STOP, stage=Stage.DISPOSE),)


def test_return_with_unknown_reason_code_is_invalid() -> None:
    story = dispatched()

    with pytest.raises(InvalidPayload, match="reason_code"):
        story.attempt(Action.RETURN, ROADS, reason_code="too_busy")


def test_redispatch_after_return_assigns_a_new_unit() -> None:
    story = dispatched()
    story.do(Action.RETURN, ROADS, reason_code="wrong_place")

    decision = story.do(
        Action.REDISPATCH, OPERATOR, unit="market_supervision", tier="department"
    )

    assert decision.state.status is Status.DISPATCHED
    assert decision.state.unit == "market_supervision"
    assert decision.state.deadlines == {}
    assert decision.event_type == "case.redispatched"
    assert allowed_actions(decision.state, MARKET) == ["sign", "return"]
    assert allowed_actions(decision.state, ROADS) == []


def test_department_cannot_redispatch_its_return() -> None:
    story = dispatched()
    story.do(Action.RETURN, ROADS, reason_code="not_ours")

    with pytest.raises(ActorNotPermitted):
        story.attempt(Action.REDISPATCH, ROADS, unit="market_supervision", tier="x")


def test_extension_request_pauses_the_dispose_clock() -> None:
    story = signed()

    decision = story.do(Action.REQUEST_EXTENSION, ROADS, hours=16, reason="asphalt")

    assert decision.state.status is Status.SIGNED
    assert decision.state.extension_pending == 16
    assert decision.state.paused_since == story.decisions[-1].entry.at
    assert decision.event_type == "case.extension_requested"
    assert decision.clock == (
        ClockInstruction(op=ClockOp.PAUSE, stage=Stage.DISPOSE, hours=16),
    )


@pytest.mark.parametrize("hours", [0, -4])
def test_extension_of_no_time_is_invalid(hours: int) -> None:
    story = signed()

    with pytest.raises(InvalidPayload, match="hours"):
        story.attempt(Action.REQUEST_EXTENSION, ROADS, hours=hours, reason="x")


def test_second_extension_request_while_one_is_pending_is_refused() -> None:
    story = signed()
    story.do(Action.REQUEST_EXTENSION, ROADS, hours=16, reason="asphalt")

    with pytest.raises(TransitionRefused, match="unless no extension is pending"):
        story.attempt(Action.REQUEST_EXTENSION, ROADS, hours=8, reason="more")


def test_approval_without_a_pending_request_is_refused() -> None:
    story = signed()

    with pytest.raises(TransitionRefused) as refused:
        story.attempt(Action.APPROVE_EXTENSION, OPERATOR, deadline=T0 + timedelta(days=9))

    assert "approve-extension" not in refused.value.allowed_actions


def test_approved_extension_moves_the_deadline_and_resumes() -> None:
    story = signed()
    story.do(Action.REQUEST_EXTENSION, ROADS, hours=16, reason="asphalt")
    later = DEADLINES[Stage.DISPOSE] + timedelta(days=2)

    decision = story.do(Action.APPROVE_EXTENSION, OPERATOR, deadline=later)

    assert decision.state.deadlines[Stage.DISPOSE] == later
    assert decision.state.extension_pending is None
    assert decision.state.paused_since is None
    assert decision.state.extended_hours == 16
    assert decision.clock == (
        ClockInstruction(op=ClockOp.EXTEND, stage=Stage.DISPOSE, due=later, hours=16),
        ClockInstruction(op=ClockOp.RESUME, stage=Stage.DISPOSE, due=later),
    )


def test_approval_cannot_shorten_the_deadline() -> None:
    story = signed()
    story.do(Action.REQUEST_EXTENSION, ROADS, hours=16, reason="asphalt")

    with pytest.raises(InvalidPayload, match="later"):
        story.attempt(Action.APPROVE_EXTENSION, OPERATOR, deadline=DEADLINES[Stage.DISPOSE])


def test_department_cannot_approve_its_own_extension() -> None:
    story = signed()
    story.do(Action.REQUEST_EXTENSION, ROADS, hours=16, reason="asphalt")

    with pytest.raises(ActorNotPermitted):
        story.attempt(Action.APPROVE_EXTENSION, ROADS, deadline=T0 + timedelta(days=9))


def test_refused_extension_resumes_the_clock_and_keeps_the_deadline() -> None:
    story = signed()
    story.do(Action.REQUEST_EXTENSION, ROADS, hours=16, reason="asphalt")

    decision = story.do(Action.REFUSE_EXTENSION, OPERATOR, reason="a day is enough")

    assert decision.state.extension_pending is None
    assert decision.state.deadlines == DEADLINES
    assert decision.event_type == "case.extension_refused"
    assert decision.clock == (
        ClockInstruction(
            op=ClockOp.RESUME, stage=Stage.DISPOSE, due=DEADLINES[Stage.DISPOSE]
        ),
    )


def test_disposal_during_a_pending_extension_drops_the_request() -> None:
    story = signed()
    story.do(Action.REQUEST_EXTENSION, ROADS, hours=16, reason="asphalt")

    decision = story.do(Action.DISPOSE, ROADS, media_ids=PHOTO)

    assert decision.state.extension_pending is None
    assert decision.state.paused_since is None


def test_escalation_keeps_the_status_and_raises_the_level() -> None:
    story = signed()
    sooner = T0 + timedelta(hours=20)

    decision = story.do(
        Action.ESCALATE,
        SYSTEM,
        reason="dispose deadline passed",
        tier="sub_district",
        unit="command_centre",
        deadlines={"dispose": sooner},
    )

    assert decision.state.status is Status.SIGNED
    assert decision.state.escalation_level == 1
    assert decision.state.tier == "sub_district"
    assert decision.state.unit == "command_centre"
    assert decision.state.deadlines[Stage.SIGN] == DEADLINES[Stage.SIGN]
    assert decision.event_type == "case.escalated"
    assert decision.clock == (
        ClockInstruction(op=ClockOp.START, stage=Stage.DISPOSE, due=sooner),
    )


def test_plain_escalation_only_counts() -> None:
    story = dispatched()

    decision = story.do(Action.ESCALATE, OPERATOR, reason="resident called again")

    assert decision.state.escalation_level == 1
    assert decision.state.unit == ROADS_UNIT
    assert decision.clock == ()


def test_full_loop_emits_past_tense_facts_in_order() -> None:
    story = filed()

    assert [decision.event_type for decision in story.decisions] == [
        "case.dispatched",
        "case.signed",
        "case.disposed",
        "case.verified",
        "case.evaluated",
        "case.filed",
    ]
    assert [entry.version for entry in story.timeline] == [1, 2, 3, 4, 5, 6]
    assert story.timeline[2].from_status is Status.SIGNED
    assert story.timeline[2].to_status is Status.DISPOSED


def test_event_id_depends_on_case_version_and_type_only() -> None:
    story = dispatched()
    decision = story.decisions[0]

    assert decision.event_id == event_id("case.dispatched", CASE_ID, 1)
    assert decision.event_id != event_id("case.dispatched", CASE_ID, 2)
    assert decision.event_id != event_id("case.dispatched", "C-other", 1)


def test_repeated_command_yields_the_same_decision_and_event_id() -> None:
    story = dispatched()
    command = story.command(Action.SIGN, ROADS)

    first = decide(story.state, command, story.now)
    again = decide(story.state, command, story.now)

    assert first == again
    assert first.event_id == again.event_id


def test_decide_leaves_the_given_state_untouched() -> None:
    story = signed()
    before = story.state.model_dump()

    story.attempt(Action.REQUEST_EXTENSION, ROADS, hours=8, reason="rain")

    assert story.state.model_dump() == before


def test_naive_now_is_rejected() -> None:
    story = dispatched()
    command = story.command(Action.SIGN, ROADS)

    with pytest.raises(ValueError, match="timezone-aware"):
        decide(story.state, command, datetime(2026, 3, 2, 10, 0))


def test_replay_reproduces_the_stored_state() -> None:
    story = signed()
    story.do(Action.REQUEST_EXTENSION, ROADS, hours=16, reason="asphalt")
    story.do(Action.APPROVE_EXTENSION, OPERATOR, deadline=T0 + timedelta(days=4))
    story.do(Action.DISPOSE, ROADS, media_ids=PHOTO)
    story.do(Action.VERIFY, GRID_HEAD, passed=False, media_ids=["m-c"], note="not yet")
    story.do(Action.DISPOSE, ROADS, media_ids=["m-2"])
    story.do(Action.VERIFY, GRID_HEAD, passed=True, media_ids=["m-c2"])
    story.do(Action.EVALUATE, SYSTEM, score=5)
    story.do(Action.FILE, SYSTEM)

    assert replay(story.initial, story.timeline) == story.state


def test_replay_survives_a_round_trip_through_json() -> None:
    story = filed()
    stored = [
        TimelineEntry.model_validate_json(e.model_dump_json()) for e in story.timeline
    ]

    assert replay(story.initial, stored) == story.state


def test_replay_detects_a_tampered_timeline() -> None:
    story = filed()
    entries = story.timeline
    entries[4] = entries[4].model_copy(update={"reason": "very happy"})

    with pytest.raises(ReplayDiverged, match="version 5"):
        replay(story.initial, entries)


def test_replay_refuses_history_that_the_rules_forbid() -> None:
    story = dispatched()
    forged = story.timeline[0].model_copy(update={"actor": REPORTER})

    with pytest.raises(CommandRefused):
        replay(story.initial, [forged])


def test_table_has_no_row_leaving_a_terminal_status() -> None:
    assert not [key for key in TABLE if key[0] in TERMINAL_STATUSES]


def test_every_action_has_an_effect_and_a_row() -> None:
    assert set(EFFECTS) == set(Action)
    assert {action for _, action in TABLE} == set(Action)


def test_every_status_is_reachable_from_the_table() -> None:
    reached = {Status.REPORTED, Status.DISPOSED}
    for rule in TABLE.values():
        reached.update(rule.targets)

    assert reached == set(Status)


def test_stage_clocks_run_only_in_non_terminal_statuses() -> None:
    assert not set(STAGE_OF) & TERMINAL_STATUSES


def test_duplicate_reports_support_an_open_case_and_raise_its_level() -> None:
    story = dispatched()
    state = story.state
    for number in range(3):
        command = Command(
            command_id=f"support-{number}",
            action=Action.SUPPORT,
            actor=SYSTEM,
            payload={"report_id": f"r-{number}"},
        )
        decision = decide(state, command, T0)
        state = decision.state

    assert decision.event_type == "case.supported"
    assert state.supporters == ("r-0", "r-1", "r-2")
    assert state.level == 2
    assert state.status is Status.DISPATCHED


def test_the_same_report_cannot_support_twice() -> None:
    story = dispatched()
    command = Command(
        command_id="s-1", action=Action.SUPPORT, actor=SYSTEM, payload={"report_id": "r-1"}
    )
    once = decide(story.state, command, T0).state

    with pytest.raises(InvalidPayload):
        decide(once, command.model_copy(update={"command_id": "s-2"}), T0)


def test_only_the_system_adds_supporters() -> None:
    command = Command(
        command_id="s-1", action=Action.SUPPORT, actor=OPERATOR, payload={"report_id": "r"}
    )
    with pytest.raises(ActorNotPermitted):
        decide(dispatched().state, command, T0)


def test_signing_carries_the_disposal_due_time_it_starts() -> None:
    due = T0 + timedelta(hours=30)
    command = Command(
        command_id="sign-due",
        action=Action.SIGN,
        actor=ROADS,
        payload={"deadlines": {"dispose": due.isoformat()}},
    )
    decision = decide(dispatched().state, command, T0)

    assert decision.state.deadlines[Stage.DISPOSE] == due
    assert ClockInstruction(op=ClockOp.START, stage=Stage.DISPOSE, due=due) in (
        decision.clock
    )
