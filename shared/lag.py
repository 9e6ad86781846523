"""Consumer lag: how far each consumer group is behind the end of its partitions.

Services report their own groups (a group belongs to a service when its name is
the service's name or starts with it and a dash), the operator CLI reads all.
"""

import asyncio
import logging
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client import Gauge

logger = logging.getLogger(__name__)

CONSUMER_LAG = Gauge(
    "gridloop_consumer_lag_messages",
    "Messages between a consumer group's committed offset and the partition's end.",
    ["group", "topic", "partition"],
)


@dataclass(frozen=True)
class PartitionLag:
    """Lag of one group on one partition."""

    group: str
    topic: str
    partition: int
    committed: int
    end: int

    @property
    def lag(self) -> int:
        """Messages not yet committed by the group."""
        return max(self.end - self.committed, 0)


class LagReader:
    """Reads committed and end offsets with long-lived clients."""

    def __init__(self, bootstrap: str) -> None:
        self.admin = AIOKafkaAdminClient(
            bootstrap_servers=bootstrap, client_id="gridloop-lag"
        )
        self.consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap, enable_auto_commit=False, client_id="gridloop-lag"
        )

    async def __aenter__(self) -> "LagReader":
        await self.admin.start()
        await self.consumer.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.consumer.stop()
        await self.admin.close()

    async def groups(self) -> list[str]:
        """Every consumer group the cluster knows."""
        return sorted(str(entry[0]) for entry in await self.admin.list_consumer_groups())

    async def lag(self, group: str) -> list[PartitionLag]:
        """Lag of ``group`` on every partition it has committed on."""
        committed = await self.admin.list_consumer_group_offsets(group)
        if not committed:
            return []
        ends = await self.consumer.end_offsets(list(committed))
        return [
            PartitionLag(
                group, tp.topic, tp.partition, meta.offset, ends.get(tp, meta.offset)
            )
            for tp, meta in sorted(committed.items(), key=lambda item: tuple(item[0]))
        ]


def belongs_to(group: str, service: str, prefix: str = "") -> bool:
    """Whether ``service``, whose groups carry ``prefix``, reports the lag of ``group``."""
    if not group.startswith(prefix):
        return False
    name = group.removeprefix(prefix)
    return name == service or name.startswith(f"{service}-")


async def report_lag(
    bootstrap: str, service: str, prefix: str = "", interval_s: float = 10.0
) -> None:
    """Keep the lag gauge of the service's own groups current."""
    async with LagReader(bootstrap) as reader:
        while True:
            try:
                groups = await reader.groups()
                for group in [g for g in groups if belongs_to(g, service, prefix)]:
                    for item in await reader.lag(group):
                        CONSUMER_LAG.labels(
                            item.group, item.topic, str(item.partition)
                        ).set(item.lag)
            except Exception as exc:
                logger.warning("consumer lag not read: %s", exc)
            await asyncio.sleep(interval_s)
