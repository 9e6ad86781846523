"""Reports on the real stack: access, places, idempotency and the case each becomes."""

import asyncio
from typing import Any

import httpx
import pytest

from shared.auth import Role
from shared.launcher import Stack
from shared.topics import REPORTS_SUBMITTED, REPORTS_SUBMITTED_URGENT
from tests.intake.helpers import (
    CASEWORK,
    INTAKE,
    OPERATOR,
    a_report,
    bearer,
    grid_head,
    resident_report,
    token,
)
from tests.kafka_tools import eventually, read_until

pytestmark = pytest.mark.servers


async def cases_for(report_id: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(timeout=10) as client:
        answer = await client.get(f"{CASEWORK}/v1/cases", params={"report_id": report_id})
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def test_grid_head_is_refused_in_another_grid_and_nothing_is_stored(
    stack: Stack,
) -> None:
    report = a_report(grid_code="G-01-02")
    async with httpx.AsyncClient(base_url=INTAKE, timeout=10) as client:
        refused = await client.post(
            "/v1/reports", json=report, headers=grid_head("G-03-07")
        )
        stored = await client.get(f"/v1/reports/{report['report_id']}")
        own = await client.post("/v1/reports", json=report, headers=grid_head("G-01-02"))

    assert refused.status_code == 403
    assert refused.json()["error"]["field"] == "grid_code"
    assert stored.status_code == 404
    assert own.status_code == 202


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "missing_credential"),
        (bearer("glt1.forged.signature"), 401, "bad_credential"),
        (bearer(token(Role.DEPARTMENT, "d", department="water_affairs")), 403, "forbidden"),
    ],
)
async def test_writes_need_a_fitting_credential(
    stack: Stack, headers: dict[str, str], status: int, code: str
) -> None:
    async with httpx.AsyncClient(base_url=INTAKE, timeout=10) as client:
        answer = await client.post("/v1/reports", json=a_report(), headers=headers)
    assert answer.status_code == status
    assert answer.json()["error"]["code"] == code


async def test_unknown_grid_is_404_and_a_location_finds_its_grid(stack: Stack) -> None:
    placed = a_report(grid_code=None, location={"lat": 22.5431, "lon": 113.9344})
    outside = a_report(grid_code=None, location={"lat": 31.23, "lon": 121.47})
    async with httpx.AsyncClient(base_url=INTAKE, timeout=10, headers=OPERATOR) as client:
        unknown = await client.post("/v1/reports", json=a_report(grid_code="G-99-99"))
        accepted = await client.post("/v1/reports", json=placed)
        triaged = await client.post("/v1/reports", json=outside)
        status = await client.get(f"/v1/reports/{placed['report_id']}")
        far = await client.get(f"/v1/reports/{outside['report_id']}")

    assert unknown.status_code == 404
    assert unknown.json()["error"] == {
        "code": "unknown_grid",
        "message": "no grid G-99-99 in the registry",
        "field": "grid_code",
    }
    assert accepted.status_code == triaged.status_code == 202
    assert status.json()["grid_code"] == "G-07-04"
    assert far.json()["grid_code"] is None


async def test_same_report_sent_twice_at_once_becomes_one_case(stack: Stack) -> None:
    report = a_report()
    async with httpx.AsyncClient(base_url=INTAKE, timeout=10) as client:
        first, second = await asyncio.gather(
            client.post("/v1/reports", json=report, headers=grid_head("G-03-07")),
            client.post("/v1/reports", json=report, headers=grid_head("G-03-07")),
        )
        reused = await client.post(
            "/v1/reports",
            json={**report, "description": "something else"},
            headers=grid_head("G-03-07"),
        )

    assert first.status_code == second.status_code == 202
    assert first.json() == second.json()
    assert reused.status_code == 409
    cases = await eventually(lambda: cases_for(report["report_id"]))
    published = await read_until(
        REPORTS_SUBMITTED, lambda r: r["key"] == report["report_id"], timeout=10
    )
    assert len(cases) == 1
    assert len(published) == 1


async def test_status_follows_the_case(stack: Stack) -> None:
    report = a_report()
    async with httpx.AsyncClient(base_url=INTAKE, timeout=10) as client:
        await client.post("/v1/reports", json=report, headers=grid_head("G-03-07"))

        async def followed() -> dict[str, Any] | None:
            answer = (await client.get(f"/v1/reports/{report['report_id']}")).json()
            return answer if answer.get("case_id") else None

        status = await eventually(followed)
        missing = await client.get("/v1/reports/no-such-report")

    cases = await cases_for(report["report_id"])
    assert status["case_id"] == cases[0]["case_id"]
    assert status["case_status"] == "dispatched"
    assert status["department"] == cases[0]["department"]
    assert status["published"] is True
    assert missing.status_code == 404


async def test_residents_report_without_an_account_but_must_give_a_phone(
    stack: Stack,
) -> None:
    no_phone = resident_report()
    del no_phone["reporter"]["phone"]
    async with httpx.AsyncClient(base_url=INTAKE, timeout=10) as client:
        accepted = await client.post("/v1/reports", json=resident_report())
        refused = await client.post("/v1/reports", json=no_phone)

    assert accepted.status_code == 202
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "reporter.phone"


async def test_an_urgent_report_takes_the_urgent_lane(stack: Stack) -> None:
    report = a_report(
        description="三楼厨房起火，有浓烟 - kitchen on fire, smoke everywhere"
    )
    async with httpx.AsyncClient(base_url=INTAKE, timeout=10, headers=OPERATOR) as client:
        answer = await client.post("/v1/reports", json=report)
        status = await client.get(f"/v1/reports/{report['report_id']}")

    assert answer.status_code == 202
    assert status.json()["urgent"] is True
    found = await read_until(
        REPORTS_SUBMITTED_URGENT, lambda r: r["key"] == report["report_id"], timeout=15
    )
    assert found[0]["value"]["payload"]["description"] == report["description"]
