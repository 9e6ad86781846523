"""Follow the registry's compacted topics and keep an in-memory registry current.

Any service can run a follower: it reads every ``registry.<kind>`` topic from the
beginning without a consumer group (so every process sees everything and commits
nothing), keeps reading, and rebuilds the registry after each batch of changes. An
edit published by the router reaches every follower within a second or so, with no
restart. A batch that leaves the registry inconsistent (a category naming a department
not yet seen) keeps the previous registry until a later batch completes it.
"""

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from shared.errors import error_body
from shared.kafka import ensure_topics
from shared.registry.models import Registry
from shared.registry.records import (
    KINDS,
    REGISTRY_TOPICS,
    Records,
    RegistryIncomplete,
    assemble,
    registry_topic,
)

if TYPE_CHECKING:
    from shared.service import Service

logger = logging.getLogger(__name__)

POLL_MS = 200


class RegistryUnavailable(RuntimeError):
    """No complete registry has been read yet."""


class RegistryFollower:
    """An in-memory registry kept in step with the registry topics."""

    def __init__(self, bootstrap: str, *, client_id: str = "gridloop-registry") -> None:
        self.bootstrap = bootstrap
        self.client_id = client_id
        self.records: Records = {kind: {} for kind in KINDS}
        self.applied = 0
        self._registry: Registry | None = None
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None
        self._kinds = {registry_topic(kind): kind for kind in KINDS}

    def current(self) -> Registry:
        """The newest consistent registry."""
        if self._registry is None:
            raise RegistryUnavailable("no complete registry on the registry topics yet")
        return self._registry

    @property
    def ready(self) -> bool:
        """Whether a complete registry has been read."""
        return self._registry is not None

    async def start(self, timeout: float = 30) -> None:
        """Read everything published so far, then keep following in the background."""
        await ensure_topics(self.bootstrap, REGISTRY_TOPICS)
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            client_id=self.client_id,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        await consumer.start()
        self._consumer = consumer

        await consumer.topics()
        partitions = [
            TopicPartition(topic, partition)
            for topic in self._kinds
            for partition in sorted(consumer.partitions_for_topic(topic) or {0})
        ]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        await self._catch_up(consumer, partitions, timeout)
        self._task = asyncio.create_task(self._follow(), name="registry-follower")

    async def stop(self) -> None:
        """Stop following."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._consumer is not None:
            await self._consumer.stop()

    async def _catch_up(
        self, consumer: AIOKafkaConsumer, partitions: list[TopicPartition], timeout: float
    ) -> None:
        """Read up to the end offsets found at start-up."""
        ends: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
        deadline = time.monotonic() + timeout
        while True:
            positions = [await consumer.position(tp) for tp in partitions]
            if all(pos >= ends[tp] for pos, tp in zip(positions, partitions, strict=True)):
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"registry topics not read within {timeout:.0f} s")
            self._apply(await consumer.getmany(timeout_ms=POLL_MS))

        self._rebuild()
        if self._registry is None:
            logger.warning("registry topics hold no complete registry yet")
        else:
            logger.info("registry v%d read: %d records", self.applied, self._count())

    async def _follow(self) -> None:
        """Apply changes as they come, rebuilding after each batch."""
        assert self._consumer is not None
        while True:
            try:
                batch = await self._consumer.getmany(timeout_ms=POLL_MS)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("reading the registry topics failed; retrying")
                await asyncio.sleep(1)
                continue

            if self._apply(batch):
                self._rebuild()

    def _apply(self, batch: dict[TopicPartition, list[Any]]) -> int:
        """Put each record of a batch in place, or remove it on a tombstone."""
        count = 0
        for partition, messages in batch.items():
            kind = self._kinds[partition.topic]
            for message in messages:
                count += 1
                self.applied += 1
                code = message.key.decode() if message.key else ""
                if message.value is None:
                    self.records[kind].pop(code, None)
                    continue
                try:
                    self.records[kind][code] = json.loads(message.value)
                except ValueError:
                    logger.warning("unreadable %s record %r skipped", kind, code)
        return count

    def _rebuild(self) -> None:
        """Swap in a registry built from the records, if they make a consistent one."""
        try:
            registry = assemble(self.records, version=self.applied)
        except (ValidationError, RegistryIncomplete) as exc:
            logger.warning("registry records inconsistent, keeping the last good: %s", exc)
            return

        self._registry = registry
        logger.info("registry v%d in use", registry.version)

    def _count(self) -> int:
        return sum(len(codes) for codes in self.records.values())


def follow(service: "Service") -> Callable[[], Registry]:
    """Give ``service`` a followed registry; it is not ready until one has been read."""
    follower = RegistryFollower(
        service.settings.kafka_bootstrap, client_id=f"gridloop-{service.name}-registry"
    )
    service.on_startup(follower.start)
    service.on_shutdown(follower.stop)
    service.readiness["registry"] = lambda: follower.ready

    async def unavailable(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(
            error_body("registry_unavailable", str(exc)),
            status_code=503,
            headers={"Retry-After": "5"},
        )

    service.app.add_exception_handler(RegistryUnavailable, unavailable)
    return follower.current
