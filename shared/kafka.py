"""Kafka plumbing with safe defaults: no acknowledgement before the work is done.

Producers wait for every in-sync replica (``acks="all"``) and are idempotent, so a
retried send cannot write a message twice. Subscribers belong to a consumer group,
start from the earliest offset when the group is new, and commit only after the
handler returned. A message that can never be handled (bad bytes, wrong schema) is
parked on the topic's dead-letter twin with the reason; any other failure is
treated as transient and the message is handed back to be read again.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from faststream.message import StreamMessage
from prometheus_client import REGISTRY
from pydantic import BaseModel, ValidationError

from shared.contracts import Envelope
from shared.logs import bound
from shared.metrics import DEAD_LETTERS, REDELIVERIES
from shared.settings import ServiceSettings
from shared.topics import TopicSpec, dead_letter_topic

logger = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 1_000_000

M = TypeVar("M", bound=BaseModel)

Handler = Callable[[bytes, KafkaMessage], Awaitable[None]]


class PoisonMessage(Exception):
    """A message that no retry can fix; it goes to the dead-letter topic."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def bootstrap_servers(bootstrap: str) -> list[str]:
    """``host:port`` addresses from a comma-separated list.

    FastStream takes a string as one address, so a cluster's list must be split.
    """
    return [address.strip() for address in bootstrap.split(",") if address.strip()]


