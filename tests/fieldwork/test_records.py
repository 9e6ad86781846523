"""Basic information through the real stack: records, history, CSV, references, masks."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from ops.cli import app
from services.casework.basicinfo.store import BasicInfoStore
from shared.auth import Role
from shared.launcher import Stack
from tests.conftest import TEST_DB
from tests.fieldwork.helpers import CASEWORK, INTAKE, OPERATOR, auth, head
from tests.kafka_tools import eventually

pytestmark = pytest.mark.servers

GRID = "G-12-04"
HEAD = head(GRID)
FILES_GRID = "G-12-06"
FILES_HEAD = head(FILES_GRID)
DESK = auth(Role.DEPARTMENT, "desk-housing", department="housing")
PHONE, ID_NUMBER = "13912340001", "440301196505050017"

ONE_OF_EACH: dict[str, dict[str, Any]] = {
    "population": {"name": "Zhou Lan", "birth_year": 1965, "id_number": ID_NUMBER},
    "households": {"name": "Lane 2, number 8", "housing": "rented", "members": 2},
    "places": {"name": "Corner clinic", "place_type": "clinic"},
    "organisations": {"name": "Tenants' volunteer team", "org_type": "volunteer_team"},
    "facilities": {"name": "Camera at the bridge", "facility_type": "camera"},
    "key_persons": {"name": "Ma Jun", "reason": "mental_health", "phone": PHONE},
    "service_recipients": {"name": "Old Mrs Xu", "need": "elderly_alone"},
}


def path(kind: str, code: str, grid: str = GRID) -> str:
    return f"/v1/records/{grid}/{kind}/{code}"


async def case_of(client: httpx.AsyncClient, report_id: str) -> dict[str, Any] | None:
    found = await client.get(
        f"{CASEWORK}/v1/cases", params={"report_id": report_id}, headers=OPERATOR
    )
    items = found.json()["items"]
    return items[0] if items else None


async def test_records_keep_history_and_show_numbers_only_to_who_needs_them(
    stack: Stack, mongo: Any
) -> None:
    async with httpx.AsyncClient(base_url=CASEWORK, timeout=30) as client:
        for kind, body in ONE_OF_EACH.items():
            made = await client.put(path(kind, "r-1"), json=body, headers=HEAD)
            assert made.status_code == 201, made.text
            assert made.json()["ref"] == f"{GRID}/{kind}/r-1"

        same = await client.put(
            path("key_persons", "r-1"), json=ONE_OF_EACH["key_persons"], headers=HEAD
        )
        moved = {
            **ONE_OF_EACH["key_persons"],
            "phone": "13912340002",
            "visit_every_days": 7,
        }
        changed = await client.put(path("key_persons", "r-1"), json=moved, headers=HEAD)
        history = await client.get(path("key_persons", "r-1") + "/history", headers=HEAD)
        as_desk = await client.get(path("key_persons", "r-1"), headers=DESK)
        as_head = await client.get(path("key_persons", "r-1"), headers=HEAD)
        elsewhere = await client.get(path("key_persons", "r-1"), headers=head("G-12-05"))
        not_theirs = await client.put(
            path("facilities", "x", "G-12-05"), json=ONE_OF_EACH["facilities"], headers=HEAD
        )
        unknown_grid = await client.put(
            path("facilities", "x", "G-99-01"),
            json=ONE_OF_EACH["facilities"],
            headers=OPERATOR,
        )
        bad_field = await client.put(
            path("places", "r-2"), json={"name": "x", "place_type": "castle"}, headers=HEAD
        )
        orphan = await client.put(
            path("population", "r-2"),
            json={"name": "y", "household": "nowhere"},
            headers=HEAD,
        )
        listed = await client.get(
            "/v1/records", params={"grid_code": GRID, "kind": "population"}, headers=DESK
        )

    assert same.json()["change"] == "unchanged"
    assert changed.json()["change"] == "updated"
    assert changed.json()["revision"] == 2
    entries = history.json()["changes"]
    assert [e["change"] for e in entries] == ["updated", "created"]
    assert entries[0]["changes"]["phone"] == {"from": "139****0001", "to": "139****0002"}
    assert PHONE not in history.text
    assert as_desk.json()["value"]["phone"] == "139****0002"
    assert as_desk.json()["masked"] is True
    assert as_head.json()["value"]["phone"] == "13912340002"
    assert elsewhere.status_code == 403
    assert not_theirs.status_code == 403
    assert unknown_grid.json()["error"]["field"] == "grid_code"
    assert bad_field.status_code == 422
    assert bad_field.json()["error"]["field"] == "place_type"
    assert orphan.json()["error"]["field"] == "household"
    (resident,) = listed.json()["items"]
    assert resident["value"]["id_number"] == "440****0017"


async def test_csv_files_go_in_whole_or_not_at_all_and_come_out_masked(
    stack: Stack, tmp_path: Path
) -> None:
    header = "grid_code,code,name,address,housing,members,head_name,phone\n"
    good = [
        f"{FILES_GRID},h-{n},Room {n},Lane 9,owned,{n % 5},Head {n},1390000{n:04d}\n"
        for n in range(40)
    ]
    bad = [
        *good[:3],
        f"{FILES_GRID},h-x,Room x,,castle,-1,,12\n",
        "G-12-07,h-y,Room y,,owned,1,,\n",
    ]

    async with httpx.AsyncClient(base_url=CASEWORK, timeout=60) as client:
        refused = await client.post(
            "/v1/records.csv",
            params={"kind": "households"},
            content="".join([header, *bad]),
            headers={**FILES_HEAD, "content-type": "text/csv"},
        )
        none_stored = await client.get(
            path("households", "h-0", FILES_GRID), headers=FILES_HEAD
        )
        taken = await client.post(
            "/v1/records.csv",
            params={"kind": "households"},
            content="".join([header, *good]),
            headers={**FILES_HEAD, "content-type": "text/csv"},
        )
        as_desk = await client.get(
            "/v1/records.csv",
            params={"kind": "households", "grid_code": FILES_GRID},
            headers=DESK,
        )

    assert refused.status_code == 422, refused.text
    problems = {(p["line"], p["field"]) for p in refused.json()["error"]["problems"]}
    assert problems == {(5, "housing"), (5, "members"), (5, "phone")}
    assert none_stored.status_code == 404
    assert taken.json() == {"created": 40, "updated": 0, "unchanged": 0}
    lines = as_desk.text.splitlines()
    assert len(lines) == 41
    assert "1390000" not in as_desk.text
    assert "139****0007" in as_desk.text

    exported = tmp_path / "households.csv"
    runner = CliRunner()
    done = await asyncio.to_thread(
        runner.invoke,
        app,
        ["records", "export", "households", "--grid", FILES_GRID, "--out", str(exported)],
    )
    assert done.exit_code == 0, done.output
    text = exported.read_text()
    assert "13900000007" in text
    exported.write_text(text.replace("Head 7,", "Head Seven,"))
    again = await asyncio.to_thread(
        runner.invoke, app, ["records", "import", "households", str(exported)]
    )
    assert again.exit_code == 0, again.output
    assert "0 created, 1 updated, 39 unchanged" in again.output

    exported.write_text(header + f"{FILES_GRID},h-z,Room z,,owned,1,,not-a-phone\n")
    wrong = await asyncio.to_thread(
        runner.invoke, app, ["records", "import", "households", str(exported)]
    )
    assert wrong.exit_code == 1
    assert "line 2, phone" in wrong.output


async def test_visits_and_cases_name_records_that_exist(stack: Stack, mongo: Any) -> None:
    person = path("key_persons", "k-visits")
    now = datetime.now(UTC).isoformat()
    visit: dict[str, Any] = {
        "visit_type": "key_person_visit",
        "grid_code": GRID,
        "household": "Lane 3",
        "record_ref": f"{GRID}/key_persons/k-visits",
        "visited_at": now,
    }
    report: dict[str, Any] = {
        "report_id": str(uuid.uuid4()),
        "channel": "patrol",
        "grid_code": GRID,
        "category_hint": "road_damage",
        "description": "Pothole by the camera at the bridge.",
        "observed_at": now,
        "reporter": {"kind": "grid_staff"},
        "record_ref": f"{GRID}/facilities/cam-bridge",
    }
    async with httpx.AsyncClient(timeout=30) as client:
        missing = await client.post(f"{CASEWORK}/v1/visits", json=visit, headers=HEAD)
        await client.put(
            CASEWORK + person, json={"name": "Ma", "reason": "petitioner"}, headers=HEAD
        )
        await client.put(
            CASEWORK + path("facilities", "cam-bridge"),
            json={"name": "Bridge camera", "facility_type": "camera"},
            headers=HEAD,
        )
        wrong_kind = await client.post(
            f"{CASEWORK}/v1/visits",
            json={**visit, "visit_type": "service_recipient_visit"},
            headers=HEAD,
        )
        logged = await client.post(f"{CASEWORK}/v1/visits", json=visit, headers=HEAD)

        other_grid = await client.post(
            f"{INTAKE}/v1/reports",
            json={
                **report,
                "report_id": str(uuid.uuid4()),
                "record_ref": "G-12-05/facilities/c",
            },
            headers=HEAD,
        )
        unknown = {
            **report,
            "report_id": str(uuid.uuid4()),
            "record_ref": f"{GRID}/facilities/gone",
        }
        for sent in (report, unknown):
            accepted = await client.post(f"{INTAKE}/v1/reports", json=sent, headers=HEAD)
            assert accepted.status_code == 202, accepted.text
        linked = await eventually(partial(case_of, client, report["report_id"]))
        unlinked = await eventually(partial(case_of, client, unknown["report_id"]))
        by_record = await client.get(
            f"{CASEWORK}/v1/cases",
            params={"record_ref": report["record_ref"]},
            headers=OPERATOR,
        )
        camera = await client.get(CASEWORK + path("facilities", "cam-bridge"), headers=HEAD)
        visited = await client.get(CASEWORK + person, headers=HEAD)
        deleted = await client.delete(CASEWORK + person, headers=HEAD)
        after = await client.get(CASEWORK + person, headers=OPERATOR)

    assert missing.status_code == 422
    assert missing.json()["error"]["field"] == "record_ref"
    assert wrong_kind.json()["error"]["field"] == "record_ref"
    assert logged.status_code == 201, logged.text
    assert other_grid.status_code == 422
    assert other_grid.json()["error"]["field"] == "record_ref"
    assert linked["record_ref"] == report["record_ref"]
    assert unlinked["record_ref"] is None
    assert [case["case_id"] for case in by_record.json()["items"]] == [linked["case_id"]]
    assert camera.json()["referenced_by"]["cases"] == [linked["case_id"]]
    assert visited.json()["referenced_by"]["visits"] == [logged.json()["visit_id"]]
    assert deleted.json()["deleted"] is True
    assert after.json()["deleted"] is True

    store = BasicInfoStore(mongo[TEST_DB])
    kept = path("key_persons", "k-phone").removeprefix("/v1/records/")
    async with httpx.AsyncClient(base_url=CASEWORK, timeout=30) as client:
        await client.put(
            path("key_persons", "k-phone"),
            json={"name": "Qin", "reason": "other", "phone": PHONE},
            headers=HEAD,
        )
        await client.delete(path("key_persons", "k-phone"), headers=HEAD)
    later = datetime.now(UTC) + timedelta(seconds=5)
    assert await store.forget_numbers(later, later) >= 1
    gone = await store.get(kept)
    assert gone is not None
    assert "phone" not in gone["value"]
