"""A report goes round the whole loop by HTTP actions, with real credentials and scope."""

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from shared.auth import Principal, Role, issue
from shared.launcher import Stack
from shared.topics import CASES_EVENTS
from tests.kafka_tools import Record, eventually, read_until

pytestmark = pytest.mark.servers

INTAKE = "http://127.0.0.1:8001"
CASEWORK = "http://127.0.0.1:8003"
KEY = "dev-only-signing-key-change-me-0000000000"
GRID = "G-03-07"


def bearer(role: Role, sub: str, **scope: Any) -> dict[str, str]:
    """Headers carrying a signed credential."""
    return {"authorization": f"Bearer {issue(Principal(role=role, sub=sub, **scope), KEY)}"}


DESK = bearer(Role.DEPARTMENT, "desk-um", department="urban_management")
OTHER_DESK = bearer(Role.DEPARTMENT, "desk-ms", department="market_supervision")
HEAD = bearer(Role.GRID_STAFF, "head-0307", grids=[GRID])
FAR_HEAD = bearer(Role.GRID_STAFF, "head-0101", grids=["G-01-01"])
OPERATOR = bearer(Role.OPERATOR, "op-1")
HOTLINE = bearer(Role.HOTLINE, "hot-1")


class Loop:
    """One report's case, driven by commands that each name the version they saw."""

    def __init__(self, client: httpx.AsyncClient, case_id: str, version: int) -> None:
        self.client = client
        self.case_id = case_id
        self.version = version

    async def act(
        self, action: str, headers: dict[str, str], expect: int = 200, **fields: Any
    ) -> httpx.Response:
        body = {"command_id": str(uuid.uuid4()), "expected_version": self.version, **fields}
        answer = await self.client.post(
            f"{CASEWORK}/v1/cases/{self.case_id}/{action}", json=body, headers=headers
        )
        assert answer.status_code == expect, answer.text
        if expect == 200:
            self.version = answer.json()["version"]
        return answer


async def reported(client: httpx.AsyncClient) -> tuple[Loop, str, str]:
    """Submit a report through intake and wait for its dispatched case."""
    report_id = str(uuid.uuid4())
    report: dict[str, Any] = {
        "report_id": report_id,
        "channel": "app",
        "grid_code": GRID,
        "category_hint": "construction_waste",
        "description": "Broken tiles dumped beside the lane overnight.",
        "observed_at": datetime.now(UTC).isoformat(),
        "reporter": {"kind": "resident", "name": "Wang", "phone": "13800000001"},
    }
    accepted = await client.post(f"{INTAKE}/v1/reports", json=report)
    assert accepted.status_code == 202, accepted.text

    async def case() -> list[dict[str, Any]]:
        answer = await client.get(f"{CASEWORK}/v1/cases", params={"report_id": report_id})
        return list(answer.json()["items"])

    found = await eventually(case)
    assert found, "no case for the report"
    loop = Loop(client, found[0]["case_id"], found[0]["version"])
    return loop, report_id, str(accepted.json()["tracking_token"])


async def test_report_goes_round_the_whole_loop(stack: Stack) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        loop, report_id, tracking = await reported(client)
        resident = {"x-tracking-token": tracking}

        await loop.act("sign", DESK, note="crew on the way")
        await loop.act("dispose", DESK, media_ids=["m-after"], note="cleared")
        await loop.act("verify", HEAD, passed=True, media_ids=["m-check"])
        await loop.act("evaluate", resident, score=5, comment="quick")
        filed = await loop.act("file", OPERATOR)
        detail = await client.get(f"{CASEWORK}/v1/cases/{loop.case_id}", headers=resident)

    assert filed.json()["status"] == "filed"
    case = detail.json()
    assert case["satisfaction"] == 5
    assert [entry["to_status"] for entry in case["timeline"]] == [
        "reported",
        "dispatched",
        "signed",
        "disposed",
        "verified",
        "evaluated",
        "filed",
    ]
    assert case["timeline"][3]["media_ids"] == ["m-after"]
    assert case["allowed_actions"] == []

    seen: set[str] = set()

    def first_delivery(record: Record) -> bool:
        # Publishing is at least once: consumers drop repeats by event id, so do we.
        # The key first: the topic may hold poison that an earlier chaos run left there.
        if record["key"] != loop.case_id:
            return False
        event_id = str(record["value"]["event_id"])
        if event_id in seen:
            return False
        seen.add(event_id)
        return True

    events = await read_until(CASES_EVENTS, first_delivery, count=6, timeout=20)
    assert [e["value"]["event_type"] for e in events] == [
        "case.dispatched",
        "case.signed",
        "case.disposed",
        "case.verified",
        "case.evaluated",
        "case.filed",
    ]
    assert len({e["value"]["event_id"] for e in events}) == 6
    assert all(e["value"]["correlation_id"] == report_id for e in events)


