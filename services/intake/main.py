"""Intake: takes field reports from every channel and hands them to Kafka."""

from services.intake.acceptance import ReportDesk
from services.intake.access import Gate
from services.intake.api import build_router
from services.intake.handlers import on_case_event
from services.intake.media_api import build_media_router
from services.intake.media_store import MediaStore
from services.intake.open311.api import build_open311_router, install_open311_errors
from services.intake.publisher import relay_outbox
from services.intake.ratelimit import RateLimiter
from services.intake.retention import run_retention
from services.intake.settings import IntakeSettings
from services.intake.store import ReportStore
from shared.contracts import Report
from shared.kafka import subscribe
from shared.registry.follower import follow
from shared.service import Service
from shared.topics import (
    CASES_EVENTS,
    CASES_EVENTS_URGENT,
    REPORTS_SUBMITTED,
    REPORTS_SUBMITTED_URGENT,
)

settings = IntakeSettings()
service = Service("intake", port=settings.port)
service.publishes(REPORTS_SUBMITTED, Report, "Accepted reports, keyed by report id.")
service.publishes(
    REPORTS_SUBMITTED_URGENT, Report, "Accepted reports that read as emergencies."
)
store = ReportStore(service.db)
media = MediaStore(service.db)

registry = follow(service)


gate = Gate(
    service.settings.signing_key,
    RateLimiter(settings.resident_burst, settings.resident_per_minute),
)
desk = ReportDesk(service.broker, store, media, registry, service.settings.signing_key)
service.app.include_router(build_router(desk, store, gate), tags=["reports"])
service.app.include_router(build_media_router(media, gate, settings), tags=["media"])
service.app.include_router(
    build_open311_router(desk, store, registry, settings, service.settings.signing_key),
    tags=["open311"],
)
install_open311_errors(service.app)
subscribe(
    service.broker,
    service.settings,
    service="intake",
    topics=[CASES_EVENTS, CASES_EVENTS_URGENT],
    group="intake-case-follower",
    handler=on_case_event(store),
)


@service.on_startup
async def prepare_store() -> None:
    """Create the indexes intake relies on."""
    await store.prepare()
    await media.prepare()


@service.loop("intake-outbox")
async def run_outbox() -> None:
    """Publish what Kafka did not confirm at the time."""
    await relay_outbox(
        service.broker,
        store,
        service.settings.outbox_interval_s,
        service.settings.outbox_idle_s,
        service.name,
    )


@service.loop("intake-retention")
async def run_phone_retention() -> None:
    """Remove reporters' phones that are no longer needed."""
    await run_retention(store, settings.phone_retention_days, settings.retention_interval_s)


app = service.app
