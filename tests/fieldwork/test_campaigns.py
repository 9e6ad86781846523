"""A campaign to twenty grids, through the real broker and database."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from shared.launcher import Stack
from shared.registry.demo import demo_registry
from shared.topics import FIELDWORK_CAMPAIGNS, grid_topic
from tests.fieldwork.helpers import CASEWORK, OPERATOR, head, read_many
from tests.kafka_tools import eventually

pytestmark = pytest.mark.servers

GRIDS = demo_registry().grids[:20]


def of_campaign(campaign_id: str) -> Any:
    return lambda record: record["value"]["correlation_id"] == campaign_id


async def test_a_campaign_reaches_every_head_and_escalates_what_is_missing(
    stack: Stack,
) -> None:
    full, half, blocked = GRIDS[0], GRIDS[1], GRIDS[2]
    issued = {
        "title": "Typhoon landing tomorrow",
        "instructions": "Visit every household, inform them, plan relocation.",
        "grids": [grid.code for grid in GRIDS],
        "deadline": (datetime.now(UTC) + timedelta(seconds=14)).isoformat(),
        "remind_before_s": 10,
    }
    async with httpx.AsyncClient(base_url=CASEWORK, timeout=30) as client:
        answer = await client.post("/v1/campaigns", json=issued, headers=OPERATOR)
        assert answer.status_code == 201, answer.text
        campaign = answer.json()
        campaign_id = campaign["campaign_id"]
        assert len(campaign["grids"]) == 20
        assert campaign["coverage"] == 0

        refused = await client.post("/v1/campaigns", json=issued, headers=head(full.code))
        assert refused.status_code == 403

        listed = await client.get(
            "/v1/campaigns", params={"status": "open", "limit": 5}, headers=OPERATOR
        )
        assert listed.status_code == 200, listed.text
        assert listed.json()["items"][0]["campaign_id"] == campaign_id
        unknown = await client.get(
            "/v1/campaigns", params={"status": "finished"}, headers=OPERATOR
        )
        assert unknown.status_code == 422
        assert "no campaign state finished" in unknown.text

        every = [f"u-{n}" for n in range(full.households)]
        answer = await client.post(
            f"/v1/campaigns/{campaign_id}/progress",
            json={
                "grid_code": full.code,
                "items": [{"unit": u, "status": "confirmed"} for u in every],
            },
            headers=head(full.code),
        )
        assert answer.status_code == 200, answer.text
        some = [f"u-{n}" for n in range(half.households // 2)]
        await client.post(
            f"/v1/campaigns/{campaign_id}/progress",
            json={
                "grid_code": half.code,
                "items": [{"unit": u, "status": "confirmed"} for u in some],
            },
            headers=head(half.code),
        )
        answer = await client.post(
            f"/v1/campaigns/{campaign_id}/progress",
            json={
                "grid_code": blocked.code,
                "items": [
                    {
                        "unit": "Block 3 room 101",
                        "status": "blocked",
                        "note": "The wall is cracked; the family will not leave.",
                        "category_hint": "building_safety",
                    }
                ],
            },
            headers=head(blocked.code),
        )
        assert answer.status_code == 200, answer.text
        outside = await client.post(
            f"/v1/campaigns/{campaign_id}/progress",
            json={"grid_code": half.code, "items": [{"unit": "x", "status": "confirmed"}]},
            headers=head(full.code),
        )
        assert outside.status_code == 403

        live = (await client.get(f"/v1/campaigns/{campaign_id}", headers=OPERATOR)).json()
        coverage = {grid["grid_code"]: grid for grid in live["grids"]}
        assert coverage[full.code]["coverage"] == 1.0
        assert coverage[half.code]["coverage"] == round(
            (half.households // 2) / half.households, 4
        )
        (report_id,) = coverage[blocked.code]["report_ids"]

        async def case_of_blocker() -> list[dict[str, Any]]:
            found = await client.get(
                "/v1/cases", params={"report_id": report_id}, headers=OPERATOR
            )
            items: list[dict[str, Any]] = found.json()["items"]
            return items

        cases = await eventually(case_of_blocker, timeout=30)
        assert cases
        assert cases[0]["grid_code"] == blocked.code

        notices = await read_many(
            [grid_topic(grid.code) for grid in GRIDS],
            of_campaign(campaign_id),
            until=lambda found: (
                {
                    (r["value"]["payload"]["grid_code"], r["value"]["event_type"])
                    for r in found
                }
                >= {(g.code, "notice.campaign_overdue") for g in GRIDS[1:]}
            ),
            timeout=40,
        )
        closed = await client.post(f"/v1/campaigns/{campaign_id}/close", headers=OPERATOR)

    kinds: dict[str, set[str]] = {}
    for record in notices:
        grid = record["value"]["payload"]["grid_code"]
        kinds.setdefault(grid, set()).add(record["value"]["event_type"])
    assert set(kinds) == {grid.code for grid in GRIDS}
    assert all("notice.campaign_issued" in got for got in kinds.values())
    assert kinds[full.code] == {"notice.campaign_issued"}
    assert "notice.campaign_reminder" in kinds[half.code]

    changes = await read_many([FIELDWORK_CAMPAIGNS], of_campaign(campaign_id))
    escalated = [r for r in changes if r["value"]["event_type"] == "campaign.escalated"]
    assert len(escalated) == 1
    missing = escalated[0]["value"]["payload"]["missing"]
    assert full.code not in missing
    assert missing[half.code] == half.households - half.households // 2
    assert len(missing) == 19

    assert closed.status_code == 200, closed.text
    summary = closed.json()["summary"]
    assert summary["grids"] == 20
    assert summary["grids_complete"] == 1
    assert summary["reports"] == 1
    assert summary["blocked"] == 1
