"""Casework's subscribers."""

import logging

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from services.casework.outbox import flush
from services.casework.store import CaseStore
from shared.contracts import Envelope, RoutingDecision
from shared.kafka import Handler, decode

logger = logging.getLogger(__name__)


def on_report_routed(broker: KafkaBroker, store: CaseStore) -> Handler:
    """Open a case for every routed report, then publish its first event."""

    async def handle(body: bytes, _: KafkaMessage) -> None:
        routed = decode(Envelope[RoutingDecision], body)
        doc = await store.open_case(routed.payload, causation_id=str(routed.event_id))
        if doc.get("outbox_pending"):
            await flush(broker, store, doc)

    return handle
