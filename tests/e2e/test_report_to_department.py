"""The thinnest real flow: a report becomes a case and a department hears of it."""

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from shared.auth import Principal, Role, issue
from shared.launcher import Stack
from shared.settings import ServiceSettings
from shared.topics import REPORTS_SUBMITTED, dead_letter_topic, department_topic
from tests.kafka_tools import end_offsets, eventually, produce_raw, read_until

pytestmark = pytest.mark.servers

INTAKE = "http://127.0.0.1:8001"
CASEWORK = "http://127.0.0.1:8003"


GRID_HEAD = issue(
    Principal(role=Role.GRID_STAFF, sub="head-G-03-07", grids=["G-03-07"]),
    ServiceSettings().signing_key,
)
AUTH = {"Authorization": f"Bearer {GRID_HEAD}"}


def a_report(**overrides: Any) -> dict[str, Any]:
    report: dict[str, Any] = {
        "report_id": str(uuid.uuid4()),
        "channel": "app",
        "grid_code": "G-03-07",
        "location": {"lat": 22.5431, "lon": 113.9344},
        "address": "Lane 4, east gate of the wet market",
        "category_hint": "construction_waste",
        "description": "Someone dumped bags of broken tiles beside the lane overnight.",
        "observed_at": datetime.now(UTC).isoformat(),
        "reporter": {"kind": "grid_staff", "id": "staff-0307"},
    }
    report.update(overrides)
    return report


async def case_for(client: httpx.AsyncClient, report_id: str) -> list[dict[str, Any]]:
    answer = await client.get(f"{CASEWORK}/v1/cases", params={"report_id": report_id})
    answer.raise_for_status()
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def test_report_becomes_case_and_alerts_its_department(
    stack: Stack, mongo: Any
) -> None:
    report = a_report()
    async with httpx.AsyncClient(timeout=10, headers=AUTH) as client:
        accepted = await client.post(f"{INTAKE}/v1/reports", json=report)
        assert accepted.status_code == 202, accepted.text
        answer = accepted.json()
        assert answer["report_id"] == report["report_id"]
        assert answer["status_url"].endswith(f"/v1/reports/{report['report_id']}")

        alerts = await read_until(
            department_topic("urban_management"),
            lambda r: r["value"]["correlation_id"] == report["report_id"],
        )
        cases = await eventually(lambda: case_for(client, report["report_id"]))

    alert = alerts[0]
    assert alert["value"]["event_type"] == "alert.assigned"
    assert alert["headers"]["report-id"] == report["report_id"]
    assert alert["value"]["payload"]["department"] == "urban_management"

    assert len(cases) == 1
    case = cases[0]
    assert case["status"] == "dispatched"
    assert case["grid_code"] == "G-03-07"
    assert case["category"] == "construction_waste"
    assert case["department"] == "urban_management"
    assert case["version"] == 1
    assert alert["value"]["payload"]["case_id"] == case["case_id"]

    stored = await mongo["gridloop_test"]["cases"].find_one({"_id": case["case_id"]})
    assert stored["outbox"] == []
    assert [entry["to_status"] for entry in stored["timeline"]] == [
        "reported",
        "dispatched",
    ]


async def test_same_report_twice_gets_one_answer_and_one_case(stack: Stack) -> None:
    report = a_report()
    async with httpx.AsyncClient(timeout=10, headers=AUTH) as client:
        first = await client.post(f"{INTAKE}/v1/reports", json=report)
        second = await client.post(f"{INTAKE}/v1/reports", json=report)
        assert first.status_code == second.status_code == 202
        assert first.json() == second.json()

        assert await eventually(lambda: case_for(client, report["report_id"]))
        status = await client.get(first.json()["status_url"])

    assert status.json()["published"] is True
    assert len(await case_for(httpx.AsyncClient(), report["report_id"])) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"channel": "carrier-pigeon"}, "channel"),
        ({"grid_code": "grid seven"}, "grid_code"),
        ({"observed_at": "yesterday"}, "observed_at"),
        ({"description": ""}, "description"),
        ({"location": {"lat": 123, "lon": 113.9}}, "location.lat"),
    ],
)
async def test_malformed_report_is_refused_naming_the_field(
    stack: Stack, change: dict[str, Any], field: str
) -> None:
    before = await end_offsets(REPORTS_SUBMITTED)
    async with httpx.AsyncClient(timeout=10, headers=AUTH) as client:
        answer = await client.post(f"{INTAKE}/v1/reports", json=a_report(**change))

    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == field
    assert await end_offsets(REPORTS_SUBMITTED) == before


async def test_bad_json_and_missing_field_are_refused(stack: Stack) -> None:
    missing = a_report()
    del missing["reporter"]
    async with httpx.AsyncClient(timeout=10, headers=AUTH) as client:
        garbled = await client.post(
            f"{INTAKE}/v1/reports",
            content=b'{"channel": "app",',
            headers={"content-type": "application/json"},
        )
        absent = await client.post(f"{INTAKE}/v1/reports", json=missing)

    assert garbled.status_code == 422
    assert garbled.json()["error"]["code"] == "invalid_field"
    assert absent.status_code == 422
    assert absent.json()["error"]["field"] == "reporter"


async def test_poison_message_is_dead_lettered_and_the_flow_goes_on(stack: Stack) -> None:
    marker = str(uuid.uuid4())
    await produce_raw(REPORTS_SUBMITTED, b"\x00\xffnot json " + marker.encode())

    parked = await read_until(
        dead_letter_topic(REPORTS_SUBMITTED),
        lambda r: marker.encode() in (r["value"] if isinstance(r["value"], bytes) else b""),
    )
    assert parked[0]["headers"]["deadletter-service"] == "router"
    assert "json" in parked[0]["headers"]["deadletter-reason"].lower()

    report = a_report()
    async with httpx.AsyncClient(timeout=10, headers=AUTH) as client:
        await client.post(f"{INTAKE}/v1/reports", json=report)
        assert await eventually(lambda: case_for(client, report["report_id"]))