@asynccontextmanager
async def kafka_admin(
    bootstrap: str, client_id: str = "gridloop-admin"
) -> AsyncIterator[AIOKafkaAdminClient]:
    """An admin client that is closed however the block ends."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id=client_id)
    await admin.start()
    try:
        yield admin
    finally:
        await admin.close()


def make_broker(settings: ServiceSettings, service: str) -> KafkaBroker:
    """A broker whose producer cannot lose or duplicate an acknowledged send."""
    return KafkaBroker(
        bootstrap_servers(settings.kafka_bootstrap),
        client_id=f"gridloop-{service}",
        acks="all",
        enable_idempotence=True,
        linger_ms=2,
        request_timeout_ms=15_000,
        middlewares=[
            KafkaPrometheusMiddleware(
                registry=REGISTRY, app_name=service, metrics_prefix="gridloop_kafka"
            )
        ],
        logger=logging.getLogger(f"faststream.{service}"),
        log_level=logging.DEBUG,
    )


async def ensure_topics(
    bootstrap: str,
    specs: tuple[TopicSpec, ...],
    *,
    replication: int = 1,
    min_insync: int = 1,
) -> None:
    """Create missing topics; existing ones are left as they are.

    ``replication`` and ``min_insync`` come from the deployment's settings: one
    for a single local broker, three and two for a cluster that must survive
    losing a broker without losing an acknowledged message.
    """
    async with kafka_admin(bootstrap) as admin:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(
                name=spec.name,
                num_partitions=spec.partitions,
                replication_factor=replication,
                topic_configs={
                    "min.insync.replicas": str(min_insync),
                    **({"cleanup.policy": "compact"} if spec.compacted else {}),
                },
            )
            for spec in specs
            if spec.name not in existing
        ]
        if missing:
            try:
                await admin.create_topics(missing)
            except TopicAlreadyExistsError:
                logger.debug("topics created concurrently by another service")
            logger.info("created topics %s", ", ".join(t.name for t in missing))


async def partitions_of(bootstrap: str, topics: list[str]) -> dict[str, list[int]]:
    """Partition numbers of those ``topics`` that exist; missing ones are not created."""
    async with kafka_admin(bootstrap) as admin:
        existing = set(await admin.list_topics())
        wanted = [topic for topic in topics if topic in existing]
        described = await admin.describe_topics(wanted) if wanted else []
    return {
        entry["topic"]: sorted(p["partition"] for p in entry["partitions"])
        for entry in described
        if entry["error_code"] == 0
    }


def decode(model: type[Envelope[M]], body: bytes) -> Envelope[M]:
    """Parse an envelope, turning every way it can be malformed into PoisonMessage."""
    if len(body) > MAX_MESSAGE_BYTES:
        raise PoisonMessage(f"message of {len(body)} bytes exceeds {MAX_MESSAGE_BYTES}")
    try:
        parsed = model.model_validate_json(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "message"
        raise PoisonMessage(f"{where}: {first['msg']}") from exc
    if parsed.schema_version != 1:
        raise PoisonMessage(f"unsupported schema_version {parsed.schema_version}")
    return parsed


async def _keep_bytes(msg: StreamMessage[Any]) -> Any:
    """Hand handlers the raw bytes: decoding is theirs, so garbage cannot crash the loop."""
    return msg.body


async def publish_envelope(
    broker: KafkaBroker, topic: str, message: Envelope[Any], *, key: str
) -> None:
    """Publish one envelope, keyed so that one case or report stays in order."""
    await broker.publish(
        message.model_dump_json().encode(),
        topic=topic,
        key=key.encode(),
        correlation_id=message.correlation_id,
        headers={
            "content-type": "application/json",
            "event-id": str(message.event_id),
            "event-type": message.event_type,
            "schema-version": str(message.schema_version),
            "report-id": message.correlation_id,
            "producer": message.producer,
        },
    )


async def park(broker: KafkaBroker, service: str, msg: KafkaMessage, reason: str) -> None:
    """Copy a message to its dead-letter topic with the reason and where it came from."""
    record = msg.raw_message
    topic = str(getattr(record, "topic", "unknown"))
    headers = {key: value for key, value in msg.headers.items() if isinstance(value, str)}
    headers.update(
        {
            "deadletter-reason": reason[:1000],
            "deadletter-service": service,
            "deadletter-topic": topic,
            "deadletter-partition": str(getattr(record, "partition", "")),
            "deadletter-offset": str(getattr(record, "offset", "")),
        }
    )
    body = msg.body if len(msg.body) <= MAX_MESSAGE_BYTES else msg.body[:MAX_MESSAGE_BYTES]
    await broker.publish(body, topic=dead_letter_topic(topic), headers=headers)
    DEAD_LETTERS.labels(service, topic).inc()
    logger.warning("parked a message from %s on its dead-letter topic: %s", topic, reason)


def subscribe(
    broker: KafkaBroker,
    settings: ServiceSettings,
    *,
    service: str,
    topics: list[str],
    group: str,
    handler: Handler,
) -> None:
    """Register ``handler`` with the commit-after-work and dead-letter policy above.

    The group id is ``group`` behind the deployment's ``group_prefix``, so that test
    sessions and benchmarks sharing a broker never take each other's messages. A new
    group starts at the earliest offset; test sessions, whose groups are new every
    time, start at the latest and wait for their partitions before they publish.
    """

    async def consume(body: bytes, msg: KafkaMessage) -> None:
        report_id = msg.headers.get("report-id")
        with bound(report_id=report_id if isinstance(report_id, str) else None):
            try:
                await handler(body, msg)
            except PoisonMessage as exc:
                await park(broker, service, msg, exc.reason)
            except Exception:
                topic = str(getattr(msg.raw_message, "topic", "unknown"))
                REDELIVERIES.labels(service, topic).inc()
                logger.exception("handling failed; the message will be read again")
                await asyncio.sleep(settings.redelivery_backoff_s)
                raise

    for topic in topics:
        broker.publisher(
            dead_letter_topic(topic),
            title=f"{service}:{dead_letter_topic(topic)}",
            description=(
                f"Messages from {topic} that {service} cannot handle, unchanged, with"
                " deadletter-reason, -service, -topic, -partition and -offset headers."
            ),
        )

    consume.__name__ = f"{service}_{group}".replace(".", "_").replace("-", "_")
    broker.subscriber(
        *topics,
        group_id=f"{settings.group_prefix}{group}",
        auto_offset_reset=settings.consumer_start,
        ack_policy=AckPolicy.NACK_ON_ERROR,
        decoder=_keep_bytes,
        title=f"{service}:{group}",
    )(consume)
