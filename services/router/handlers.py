"""Router's subscribers: a decision per submitted report, and the open-case index."""

import logging
from collections.abc import Callable

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from prometheus_client import Counter

from services.router.duplicates import Spot, as_supporter, nearest, neighbourhood
from services.router.lanes import Lanes
from services.router.routing import decide
from services.router.store import CaseIndex
from shared.contracts import CaseEvent, Envelope, Report, RoutingDecision, envelope
from shared.kafka import Handler, decode, publish_envelope
from shared.logs import bound
from shared.registry import Registry

logger = logging.getLogger(__name__)

REPORTS_ROUTED_TOTAL = Counter(
    "gridloop_reports_routed_total",
    "Routing decisions published, by tier and department.",
    ["tier", "department"],
)
ROUTING_OUTCOMES = Counter(
    "gridloop_router_outcomes_total",
    "Routing decisions by outcome: new case, supporter, triage; and by lane.",
    ["outcome", "lane"],
)


def spot_of(decision: RoutingDecision) -> Spot | None:
    """Where and when a placed, categorised report with a location was made."""
    report = decision.report
    if decision.triage or decision.category is None or report.location is None:
        return None

    return Spot(
        report_id=report.report_id,
        category=decision.category,
        lat=report.location.lat,
        lon=report.location.lon,
        at=report.received_at,
    )


async def link_duplicate(
    decision: RoutingDecision, registry: Registry, index: CaseIndex
) -> RoutingDecision:
    """The decision as support for a nearby open case, or as is if there is none."""
    spot = spot_of(decision)
    category = registry.category(decision.category) if decision.category else None
    if spot is None or category is None:
        return decision

    where = neighbourhood(spot, category)
    if where is None:
        return decision

    # TODO: a report arriving before casework's event for a nearby first report has
    # reached the index opens a case of its own; closing that gap needs the case id
    # at routing time, which only casework assigns.
    case = nearest(spot, await index.candidates(spot, where), where.radius_m)
    if case is None:
        await index.remember(spot)
        return decision

    supporters = await index.add_supporter(case.case_id, spot.report_id)
    return as_supporter(decision, case, supporters, spot, registry)


def _outcome(decision: RoutingDecision) -> str:
    if decision.triage:
        return "triage"
    return "supporter" if decision.duplicate_of else "new_case"


def on_report_submitted(
    broker: KafkaBroker, registry: Callable[[], Registry], lanes: Lanes, index: CaseIndex
) -> Handler:
    """Decide, publish on the lane the decision calls for, and only then commit."""

    async def handle(body: bytes, _: KafkaMessage) -> None:
        submitted = decode(Envelope[Report], body)
        current = registry()
        decision = decide(submitted.payload, current)
        decision = await link_duplicate(decision, current, index)

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

        lane = "urgent" if decision.emergency else "normal"
        REPORTS_ROUTED_TOTAL.labels(decision.tier, decision.department).inc()
        ROUTING_OUTCOMES.labels(_outcome(decision), lane).inc()
        logger.info("report routed to %s: %s", decision.department, decision.explanation)

    return handle


def on_case_event(index: CaseIndex) -> Handler:
    """Keep the open-case index in step with casework's transitions."""

    async def handle(body: bytes, _: KafkaMessage) -> None:
        event = decode(Envelope[CaseEvent], body)
        case = event.payload.case
        with bound(case_id=case.case_id):
            await index.observe(case, event.occurred_at)
            logger.debug("open-case index saw %s", case.status)

    return handle
