"""Delivery workers: drain stored jobs without ever holding up the Kafka consumer.

Each endpoint (one webhook URL, one mail server, one gateway, one topic) may
have only a few sends in flight; jobs for a saturated endpoint are left out of
the next query, so a slow or failing endpoint fills its own slots and nobody
else's. Failed sends come back after an exponential, jittered pause; after the
retry limit, or at once when the receiver refuses for good, a job is dead: it is
marked so in the database and published on ``notify.deadletter`` with the reason.
"""

import asyncio
import contextlib
import json
import logging
import random
import time
from collections import Counter as Tally
from datetime import timedelta
from typing import Any

from faststream.kafka import KafkaBroker
from prometheus_client import Counter, Histogram

from services.notifier.channels import Channel, DeliveryFailed
from services.notifier.jobs import DEAD, QUEUED, SENT, JobStore, lease_end, utcnow
from services.notifier.schedule import backoff
from services.notifier.settings import NotifierSettings
from shared.mongo import Document
from shared.topics import NOTIFY_DEADLETTER

logger = logging.getLogger(__name__)

BATCH = 200
# Wake-ups closer together than this share one look at the queue.
MIN_GAP_S = 0.05

NOTIFICATIONS = Counter(
    "gridloop_notifications_total",
    "Notification delivery attempts, by channel and outcome.",
    ["channel", "outcome"],
)
DELIVERY_SECONDS = Histogram(
    "gridloop_notification_delivery_seconds",
    "From the event that caused a notification to its delivery.",
    ["channel"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900),
)
RETRIES = Counter(
    "gridloop_notification_retries_total",
    "Failed delivery attempts that will be tried again (webhooks among them).",
    ["channel"],
)
DEAD_LETTERED = Counter(
    "gridloop_notification_deadletters_total",
    "Notifications given up on and published on notify.deadletter.",
    ["channel"],
)


class Dispatcher:
    """Claims due jobs and sends each on its channel, respecting per-endpoint caps."""

    def __init__(
        self,
        jobs: JobStore,
        channels: dict[str, Channel],
        broker: KafkaBroker,
        settings: NotifierSettings,
    ) -> None:
        self.jobs = jobs
        self.channels = channels
        self.broker = broker
        self.settings = settings
        self.in_flight: Tally[str] = Tally()
        self.tasks: set[asyncio.Task[None]] = set()
        self.woken = asyncio.Event()
        self.rng = random.Random()

    def wake(self) -> None:
        """Look for work now rather than at the next poll."""
        self.woken.set()

    async def run(self) -> None:
        """Claim and start sends for the life of the process."""
        while True:
            await asyncio.sleep(MIN_GAP_S)
            self.woken.clear()
            started = await self.fill()
            if started == 0 or len(self.tasks) >= self.settings.worker_concurrency:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.woken.wait(), self.settings.worker_poll_s)

    async def fill(self) -> int:
        """Start sends for due jobs up to the global and per-endpoint caps."""
        room = self.settings.worker_concurrency - len(self.tasks)
        if room <= 0:
            return 0
        cap = self.settings.endpoint_concurrency
        busy = [endpoint for endpoint, count in self.in_flight.items() if count >= cap]
        now = utcnow()
        started = 0
        for job in await self.jobs.due(now, busy, BATCH):
            if started >= room:
                break
            if self.in_flight[job["endpoint"]] >= cap:
                continue
            claimed = await self.jobs.claim(job, lease_end(now, self.settings.lease_s))
            if claimed is None:
                continue
            self._start(claimed)
            started += 1
        return started

    def _start(self, job: Document) -> None:
        endpoint = job["endpoint"]
        self.in_flight[endpoint] += 1
        task = asyncio.create_task(self.attempt(job), name=f"deliver-{job['_id']}")
        self.tasks.add(task)

        def done(finished: asyncio.Task[None]) -> None:
            self.tasks.discard(finished)
            self.in_flight[endpoint] -= 1
            if self.in_flight[endpoint] <= 0:
                del self.in_flight[endpoint]
            self.woken.set()

        task.add_done_callback(done)

    async def attempt(self, job: Document) -> None:
        """Send once and record the outcome; never raises."""
        channel = job["channel"]
        attempt = job["attempts"] + 1
        started = time.perf_counter()
        error: str | None = None
        permanent = False
        try:
            await self.channels[channel].send(job)
        except DeliveryFailed as exc:
            error, permanent = exc.reason, exc.permanent
        except Exception as exc:
            logger.exception("send crashed", extra={"case_id": job.get("case_id")})
            error = f"{type(exc).__name__}: {exc}"
        latency = time.perf_counter() - started

        try:
            outcome = await self._settle(job, attempt, error, permanent)
            await self.jobs.record_attempt(
                {
                    "delivery_id": job["_id"],
                    "case_id": job.get("case_id"),
                    "department": job.get("department"),
                    "audience": job.get("audience"),
                    "receiver": job["receiver"]["key"],
                    "channel": channel,
                    "kind": job["kind"],
                    "attempt": attempt,
                    "status": outcome,
                    "latency_s": round(latency, 4),
                    "error": error,
                    "at": utcnow(),
                }
            )
        except Exception:
            # The lease runs out and the job is sent again under the same delivery id.
            logger.exception("outcome not recorded", extra={"case_id": job.get("case_id")})

    async def _settle(
        self, job: Document, attempt: int, error: str | None, permanent: bool
    ) -> str:
        channel = job["channel"]
        now = utcnow()
        if error is None:
            await self.jobs.complete(job, SENT, {"attempts": attempt, "sent_at": now})
            NOTIFICATIONS.labels(channel, "sent").inc()
            DELIVERY_SECONDS.labels(channel).observe(
                max((now - job["event_at"]).total_seconds(), 0.0)
            )
            return "sent"

        if permanent or attempt >= self.settings.retry_limit:
            changes = {"attempts": attempt, "last_error": error}
            if await self.jobs.complete(job, DEAD, changes):
                await self._dead_letter(job, attempt, error)
            NOTIFICATIONS.labels(channel, "dead").inc()
            DEAD_LETTERED.labels(channel).inc()
            logger.warning(
                "gave up on delivery %s after %d attempts: %s",
                job["_id"],
                attempt,
                error,
                extra={"case_id": job.get("case_id")},
            )
            return "dead"

        pause = backoff(
            attempt, self.settings.retry_base_s, self.settings.retry_max_s, self.rng
        )
        changes = {
            "status": QUEUED,
            "attempts": attempt,
            "last_error": error,
            "due_at": now + timedelta(seconds=pause),
        }
        await self.jobs.finish(job, changes)
        NOTIFICATIONS.labels(channel, "failed").inc()
        RETRIES.labels(channel).inc()
        return "failed"

    async def _dead_letter(self, job: Document, attempts: int, reason: str) -> None:
        record: dict[str, Any] = {
            key: job.get(key)
            for key in ("_id", "kind", "channel", "audience", "case_id", "report_id")
        }
        record.update(receiver=job["receiver"]["key"], attempts=attempts, reason=reason)
        await self.broker.publish(
            json.dumps(record, default=str).encode(),
            topic=NOTIFY_DEADLETTER,
            key=str(job["_id"]).encode(),
            headers={
                "deadletter-reason": reason[:1000],
                "deadletter-service": "notifier",
                "delivery-id": str(job["_id"]),
            },
        )

    async def drain(self) -> None:
        """Let sends in flight finish, for a graceful stop."""
        if self.tasks:
            await asyncio.wait(self.tasks, timeout=5)
