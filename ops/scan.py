"""Reading topics directly, without a consumer group, for operators' tools."""

import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from shared.kafka import partitions_of


@dataclass(frozen=True)
class Record:
    """One message as an operator sees it."""

    topic: str
    partition: int
    offset: int
    timestamp_ms: int
    key: str | None
    headers: dict[str, str]
    value: bytes

    def json(self) -> Any:
        """The value parsed as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.value)
        except ValueError:
            return None


async def scan(
    bootstrap: str,
    topics: list[str],
    *,
    since_ms: int | None = None,
    idle_timeout_s: float = 1.5,
    limit: int = 100_000,
) -> AsyncIterator[Record]:
    """Yield records of ``topics`` from ``since_ms`` (or the start) to their current end."""
    layout = await partitions_of(bootstrap, topics)
    partitions = [
        TopicPartition(topic, p) for topic, numbers in layout.items() for p in numbers
    ]
    if not partitions:
        return

    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        await _seek(consumer, partitions, since_ms)

        remaining = {tp for tp in partitions if await consumer.position(tp) < ends[tp]}
        seen = 0
        deadline = time.monotonic() + idle_timeout_s
        while remaining and seen < limit and time.monotonic() < deadline:
            batches = await consumer.getmany(*remaining, timeout_ms=200)
            for tp, messages in batches.items():
                deadline = time.monotonic() + idle_timeout_s
                for message in messages:
                    if message.offset >= ends[tp]:
                        break
                    seen += 1
                    yield _record(message)
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
    finally:
        await consumer.stop()


async def _seek(
    consumer: AIOKafkaConsumer, partitions: list[TopicPartition], since_ms: int | None
) -> None:
    if since_ms is None:
        await consumer.seek_to_beginning(*partitions)
        return
    found = await consumer.offsets_for_times(dict.fromkeys(partitions, since_ms))
    for tp in partitions:
        position = found.get(tp)
        if position is None:
            await consumer.seek_to_end(tp)
        else:
            consumer.seek(tp, position.offset)


def _record(message: Any) -> Record:
    return Record(
        topic=message.topic,
        partition=message.partition,
        offset=message.offset,
        timestamp_ms=message.timestamp,
        key=message.key.decode(errors="replace") if message.key else None,
        headers={key: value.decode(errors="replace") for key, value in message.headers},
        value=message.value or b"",
    )
