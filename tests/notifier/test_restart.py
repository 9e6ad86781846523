"""A notifier killed mid-batch loses nothing, and what it sends again is dropped by id."""

import uuid
from collections import Counter

import pytest

from tests.kafka_tools import eventually
from tests.notifier.conftest import CaseEvents, Notifier, a_case, add_rules, webhook
from tests.notifier.receivers import Endpoints

pytestmark = pytest.mark.servers

CASES = 40


async def test_sigkill_mid_batch_then_every_notification_arrives_once(
    notifier: Notifier, endpoints: Endpoints, case_events: CaseEvents
) -> None:
    dept = f"kl_{uuid.uuid4().hex[:8]}"
    path = f"/slow/{dept}"
    await add_rules(defaults={dept: [webhook(endpoints, path)]})
    cases = [a_case(dept, n) for n in range(CASES)]
    await case_events.send_many([("case.dispatched", case) for case in cases])

    async def some_arrived() -> bool:
        return len(endpoints.at(path)) >= 6

    assert await eventually(some_arrived, timeout=15)
    notifier.stop(kill=True)
    before = len(endpoints.accepted(path))
    assert before < CASES, "the batch finished before the kill; nothing was tested"
    notifier.start()

    async def all_arrived() -> bool:
        return len(endpoints.accepted(path)) == CASES

    assert await eventually(all_arrived, timeout=40)
    accepted = endpoints.accepted(path)
    assert {(a.payload or {})["case_id"] for a in accepted} == {c.case_id for c in cases}

    arrivals = endpoints.at(path)
    ids = Counter(a.headers["X-Gridloop-Delivery"] for a in arrivals)
    repeats = [a for a in arrivals if a.verdict != "accepted"]
    assert all(a.verdict == "duplicate" for a in repeats)
    assert len(arrivals) == CASES + len(repeats)
    assert sum(count - 1 for count in ids.values()) == len(repeats)
