"""Rebuilding a read model by reading its topics again from the start.

Every read model gridloop keeps beside a topic (intake's view of each report's
case, the router's index of open cases, the notifier's delivery log) is built by
idempotent handlers, so moving the consumer group back to the earliest offsets
rebuilds it. Kafka refuses to move a group that has members: stop the service
(or the instances in that group) first.
"""

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient


async def rewind(bootstrap: str, group: str) -> dict[str, int]:
    """Move ``group`` to the earliest offsets; answer messages to re-read per topic."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="gridloop-rebuild")
    await admin.start()
    try:
        committed = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    if not committed:
        return {}

    partitions: list[TopicPartition] = list(committed)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        consumer.assign(partitions)
        starts = await consumer.beginning_offsets(partitions)
        await consumer.commit({tp: starts[tp] for tp in partitions})
    finally:
        await consumer.stop()

    again: dict[str, int] = {}
    for tp, meta in committed.items():
        again[tp.topic] = again.get(tp.topic, 0) + max(meta.offset - starts[tp], 0)
    return again
