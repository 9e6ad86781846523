"""Reports sent through both intake instances, each retried until one answers 202."""

import asyncio
import itertools
import logging
import random
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from shared.auth import Principal, Role, issue
from shared.registry import Category, Grid, demo_registry
from shared.settings import ServiceSettings

logger = logging.getLogger(__name__)

ATTEMPTS = 6
ATTEMPT_TIMEOUT_S = 10.0
RETRY_PAUSE_S = 0.3
MAX_IN_FLIGHT = 400


@dataclass
class Sent:
    """One report and what intake made of it."""

    report_id: str
    phase: str
    sent_at: float
    answered_at: float | None = None
    attempts: int = 0
    last_error: str = ""


class Reports:
    """Report bodies with real grid codes and non-emergency category hints.

    Reports carry a grid code and no location, so none can be taken for another
    report's duplicate: each one must become a case of its own.
    """

    def __init__(self, run_id: str, seed: int = 7) -> None:
        registry = demo_registry()
        self.run_id = run_id
        self.grids: list[Grid] = list(registry.grids)
        self.categories: list[Category] = [
            c for c in registry.categories if not c.emergency
        ]
        self.random = random.Random(seed)
        self.sequence = itertools.count(1)

    def next(self) -> dict[str, Any]:
        """A new report, alternately in Chinese and English."""
        number = next(self.sequence)
        grid = self.random.choice(self.grids)
        category = self.random.choice(self.categories)
        if number % 2:
            keyword = category.keywords_zh[0] if category.keywords_zh else category.name_zh
            text = f"{grid.name_zh}发现{keyword}问题，请尽快处理。"
        else:
            keyword = category.keywords_en[0] if category.keywords_en else category.name_en
            text = f"Please look at the {keyword} in {grid.name_en}."
        return {
            "report_id": str(uuid.uuid4()),
            "channel": "hotline",
            "grid_code": grid.code,
            "category_hint": category.code,
            "description": f"{text} [cluster run {self.run_id} #{number}]",
            "observed_at": datetime.now(UTC).isoformat(),
            "reporter": {"kind": "operator", "id": "cluster-test"},
        }


def operator_token() -> str:
    """A credential intake accepts for reports from any grid."""
    principal = Principal(role=Role.OPERATOR, sub="cluster-test")
    return issue(principal, ServiceSettings().signing_key)


class Driver:
    """Sends reports round-robin over the intake instances, failing over on errors."""

    def __init__(
        self, client: httpx.AsyncClient, intakes: list[str], reports: Reports
    ) -> None:
        self.client = client
        self.intakes = intakes
        self.reports = reports
        self.sent: list[Sent] = []
        self.turn = itertools.count()
        self.headers = {"Authorization": f"Bearer {operator_token()}"}
        self.in_flight: set[asyncio.Task[Sent]] = set()

    def answered(self, phase: str | None = None) -> list[Sent]:
        """Reports some intake answered 202, in one phase or all."""
        return [
            s
            for s in self.sent
            if s.answered_at is not None and (phase is None or s.phase == phase)
        ]

    async def send_one(self, phase: str) -> Sent:
        """Send one new report, retrying the same body until an intake answers 202."""
        body = self.reports.next()
        sent = Sent(body["report_id"], phase, time.time())
        self.sent.append(sent)
        start = next(self.turn)

        for attempt in range(ATTEMPTS):
            base = self.intakes[(start + attempt) % len(self.intakes)]
            sent.attempts = attempt + 1
            try:
                response = await self.client.post(
                    f"{base}/v1/reports",
                    json=body,
                    headers=self.headers,
                    timeout=ATTEMPT_TIMEOUT_S,
                )
            except httpx.HTTPError as exc:
                sent.last_error = f"{type(exc).__name__} from {base}"
            else:
                if response.status_code == 202:
                    sent.answered_at = time.time()
                    return sent
                sent.last_error = (
                    f"HTTP {response.status_code} from {base}: {response.text[:200]}"
                )
                if response.status_code < 500 and response.status_code != 429:
                    break
            await asyncio.sleep(RETRY_PAUSE_S)

        logger.warning("report %s not accepted: %s", sent.report_id, sent.last_error)
        return sent

    async def steady(self, phase: str, rate: float, duration_s: float) -> None:
        """Open loop: start a report every 1/rate seconds, whatever the answers do."""
        interval = 1.0 / rate
        started = time.monotonic()
        for number in range(int(rate * duration_s)):
            await asyncio.sleep(max(started + number * interval - time.monotonic(), 0))
            if len(self.in_flight) >= MAX_IN_FLIGHT:
                logger.warning("%d reports in flight; skipping a send", len(self.in_flight))
                continue
            task = asyncio.create_task(self.send_one(phase))
            self.in_flight.add(task)
            task.add_done_callback(self.in_flight.discard)
        await self.settle()

    async def closed(self, phase: str, concurrency: int, duration_s: float) -> None:
        """Closed loop: ``concurrency`` senders, each sending again on every answer."""
        deadline = time.monotonic() + duration_s

        async def sender() -> None:
            while time.monotonic() < deadline:
                await self.send_one(phase)

        await asyncio.gather(*(sender() for _ in range(concurrency)))

    async def settle(self) -> None:
        """Wait for the reports still being sent (each is bounded in time)."""
        if self.in_flight:
            await asyncio.gather(*self.in_flight, return_exceptions=True)
