"""One measured stretch of load: what was offered, accepted and carried through.

Offered-load phases send at a fixed rate for a bounded time, then wait a bounded time
for the pipeline to catch up, and count what got through; whatever did not is the
backlog the phase left, reported as such. The saturation phase keeps a fixed number of
reports in the pipeline (a new one as soon as one reaches its department), which is
the most the pipeline carries without a queue growing.
"""

import asyncio
import logging
import math
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from pymongo import AsyncMongoClient

from bench.watch import CaseRow, Watcher, cases_by_report, still_waiting, supported
from ops.load.profile import Profile
from ops.load.sender import Sender, Sent
from ops.load.stream import Kind
from ops.load.summary import percentile, summarise

logger = logging.getLogger(__name__)

ALERT_WAIT_S = 30.0
POLL_S = 0.05
CLOSED_LOOP_TAIL_S = 15.0


def figures(values: list[float]) -> dict[str, float]:
    """p50, p95, p99 and max of seconds, in milliseconds (NaN when there are none)."""
    return {
        name: round(percentile(values, q) * 1000, 1)
        for name, q in (("p50", 50), ("p95", 95), ("p99", 99), ("max", 100))
    }


@dataclass
class PhaseResult:
    """The figures of one phase; every count is of reports."""

    name: str
    offered_per_s: float | None
    offer_s: float
    offered: int = 0
    skipped: int = 0
    accepted: int = 0
    not_accepted: int = 0
    emergencies: int = 0
    with_own_case: int = 0
    joined_open_case: int = 0
    in_triage: int = 0
    alerted: int = 0
    backlog: int = 0
    more_than_one_case: int = 0
    accepted_per_s: float = math.nan
    completed_per_s: float = math.nan
    waited_after_offer_s: float = 0.0
    answer_ms: dict[str, float] = field(default_factory=dict)
    to_case_ms: dict[str, float] = field(default_factory=dict)
    to_alert_ms: dict[str, float] = field(default_factory=dict)
    emergency_to_alert_ms: dict[str, float] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """Plain JSON values (NaN becomes null)."""
        cleaned: dict[str, Any] = _clean(asdict(self))
        return cleaned


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


async def wait_for_alerts(
    sent: list[Sent],
    watcher: Watcher,
    limit_s: float,
    mongo: AsyncMongoClient[dict[str, Any]],
    database: str,
) -> float:
    """Wait (at most ``limit_s``) until every accepted report is through; the wait."""
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        if watcher.reader_failed() is not None:
            raise RuntimeError(f"the watcher stopped: {watcher.reader_failed()!r}")
        if not await still_waiting(sent, watcher, mongo, database):
            break
        await asyncio.sleep(1.0)
    return time.monotonic() - started


async def offered(
    sender: Sender,
    watcher: Watcher,
    name: str,
    rate: float,
    times: tuple[float, float],
    mongo: AsyncMongoClient[dict[str, Any]],
    database: str,
) -> tuple[list[Sent], float]:
    """Offer ``rate`` reports/s for ``times[0]`` s, then wait up to ``times[1]`` s."""
    offer_s, drain_s = times
    await sender.offer(name, Profile.steady(rate), offer_s)
    sent = sender.of_phase(name)
    waited = await wait_for_alerts(sent, watcher, drain_s, mongo, database)
    return sent, waited


async def closed_loop(
    sender: Sender,
    watcher: Watcher,
    name: str,
    in_pipeline: int,
    duration_s: float,
    mongo: AsyncMongoClient[dict[str, Any]],
    database: str,
) -> list[Sent]:
    """Keep ``in_pipeline`` reports between intake and their departments for a while."""
    deadline = time.monotonic() + duration_s

    async def one_at_a_time() -> None:
        while time.monotonic() < deadline:
            sent = await sender.send_one(name)
            if sent.answered_at is None:
                continue
            waited_from = time.monotonic()
            while watcher.alerted(sent.report_id) is None and time.monotonic() < deadline:
                if time.monotonic() - waited_from > ALERT_WAIT_S:
                    logger.warning("report %s not alerted in time", sent.report_id)
                    break
                await asyncio.sleep(POLL_S)

    await asyncio.gather(*(one_at_a_time() for _ in range(in_pipeline)))
    sent = sender.of_phase(name)
    await wait_for_alerts(sent, watcher, CLOSED_LOOP_TAIL_S, mongo, database)
    return sent


async def measure(
    result: PhaseResult,
    sent: list[Sent],
    skipped: int,
    watcher: Watcher,
    mongo: AsyncMongoClient[dict[str, Any]],
    database: str,
) -> PhaseResult:
    """Count the phase's reports against the stored cases and the alerts seen."""
    load = summarise(sent, skipped)
    cases = await cases_by_report(mongo, database)
    joined = supported(cases)
    result.offered, result.skipped = load.offered, load.skipped
    result.accepted, result.not_accepted = load.accepted, load.not_accepted
    result.accepted_per_s = round(load.accepted_per_s, 2)
    result.answer_ms = figures(load.answer_s)

    to_case: list[float] = []
    to_alert: list[float] = []
    emergency: list[float] = []
    alerts: list[float] = []
    for report in sent:
        if report.answered_at is None:
            continue
        own: list[CaseRow] = cases.get(report.report_id, [])
        homes = len(own) + len(joined.get(report.report_id, []))
        result.with_own_case += bool(own)
        result.joined_open_case += bool(joined.get(report.report_id))
        result.more_than_one_case += homes > 1
        result.emergencies += report.kind is Kind.EMERGENCY
        alerted = watcher.alerted(report.report_id)
        triage = any(r.triage for r in own)
        result.in_triage += triage
        if homes == 0 or (own and not triage and alerted is None):
            result.backlog += 1
        if own:
            to_case.append(max(min(r.created_at for r in own) - report.answered_at, 0.0))
        if alerted is not None:
            result.alerted += 1
            alerts.append(alerted)
            to_alert.append(max(alerted - report.answered_at, 0.0))
            if report.kind is Kind.EMERGENCY:
                emergency.append(max(alerted - report.answered_at, 0.0))

    result.to_case_ms = figures(to_case)
    result.to_alert_ms = figures(to_alert)
    result.emergency_to_alert_ms = figures(emergency)
    if alerts:
        first = min(s.sent_at for s in sent)
        result.completed_per_s = round(len(alerts) / max(max(alerts) - first, 1e-3), 2)
    return result
