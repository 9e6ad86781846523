"""Signing and checking deliveries, quiet hours, backoff, templates and ladder timing."""

import json
import random
from datetime import UTC, datetime, time, timedelta

import pytest

from services.notifier.ladder import ladder_steps
from services.notifier.notices import Kind, Notice
from services.notifier.receiver import DeliveryRejected, verify_delivery
from services.notifier.rules import QuietHours
from services.notifier.schedule import backoff, quiet_until, window_start
from services.notifier.settings import NotifierSettings
from services.notifier.signing import signed_headers
from services.notifier.templates import Message, render, render_digest

SECRET = "a-department-secret-of-some-length"
NOW = 1_760_000_000


def delivery(delivery_id: str = "d-1", at: int = NOW) -> tuple[dict[str, str], bytes]:
    body = json.dumps({"case_id": "C-1", "kind": "assigned"}).encode()
    return signed_headers(SECRET, delivery_id, at, body), body


def test_a_signed_fresh_delivery_passes_once() -> None:
    headers, body = delivery()
    seen: set[str] = set()
    assert verify_delivery(headers, body, SECRET, NOW + 5, seen)["case_id"] == "C-1"

    with pytest.raises(DeliveryRejected, match="already") as repeat:
        verify_delivery(headers, body, SECRET, NOW + 6, seen)
    assert repeat.value.duplicate


def test_a_retry_signed_later_under_the_same_id_is_a_repeat() -> None:
    seen: set[str] = set()
    verify_delivery(*delivery(at=NOW), SECRET, NOW, seen)
    with pytest.raises(DeliveryRejected, match="already"):
        verify_delivery(*delivery(at=NOW + 60), SECRET, NOW + 60, seen)


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (lambda h, b: (h, b.replace(b"C-1", b"C-2")), "signature"),
        (lambda h, b: ({**h, "X-Gridloop-Delivery": "d-2"}, b), "signature"),
        (lambda h, b: ({**h, "X-Gridloop-Timestamp": str(NOW + 1)}, b), "signature"),
        (lambda h, b: ({k: v for k, v in h.items() if "Signature" not in k}, b), "missing"),
        (lambda h, b: ({**h, "X-Gridloop-Timestamp": "soon"}, b), "whole number"),
    ],
)
def test_tampered_deliveries_are_rejected(tamper, reason) -> None:  # type: ignore[no-untyped-def]
    headers, body = tamper(*delivery())
    seen: set[str] = set()
    with pytest.raises(DeliveryRejected, match=reason):
        verify_delivery(headers, body, SECRET, NOW, seen)
    assert not seen


def test_wrong_secret_and_stale_timestamp_are_rejected() -> None:
    headers, body = delivery()
    with pytest.raises(DeliveryRejected, match="signature"):
        verify_delivery(headers, body, "another-secret-entirely", NOW, set())
    with pytest.raises(DeliveryRejected, match="replay window"):
        verify_delivery(headers, body, SECRET, NOW + 301, set())
    lowered = {key.lower(): value for key, value in headers.items()}
    assert verify_delivery(lowered, body, SECRET, NOW - 299, set())


def at(hour: int, minute: int = 0) -> datetime:
    """A moment given in Beijing time (UTC+8)."""
    return datetime(2026, 3, 10, hour, minute, tzinfo=UTC) - timedelta(hours=8)


NIGHT = QuietHours(start=time(22), end=time(7))


def test_quiet_hours_over_midnight() -> None:
    assert quiet_until(at(21, 59), NIGHT) is None
    assert quiet_until(at(23), NIGHT) == at(7) + timedelta(days=1)
    assert quiet_until(at(3), NIGHT) == at(7)
    assert quiet_until(at(7), NIGHT) is None
    assert quiet_until(at(3), None) is None


def test_quiet_hours_within_a_day() -> None:
    lunch = QuietHours(start=time(12), end=time(13, 30))
    assert quiet_until(at(12, 10), lunch) == at(13, 30)
    assert quiet_until(at(13, 30), lunch) is None


def test_backoff_doubles_up_to_the_cap_with_jitter() -> None:
    rng = random.Random(7)
    for attempt, ceiling in [(1, 1), (2, 2), (3, 4), (4, 8), (10, 30)]:
        pause = backoff(attempt, 1.0, 30.0, rng)
        assert ceiling / 2 <= pause <= ceiling
    assert len({backoff(3, 1.0, 30.0, rng) for _ in range(20)}) > 1


def test_digest_windows_are_aligned() -> None:
    moment = datetime(2026, 3, 10, 8, 0, 42, tzinfo=UTC)
    assert window_start(moment, 60) == datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    assert window_start(moment, 5) == datetime(2026, 3, 10, 8, 0, 40, tzinfo=UTC)


def a_notice(kind: Kind, emergency: bool = False) -> Notice:
    return Notice(
        event_type="case.dispatched",
        kind=kind,
        audience="landscaping",
        case_id="C-9",
        report_id="R-9",
        version=1,
        department="landscaping",
        tier="sub_district",
        category="fallen_tree",
        level=2,
        grid_code="G-03-07",
        village_code=None,
        emergency=emergency,
        occurred_at=datetime.now(UTC),
        reason="blocks <the> lane",
        source_event_id="e",
    )


@pytest.mark.parametrize("kind", list(Kind))
@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_kind_renders_in_both_languages_with_the_link(
    kind: Kind, language: str
) -> None:
    message = render(a_notice(kind), language, "http://127.0.0.1:8003/console/cases/")  # type: ignore[arg-type]
    assert message.link == "http://127.0.0.1:8003/console/cases/C-9"
    assert message.link in message.text
    assert "&lt;the&gt;" in message.html
    assert "<the>" not in message.html


def test_emergencies_say_so_and_digests_list_their_items() -> None:
    assert "紧急" in render(a_notice(Kind.ASSIGNED, True), "zh", "http://x").text
    items = [
        Message(title=f"t{i}", text="", html="", link=f"http://x/{i}") for i in range(3)
    ]
    digest = render_digest("landscaping", items, "en")
    assert digest.title == "landscaping: 3 new notifications"
    assert all(item.link in digest.text and item.link in digest.html for item in items)


def test_ladder_steps_follow_each_other() -> None:
    settings = NotifierSettings(
        sign_for_limit_s=10, ladder_centre_after_s=5, ladder_leadership_after_s=7
    )
    start = datetime(2026, 3, 10, tzinfo=UTC)
    steps = ladder_steps(start, settings)
    offsets = [(step["due_at"] - start).total_seconds() for step in steps]
    assert offsets == [10, 15, 22]
    assert [step["event_type"] for step in steps] == [
        "sign_for.reminder",
        "sign_for.escalated",
        "sign_for.escalated_to_leadership",
    ]


def test_ladder_starts_at_the_cases_own_deadline_when_it_has_one() -> None:
    settings = NotifierSettings(
        sign_for_limit_s=10, ladder_centre_after_s=5, ladder_leadership_after_s=7
    )
    start = datetime(2026, 3, 10, tzinfo=UTC)
    due = start + timedelta(minutes=30)
    steps = ladder_steps(start, settings, sign_due=due)
    assert [step["due_at"] for step in steps] == [
        due,
        due + timedelta(seconds=5),
        due + timedelta(seconds=12),
    ]
