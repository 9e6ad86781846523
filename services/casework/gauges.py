"""The metrics operators judge casework by: open and overdue cases, time in each stage.

Counts of open cases are read from the database on an interval rather than kept in
memory, so that two casework instances report the same figures and a restart loses
nothing. On FerretDB that read scans the collection, hence a long default interval.
"""

import asyncio
import logging
from collections import Counter as Tally
from datetime import datetime

from prometheus_client import Gauge, Histogram
from pymongo.asynchronous.database import AsyncDatabase

from services.casework.queries import OPEN_STATUSES
from shared.mongo import Document

logger = logging.getLogger(__name__)

CASES = Gauge(
    "gridloop_cases", "Cases not yet closed, by status and tier.", ["status", "tier"]
)
CASES_OPEN = Gauge(
    "gridloop_cases_open", "Open cases by department and tier.", ["department", "tier"]
)
CASES_OVERDUE = Gauge(
    "gridloop_cases_overdue", "Open cases past one of their time limits.", ["department"]
)
EMERGENCY_UNSIGNED = Gauge(
    "gridloop_emergency_cases_unsigned_overdue",
    "Emergency cases still not signed for after their sign-for limit.",
    ["department"],
)
STAGE_SECONDS = Histogram(
    "gridloop_case_stage_duration_seconds",
    "Time a case spent in a status before it left it.",
    ["stage", "department"],
    buckets=(60, 300, 900, 3600, 4 * 3600, 8 * 3600, 86_400, 3 * 86_400, 7 * 86_400),
)


def observe_stage(doc: Document, left_at: datetime) -> None:
    """Record how long the case stayed in the status it is leaving."""
    timeline = doc.get("timeline") or []
    if not timeline:
        return
    entered = timeline[-1]["at"]
    if isinstance(entered, str):
        entered = datetime.fromisoformat(entered)
    seconds = (left_at - entered).total_seconds()
    STAGE_SECONDS.labels(
        doc.get("status", "unknown"), doc.get("department") or "none"
    ).observe(max(seconds, 0.0))


async def refresh(db: AsyncDatabase[Document]) -> None:
    """Recount open cases by status, tier and department."""
    by_status: Tally[tuple[str, str]] = Tally()
    by_department: Tally[tuple[str, str]] = Tally()
    overdue: Tally[str] = Tally()
    unsigned: Tally[str] = Tally()
    fields = {"status": 1, "tier": 1, "department": 1, "overdue": 1, "emergency": 1}
    async for doc in db["cases"].find({"status": {"$in": list(OPEN_STATUSES)}}, fields):
        department, tier = doc.get("department") or "none", doc.get("tier") or "none"
        by_status[(doc.get("status", "unknown"), tier)] += 1
        by_department[(department, tier)] += 1
        if doc.get("overdue"):
            overdue[department] += 1
            if doc.get("emergency") and doc.get("status") == "dispatched":
                unsigned[department] += 1

    for gauge, tally in (
        (CASES, by_status),
        (CASES_OPEN, by_department),
        (CASES_OVERDUE, overdue),
        (EMERGENCY_UNSIGNED, unsigned),
    ):
        gauge.clear()
        for labels, count in tally.items():
            key = labels if isinstance(labels, tuple) else (labels,)
            gauge.labels(*key).set(count)


async def keep_fresh(db: AsyncDatabase[Document], interval_s: float) -> None:
    """Recount for the life of the process."""
    while True:
        try:
            await refresh(db)
        except Exception as exc:
            logger.warning("case gauges not refreshed: %s", exc)
        await asyncio.sleep(interval_s)
