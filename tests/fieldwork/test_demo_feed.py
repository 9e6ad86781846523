"""The field work part of `make run`'s demo gives a report with a figure in every column."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from deploy.local.demo_fieldwork import feed_fieldwork, load_plan
from services.casework.fieldwork.report import COLUMNS
from shared.auth import demo_credentials
from shared.launcher import Stack
from shared.registry.demo import demo_registry
from tests.fieldwork.helpers import CASEWORK, KEY, OPERATOR

pytestmark = pytest.mark.servers


async def test_the_demo_period_has_every_figure(stack: Stack) -> None:
    registry = demo_registry()
    tokens = demo_credentials(
        KEY,
        grids=[grid.code for grid in registry.grids],
        departments=[department.code for department in registry.departments],
    )
    plan = load_plan()
    began = datetime.now(UTC) - timedelta(seconds=1)

    made = await feed_fieldwork(CASEWORK, tokens, lambda _: None, plan)
    period = {"from": began.isoformat(), "to": datetime.now(UTC).isoformat()}
    async with httpx.AsyncClient(base_url=CASEWORK, timeout=30) as client:
        answer = await client.get("/v1/stats/fieldwork", params=period, headers=OPERATOR)
        campaign = await client.get(f"/v1/campaigns/{made['campaign']}", headers=OPERATOR)

    assert answer.status_code == 200, answer.text
    rows = {(row["level"], row["code"]): row for row in answer.json()["rows"]}
    whole = rows[("sub_district", "all")]
    empty = [name for name in COLUMNS[2:] if not whole[name]]
    assert empty == [], f"the demo period lacks {empty}: {whole}"
    assert whole["visits"] >= len(plan["visits"])
    assert len(made["reports"]) == 2
    blocked = {grid["grid_code"]: grid["blocked"] for grid in campaign.json()["grids"]}
    assert blocked["G-04-01"] == 1
    assert rows[("grid", "G-04-01")]["disputes_resolved"] >= 1
