"""Casework: owns case state and emits every transition as an event."""

from services.casework.api import build_router
from services.casework.handlers import on_report_routed
from services.casework.outbox import relay
from services.casework.store import CaseStore
from shared.kafka import subscribe
from shared.service import Service
from shared.topics import REPORTS_ROUTED

service = Service("casework", port=8003)
store = CaseStore(service.db)
service.app.include_router(build_router(store), tags=["cases"])
subscribe(
    service.broker,
    service.settings,
    service="casework",
    topics=[REPORTS_ROUTED],
    group="casework",
    handler=on_report_routed(service.broker, store),
)


@service.on_startup
async def prepare_store() -> None:
    """Create the indexes casework relies on."""
    await store.prepare()


@service.loop("casework-outbox")
async def run_outbox() -> None:
    """Publish events whose first publish was interrupted."""
    await relay(service.broker, store, service.settings.outbox_interval_s)


app = service.app
