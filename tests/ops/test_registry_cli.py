"""The operator CLI's registry file and read-model rebuild, against the running system."""

import asyncio
import json
import uuid
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from typer.testing import CliRunner

from ops.backlog import committed_offsets
from ops.cli import app
from shared.kafka import ensure_topics
from shared.launcher import Stack
from shared.topics import TopicSpec
from tests.conftest import KAFKA
from tests.e2e.test_router import ROUTER, operator
from tests.kafka_tools import produce_raw

pytestmark = pytest.mark.servers


def _cli(*args: str) -> tuple[int, str]:
    token = operator()["authorization"].removeprefix("Bearer ")
    result = CliRunner().invoke(app, list(args), env={"GRIDLOOP_TOKEN": token})
    return result.exit_code, result.output


def test_export_writes_every_kind_the_router_holds(stack: Stack, tmp_path: Path) -> None:
    out = tmp_path / "registry.json"

    code, output = _cli("registry", "export", "--out", str(out), "--router", ROUTER)

    assert code == 0, output
    content = json.loads(out.read_text())
    assert len(content["grids"]) == 189
    assert len(content["villages"]) == 14
    assert content["departments"]["urban_management"]["name_en"]


def test_load_puts_valid_entities_and_names_each_refusal(
    stack: Stack, tmp_path: Path
) -> None:
    dept = f"test_{uuid.uuid4().hex[:8]}"
    source = tmp_path / "changes.json"
    source.write_text(
        json.dumps(
            {
                "departments": {
                    dept: {"code": dept, "name_zh": "测试科", "name_en": "Test desk"}
                },
                "grids": {"G-99-99": {"code": "G-99-99", "village": "V-nowhere"}},
            }
        )
    )

    code, output = _cli("registry", "load", str(source), "--router", ROUTER)

    assert code == 1, output
    assert "loaded 1 of 2 entities" in output
    assert "grids/G-99-99: 4" in output
    with httpx.Client(base_url=ROUTER, headers=operator(), timeout=10) as client:
        stored = client.get(f"/v1/registry/departments/{dept}")
        assert stored.status_code == 200, stored.text
        assert stored.json()["value"]["name_en"] == "Test desk"
        assert client.delete(f"/v1/registry/departments/{dept}").status_code == 200


async def _consume_and_commit(topic: str, group: str, count: int) -> None:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=KAFKA,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        seen = 0
        while seen < count:
            batch = await consumer.getmany(timeout_ms=1000)
            seen += sum(len(records) for records in batch.values())
        await consumer.commit()
    finally:
        await consumer.stop()


async def _committed(group: str) -> dict[str, int]:
    offsets = await committed_offsets(KAFKA, group)
    return {tp.topic: offset for tp, offset in offsets.items()}


def test_rebuild_moves_an_idle_group_back_to_the_start(servers_lock: None) -> None:
    topic = f"test.rebuild.{uuid.uuid4().hex[:8]}"
    group = f"test-rebuild-{uuid.uuid4().hex[:8]}"

    async def prepare() -> None:
        await ensure_topics(KAFKA, (TopicSpec(topic, partitions=1),))
        for n in range(3):
            await produce_raw(topic, f"event {n}".encode())
        await _consume_and_commit(topic, group, 3)

    asyncio.run(prepare())
    assert asyncio.run(_committed(group)) == {topic: 3}

    code, output = _cli("rebuild", group)

    assert code == 0, output
    assert f"{group}: 3 messages of {topic} will be read again" in output
    assert asyncio.run(_committed(group)) == {topic: 0}


def test_rebuild_of_an_unknown_group_changes_nothing(servers_lock: None) -> None:
    code, output = _cli("rebuild", f"test-never-{uuid.uuid4().hex[:8]}")

    assert code == 0, output
    assert "has committed nothing" in output
