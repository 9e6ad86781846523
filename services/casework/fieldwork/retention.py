"""Removes person numbers field work no longer needs: old visits' phones, deleted records'.

The numbers of a live record stay as long as the record does: the grid keeps in
touch with the person. Once a visit is old or a record deleted, nobody has a reason
to call from it, so the number goes after the configured number of days.
"""

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from services.casework.basicinfo.store import BasicInfoStore
from services.casework.fieldwork.settings import FieldworkSettings
from services.casework.fieldwork.store import FieldworkStore

logger = logging.getLogger(__name__)


async def forget_numbers(
    visits: FieldworkStore,
    records: BasicInfoStore,
    settings: FieldworkSettings,
    now: datetime,
) -> dict[str, int]:
    """One pass of the retention rules; answers how many documents lost numbers."""
    removed = {
        "visits": await visits.forget_visit_phones(
            now - timedelta(days=settings.visit_phone_days), now
        ),
        "records": await records.forget_numbers(
            now - timedelta(days=settings.deleted_record_days), now
        ),
    }
    if any(removed.values()):
        logger.info(
            "removed person numbers from %d visits and %d deleted records",
            removed["visits"],
            removed["records"],
        )
    return removed


async def run_retention(
    visits: FieldworkStore, records: BasicInfoStore, settings: FieldworkSettings
) -> None:
    """Apply the retention rules for the life of the process."""
    while True:
        await forget_numbers(visits, records, settings, datetime.now(UTC))
        await asyncio.sleep(settings.retention_interval_s)
