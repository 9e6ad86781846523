"""Commands on `cases.commands`: carried out, refused with the reason, or parked."""

import uuid
from typing import Any

import httpx
import pytest

from shared.auth import Principal, Role, issue
from shared.contracts import CaseCommand, envelope
from shared.launcher import Stack
from shared.settings import ServiceSettings
from shared.topics import CASES_COMMANDS, CASES_COMMANDS_REFUSED, dead_letter_topic
from tests.e2e.test_report_to_department import AUTH, INTAKE, a_report, case_for
from tests.kafka_tools import eventually, produce_raw, read_until

pytestmark = pytest.mark.servers

CASEWORK = "http://127.0.0.1:8003"


def credential(role: Role, sub: str, **scope: Any) -> str:
    return issue(Principal(role=role, sub=sub, **scope), ServiceSettings().signing_key)


DESK = credential(Role.DEPARTMENT, "desk-kafka", department="urban_management")
OPERATOR = credential(Role.OPERATOR, "op-kafka")


async def send(command: CaseCommand, report_id: str) -> None:
    message = envelope(
        command,
        event_type="case.command",
        correlation_id=report_id,
        producer="tests",
        identity=(command.case_id, command.command_id),
    )
    await produce_raw(
        CASES_COMMANDS, message.model_dump_json().encode(), {"report-id": report_id}
    )


async def a_dispatched_case() -> dict[str, Any]:
    report = a_report(location=None)
    async with httpx.AsyncClient(timeout=10, headers=AUTH) as client:
        accepted = await client.post(f"{INTAKE}/v1/reports", json=report)
        assert accepted.status_code == 202, accepted.text
        cases = await eventually(lambda: case_for(client, report["report_id"]))
    assert cases, "no case for the report"
    case: dict[str, Any] = cases[0]
    return case


async def test_a_command_on_kafka_changes_the_case(stack: Stack) -> None:
    case = await a_dispatched_case()

    await send(
        CaseCommand(
            case_id=case["case_id"],
            action="sign",
            command_id=str(uuid.uuid4()),
            expected_version=case["version"],
            credential=DESK,
        ),
        case["report_id"],
    )

    async def signed() -> bool:
        async with httpx.AsyncClient(timeout=10) as client:
            answer = await client.get(
                f"{CASEWORK}/v1/cases/{case['case_id']}",
                headers={"Authorization": f"Bearer {OPERATOR}"},
            )
        return bool(answer.json().get("status") == "signed")

    assert await eventually(signed, timeout=30)


async def test_a_stale_command_on_kafka_is_refused_with_the_reason(stack: Stack) -> None:
    case = await a_dispatched_case()
    command_id = str(uuid.uuid4())

    await send(
        CaseCommand(
            case_id=case["case_id"],
            action="sign",
            command_id=command_id,
            expected_version=case["version"] + 5,
            credential=DESK,
        ),
        case["report_id"],
    )

    refused = await read_until(
        CASES_COMMANDS_REFUSED,
        lambda r: (
            isinstance(r["value"], dict)
            and r["value"]["payload"]["command_id"] == command_id
        ),
    )
    refusal = refused[0]["value"]["payload"]
    assert refusal["case_id"] == case["case_id"]
    assert refusal["code"]
    assert refusal["message"]


async def test_a_malformed_command_is_parked_with_the_reason(stack: Stack) -> None:
    marker = f"bad-command-{uuid.uuid4()}"
    await produce_raw(CASES_COMMANDS, f'{{"payload": "{marker}"}}'.encode())

    parked = await read_until(
        dead_letter_topic(CASES_COMMANDS),
        lambda r: (
            marker.encode() in (r["value"] if isinstance(r["value"], bytes) else b"")
            or (isinstance(r["value"], dict) and r["value"].get("payload") == marker)
        ),
    )
    assert parked[0]["headers"]["deadletter-service"] == "casework"
    assert parked[0]["headers"]["deadletter-reason"]
