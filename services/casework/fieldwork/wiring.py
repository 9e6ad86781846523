"""Plugs field work into the casework process: routes, topics, start-up and the clock."""

from collections.abc import Callable

from services.casework.basicinfo.store import BasicInfoStore
from services.casework.fieldwork.api import build_fieldwork_router
from services.casework.fieldwork.campaigns import CampaignDesk
from services.casework.fieldwork.deadlines import CampaignClock
from services.casework.fieldwork.events import FieldworkEvents
from services.casework.fieldwork.intake_client import IntakeClient
from services.casework.fieldwork.report_api import build_report_router
from services.casework.fieldwork.retention import run_retention
from services.casework.fieldwork.settings import FieldworkSettings
from services.casework.fieldwork.store import FieldworkStore
from services.casework.fieldwork.visits import VisitDesk
from shared.contracts import CampaignChanged, GridNotice, VisitRecorded
from shared.registry.models import Registry
from shared.service import Service
from shared.topics import FIELDWORK_CAMPAIGNS, FIELDWORK_EVENTS, TopicSpec, grid_topic


def install_fieldwork(
    service: Service, registry: Callable[[], Registry], records: BasicInfoStore
) -> FieldworkStore:
    """Add field work to ``service``; answers its store for the periodic report."""
    settings = FieldworkSettings()
    service.topics.extend([TopicSpec(FIELDWORK_EVENTS), TopicSpec(FIELDWORK_CAMPAIGNS)])
    service.publishes(
        FIELDWORK_EVENTS, VisitRecorded, "Visits and patrols logged, keyed by grid code."
    )
    service.publishes(
        FIELDWORK_CAMPAIGNS,
        CampaignChanged,
        "Campaigns issued, progressed, reminded, escalated and closed, keyed by id.",
    )
    service.publishes(
        grid_topic("{grid}"), GridNotice, "Campaign notices for one grid's head."
    )

    store = FieldworkStore(service.db)
    events = FieldworkEvents(service.broker, service.settings.kafka_bootstrap)
    intake = IntakeClient(settings.intake_url, settings.intake_timeout_s)
    visits = VisitDesk(store, events, intake, registry, records)
    campaigns = CampaignDesk(store, events, intake, registry)
    clock = CampaignClock(store, events)
    key = service.settings.signing_key
    service.app.include_router(
        build_fieldwork_router(visits, campaigns, key), tags=["fieldwork"]
    )
    service.app.include_router(build_report_router(store, registry, key), tags=["stats"])

    @service.on_startup
    async def prepare_fieldwork() -> None:
        """Create field work's indexes."""
        await store.prepare()

    @service.on_shutdown
    async def close_intake_client() -> None:
        """Release the connections to intake."""
        await intake.close()

    @service.loop("fieldwork-campaign-clock")
    async def run_campaign_clock() -> None:
        """Remind and escalate campaigns."""
        await clock.run(settings.deadline_scan_s)

    @service.loop("fieldwork-retention")
    async def remove_old_numbers() -> None:
        """Remove person numbers that are no longer needed."""
        await run_retention(store, records, settings)

    return store
