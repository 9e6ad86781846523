"""Delivers alerts to department topics, once per alert.

A ``notifications`` document is written before the publish and marked sent
after it, so a redelivered case event does not alert a department twice, and
an alert whose publish failed is retried with the event.
"""

import logging
from datetime import UTC, datetime

from faststream.kafka import KafkaBroker
from prometheus_client import Counter
from pymongo.asynchronous.database import AsyncDatabase

from shared.contracts import DepartmentAlert, Envelope, envelope
from shared.kafka import ensure_topics, publish_envelope
from shared.mongo import Document
from shared.topics import TopicSpec, department_topic

logger = logging.getLogger(__name__)

NOTIFICATIONS = Counter(
    "gridloop_notifications_total",
    "Notifications handled, by channel and outcome.",
    ["channel", "outcome"],
)


class DepartmentTopics:
    """Publishes alerts on ``notify.dept.<code>``, creating a topic on first use."""

    def __init__(
        self, broker: KafkaBroker, db: AsyncDatabase[Document], bootstrap: str
    ) -> None:
        self.broker = broker
        self.bootstrap = bootstrap
        self.notifications = db["notifications"]
        self._known: set[str] = set()

    async def deliver(
        self, alert: DepartmentAlert, source: Envelope[DepartmentAlert]
    ) -> None:
        """Publish an alert unless it was already delivered."""
        key = str(source.event_id)
        existing = await self.notifications.find_one({"_id": key}, {"status": 1})
        if existing is not None and existing["status"] == "sent":
            NOTIFICATIONS.labels("kafka", "duplicate").inc()
            logger.info("alert already delivered", extra={"case_id": alert.case_id})
            return

        if existing is None:
            await self.notifications.update_one(
                {"_id": key},
                {
                    "$setOnInsert": {
                        "channel": "kafka",
                        "department": alert.department,
                        "case_id": alert.case_id,
                        "report_id": alert.report_id,
                        "kind": alert.kind,
                        "status": "pending",
                        "created_at": datetime.now(UTC),
                    }
                },
                upsert=True,
            )

        topic = department_topic(alert.department)
        if topic not in self._known:
            await ensure_topics(self.bootstrap, (TopicSpec(topic, partitions=3),))
            self._known.add(topic)

        await publish_envelope(self.broker, topic, source, key=alert.case_id)
        await self.notifications.update_one(
            {"_id": key}, {"$set": {"status": "sent", "sent_at": datetime.now(UTC)}}
        )
        NOTIFICATIONS.labels("kafka", "sent").inc()
        logger.info("alerted %s", alert.department, extra={"case_id": alert.case_id})


def alert_envelope(
    alert: DepartmentAlert, source_event_id: str, report_id: str
) -> Envelope[DepartmentAlert]:
    """The envelope a department receives; its id follows from the source event."""
    return envelope(
        alert,
        event_type=f"alert.{alert.kind}",
        correlation_id=report_id,
        causation_id=source_event_id,
        producer="notifier",
        identity=(source_event_id, alert.department),
    )
