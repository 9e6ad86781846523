"""Removes reporters' phone numbers once their cases have been closed long enough."""

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from services.intake.store import ReportStore

logger = logging.getLogger(__name__)


async def forget_old_phones(store: ReportStore, days: float) -> int:
    """One pass of the retention rule; answers how many reports lost their phone."""
    cutoff = datetime.now(UTC) - timedelta(days=days)
    removed = await store.forget_phones(cutoff)
    if removed:
        logger.info("removed the phone of %d closed reports", removed)
    return removed


async def run_retention(store: ReportStore, days: float, interval_s: float) -> None:
    """Apply the retention rule for the life of the process."""
    while True:
        await forget_old_phones(store, days)
        await asyncio.sleep(interval_s)
