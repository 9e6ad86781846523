"""The operator CLI against the running system: status, trace and dead letters."""

import json
import time
import uuid
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from ops import deadletters, status
from ops.cli import app
from ops.trace import trace
from shared.kafka import ensure_topics
from shared.launcher import SERVICES, Stack
from shared.topics import REPORTS_SUBMITTED, TopicSpec, dead_letter_topic, department_topic
from tests.conftest import GROUP_PREFIX, KAFKA
from tests.e2e.test_report_to_department import AUTH, INTAKE, a_report, case_for
from tests.kafka_tools import eventually, produce_raw, read_until

pytestmark = pytest.mark.servers


async def test_status_shows_every_service_ready_and_lag_per_group(stack: Stack) -> None:
    services = await status.all_services()
    lag = await status.consumer_lag(KAFKA, transient=True)

    assert {s.name: s.ready for s in services} == dict.fromkeys(SERVICES, True)
    groups = {entry.group.removeprefix(GROUP_PREFIX) for entry in lag}
    assert {"router", "casework", "notifier"} <= groups


async def test_trace_follows_a_report_through_all_four_services(stack: Stack) -> None:
    started_ms = int(time.time() * 1000)
    # Without a location, so it cannot become a supporter of another test's open case.
    report = a_report(location=None)
    async with httpx.AsyncClient(timeout=10, headers=AUTH) as client:
        accepted = await client.post(f"{INTAKE}/v1/reports", json=report)
        assert accepted.status_code == 202, accepted.text
        assert await eventually(lambda: case_for(client, report["report_id"]))
    await read_until(
        department_topic("urban_management"),
        lambda r: r["headers"].get("report-id") == report["report_id"],
    )

    hops = await trace(
        KAFKA,
        report["report_id"],
        since_ms=started_ms,
        extra_topics=[department_topic("urban_management")],
    )

    assert [hop.producer for hop in hops] == ["intake", "router", "casework", "notifier"]
    assert all(hop.delay_ms >= 0 for hop in hops)
    assert hops[0].delay_ms == 0


async def test_parked_messages_are_listed_with_their_reason(stack: Stack) -> None:
    marker = f"poison-{uuid.uuid4()}".encode()
    await produce_raw(REPORTS_SUBMITTED, b"{not json " + marker)

    async def listed() -> list[deadletters.Parked]:
        items = await deadletters.parked(KAFKA, [REPORTS_SUBMITTED])
        return [item for item in items if marker in item.record.value]

    found = await eventually(listed, timeout=30)
    assert found, "the poison report was not parked"
    assert found[0].service == "router"
    assert found[0].source_topic == REPORTS_SUBMITTED
    assert "json" in found[0].reason.lower()


async def test_replay_sends_each_parked_message_back_once(servers_lock: None) -> None:
    topic = f"test.replay.{uuid.uuid4().hex[:8]}"
    await ensure_topics(KAFKA, (TopicSpec(dead_letter_topic(topic), partitions=1),))
    for n in range(3):
        await produce_raw(dead_letter_topic(topic), f"message {n}".encode(), {"x": "1"})

    assert await deadletters.replay(KAFKA, topic, dry_run=True) == 3
    assert await deadletters.replay(KAFKA, topic) == 3
    assert await deadletters.replay(KAFKA, topic) == 0

    back = await read_until(topic, lambda r: True, count=3)
    assert sorted(r["value"] for r in back) == [b"message 0", b"message 1", b"message 2"]
    assert all(r["headers"]["replayed-from"].startswith("0/") for r in back)


def test_credentials_command_writes_a_token_per_role(tmp_path: Path) -> None:
    out = tmp_path / "credentials.json"
    result = CliRunner().invoke(app, ["credentials", "--out", str(out)])

    assert result.exit_code == 0, result.output
    tokens = json.loads(out.read_text())
    assert {"operator", "hotline", "open311_api_key"} <= set(tokens)
    assert sum(key.startswith("grid_head:") for key in tokens) == 189
    assert any(key.startswith("department:") for key in tokens)
