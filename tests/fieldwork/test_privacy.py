"""No person's phone number in any Kafka message or service log line of a full scenario."""

import json
import random
import re
import uuid
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from services.casework.fieldwork.store import FieldworkStore
from services.intake.store import ReportStore
from shared.auth import Role
from shared.kafka import partitions_of
from shared.launcher import Stack
from tests.conftest import KAFKA, TEST_DB
from tests.fieldwork.helpers import CASEWORK, INTAKE, OPERATOR, auth, head, read_many
from tests.kafka_tools import eventually

pytestmark = pytest.mark.servers

GRID = "G-03-07"
HEAD = head(GRID)
DESK = auth(Role.DEPARTMENT, "desk-urban", department="urban_management")
HOTLINE = auth(Role.HOTLINE, "hotline-privacy")


def a_mobile() -> str:
    """A mobile number no earlier run used."""
    return "139" + "".join(random.choices("0123456789", k=8))


def an_identity() -> str:
    """An identity number no earlier run used."""
    return "4403" + "".join(random.choices("0123456789", k=13)) + "X"


def spaced(number: str) -> str:
    return f"+86 {number[:3]} {number[3:7]} {number[7:]}"


async def topic_ends() -> dict[TopicPartition, int]:
    """The end of every partition of every topic now."""
    admin = AIOKafkaAdminClient(bootstrap_servers=KAFKA)
    await admin.start()
    try:
        topics = [t for t in await admin.list_topics() if not t.startswith("__")]
    finally:
        await admin.close()
    partitions = await partitions_of(KAFKA, topics)
    consumer = AIOKafkaConsumer(bootstrap_servers=KAFKA, enable_auto_commit=False)
    await consumer.start()
    try:
        wanted = [TopicPartition(t, p) for t, ps in partitions.items() for p in ps]
        return dict(await consumer.end_offsets(wanted))
    finally:
        await consumer.stop()


def digits_only(text: str) -> str:
    return re.sub(r"[\s\-+]", "", text)


async def case_of(client: httpx.AsyncClient, report_id: str) -> dict[str, Any] | None:
    answer = await client.get(
        f"{CASEWORK}/v1/cases", params={"report_id": report_id}, headers=OPERATOR
    )
    items = answer.json()["items"]
    return items[0] if items else None


async def act(
    client: httpx.AsyncClient, case: dict[str, Any], action: str, headers: Any, **body: Any
) -> None:
    sent = {"command_id": str(uuid.uuid4()), "expected_version": case["version"], **body}
    answer = await client.post(
        f"{CASEWORK}/v1/cases/{case['case_id']}/{action}", json=sent, headers=headers
    )
    assert answer.status_code == 200, answer.text
    case["version"] = answer.json()["version"]


