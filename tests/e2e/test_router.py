"""The router on the real broker and database: lanes, triage, duplicates, live registry."""

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from shared.auth import Principal, Role, issue
from shared.contracts import Report, envelope
from shared.launcher import Stack
from shared.registry import demo_registry
from shared.registry.follower import RegistryFollower
from shared.settings import ServiceSettings
from shared.topics import (
    REPORTS_ROUTED,
    REPORTS_ROUTED_URGENT,
    REPORTS_SUBMITTED,
    REPORTS_SUBMITTED_URGENT,
    dead_letter_topic,
)
from tests.conftest import KAFKA, TEST_DB
from tests.kafka_tools import Record, eventually, produce_raw, read_until

pytestmark = pytest.mark.servers

INTAKE = "http://127.0.0.1:8001"
ROUTER = "http://127.0.0.1:8002"


def a_report(**overrides: Any) -> dict[str, Any]:
    report: dict[str, Any] = {
        "report_id": str(uuid.uuid4()),
        "channel": "app",
        "grid_code": "G-06-03",
        "category_hint": None,
        "description": "Rubbish bags piled up by the bins for three days, nobody collects.",
        "observed_at": datetime.now(UTC).isoformat(),
        "reporter": {"kind": "resident", "name": "Chen", "phone": "+86 138 0000 0000"},
    }
    report.update(overrides)
    return report


async def _has_rule(follower: RegistryFollower, name: str) -> bool:
    return any(rule.name == name for rule in follower.current().rules)


def operator() -> dict[str, str]:
    token = issue(Principal(role=Role.OPERATOR, sub="e2e-operator"), _key())
    return {"authorization": f"Bearer {token}"}


def _key() -> str:
    return ServiceSettings().signing_key


async def submit(client: httpx.AsyncClient, report: dict[str, Any]) -> None:
    answer = await client.post(f"{INTAKE}/v1/reports", json=report)
    assert answer.status_code == 202, answer.text


async def routed(report_id: str, topic: str = REPORTS_ROUTED) -> dict[str, Any]:
    """The routing decision published for a report."""

    def mine(record: Record) -> bool:
        return isinstance(record["value"], dict) and record["key"] == report_id

    found = await read_until(topic, mine, timeout=30)
    decision: dict[str, Any] = found[0]["value"]["payload"]
    return decision


async def test_an_emergency_takes_the_urgent_lane(stack: Stack) -> None:
    report = a_report(description="3栋二楼厨房着火了，浓烟很大，有老人被困")
    async with httpx.AsyncClient(timeout=10) as client:
        await submit(client, report)

    decision = await routed(report["report_id"], REPORTS_ROUTED_URGENT)

    assert decision["emergency"] is True
    assert decision["category"] == "fire_incident"
    assert decision["level"] == 3
    assert decision["department"] == "emergency_management"
    assert decision["limits_hours"]["sign_for"] == 0.25


async def test_the_urgent_submitted_topic_has_a_consumer_of_its_own(stack: Stack) -> None:
    now = datetime.now(UTC)
    report = Report.model_validate(
        {
            **a_report(description="Gas leak in block 2, strong smell of gas"),
            "received_at": now,
        }
    )
    message = envelope(
        report,
        event_type="report.submitted",
        correlation_id=report.report_id,
        producer="e2e",
        identity=(report.report_id,),
    )
    await produce_raw(
        REPORTS_SUBMITTED_URGENT,
        message.model_dump_json().encode(),
        {"report-id": report.report_id},
    )

    decision = await routed(report.report_id, REPORTS_ROUTED_URGENT)

    assert decision["category"] == "gas_leak"
    assert decision["emergency"] is True


async def test_garbage_on_the_urgent_lane_is_dead_lettered(stack: Stack) -> None:
    marker = str(uuid.uuid4()).encode()
    await produce_raw(REPORTS_SUBMITTED_URGENT, b"{not json " + marker)

    parked = await read_until(
        dead_letter_topic(REPORTS_SUBMITTED_URGENT),
        lambda r: isinstance(r["value"], bytes) and marker in r["value"],
    )

    assert parked[0]["headers"]["deadletter-service"] == "router"
    assert parked[0]["headers"]["deadletter-reason"]


async def test_a_report_for_a_grid_the_registry_no_longer_has_lands_in_triage(
    stack: Stack,
) -> None:
    # Intake refuses unknown grids, so such a report reaches the router only when the
    # grid was removed from the registry after intake accepted the report.
    report = Report.model_validate(
        {**a_report(grid_code="G-99-01"), "received_at": datetime.now(UTC)}
    )
    message = envelope(
        report,
        event_type="report.submitted",
        correlation_id=report.report_id,
        producer="e2e",
        identity=(report.report_id,),
    )
    await produce_raw(
        REPORTS_SUBMITTED,
        message.model_dump_json().encode(),
        {"report-id": report.report_id},
    )

    decision = await routed(report.report_id)

    assert decision["triage"] is True
    assert decision["department"] == "command_centre"
    assert "G-99-01" in decision["explanation"]


@pytest.mark.parametrize(
    "change",
    [
        {"grid_code": None, "location": {"lat": 23.2, "lon": 113.3}},
        {"description": "Please send someone to have a look, thanks."},
    ],
)
async def test_a_report_the_router_cannot_place_lands_in_triage(
    stack: Stack, change: dict[str, Any]
) -> None:
    report = a_report(**change)
    async with httpx.AsyncClient(timeout=10) as client:
        await submit(client, report)

    decision = await routed(report["report_id"])

    assert decision["triage"] is True
    assert decision["department"] == "command_centre"
    assert decision["tier"] == "centre"


