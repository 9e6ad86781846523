"""Small Kafka helpers for tests: read a topic until something shows up."""

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from shared.kafka import ensure_topics, partitions_of
from shared.topics import TopicSpec
from tests.conftest import KAFKA

Record = dict[str, Any]


async def read_until(
    topic: str,
    predicate: Callable[[Record], bool],
    *,
    count: int = 1,
    timeout: float = 30,
) -> list[Record]:
    """Read ``topic`` from the beginning until ``count`` records match, or fail."""
    await ensure_topics(KAFKA, (TopicSpec(topic, partitions=3),))
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=KAFKA,
        group_id=f"test-{uuid.uuid4()}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        metadata_max_age_ms=1000,
    )
    await consumer.start()
    found: list[Record] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and len(found) < count:
            batches = await consumer.getmany(timeout_ms=500)
            for records in batches.values():
                for record in records:
                    item = _record(record)
                    if predicate(item):
                        found.append(item)
    finally:
        await consumer.stop()
    if len(found) < count:
        raise AssertionError(f"{len(found)} of {count} expected records on {topic}")
    return found


async def end_offsets(topic: str) -> int:
    """Sum of the end offsets of a topic's partitions."""
    partitions = (await partitions_of(KAFKA, [topic])).get(topic)
    assert partitions, f"topic {topic} does not exist"
    consumer = AIOKafkaConsumer(bootstrap_servers=KAFKA, enable_auto_commit=False)
    await consumer.start()
    try:
        offsets = await consumer.end_offsets([TopicPartition(topic, p) for p in partitions])
        return sum(offsets.values())
    finally:
        await consumer.stop()


async def produce_raw(
    topic: str, value: bytes, headers: dict[str, str] | None = None
) -> None:
    """Put arbitrary bytes on a topic, as a misbehaving producer would."""
    producer = AIOKafkaProducer(
        bootstrap_servers=KAFKA, acks="all", enable_idempotence=True
    )
    await producer.start()
    try:
        encoded = [(key, val.encode()) for key, val in (headers or {}).items()]
        await producer.send_and_wait(topic, value, headers=encoded)
    finally:
        await producer.stop()


def _record(record: Any) -> Record:
    try:
        value: Any = json.loads(record.value)
    except (ValueError, TypeError):
        value = record.value
    return {
        "topic": record.topic,
        "key": record.key.decode() if record.key else None,
        "value": value,
        "headers": {key: val.decode() for key, val in record.headers},
    }


async def eventually(check: Callable[[], Any], timeout: float = 30) -> Any:
    """Retry an async check until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result or time.monotonic() > deadline:
            return result
        await asyncio.sleep(0.3)