async def test_no_phone_number_leaves_in_events_or_logs(
    stack: Stack, mongo: Any, artifacts: Path
) -> None:
    phones = {name: a_mobile() for name in ("resident", "typed", "hotline", "household")}
    phones["finding"], phones["blocker"] = a_mobile(), a_mobile()
    phones["record"], phones["imported"], phones["refused"] = (
        a_mobile(),
        a_mobile(),
        a_mobile(),
    )
    phones["identity"], phones["imported_identity"] = an_identity(), an_identity()
    logs = {
        path: path.stat().st_size for path in (artifacts / "service-logs").glob("*.log")
    }
    start = await topic_ends()

    async with httpx.AsyncClient(timeout=30) as client:
        resident: dict[str, Any] = {
            "report_id": str(uuid.uuid4()),
            "channel": "app",
            "grid_code": GRID,
            "category_hint": "construction_waste",
            "description": f"Tiles dumped by the lane; call me on {phones['typed']}.",
            "observed_at": datetime.now(UTC).isoformat(),
            "reporter": {"kind": "resident", "name": "Wang", "phone": phones["resident"]},
        }
        accepted = await client.post(f"{INTAKE}/v1/reports", json=resident, headers=HOTLINE)
        assert accepted.status_code == 202, accepted.text
        tracking = {"x-tracking-token": accepted.json()["tracking_token"]}
        hotline: dict[str, Any] = {
            **resident,
            "report_id": str(uuid.uuid4()),
            "channel": "hotline",
            "category_hint": "streetlight_fault",
            "description": "The street light at the corner is out.",
            "reporter": {
                "kind": "resident",
                "name": "Li",
                "phone": spaced(phones["hotline"]),
            },
        }
        accepted = await client.post(f"{INTAKE}/v1/reports", json=hotline, headers=HOTLINE)
        assert accepted.status_code == 202, accepted.text

        person = f"{CASEWORK}/v1/records/{GRID}/key_persons/k-privacy"
        kept = await client.put(
            person,
            json={
                "name": "Tang",
                "reason": "petitioner",
                "phone": phones["record"],
                "id_number": phones["identity"],
            },
            headers=HEAD,
        )
        assert kept.status_code == 201, kept.text
        header = "grid_code,code,name,need,phone,id_number\n"
        rows = [
            f"{GRID},s-privacy,Gao,disabled,{phones['imported']},{phones['imported_identity']}\n",
            f"{GRID},s-refused,Bai,unknown_need,{phones['refused']},\n",
        ]
        for sent, expected in ((rows, 422), (rows[:1], 200)):
            imported = await client.post(
                f"{CASEWORK}/v1/records.csv",
                params={"kind": "service_recipients"},
                content=header + "".join(sent),
                headers={**HEAD, "content-type": "text/csv"},
            )
            assert imported.status_code == expected, imported.text
        shown = (await client.get(person, headers=DESK)).json()["value"]
        assert shown["phone"] == f"{phones['record'][:3]}****{phones['record'][-4:]}"
        assert (
            shown["id_number"] == f"{phones['identity'][:3]}****{phones['identity'][-4:]}"
        )

        visit = {
            "visit_type": "home_visit",
            "grid_code": GRID,
            "household": "Building 2, room 301",
            "record_ref": f"{GRID}/key_persons/k-privacy",
            "contact_phone": phones["household"],
            "checklist": ["safety.gas", "people.contact_current"],
            "findings": [
                {
                    "item": "safety.gas",
                    "text": f"Gas cylinder by the stove; son's number {phones['finding']}.",
                    "raise_report": True,
                    "category_hint": "gas_leak",
                },
                {
                    "text": "Quarrel over a parking space settled.",
                    "dispute": True,
                    "resolved": True,
                },
            ],
            "visited_at": datetime.now(UTC).isoformat(),
        }
        logged = await client.post(f"{CASEWORK}/v1/visits", json=visit, headers=HEAD)
        assert logged.status_code == 201, logged.text
        assert (
            logged.json()["contact_phone"]
            == f"{phones['household'][:3]}****{phones['household'][-4:]}"
        )

        campaign = await client.post(
            f"{CASEWORK}/v1/campaigns",
            json={
                "title": "Check gas cylinders",
                "instructions": f"Questions: call the station on {spaced(a_mobile())}.",
                "grids": [GRID],
                "deadline": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
            },
            headers=OPERATOR,
        )
        assert campaign.status_code == 201, campaign.text
        progress = await client.post(
            f"{CASEWORK}/v1/campaigns/{campaign.json()['campaign_id']}/progress",
            json={
                "grid_code": GRID,
                "items": [
                    {
                        "unit": "room 302",
                        "status": "blocked",
                        "note": f"Landlord refuses; reach him on {phones['blocker']}",
                    },
                ],
            },
            headers=HEAD,
        )
        assert progress.status_code == 200, progress.text

        case = await eventually(lambda: case_of(client, resident["report_id"]))
        assert case, "the resident's report never became a case"
        await act(client, case, "sign", DESK, note="crew on the way")
        await act(client, case, "dispose", DESK, media_ids=["m-after"], note="cleared")
        await act(client, case, "verify", HEAD, passed=True, media_ids=["m-check"])
        await act(client, case, "evaluate", tracking, score=5, comment="quick")
        await act(client, case, "file", OPERATOR)
        for report_id in (hotline["report_id"], *logged.json()["report_ids"]):
            assert await eventually(partial(case_of, client, report_id))

        seen: dict[str, Any] = {}
        for who, headers in (("operator", OPERATOR), ("department", DESK)):
            answer = await client.get(
                f"{INTAKE}/v1/reports/{resident['report_id']}", headers=headers
            )
            seen[who] = answer.json()["reporter"]

    assert seen["operator"]["phone"] == phones["resident"]
    assert seen["department"]["phone"] is None
    assert (
        seen["department"]["phone_masked"]
        == f"{phones['resident'][:3]}****{phones['resident'][-4:]}"
    )

    records = await read_many(
        list({tp.topic for tp in start} | await new_topics(start)),
        lambda _: True,
        start=start,
        timeout=60,
    )
    assert len(records) > 20
    scanned = json.dumps([r["value"] for r in records])
    typed = phones["typed"]
    assert f"call me on {typed[:3]}****{typed[-4:]}" in scanned, (
        "the report was not scanned"
    )
    written = "".join(
        path.read_bytes()[logs.get(path, 0) :].decode(errors="replace")
        for path in (artifacts / "service-logs").glob("*.log")
    )
    leaks = {
        name: where
        for name, number in phones.items()
        for where, text in (
            (
                "kafka",
                digits_only(
                    json.dumps([r["value"] for r in records])
                    + json.dumps([r["headers"] for r in records])
                ),
            ),
            ("logs", digits_only(written)),
        )
        if number in text
    }
    assert leaks == {}

    store = ReportStore(mongo[TEST_DB])
    assert await store.forget_phones(datetime.now(UTC) + timedelta(seconds=1)) >= 1
    kept = await mongo[TEST_DB]["reports"].find_one({"_id": resident["report_id"]})
    assert kept["report"]["reporter"]["phone"] is None
    open_one = await mongo[TEST_DB]["reports"].find_one({"_id": hotline["report_id"]})
    assert open_one["report"]["reporter"]["phone"] == spaced(phones["hotline"])

    later = datetime.now(UTC) + timedelta(seconds=1)
    assert await FieldworkStore(mongo[TEST_DB]).forget_visit_phones(later, later) >= 1
    visited = await mongo[TEST_DB]["fieldwork_visits"].find_one(
        {"_id": logged.json()["visit_id"]}
    )
    assert visited["contact_phone"] is None


async def new_topics(start: dict[TopicPartition, int]) -> set[str]:
    """Topics created while the scenario ran."""
    return {tp.topic for tp in await topic_ends()} - {tp.topic for tp in start}
