"""The one way into gridloop for a report, whichever door it came through."""

import logging

from faststream.kafka import KafkaBroker
from prometheus_client import Counter

from services.intake.media_store import MediaStore
from services.intake.places import RegistrySource
from services.intake.publisher import publish_report
from services.intake.store import ReportStore
from shared.auth import tracking_token
from shared.contracts import Report, Reporter
from shared.logs import bound
from shared.mongo import Document
from shared.privacy import contact_ref, mask_phone
from shared.registry.urgency import looks_urgent

logger = logging.getLogger(__name__)

REPORTS_RECEIVED = Counter(
    "gridloop_reports_received_total",
    "Reports accepted by intake, by channel; a retried report counts once.",
    ["channel"],
)


def with_contact(reporter: Reporter, key: str) -> Reporter:
    """The reporter with the forms of the phone that may travel in its place."""
    return reporter.model_copy(
        update={
            "contact_ref": contact_ref(key, reporter.phone),
            "phone_masked": mask_phone(reporter.phone),
        }
    )


class ReportDesk:
    """Checks the photos a report names, stores it, then publishes it to its lane."""

    def __init__(
        self,
        broker: KafkaBroker,
        store: ReportStore,
        media: MediaStore,
        registry: RegistrySource,
        signing_key: str,
    ) -> None:
        self.broker = broker
        self.store = store
        self.media = media
        self.registry = registry
        self.signing_key = signing_key

    async def accept(self, report: Report, *, urgent_hint: bool = False) -> Document:
        """Store first, answer after; a repeat answers the stored copy."""
        digests = await self.media.describe(report.media_ids)
        report = report.model_copy(
            update={
                "media_sha256": digests,
                "reporter": with_contact(report.reporter, self.signing_key),
            }
        )
        urgent = urgent_hint or looks_urgent(report.description)
        category = (
            self.registry().category(report.category_hint) if report.category_hint else None
        )

        with bound(report_id=report.report_id):
            doc, created = await self.store.accept(
                report,
                token=tracking_token(self.signing_key, report.report_id),
                urgent=urgent,
                service_code=category.open311_service_code if category else None,
            )
            if created:
                REPORTS_RECEIVED.labels(report.channel.value).inc()
                logger.info("report accepted from %s", report.channel.value)
                await publish_report(self.broker, self.store, report, urgent=urgent)
        return doc
