"""Publishes field work's events and the notices grid heads receive."""

import logging

from faststream.kafka import KafkaBroker

from shared.contracts import CampaignChanged, GridNotice, VisitRecorded, envelope
from shared.kafka import ensure_topics, publish_envelope
from shared.topics import FIELDWORK_CAMPAIGNS, FIELDWORK_EVENTS, TopicSpec, grid_topic

logger = logging.getLogger(__name__)


class FieldworkEvents:
    """Puts visits, campaign changes and grid notices on their topics."""

    def __init__(self, broker: KafkaBroker, bootstrap: str) -> None:
        self.broker = broker
        self.bootstrap = bootstrap
        self._known: set[str] = set()

    async def visit_recorded(self, visit: VisitRecorded) -> None:
        """Announce a stored visit, keyed by grid so one grid's visits stay in order."""
        message = envelope(
            visit,
            event_type="visit.recorded",
            correlation_id=visit.visit_id,
            producer="casework",
            identity=(visit.visit_id,),
        )
        await publish_envelope(self.broker, FIELDWORK_EVENTS, message, key=visit.grid_code)

    async def campaign_changed(self, change: CampaignChanged, *identity: str) -> None:
        """Announce a campaign change, keyed by campaign id."""
        message = envelope(
            change,
            event_type=f"campaign.{change.change}",
            correlation_id=change.campaign_id,
            producer="casework",
            identity=(change.campaign_id, *identity),
        )
        await publish_envelope(
            self.broker, FIELDWORK_CAMPAIGNS, message, key=change.campaign_id
        )

    async def notify_grids(self, notices: list[GridNotice]) -> None:
        """Send each grid head their notice, creating grid topics on first use."""
        if not notices:
            return

        topics = {grid_topic(notice.grid_code) for notice in notices} - self._known
        if topics:
            await ensure_topics(
                self.bootstrap, tuple(TopicSpec(t, partitions=1) for t in topics)
            )
            self._known |= topics

        for notice in notices:
            message = envelope(
                notice,
                event_type=f"notice.{notice.kind}",
                correlation_id=notice.campaign_id,
                producer="casework",
                identity=(notice.campaign_id, notice.grid_code, notice.kind),
            )
            await publish_envelope(
                self.broker, grid_topic(notice.grid_code), message, key=notice.campaign_id
            )
        campaign_id = notices[0].campaign_id
        logger.info(
            "sent %d grid notices", len(notices), extra={"campaign_id": campaign_id}
        )