async def test_failed_verification_reopens_the_case(stack: Stack) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        loop, _, _ = await reported(client)
        await loop.act("sign", DESK)
        await loop.act("dispose", DESK, media_ids=["m-1"])
        failed = await loop.act(
            "verify", HEAD, passed=False, media_ids=["m-2"], note="half the tiles remain"
        )
        await loop.act("dispose", DESK, media_ids=["m-3"], note="the rest cleared")
        await loop.act("verify", HEAD, passed=True, media_ids=["m-4"])
        case = (
            await client.get(f"{CASEWORK}/v1/cases/{loop.case_id}", headers=HEAD)
        ).json()

    assert failed.json()["event_type"] == "case.verification_failed"
    assert failed.json()["status"] == "signed"
    assert case["status"] == "verified"
    assert case["reopen_count"] == 1


async def test_commands_are_refused_by_scope_role_table_and_version(stack: Stack) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        loop, _, tracking = await reported(client)
        stranger = {"x-tracking-token": "0" * 32}
        url = f"{CASEWORK}/v1/cases/{loop.case_id}"

        await loop.act("sign", OTHER_DESK, expect=404)
        await loop.act("sign", FAR_HEAD, expect=404)
        await loop.act("sign", stranger, expect=404)
        await loop.act("sign", HOTLINE, expect=403)
        await loop.act("sign", HEAD, expect=403)
        await loop.act("sign", {}, expect=401)
        await loop.act("launch", DESK, expect=404)
        refused = await loop.act("verify", HEAD, expect=409, passed=True, media_ids=["m"])
        bad = await loop.act("dispose", DESK, expect=409, media_ids=["m"])

        first = await loop.act("sign", DESK)
        repeat = await client.post(
            f"{url}/sign",
            json={"command_id": first.json()["command_id"], "expected_version": 1},
            headers=DESK,
        )
        loop.version = 1
        stale = await loop.act("return", DESK, expect=409, reason_code="not_ours")
        no_photo = await client.post(
            f"{url}/dispose",
            json={"command_id": "x", "expected_version": 2, "media_ids": []},
            headers=DESK,
        )
        hidden = await client.get(url, headers=OTHER_DESK)
        mine = await client.get(url, headers={"x-tracking-token": tracking})
        listed = await client.get(f"{CASEWORK}/v1/cases", headers=OTHER_DESK)

    assert refused.json()["error"]["allowed_actions"] == []
    assert bad.json()["error"]["code"] == "action_not_allowed"
    assert "sign" in bad.json()["error"]["allowed_actions"]
    assert repeat.status_code == 200
    assert repeat.json() == first.json()
    assert repeat.headers["idempotent-replayed"] == "true"
    assert stale.json()["error"]["code"] == "stale_version"
    assert stale.json()["error"]["current"]["version"] == 2
    assert no_photo.status_code == 422
    assert no_photo.json()["error"]["field"] == "media_ids"
    assert hidden.status_code == 404
    assert mine.status_code == 200
    assert all(
        item["department"] == "market_supervision" for item in listed.json()["items"]
    )
