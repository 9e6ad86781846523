"""Credentials, addresses and a many-topic reader for the field work tests."""

import time
import uuid
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from shared.auth import Principal, Role, issue
from shared.kafka import partitions_of
from shared.settings import ServiceSettings
from tests.conftest import KAFKA
from tests.kafka_tools import Record, _record

INTAKE = "http://127.0.0.1:8001"
CASEWORK = "http://127.0.0.1:8003"
KEY = ServiceSettings().signing_key


def auth(role: Role, sub: str, **scope: Any) -> dict[str, str]:
    """Headers carrying a token for ``role``."""
    token = issue(Principal(role=role, sub=sub, **scope), KEY)
    return {"Authorization": f"Bearer {token}"}


def head(grid: str) -> dict[str, str]:
    """Headers for the head of ``grid``."""
    return auth(Role.GRID_STAFF, f"head-{grid}", grids=[grid])


OPERATOR = auth(Role.OPERATOR, "operator-fieldwork")


async def read_many(
    topics: list[str],
    predicate: Callable[[Record], bool],
    *,
    start: dict[TopicPartition, int] | None = None,
    until: Callable[[list[Record]], bool] | None = None,
    timeout: float = 30,
) -> list[Record]:
    """Read several topics from ``start`` (else the beginning) until ``until`` holds."""
    partitions = await partitions_of(KAFKA, topics)
    assigned = [TopicPartition(t, p) for t, ps in partitions.items() for p in ps]
    consumer = AIOKafkaConsumer(
        bootstrap_servers=KAFKA,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        client_id=f"test-{uuid.uuid4()}",
    )
    await consumer.start()
    found: list[Record] = []
    try:
        consumer.assign(assigned)
        for partition in assigned:
            if start and partition in start:
                consumer.seek(partition, start[partition])
            else:
                await consumer.seek_to_beginning(partition)
        ends = await consumer.end_offsets(assigned)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=300, max_records=5000)
            for records in batches.values():
                found.extend(item for r in records if predicate(item := _record(r)))
            if until is not None and until(found):
                break
            if until is None:
                positions = [await consumer.position(p) for p in assigned]
                if all(at >= ends[p] for at, p in zip(positions, assigned, strict=True)):
                    break
    finally:
        await consumer.stop()
    return found
