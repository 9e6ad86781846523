"""Router's subscriber: one routing decision per submitted report."""

import logging
from collections.abc import Callable

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from prometheus_client import Counter

from services.router.lanes import Lanes
from services.router.routing import decide
from shared.contracts import Envelope, Report, envelope
from shared.kafka import Handler, decode, publish_envelope
from shared.registry import Registry

logger = logging.getLogger(__name__)

REPORTS_ROUTED_TOTAL = Counter(
    "gridloop_reports_routed_total",
    "Routing decisions published, by tier and department.",
    ["tier", "department"],
)


def on_report_submitted(
    broker: KafkaBroker, registry: Callable[[], Registry], lanes: Lanes
) -> Handler:
    """Decide, publish on the lane the decision calls for, and only then commit."""

    async def handle(body: bytes, _: KafkaMessage) -> None:
        submitted = decode(Envelope[Report], body)
        decision = decide(submitted.payload, registry())

        routed = envelope(
            decision,
            event_type="report.routed",
            correlation_id=submitted.correlation_id,
            causation_id=str(submitted.event_id),
            producer="router",
            identity=(submitted.payload.report_id,),
        )
        topic = lanes.routed_for(decision.emergency)
        await publish_envelope(broker, topic, routed, key=decision.report.report_id)
        REPORTS_ROUTED_TOTAL.labels(decision.tier, decision.department).inc()
        logger.info("report routed to %s: %s", decision.department, decision.explanation)

    return handle
