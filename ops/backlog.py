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
from aiokafka.admin import AIOKafkaAdminClient

logger = logging.getLogger(__name__)


async def committed_partitions(bootstrap: str) -> dict[str, list[TopicPartition]]:
    """Every consumer group and the partitions it has committed offsets on."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="gridloop-backlog")
    await admin.start()
    try:
        groups = [str(entry[0]) for entry in await admin.list_consumer_groups()]
        return {
            group: list(await admin.list_consumer_group_offsets(group)) for group in groups
        }
    finally:
        await admin.close()


async def skip_to_end(
    bootstrap: str, prefix: str = "", *, chosen: Callable[[str], bool] | None = None
) -> int:
    """Move groups to the end of the partitions they committed on; the messages skipped.

    Only the groups whose names start with ``prefix`` and, if given, that ``chosen``
    accepts.
    """
    skipped = 0
    for group, partitions in (await committed_partitions(bootstrap)).items():
        if not partitions or not group.startswith(prefix):
            continue
        if chosen is not None and not chosen(group):
            continue
        consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap,
            group_id=group,
            enable_auto_commit=False,
            client_id="gridloop-backlog-skip",
        )
        await consumer.start()
        try:
            consumer.assign(partitions)
            committed = {tp: await consumer.committed(tp) or 0 for tp in partitions}
            ends = await consumer.end_offsets(partitions)
            await consumer.commit({tp: ends[tp] for tp in partitions})
        finally:
            await consumer.stop()
        skipped += sum(max(ends[tp] - committed[tp], 0) for tp in partitions)
        logger.info("group %s moved to the end of %d partitions", group, len(partitions))
    return skipped
