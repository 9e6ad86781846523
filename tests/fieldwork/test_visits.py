"""Visits through the real stack, and the periodic report that counts them."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from ops.cli import app
from shared.launcher import Stack
from shared.topics import FIELDWORK_EVENTS
from tests.fieldwork.helpers import CASEWORK, OPERATOR, head, read_many

pytestmark = pytest.mark.servers

GRID = "G-05-02"


def a_visit(visit_type: str, **overrides: Any) -> dict[str, Any]:
    visit: dict[str, Any] = {
        "visit_id": str(uuid.uuid4()),
        "visit_type": visit_type,
        "grid_code": GRID,
        "household": "Lane 7, number 12",
        "checklist": ["safety.fire_exits", "care.elderly_alone"],
        "findings": [],
        "visited_at": datetime.now(UTC).isoformat(),
    }
    visit.update(overrides)
    return visit


async def test_visits_are_stored_announced_and_counted(stack: Stack) -> None:
    began = datetime.now(UTC) - timedelta(seconds=1)
    dispute = {
        "text": "Two neighbours argued over a leak.",
        "dispute": True,
        "resolved": True,
    }
    visits = [
        a_visit("home_visit", findings=[dispute]),
        a_visit("key_person_visit"),
        a_visit("service_recipient_visit"),
        a_visit("patrol", household=None, place="North market"),
    ]
    async with httpx.AsyncClient(base_url=CASEWORK, timeout=30) as client:
        for visit in visits:
            answer = await client.post("/v1/visits", json=visit, headers=head(GRID))
            assert answer.status_code == 201, answer.text
        again = await client.post("/v1/visits", json=visits[0], headers=head(GRID))
        wrong_grid = await client.post(
            "/v1/visits", json=a_visit("patrol"), headers=head("G-01-01")
        )
        bad_item = await client.post(
            "/v1/visits",
            json=a_visit("patrol", checklist=["safety.nope"]),
            headers=head(GRID),
        )
        catalogue = (await client.get("/v1/visits/checklist", headers=OPERATOR)).json()
        window = {"from": began.isoformat(), "to": datetime.now(UTC).isoformat()}
        report = await client.get("/v1/stats/fieldwork", params=window, headers=OPERATOR)
        as_csv = await client.get(
            "/v1/stats/fieldwork", params={**window, "format": "csv"}, headers=OPERATOR
        )

    assert again.status_code == 201
    assert again.json()["visit_id"] == visits[0]["visit_id"]
    assert wrong_grid.status_code == 403
    assert bad_item.status_code == 422
    assert bad_item.json()["error"]["field"] == "checklist"
    assert sum(len(c["items"]) for c in catalogue["categories"]) == 28

    ids = {visit["visit_id"] for visit in visits}
    events = await read_many(
        [FIELDWORK_EVENTS],
        lambda r: r["value"]["correlation_id"] in ids,
        until=lambda found: len(found) >= 4,
    )
    assert {e["value"]["payload"]["visit_type"] for e in events} == {
        "home_visit", "key_person_visit", "service_recipient_visit", "patrol"
    }  # fmt: skip
    assert len(events) == 4

    rows = {(row["level"], row["code"]): row for row in report.json()["rows"]}
    grid = rows[("grid", GRID)]
    assert grid["visits"] == 4
    assert grid["key_person_visit"] == 1
    assert grid["patrol"] == 1
    assert grid["disputes_resolved"] == 1
    assert rows[("village", "V-05")]["visits"] >= 4
    assert rows[("sub_district", "all")]["visits"] >= 4
    assert as_csv.text.splitlines()[0].startswith("level,code,visits,home_visit")

    naive = "%Y-%m-%dT%H:%M:%S"
    ends = [
        began.strftime(naive),
        (datetime.now(UTC) + timedelta(seconds=1)).strftime(naive),
    ]
    printed = await asyncio.to_thread(
        CliRunner().invoke, app, ["report", "--from", ends[0], "--to", ends[1], "--csv"]
    )
    assert printed.exit_code == 0, printed.output
    assert f"grid,{GRID},4,1,1,1,1,1," in printed.output
