"""Casework alone on the real servers: a crash between write and publish, and the clock."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient

from services.casework.clock import WorkClock
from services.casework.commands import CaseEngine
from services.casework.store import CaseStore
from services.casework.timers import CaseTimer
from shared.auth import Role
from shared.launcher import Stack
from shared.topics import CASES_EVENTS
from tests.casework.alone import DB, PORT, REGISTRY, casework, decision, seed, token
from tests.conftest import KAFKA, MONGO
from tests.kafka_tools import eventually, read_until

pytestmark = pytest.mark.servers

DESK = token(Role.DEPARTMENT, "desk-um", department="urban_management")


@pytest.fixture
async def db(stack: Stack) -> Any:
    """The isolated casework database, emptied so no old clock fires in a new test.

    It asks for the stack because casework reads the registry that the stack's
    router publishes, and is not ready before it has one.
    """
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(MONGO, tz_aware=True)
    await client.drop_database(DB)
    yield client[DB]
    await client.close()


def events_of(case_id: str) -> Any:
    """Match records of one case on cases.events."""
    return lambda record: record["key"] == case_id


def first_events_of(case_id: str) -> Any:
    """Match each event of one case once, as a consumer dropping repeats by id sees them.

    The relay and the clock may both publish an event still waiting in the outbox.
    """
    seen: set[str] = set()

    def first(record: Any) -> bool:
        if record["key"] != case_id or record["value"]["event_id"] in seen:
            return False

        seen.add(record["value"]["event_id"])
        return True

    return first


async def test_killed_between_write_and_publish_publishes_once_after_restart(
    db: Any, artifacts: Path
) -> None:
    doc = await seed(db, decision(), None)
    case_id = doc["_id"]
    log = artifacts / "casework-crash.log"
    body = {"command_id": f"sign-{uuid.uuid4()}", "expected_version": 1}

    with casework(log, crash_after_write="true") as process:
        await read_until(CASES_EVENTS, lambda r: r["key"] == case_id)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{PORT}") as client:
            with pytest.raises(httpx.HTTPError):
                await client.post(f"/v1/cases/{case_id}/sign", json=body, headers=DESK)
        assert process.wait(timeout=10) == 70

    stored = await db["cases"].find_one({"_id": case_id})
    assert stored["status"] == "signed"
    assert stored["outbox_pending"] is True
    signed_id = stored["outbox"][0]["event"]["event_id"]

    with casework(log):

        async def cleared() -> bool:
            again = await db["cases"].find_one({"_id": case_id})
            return again["outbox_pending"] is False

        assert await eventually(cleared, timeout=20)
        await asyncio.sleep(1.5)

    records = await read_until(CASES_EVENTS, events_of(case_id), count=2, timeout=10)
    published = [r["value"]["event_id"] for r in records]
    assert published.count(signed_id) == 1
    assert [r["value"]["event_type"] for r in records] == ["case.dispatched", "case.signed"]


async def test_unsigned_case_gets_reminders_then_overdue_and_escalation(
    db: Any, artifacts: Path
) -> None:
    routed = decision(limits_hours={"sign_for": 2, "disposal": 4, "verification": 2})
    doc = await seed(db, routed, hour_seconds=1.0)
    case_id = doc["_id"]

    with casework(artifacts / "casework-clock.log", hour_seconds="1.0"):
        records = await read_until(
            CASES_EVENTS,
            lambda r: r["key"] == case_id and r["value"]["event_type"] == "case.escalated",
            timeout=20,
        )
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{PORT}") as client:
            shown = (await client.get(f"/v1/cases/{case_id}", headers=DESK)).json()

    history = await read_until(CASES_EVENTS, first_events_of(case_id), count=5, timeout=10)
    kinds = [
        (r["value"]["event_type"], r["value"]["payload"].get("percent")) for r in history
    ]
    assert kinds[:5] == [
        ("case.dispatched", None),
        ("case.reminder_due", 50),
        ("case.reminder_due", 80),
        ("case.overdue", None),
        ("case.escalated", None),
    ]
    escalated = records[0]["value"]["payload"]
    assert escalated["case"]["tier"] == "sub_district"
    assert escalated["case"]["status"] == "dispatched"
    assert shown["overdue"] is True
    assert shown["escalation_level"] == 1
    assert shown["deadlines"]["sign"] > doc["deadlines"]["sign"].isoformat()[:19]


async def test_clock_publishes_after_the_events_still_waiting_in_the_outbox(
    db: Any,
) -> None:
    """A reminder that falls due before the relay ran must not overtake the dispatch."""
    routed = decision(limits_hours={"sign_for": 2, "disposal": 4, "verification": 2})
    doc = await seed(db, routed, hour_seconds=1.0)
    case_id = doc["_id"]
    assert doc["outbox_pending"] is True

    broker = KafkaBroker(KAFKA, acks="all", enable_idempotence=True)
    await broker.connect()
    try:
        clock = WorkClock(lambda: REGISTRY, hour_seconds=1.0)
        timer = CaseTimer(CaseEngine(CaseStore(db), broker, clock), auto_score=4)
        handled = await timer.tick(datetime.now(UTC) + timedelta(seconds=1.2))
    finally:
        await broker.stop()

    assert handled == 1
    records = await read_until(CASES_EVENTS, events_of(case_id), count=2, timeout=10)
    assert [r["value"]["event_type"] for r in records] == [
        "case.dispatched",
        "case.reminder_due",
    ]
    stored = await db["cases"].find_one({"_id": case_id})
    assert stored["outbox_pending"] is False

    carried = records[0]["value"]["payload"]["case"]
    assert carried["village_code"] == doc["village_code"] is not None
    assert datetime.fromisoformat(carried["sign_due"]) == doc["deadlines"]["sign"]
