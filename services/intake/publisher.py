"""Publishes accepted reports to their lane, now or from the outbox later."""

import asyncio
import logging
from datetime import timedelta

from faststream.kafka import KafkaBroker

from services.intake.store import ReportStore, report_of
from shared.contracts import Report, envelope
from shared.kafka import publish_envelope
from shared.logs import bound
from shared.metrics import OUTBOX_PENDING
from shared.pacing import RelayPace
from shared.privacy import scrub_numbers
from shared.topics import REPORTS_SUBMITTED, REPORTS_SUBMITTED_URGENT

logger = logging.getLogger(__name__)

PUBLISH_TIMEOUT_S = 5.0
RELAY_GRACE = timedelta(seconds=5)
RELAY_BATCH = 200

# One relay per process; a failed publish nudges it to look again soon.
PACE = RelayPace(busy_s=1.0, idle_s=15.0)


def lane(urgent: bool) -> str:
    """The topic a report goes to: emergencies have a lane of their own."""
    return REPORTS_SUBMITTED_URGENT if urgent else REPORTS_SUBMITTED


def redacted(report: Report) -> Report:
    """The report as it may travel: numbers of persons stay in intake's database."""
    reporter = report.reporter.model_copy(update={"phone": None})
    return report.model_copy(
        update={
            "reporter": reporter,
            "description": scrub_numbers(report.description),
            "address": scrub_numbers(report.address),
        }
    )


async def publish_report(
    broker: KafkaBroker, store: ReportStore, report: Report, *, urgent: bool
) -> bool:
    """Try to publish now; on failure the relay will publish it later."""
    message = envelope(
        redacted(report),
        event_type="report.submitted",
        correlation_id=report.report_id,
        producer="intake",
        identity=(report.report_id,),
        occurred_at=report.received_at,
    )
    try:
        await asyncio.wait_for(
            publish_envelope(broker, lane(urgent), message, key=report.report_id),
            timeout=PUBLISH_TIMEOUT_S,
        )
    except Exception as exc:
        PACE.nudge()
        logger.warning("report kept in the outbox, Kafka did not confirm: %s", exc)
        return False

    await store.mark_published(report.report_id)
    return True


async def relay_outbox(
    broker: KafkaBroker, store: ReportStore, interval_s: float, idle_s: float, service: str
) -> None:
    """Publish reports whose first publish was not confirmed, until none are left."""
    PACE.busy_s, PACE.idle_s = interval_s, max(idle_s, interval_s)
    while True:
        pending = await store.unpublished(RELAY_GRACE, RELAY_BATCH)
        for doc in pending:
            report = report_of(doc)
            with bound(report_id=report.report_id):
                if await publish_report(
                    broker, store, report, urgent=bool(doc.get("urgent"))
                ):
                    logger.info("report published from the outbox")
                else:
                    break

        OUTBOX_PENDING.labels(service).set(len(pending))
        await PACE.wait(len(pending))
