"""A chaos run: the realistic stream under faults, then the count of what came out.

The run starts the four services on a database and in consumer groups of its own,
points every department's notifications at its Kafka topic and at a local webhook
endpoint, puts poison on every consumed topic, and offers reports at a steady rate
while it kills each service in turn, restarts the broker and takes the database
away. When the load stops it waits, within a bound, for the backlog to drain, then
judges (``checks``). The short plan runs inside ``make test``, the long one is
``make chaos``.
"""

import asyncio
import logging
import signal
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import httpx
from pymongo import AsyncMongoClient

from bench.chaos import checks, poison
from bench.chaos.checks import Verdict
from bench.chaos.faults import Fault, Injector, say
from bench.chaos.hooks import SECRET, Endpoint
from bench.watch import (
    Watcher,
    cases_by_report,
    department_topics,
    prepare_department_topics,
    still_waiting,
)
from ops.load.credentials import Credentials
from ops.load.profile import Profile
from ops.load.sender import Sender
from ops.load.stream import Mix, ReportStream
from shared.launcher import SERVICES, Stack, service_env
from shared.registry import demo_registry
from shared.settings import ServiceSettings

logger = logging.getLogger(__name__)

DATABASE = "gridloop_chaos"
PHASE = "chaos"
INTAKE = f"http://127.0.0.1:{SERVICES['intake']}"
NOTIFIER = f"http://127.0.0.1:{SERVICES['notifier']}"
ORDER = ("router", "casework", "notifier", "intake")
"""Services are killed in this order, each once."""


@dataclass(frozen=True)
class Plan:
    """How long and how hard: the short plan for the test suite, the long for `make chaos`.

    ``broker`` is the signal that stops the broker (``None`` leaves it alone);
    ``database`` is ``pause`` (SIGSTOP then SIGCONT) or ``stop`` (stopped, then started
    again by its checkout's up.sh).
    """

    name: str
    rate: float
    lead_s: float
    gap_s: float
    broker: signal.Signals | None
    database: Literal["pause", "stop"] | None
    database_s: float
    tail_s: float
    drain_s: float


SHORT = Plan(
    "short",
    rate=2.0,
    lead_s=6.0,
    gap_s=2.0,
    broker=signal.SIGKILL,
    database="pause",
    database_s=10.0,
    tail_s=4.0,
    drain_s=100.0,
)
LONG = Plan(
    "long",
    rate=3.0,
    lead_s=20.0,
    gap_s=15.0,
    broker=signal.SIGKILL,
    database="stop",
    database_s=30.0,
    tail_s=20.0,
    drain_s=240.0,
)


def chaos_env(group_prefix: str) -> dict[str, str]:
    """Service settings for the run: its database and groups, quick relays and retries."""
    return service_env(
        env="test",
        mongo_db=DATABASE,
        group_prefix=group_prefix,
        consumer_start="latest",
        log_level="INFO",
        outbox_interval_s="0.5",
        outbox_idle_s="2",
        redelivery_backoff_s="0.5",
        # The notifier: quick polling and retries, leases that expire soon after a kill.
        worker_poll_s="0.2",
        rules_refresh_s="0.5",
        lease_s="8",
        retry_base_s="0.5",
        retry_max_s="5",
        retry_limit="30",
        webhook_timeout_s="3",
        smtp_timeout_s="3",
        sms_timeout_s="3",
    )


async def route_to_webhook(endpoint: Endpoint, settings: ServiceSettings) -> None:
    """Every department hears on its topic and on the run's webhook endpoint."""
    registry = demo_registry()
    operator = Credentials.signed(registry, settings).header("operator")
    defaults = {
        department.code: [
            {
                "key": f"topic:{department.code}",
                "channel": "kafka",
                "address": department.code,
            },
            {
                "key": f"hook:{department.code}",
                "channel": "webhook",
                "address": endpoint.url,
                "secret": SECRET,
            },
        ]
        for department in registry.departments
    }
    async with httpx.AsyncClient(base_url=NOTIFIER, headers=operator, timeout=10) as client:
        answer = await client.put("/v1/rules", json={"defaults": defaults, "rules": []})
        answer.raise_for_status()
        # The other notifiers read the rules from the database within their refresh.
        await asyncio.sleep(1.5)


