"""Routing rules as a pure function: order, continue, defaults and validation."""

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from services.notifier.notices import COMMAND_CENTRE, Kind, Notice, notice_for
from services.notifier.rules import (
    MASK,
    ChannelKind,
    Receiver,
    Rule,
    RuleSet,
    select_receivers,
)
from shared.contracts import CaseSnapshot

SECRET = "s" * 32


def a_notice(**changes: Any) -> Notice:
    case = CaseSnapshot(
        case_id="C-1",
        report_id="R-1",
        status="dispatched",
        grid_code="G-03-07",
        category="fallen_tree",
        level=2,
        tier="sub_district",
        department="landscaping",
        emergency=False,
        version=1,
        village_code="V-03",
    ).model_copy(update=changes)
    notice = notice_for(
        "case.dispatched", case, occurred_at=datetime.now(UTC), source_event_id="e-1"
    )
    assert notice is not None
    return notice


def hook(key: str) -> Receiver:
    return Receiver(
        key=key, channel=ChannelKind.WEBHOOK, address=f"http://h/{key}", secret=SECRET
    )


def rule(rule_id: str, *keys: str, **match: Any) -> Rule:
    return Rule.model_validate(
        {
            "rule_id": rule_id,
            "match": {k: v for k, v in match.items() if k != "continue"},
            "receivers": [hook(key).model_dump() for key in keys],
            "continue": match.get("continue", False),
        }
    )


def keys(receivers: list[Receiver]) -> list[str]:
    return [r.key for r in receivers]


def test_first_matching_rule_decides() -> None:
    rules = RuleSet(
        rules=[
            rule("trees", "a", categories=["fallen_tree"]),
            rule("everything", "b"),
        ]
    )
    assert keys(select_receivers(rules, a_notice())) == ["a"]
    assert keys(select_receivers(rules, a_notice(category="rubbish"))) == ["b"]


def test_continue_adds_later_rules_and_duplicates_collapse() -> None:
    rules = RuleSet(
        rules=[
            rule("leaders", "a", levels=[2, 3], **{"continue": True}),
            rule("again", "a", "b", grids=["G-03-07"]),
            rule("never", "c"),
        ]
    )
    assert keys(select_receivers(rules, a_notice())) == ["a", "b"]


@pytest.mark.parametrize(
    ("match", "hit"),
    [
        ({"event_types": ["case.dispatched"]}, True),
        ({"event_types": ["case.overdue"]}, False),
        ({"departments": ["landscaping"]}, True),
        ({"tiers": ["district"]}, False),
        ({"levels": [3]}, False),
        ({"grids": ["G-03-07", "G-01-01"]}, True),
        ({"villages": ["V-1"]}, False),
        ({"villages": ["V-03"], "departments": ["landscaping"]}, True),
        ({"emergency": True}, False),
        ({"emergency": False, "categories": ["fallen_tree"]}, True),
    ],
)
def test_each_condition_narrows(match: dict[str, Any], hit: bool) -> None:
    rules = RuleSet(rules=[rule("r", "a", **match)])
    chosen = keys(select_receivers(rules, a_notice()))
    assert (chosen == ["a"]) is hit


def test_no_match_takes_the_audience_default_then_its_topic() -> None:
    rules = RuleSet(
        rules=[rule("only-level-3", "a", levels=[3])],
        defaults={"landscaping": [hook("desk")]},
    )
    assert keys(select_receivers(rules, a_notice())) == ["desk"]

    other = select_receivers(rules, a_notice(department="urban_management"))
    assert [(r.channel, r.address) for r in other] == [
        (ChannelKind.KAFKA, "urban_management")
    ]


def test_disabled_rule_is_skipped() -> None:
    disabled = rule("off", "a").model_copy(update={"enabled": False})
    rules = RuleSet(rules=[disabled])
    assert keys(select_receivers(rules, a_notice())) == ["topic:landscaping"]


def test_escalation_goes_to_the_centre_by_default() -> None:
    case = CaseSnapshot(
        case_id="C-2",
        report_id="R-2",
        status="dispatched",
        grid_code=None,
        category=None,
        level=1,
        tier="sub_district",
        department="landscaping",
        version=4,
    )
    notice = notice_for(
        "sign_for.escalated", case, occurred_at=datetime.now(UTC), source_event_id="x"
    )
    assert notice is not None
    assert notice.kind is Kind.ESCALATED
    assert notice.audience == COMMAND_CENTRE
    assert keys(select_receivers(RuleSet(), notice)) == [f"topic:{COMMAND_CENTRE}"]


def test_uninteresting_events_make_no_notice() -> None:
    case = a_notice()
    snapshot = CaseSnapshot(
        case_id=case.case_id,
        report_id=case.report_id,
        status="signed",
        grid_code=None,
        category=None,
        level=1,
        tier="t",
        department="d_x",
        version=2,
    )
    made = notice_for(
        "case.signed", snapshot, occurred_at=case.occurred_at, source_event_id=""
    )
    assert made is None


@pytest.mark.parametrize(
    ("receiver", "fault"),
    [
        ({"channel": "webhook", "address": "ftp://x"}, "URL"),
        ({"channel": "webhook", "address": "http://x"}, "secret"),
        ({"channel": "email", "address": "nobody"}, "e-mail"),
        ({"channel": "sms", "address": "call me"}, "phone"),
        ({"channel": "kafka", "address": "Not A Code"}, "department code"),
        ({"channel": "pigeon", "address": "x"}, "channel"),
    ],
)
def test_receivers_are_checked(receiver: dict[str, Any], fault: str) -> None:
    with pytest.raises(ValidationError, match=fault):
        Receiver.model_validate({"key": "k", **receiver})


def test_repeated_rule_ids_are_refused() -> None:
    with pytest.raises(ValidationError, match="twice"):
        RuleSet(rules=[rule("same", "a"), rule("same", "b")])


def test_masked_secrets_survive_a_round_trip() -> None:
    stored = RuleSet(rules=[rule("r", "a")])
    shown = stored.masked()
    assert shown.rules[0].receivers[0].secret == MASK

    restored = RuleSet.model_validate(shown.model_dump(by_alias=True)).keep_secrets_from(
        stored
    )
    assert restored.rules[0].receivers[0].secret == SECRET

    stranger = RuleSet(rules=[rule("r", "unknown")]).masked()
    with pytest.raises(ValueError, match="unknown secret"):
        stranger.keep_secrets_from(stored)


def test_delivery_ids_differ_by_receiver_and_version_only() -> None:
    first = a_notice()
    assert first.delivery_id("a") == a_notice().delivery_id("a")
    assert first.delivery_id("a") != first.delivery_id("b")
    assert first.delivery_id("a") != a_notice(version=2).delivery_id("a")
