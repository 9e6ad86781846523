"""A typhoon hour: a burst becomes one digest per department; an emergency goes at once."""

import asyncio
import time
import uuid

import pytest

from shared.topics import CASES_EVENTS_URGENT
from tests.kafka_tools import eventually
from tests.notifier.conftest import (
    SETTINGS,
    CaseEvents,
    Notifier,
    a_case,
    add_rules,
    webhook,
)
from tests.notifier.receivers import Endpoints

pytestmark = pytest.mark.servers

WINDOW_S = float(SETTINGS["digest_window_s"])
GRACE_S = float(SETTINGS["digest_grace_s"])


async def test_two_hundred_reports_make_one_digest_per_department(
    notifier: Notifier, endpoints: Endpoints, case_events: CaseEvents
) -> None:
    depts = [f"dg_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    paths = {dept: f"/ok/{dept}" for dept in depts}
    await add_rules(
        defaults={dept: [webhook(endpoints, paths[dept], digest=True)] for dept in depts}
    )
    burst = [a_case(depts[n % 2], n) for n in range(200)]
    emergency = a_case(depts[0], 999, emergency=True, level=3)

    # Start right after a window opens, so the burst cannot straddle two windows.
    await asyncio.sleep(WINDOW_S - time.time() % WINDOW_S + 0.05)
    await case_events.send_many([("case.dispatched", case) for case in burst])
    sent_at = time.time()
    await case_events.send("case.dispatched", emergency, topic=CASES_EVENTS_URGENT)

    async def emergency_arrived() -> bool:
        return any(
            (a.payload or {}).get("case_id") == emergency.case_id
            for a in endpoints.accepted(paths[depts[0]])
        )

    assert await eventually(emergency_arrived, timeout=10)
    urgent = next(
        a
        for a in endpoints.accepted(paths[depts[0]])
        if a.payload and a.payload.get("emergency")
    )
    assert urgent.payload is not None
    assert urgent.payload["type"] == "notification"
    assert urgent.at - sent_at < 2.5, "the emergency waited"

    async def digests_arrived() -> bool:
        return all(
            any((a.payload or {}).get("type") == "digest" for a in endpoints.accepted(path))
            for path in paths.values()
        )

    assert await eventually(digests_arrived, timeout=WINDOW_S * 2 + GRACE_S + 10)
    await asyncio.sleep(1)
    for dept, path in paths.items():
        arrivals = [a.payload or {} for a in endpoints.accepted(path)]
        digests = [p for p in arrivals if p["type"] == "digest"]
        singles = [p for p in arrivals if p["type"] == "notification"]
        assert len(digests) == 1, f"{dept} got {len(digests)} digests"
        assert digests[0]["count"] == 100
        assert {item["case_id"] for item in digests[0]["items"]} == {
            case.case_id for case in burst if case.department == dept
        }
        assert len(singles) == (1 if dept == depts[0] else 0)
    assert urgent.at < min(
        a.at
        for a in endpoints.accepted(paths[depts[0]])
        if a.payload and a.payload["type"] == "digest"
    )
