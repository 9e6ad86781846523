"""The field work part of the demo: basic information, visits and one small campaign.

`make run` feeds it after the demo reports; a test feeds it to the test stack and
checks that the periodic report for the demo period has a figure in every column.
"""

import csv
import io
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

DEMO_FILE = Path(__file__).with_name("demo_fieldwork.json")

Say = Callable[[str], None]


def as_csv(rows: list[dict[str, Any]]) -> str:
    """Demo records of one category as the CSV file an office would upload."""
    columns = sorted({name for row in rows for name in row})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                name: ";".join(value) if isinstance(value, list) else value
                for name, value in row.items()
            }
        )
    return out.getvalue()


def bearer(token: str) -> dict[str, str]:
    """Headers carrying one credential."""
    return {"Authorization": f"Bearer {token}"}


def load_plan(path: Path = DEMO_FILE) -> dict[str, Any]:
    """The demo's records, visits and campaign."""
    plan: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return plan


async def feed_fieldwork(
    casework: str, tokens: dict[str, str], say: Say, plan: dict[str, Any]
) -> dict[str, Any]:
    """Import the records, log the visits, run the campaign; answers what was made."""
    operator = bearer(tokens["operator"])
    made: dict[str, Any] = {"visits": [], "reports": []}
    async with httpx.AsyncClient(base_url=casework, timeout=30) as client:
        for kind, rows in plan["records"].items():
            answer = await client.post(
                "/v1/records.csv",
                params={"kind": kind},
                content=as_csv(rows).encode("utf-8"),
                headers={**operator, "content-type": "text/csv"},
            )
            answer.raise_for_status()
            say(f"basic information {kind}: {answer.json()}")

        for visit in plan["visits"]:
            body = {
                **visit,
                "visit_id": str(uuid.uuid4()),
                "visited_at": datetime.now(UTC).isoformat(),
            }
            head = bearer(tokens[f"grid_head:{visit['grid_code']}"])
            answer = await client.post("/v1/visits", json=body, headers=head)
            answer.raise_for_status()
            logged = answer.json()
            made["visits"].append(logged["visit_id"])
            made["reports"].extend(logged["report_ids"])
            say(
                f"{visit['visit_type']} in {visit['grid_code']}: "
                f"{len(logged['report_ids'])} reports raised"
            )

        made["campaign"] = await _campaign(client, plan["campaign"], tokens, say)
    return made


async def _campaign(
    client: httpx.AsyncClient, plan: dict[str, Any], tokens: dict[str, str], say: Say
) -> str:
    """Issue the demo campaign and report the progress the heads made."""
    deadline = datetime.now(UTC) + timedelta(seconds=plan["deadline_in_s"])
    issued = {
        "title": plan["title"],
        "instructions": plan["instructions"],
        "grids": plan["grids"],
        "deadline": deadline.isoformat(),
        "remind_before_s": plan["remind_before_s"],
    }
    answer = await client.post(
        "/v1/campaigns", json=issued, headers=bearer(tokens["operator"])
    )
    answer.raise_for_status()
    campaign_id: str = answer.json()["campaign_id"]
    say(f"campaign {campaign_id} issued to {len(plan['grids'])} grids")

    for step in plan["progress"]:
        head = bearer(tokens[f"grid_head:{step['grid_code']}"])
        answer = await client.post(
            f"/v1/campaigns/{campaign_id}/progress", json=step, headers=head
        )
        answer.raise_for_status()
    coverage = answer.json()["coverage"]
    say(f"campaign {campaign_id}: coverage {coverage:.1%}")
    return campaign_id
