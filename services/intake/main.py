"""Intake: takes field reports from every channel and hands them to Kafka."""

from services.intake.api import build_router
from services.intake.publisher import relay_outbox
from services.intake.store import ReportStore
from shared.service import Service

service = Service("intake", port=8001)
store = ReportStore(service.db)
service.app.include_router(
    build_router(service.broker, store, service.settings.signing_key), tags=["reports"]
)


@service.on_startup
async def prepare_store() -> None:
    """Create the indexes intake relies on."""
    await store.prepare()


@service.loop("intake-outbox")
async def run_outbox() -> None:
    """Publish what Kafka did not confirm at the time."""
    await relay_outbox(
        service.broker, store, service.settings.outbox_interval_s, service.name
    )


app = service.app
