"""Publishes the events that case updates left in their documents' outboxes."""

import logging

from faststream.kafka import KafkaBroker
from prometheus_client import Counter

from services.casework.store import CaseStore
from shared.contracts import CaseEventDetail, Envelope
from shared.kafka import publish_envelope
from shared.logs import bound
from shared.metrics import OUTBOX_PENDING
from shared.mongo import Document
from shared.pacing import RelayPace

logger = logging.getLogger(__name__)

RELAY_BATCH = 200

CASE_EVENTS = Counter(
    "gridloop_case_events_published_total",
    "Case events published, by event type.",
    ["event_type"],
)


async def flush(broker: KafkaBroker, store: CaseStore, doc: Document) -> None:
    """Publish one case's outbox in order, then clear it if nothing was added since."""
    with bound(case_id=doc["_id"], report_id=doc.get("report_id")):
        for item in doc.get("outbox", []):
            event = Envelope[CaseEventDetail].model_validate(item["event"])
            await publish_envelope(broker, item["topic"], event, key=doc["_id"])
            CASE_EVENTS.labels(event.event_type).inc()
            logger.info("published %s", event.event_type)

        if not await store.clear_outbox(doc["_id"], doc["outbox_seq"]):
            logger.info("outbox grew while publishing; the relay publishes it again")


async def relay(
    broker: KafkaBroker, store: CaseStore, interval_s: float, idle_s: float
) -> None:
    """Flush every pending outbox; repeats are harmless, event ids are stable."""
    pace = RelayPace(interval_s, idle_s)
    while True:
        pending = await store.pending_outboxes(RELAY_BATCH)
        OUTBOX_PENDING.labels("casework").set(len(pending))
        for doc in pending:
            try:
                await flush(broker, store, doc)
            except Exception:
                logger.exception("outbox not flushed", extra={"case_id": doc["_id"]})
                break

        await pace.wait(len(pending))
