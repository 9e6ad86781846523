"""Leaving earlier runs' unread messages behind.

Topics and consumer groups outlive a run (the cluster keeps its data), but each run
starts with an empty database. Messages an earlier run left unread would be handled
first and slow this run down, so every group is moved to the end of its partitions
before the services start; no service consumes at that moment.
"""

import logging

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

logger = logging.getLogger(__name__)


async def committed_partitions(bootstrap: str) -> dict[str, list[TopicPartition]]:
    """Every consumer group and the partitions it has committed offsets on."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="gridloop-cluster")
    await admin.start()
    try:
        groups = [str(entry[0]) for entry in await admin.list_consumer_groups()]
        return {
            group: list(await admin.list_consumer_group_offsets(group)) for group in groups
        }
    finally:
        await admin.close()


async def skip_to_end(bootstrap: str, prefix: str = "") -> int:
    """Move groups to the end of the partitions they committed on; the messages skipped.

    Only the groups whose names start with ``prefix``; none of them may have a running
    member, or the broker refuses the commit.
    """
    skipped = 0
    for group, partitions in (await committed_partitions(bootstrap)).items():
        if not partitions or not group.startswith(prefix):
            continue
        consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap,
            group_id=group,
            enable_auto_commit=False,
            client_id="gridloop-cluster-skip",
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