class ChaosRun:
    """One run of a plan; the verdict comes from ``run()``."""

    def __init__(self, plan: Plan, log_dir: Path) -> None:
        self.plan = plan
        self.run_id = uuid.uuid4().hex[:6]
        self.prefix = f"bench-chaos-{self.run_id}-"
        self.settings = ServiceSettings(env="test")
        self.stack = Stack(env=chaos_env(self.prefix), log_dir=log_dir)
        self.injector = Injector(self.stack)
        self.endpoint = Endpoint()
        self.mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
            self.settings.mongo_url, tz_aware=True, serverSelectionTimeoutMS=30_000
        )
        self.watcher = Watcher(self.settings.kafka_bootstrap, department_topics())
        log_dir.mkdir(parents=True, exist_ok=True)

    async def run(self) -> Verdict:
        """Start, load, break, drain, judge; always stop what it started."""
        self.endpoint.start()
        try:
            await self.mongo.drop_database(DATABASE)
            for name in SERVICES:
                await asyncio.to_thread(self.stack.start, name)
            say(f"services up ({self.prefix}*, database {DATABASE}); plan {self.plan.name}")
            await route_to_webhook(self.endpoint, self.settings)
            await prepare_department_topics(self.settings.kafka_bootstrap)
            await self.watcher.start()
            return await self._exercise()
        finally:
            await self.injector.leave_servers_up()
            await asyncio.to_thread(self.stack.stop_all)
            self.endpoint.stop()
            await self.watcher.stop()
            await self.mongo.close()

    async def _exercise(self) -> Verdict:
        registry = demo_registry()
        stream = ReportStream(registry, Mix(), tag=f"chaos {self.run_id}")
        credentials = Credentials.signed(registry, self.settings)
        since_ms = int(time.time() * 1000)
        async with httpx.AsyncClient(trust_env=False) as client:
            sender = Sender(client, [INTAKE], stream, credentials, attempts=10)
            stop = asyncio.Event()
            load = asyncio.create_task(
                sender.offer(PHASE, Profile.steady(self.plan.rate), 3600, stop)
            )
            try:
                injected = await poison.inject(self.settings.kafka_bootstrap, self.run_id)
                say(
                    f"{len(injected.messages)} poison messages on "
                    f"{len(poison.CONSUMERS)} topics"
                )
                await self._faults()
            finally:
                stop.set()
                await load
        say(
            f"load stopped: {len(sender.sent)} reports sent, "
            f"{len(sender.answered())} answered 202"
        )

        drained = await self._drain(sender)
        cases = await cases_by_report(self.mongo, DATABASE)
        left = await checks.leftovers(
            self.mongo, DATABASE, self.settings.kafka_bootstrap, self.prefix
        )
        parked = await poison.parked(self.settings.kafka_bootstrap, injected, since_ms)
        verdict = checks.judge(
            sender.sent,
            cases,
            self.watcher,
            self.endpoint.deliveries,
            injected,
            parked,
            left,
        )
        verdict.count("seconds waited for the backlog to drain", round(drained))
        verdict.account = account(self.injector.done, verdict, parked)
        print(verdict.account, flush=True)
        return verdict

    async def _faults(self) -> None:
        plan = self.plan
        await asyncio.sleep(plan.lead_s)
        for name in ORDER:
            await self.injector.kill_service(name)
            await asyncio.sleep(plan.gap_s)
        if plan.broker is not None:
            await self.injector.restart_broker(plan.broker)
            await asyncio.sleep(plan.gap_s)
        if plan.database == "pause":
            await self.injector.pause_database(plan.database_s)
        elif plan.database == "stop":
            await self.injector.stop_database(plan.database_s)
        await asyncio.sleep(plan.tail_s)

    async def _drain(self, sender: Sender) -> float:
        """Wait, within the plan's bound, until every accepted report reached the end."""
        started = time.monotonic()
        sent = sender.of_phase(PHASE)
        while time.monotonic() - started < self.plan.drain_s:
            if not await still_waiting(sent, self.watcher, self.mongo, DATABASE):
                left = await checks.leftovers(
                    self.mongo, DATABASE, self.settings.kafka_bootstrap, self.prefix
                )
                if left.none:
                    break
            await asyncio.sleep(2.0)
        return time.monotonic() - started


def account(faults: list[Fault], verdict: Verdict, parked: poison.Parked) -> str:
    """The faults, the counts and the verdict, as printed text."""
    lines = ["", "faults injected under load:"]
    for fault in faults:
        at = time.strftime("%H:%M:%S", time.localtime(fault.at))
        lines.append(f"  {at}  {fault.what} (whole again after {fault.outage_s:.1f} s)")
    lines += ["", "counts:"]
    lines += [f"  {label:<62} {value:>7}" for label, value in verdict.counts]
    reasons = sorted(
        {r for services in parked.by_label.values() for r in services.values()}
    )
    lines += ["", "reasons given for parking:", *(f"  {r[:110]}" for r in reasons), ""]
    lines += [f"FAIL: {failure}" for failure in verdict.failures]
    if not verdict.failures:
        lines.append(
            "PASS: every answered report is one case, every event and alert once, "
            "all delivered, nothing left, every poison message parked"
        )
    return "\n".join(lines)
