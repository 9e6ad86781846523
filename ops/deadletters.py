"""Parked messages: listing them, and sending them back once the cause is fixed.

The replay position is the committed offset of the ``gridloop-replay`` consumer
group on each dead-letter topic: a message is replayed once, and a replay that
stops half-way resumes where it stopped.
"""

from collections.abc import Callable
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from ops.scan import Record, scan
from shared.kafka import partitions_of
from shared.topics import DEAD_LETTER_SUFFIX, dead_letter_topic

REPLAY_GROUP = "gridloop-replay"


@dataclass(frozen=True)
class Parked:
    """A dead-lettered message and why it was parked."""

    record: Record
    source_topic: str
    reason: str
    service: str


async def dead_letter_topics(bootstrap: str) -> list[str]:
    """Every dead-letter topic on the cluster."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        return sorted(t for t in await consumer.topics() if t.endswith(DEAD_LETTER_SUFFIX))
    finally:
        await consumer.stop()


async def parked(bootstrap: str, topics: list[str]) -> list[Parked]:
    """The messages parked from ``topics`` (source topic names)."""
    parked_topics = [dead_letter_topic(topic) for topic in topics]
    return [
        Parked(
            record=record,
            source_topic=record.headers.get("deadletter-topic", ""),
            reason=record.headers.get("deadletter-reason", ""),
            service=record.headers.get("deadletter-service", ""),
        )
        async for record in scan(bootstrap, parked_topics)
    ]


async def replay(
    bootstrap: str,
    topic: str,
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] = lambda _: None,
) -> int:
    """Publish the not-yet-replayed messages parked from ``topic`` back onto it."""
    source = dead_letter_topic(topic)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=REPLAY_GROUP,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True
    )
    layout = await partitions_of(bootstrap, [source])
    partitions = [TopicPartition(source, p) for p in layout.get(source, [])]
    if not partitions:
        return 0

    await consumer.start()
    await producer.start()
    replayed = 0
    try:
        consumer.assign(partitions)
        for tp in partitions:
            committed = await consumer.committed(tp)
            if committed is None:
                await consumer.seek_to_beginning(tp)
            else:
                consumer.seek(tp, committed)

        ends = await consumer.end_offsets(partitions)
        pending = {tp for tp in partitions if await consumer.position(tp) < ends[tp]}
        while pending:
            batches = await consumer.getmany(*pending, timeout_ms=1000)
            for tp, messages in batches.items():
                for message in messages:
                    if message.offset >= ends[tp]:
                        break
                    if not dry_run:
                        await producer.send_and_wait(
                            topic,
                            message.value,
                            key=message.key,
                            headers=_replay_headers(message),
                        )
                    replayed += 1
                    progress(replayed)
                if not dry_run:
                    await consumer.commit({tp: min(await consumer.position(tp), ends[tp])})
            pending = {tp for tp in pending if await consumer.position(tp) < ends[tp]}
    finally:
        await producer.stop()
        await consumer.stop()
    return replayed


def _replay_headers(message: object) -> list[tuple[str, bytes]]:
    headers = [
        (key, value)
        for key, value in getattr(message, "headers", ())
        if not key.startswith("deadletter-")
    ]
    origin = f"{getattr(message, 'partition', '')}/{getattr(message, 'offset', '')}"
    return [*headers, ("replayed-from", origin.encode())]
