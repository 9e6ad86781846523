"""Webhooks: signed, retried with backoff, dead-lettered; a bad endpoint delays no one."""

import itertools
import time
import uuid
from typing import Any

import httpx
import pytest

from services.notifier.receiver import DeliveryRejected, verify_delivery
from shared.topics import NOTIFY_DEADLETTER
from tests.kafka_tools import eventually, read_until
from tests.notifier.conftest import (
    NOTIFIER,
    CaseEvents,
    Notifier,
    a_case,
    add_rules,
    operator_headers,
    webhook,
)
from tests.notifier.receivers import SECRET, Endpoints

pytestmark = pytest.mark.servers

EVENTS = 6


async def test_failing_and_hanging_endpoints_delay_no_one(
    notifier: Notifier, endpoints: Endpoints, case_events: CaseEvents
) -> None:
    dept = f"wh_{uuid.uuid4().hex[:8]}"
    paths = {kind: f"/{kind}/{dept}" for kind in ("ok", "fail", "hang", "slow")}
    await add_rules(defaults={dept: [webhook(endpoints, path) for path in paths.values()]})
    cases = [a_case(dept, n) for n in range(EVENTS)]

    sent_at = time.time()
    await case_events.send_many([("case.dispatched", case) for case in cases])

    async def all_healthy() -> bool:
        return len(endpoints.accepted(paths["ok"])) == EVENTS

    assert await eventually(all_healthy, timeout=15)
    healthy_latency = max(a.at for a in endpoints.accepted(paths["ok"])) - sent_at
    # The bound is loose because earlier tests may still keep the notifier busy; the
    # comparison with the bad endpoints below is what shows that nobody waited for them.
    assert healthy_latency < 8, f"healthy endpoint waited {healthy_latency:.1f} s"
    assert {(a.payload or {})["case_id"] for a in endpoints.accepted(paths["ok"])} == {
        c.case_id for c in cases
    }

    parked = await read_until(
        NOTIFY_DEADLETTER,
        lambda r: isinstance(r["value"], dict) and r["value"].get("audience") == dept,
        count=2 * EVENTS,
        timeout=40,
    )
    reasons: dict[str, set[str]] = {}
    for record in parked:
        reason = record["headers"]["deadletter-reason"]
        reasons.setdefault(record["value"]["receiver"], set()).add(reason.split(":")[0])
    assert reasons[f"hook:fail:{dept}"] == {"HTTP 500"}
    # A hung connection shows as a timeout, or as a read error when the server drops it.
    assert reasons[f"hook:hang:{dept}"] <= {"timed out", "ReadError"}
    assert all(r["value"]["attempts"] == 3 for r in parked)

    failing = endpoints.at(paths["fail"])
    assert len(failing) == 3 * EVENTS
    by_delivery: dict[str, list[float]] = {}
    for arrival in failing:
        by_delivery.setdefault(arrival.headers["X-Gridloop-Delivery"], []).append(
            arrival.at
        )
    assert len(by_delivery) == EVENTS
    for times in by_delivery.values():
        gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
        assert len(gaps) == 2
        assert all(gap >= 0.09 for gap in gaps)

    async def slow_done() -> bool:
        return len(endpoints.accepted(paths["slow"])) == EVENTS

    assert await eventually(slow_done, timeout=15)
    healthy_done = max(a.at for a in endpoints.accepted(paths["ok"]))
    assert healthy_done < max(a.at for a in endpoints.at(paths["hang"]))
    assert healthy_done < max(a.at for a in failing)


async def test_delivery_log_and_metrics_show_every_attempt(
    notifier: Notifier, endpoints: Endpoints, case_events: CaseEvents
) -> None:
    dept = f"wl_{uuid.uuid4().hex[:8]}"
    await add_rules(
        defaults={
            dept: [webhook(endpoints, f"/ok/{dept}"), webhook(endpoints, f"/fail/{dept}")]
        }
    )
    case = a_case(dept, 0)
    await case_events.send("case.dispatched", case)

    async def attempts() -> list[dict[str, Any]]:
        async with httpx.AsyncClient(
            base_url=NOTIFIER, headers=operator_headers()
        ) as client:
            answer = await client.get("/v1/deliveries", params={"case_id": case.case_id})
        items: list[dict[str, Any]] = answer.json()["items"]
        return items if len(items) == 4 else []

    log = await eventually(attempts, timeout=20)
    outcomes = sorted((item["receiver"], item["status"], item["attempt"]) for item in log)
    assert outcomes == [
        (f"hook:fail:{dept}", "dead", 3),
        (f"hook:fail:{dept}", "failed", 1),
        (f"hook:fail:{dept}", "failed", 2),
        (f"hook:ok:{dept}", "sent", 1),
    ]
    assert all(item["channel"] == "webhook" and item["latency_s"] >= 0 for item in log)
    assert {item["error"] for item in log if item["status"] != "sent"} == {"HTTP 500"}

    async with httpx.AsyncClient(base_url=NOTIFIER) as client:
        refused = await client.get("/v1/deliveries")
        metrics = (await client.get("/metrics")).text
    assert refused.status_code == 401
    assert 'gridloop_notifications_total{channel="webhook",outcome="sent"}' in metrics
    assert 'gridloop_notification_retries_total{channel="webhook"}' in metrics
    assert 'gridloop_notification_deadletters_total{channel="webhook"}' in metrics
    assert "gridloop_notification_delivery_seconds_bucket" in metrics


async def test_a_captured_delivery_cannot_be_replayed_or_altered(
    notifier: Notifier, endpoints: Endpoints, case_events: CaseEvents
) -> None:
    dept = f"wr_{uuid.uuid4().hex[:8]}"
    path = f"/ok/{dept}"
    await add_rules(defaults={dept: [webhook(endpoints, path)]})
    await case_events.send("case.dispatched", a_case(dept, 0))

    async def arrived() -> bool:
        return bool(endpoints.accepted(path))

    assert await eventually(arrived, timeout=15)
    captured = endpoints.accepted(path)[0]

    with pytest.raises(DeliveryRejected) as replay:
        verify_delivery(
            captured.headers, captured.body, SECRET, time.time(), endpoints.seen[path]
        )
    assert replay.value.duplicate

    altered = captured.body.replace(b'"level": 1', b'"level": 3')
    assert altered != captured.body
    with pytest.raises(DeliveryRejected, match="signature"):
        verify_delivery(captured.headers, altered, SECRET, time.time(), set())
    with pytest.raises(DeliveryRejected, match="replay window"):
        verify_delivery(captured.headers, captured.body, SECRET, time.time() + 600, set())