async def test_a_nearby_report_of_the_same_category_supports_the_open_case(
    stack: Stack, mongo: Any
) -> None:
    grid = demo_registry().grid("G-07-05")
    assert grid is not None
    lon, lat = grid.centroid
    first = a_report(grid_code=None, location={"lat": lat, "lon": lon})
    second = a_report(
        grid_code=None,
        location={"lat": lat + 0.0003, "lon": lon},
        description="小区门口垃圾桶满了没人清运，很臭",
    )
    elsewhere = a_report(grid_code=None, location={"lat": lat + 0.003, "lon": lon})
    index = mongo[TEST_DB]["router_open_cases"]

    async with httpx.AsyncClient(timeout=10) as client:
        await submit(client, first)
        opened = await eventually(lambda: index.find_one({"report_id": first["report_id"]}))
        assert opened, "the router never saw the first report's case open"
        await submit(client, second)
        await submit(client, elsewhere)

    supporter = await routed(second["report_id"])
    separate = await routed(elsewhere["report_id"])

    assert supporter["category"] == "rubbish"
    assert supporter["duplicate_of"] == opened["_id"]
    assert f"supports open case {opened['_id']}" in supporter["explanation"]
    assert separate["duplicate_of"] is None
    stored = await index.find_one({"_id": opened["_id"]})
    assert stored["supporters"] == [second["report_id"]]

    async def supported() -> Any:
        case = await mongo[TEST_DB]["cases"].find_one({"_id": opened["_id"]})
        return case if case and second["report_id"] in case.get("supporters", []) else None

    case = await eventually(supported)
    assert case, "casework did not add the second report as a supporter"
    assert case["report_id"] == first["report_id"]
    assert (
        await mongo[TEST_DB]["cases"].count_documents({"report_id": second["report_id"]})
        == 0
    )


async def test_a_rule_changed_at_runtime_changes_the_next_decision(stack: Stack) -> None:
    name = f"e2e_{uuid.uuid4().hex[:12]}"
    rule = {
        "name": name,
        "description": "Stray animals go to civil affairs while this test runs.",
        "order": 0,
        "category": "stray_animals",
        "set_department": "civil_affairs",
    }
    before = a_report(description="一群流浪狗在小区里追人", category_hint="stray_animals")
    after = a_report(description="一群流浪狗在小区里追人", category_hint="stray_animals")
    async with httpx.AsyncClient(timeout=10) as client:
        await submit(client, before)
        assert (await routed(before["report_id"]))["department"] == "urban_management"

        follower = RegistryFollower(KAFKA, client_id="e2e-registry-follower")
        await follower.start()
        put = await client.put(
            f"{ROUTER}/v1/registry/rules/{name}", json=rule, headers=operator()
        )
        assert put.status_code == 200, put.text
        try:
            seen = await eventually(lambda: _has_rule(follower, name), timeout=10)
            await asyncio.sleep(0.5)
            await submit(client, after)
            decision = await routed(after["report_id"])
        finally:
            await follower.stop()
            gone = await client.delete(
                f"{ROUTER}/v1/registry/rules/{name}", headers=operator()
            )
            assert gone.status_code == 200, gone.text

    assert seen, "a follower in another process never saw the rule"
    assert decision["department"] == "civil_affairs"
    assert f"rule {name}" in decision["explanation"]


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"name": "bad_rule", "category": "rubbish"}, "body", "invalid_field"),
        (
            {"name": "bad_rule", "category": "rubbish", "set_level": 7},
            "set_level",
            "invalid_field",
        ),
        (
            {"name": "bad_rule", "category": "rubbish", "set_department": "nobody"},
            "set_department",
            "unknown_reference",
        ),
        (
            {"name": "other_rule", "category": "rubbish", "set_level": 2},
            "name",
            "invalid_field",
        ),
    ],
)
async def test_a_bad_registry_change_is_refused_naming_the_field(
    stack: Stack, body: dict[str, Any], field: str, code: str
) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        answer = await client.put(
            f"{ROUTER}/v1/registry/rules/bad_rule", json=body, headers=operator()
        )

    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == code
    assert answer.json()["error"]["field"] == field


async def test_only_operators_change_the_registry(stack: Stack) -> None:
    resident = issue(Principal(role=Role.RESIDENT, sub="someone"), _key())
    rule = {"name": "sneaky", "category": "rubbish", "set_level": 3}
    async with httpx.AsyncClient(timeout=10) as client:
        anonymous = await client.put(f"{ROUTER}/v1/registry/rules/sneaky", json=rule)
        forbidden = await client.put(
            f"{ROUTER}/v1/registry/rules/sneaky",
            json=rule,
            headers={"authorization": f"Bearer {resident}"},
        )
        in_use = await client.delete(
            f"{ROUTER}/v1/registry/departments/urban_management", headers=operator()
        )
        grid = await client.get(f"{ROUTER}/v1/registry/grids/G-03-07", headers=operator())

    assert anonymous.status_code == 401
    assert forbidden.status_code == 403
    assert in_use.status_code == 409
    assert in_use.json()["error"]["code"] == "in_use"
    assert grid.status_code == 200
    assert grid.json()["value"]["village_code"] == "V-03"
