"""Plugs basic information into the casework process: its routes and its indexes."""

from collections.abc import Callable

from services.casework.basicinfo.api import build_records_router
from services.casework.basicinfo.desk import RecordDesk
from services.casework.basicinfo.store import BasicInfoStore
from shared.registry.models import Registry
from shared.service import Service


def install_basic_info(
    service: Service, registry: Callable[[], Registry]
) -> BasicInfoStore:
    """Add basic information to ``service``; answers its store for references."""
    store = BasicInfoStore(service.db)
    desk = RecordDesk(store, registry)
    service.app.include_router(
        build_records_router(desk, service.settings.signing_key), tags=["basic information"]
    )

    @service.on_startup
    async def prepare_records() -> None:
        """Create the indexes basic information relies on."""
        await store.prepare()

    return store
