"""Publishing registry changes on the compacted topics, now and after a failure."""

import asyncio
import logging

from aiokafka import AIOKafkaProducer

from services.router.registry_store import RegistryStore
from shared.mongo import Document
from shared.registry.records import registry_topic

logger = logging.getLogger(__name__)


def _body(doc: Document) -> bytes | None:
    """The entity's JSON, or None: a tombstone that compaction will drop the key for."""
    text = None if doc.get("deleted") else doc.get("json")
    return None if text is None else str(text).encode()


class RegistryPublisher:
    """A producer of its own, usable before the service's broker starts."""

    def __init__(self, bootstrap: str, store: RegistryStore) -> None:
        self.bootstrap = bootstrap
        self.store = store
        self._producer: AIOKafkaProducer | None = None

    @property
    def producer(self) -> AIOKafkaProducer:
        """The connected producer."""
        if self._producer is None:
            raise RuntimeError("registry publisher not started")
        return self._producer

    async def start(self) -> None:
        """Connect the producer; aiokafka needs the running loop for that."""
        self._producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap,
            client_id="gridloop-router-registry",
            acks="all",
            enable_idempotence=True,
            linger_ms=5,
        )
        await self._producer.start()

    async def stop(self) -> None:
        """Flush and disconnect."""
        if self._producer is not None:
            await self._producer.stop()

    async def publish(self, doc: Document) -> None:
        """Put one entity (or its tombstone) on its topic, then mark it published."""
        await self.producer.send_and_wait(
            registry_topic(doc["kind"]), _body(doc), key=doc["code"].encode()
        )
        await self.store.mark_published(doc)

    async def publish_all(self) -> int:
        """Republish every entity and tombstone, so the topics match the store."""
        docs = await self.store.everything()
        sent = [
            await self.producer.send(
                registry_topic(doc["kind"]), _body(doc), key=doc["code"].encode()
            )
            for doc in docs
        ]
        await asyncio.gather(*sent)
        for doc in docs:
            await self.store.mark_published(doc)
        logger.info("registry republished: %d records", len(docs))
        return len(docs)

    async def relay(self, interval_s: float) -> None:
        """Publish changes whose first publish failed."""
        while True:
            try:
                for doc in await self.store.unpublished():
                    await self.publish(doc)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("registry relay failed; retrying")
            await asyncio.sleep(interval_s)
