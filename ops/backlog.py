"""Leaving other runs' unread messages behind.

Topics and consumer groups outlive a run: a local broker keeps the traffic of test
suites, benchmarks and cluster runs beside the demo's. A run that starts with its own
database has no use for what others left unread, and handling it first would slow the
run down and fill its database with their cases; so its groups are moved to the end
of their partitions before its services start. No member of those groups may be
running at that moment, or the broker refuses the commit.
"""

import logging
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer, TopicPartition

from shared.kafka import kafka_admin

logger = logging.getLogger(__name__)


async def committed_offsets(bootstrap: str, group: str) -> dict[TopicPartition, int]:
    """The offsets ``group`` has committed, by partition."""
    async with kafka_admin(bootstrap, "gridloop-backlog") as admin:
        found = await admin.list_consumer_group_offsets(group)
    return {tp: meta.offset for tp, meta in found.items()}


async def group_names(bootstrap: str) -> list[str]:
    """Every consumer group the broker knows."""
    async with kafka_admin(bootstrap, "gridloop-backlog") as admin:
        return [str(entry[0]) for entry in await admin.list_consumer_groups()]


async def move_group(
    bootstrap: str, group: str, partitions: list[TopicPartition], *, to_end: bool
) -> dict[TopicPartition, int]:
    """Commit ``group`` at the start or the end of ``partitions``; the new offsets."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        client_id="gridloop-backlog",
    )
    await consumer.start()
    try:
        consumer.assign(partitions)
        if to_end:
            offsets = await consumer.end_offsets(partitions)
        else:
            offsets = await consumer.beginning_offsets(partitions)
        await consumer.commit(dict(offsets))
    finally:
        await consumer.stop()
    return dict(offsets)


async def skip_to_end(
    bootstrap: str, prefix: str = "", *, chosen: Callable[[str], bool] | None = None
) -> int:
    """Move groups to the end of the partitions they committed on; the messages skipped.

    Only the groups whose names start with ``prefix`` and, if given, that ``chosen``
    accepts.
    """
    skipped = 0
    for group in await group_names(bootstrap):
        if not group.startswith(prefix) or (chosen is not None and not chosen(group)):
            continue
        committed = await committed_offsets(bootstrap, group)
        if not committed:
            continue

        ends = await move_group(bootstrap, group, list(committed), to_end=True)
        skipped += sum(max(ends[tp] - offset, 0) for tp, offset in committed.items())
        logger.info("group %s moved to the end of %d partitions", group, len(committed))
    return skipped
