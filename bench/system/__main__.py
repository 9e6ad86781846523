"""`make bench`: the whole system under load on this machine, next to its raw limit.

Holds the servers lock, starts (or reuses) the servers with deploy/local/up.sh, then:

1. the raw chain: bare aiokafka and PyMongo through the same hops and writes;
2. the four services (``shared.launcher.Stack``, consumer groups and a database of the
   benchmark's own): a warm-up, the saturation phase (a fixed number of reports in
   the pipeline), then reports offered at each fixed rate for a bounded time,
   followed by a bounded wait for what was accepted; each rate after the first
   gets freshly started services on an emptied database, since the previous rate
   left a backlog;
3. writes bench/results/latest.json and prints a table.

Every phase reports what was offered, accepted (202), carried to the department, and
left behind, with the delays of what got through.
"""

import argparse
import asyncio
import logging
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from pymongo import AsyncMongoClient

from bench.lock import servers_lock
from bench.system import phases, pipeline, raw, results
from bench.system.machine import describe
from bench.system.phases import PhaseResult
from bench.watch import Watcher, department_topics, prepare_department_topics
from ops.load.credentials import Credentials
from ops.load.photos import PhotoPool
from ops.load.sender import Sender
from ops.load.stream import Mix, ReportStream
from shared.launcher import ROOT, SERVICES
from shared.registry import demo_registry
from shared.settings import ServiceSettings

logger = logging.getLogger("gridloop.bench")

INTAKE = f"http://127.0.0.1:{SERVICES['intake']}"
WARMUP_REPORTS = 10
WARMUP_WAIT_S = 90.0


def say(message: str) -> None:
    """One line of narration."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def options() -> argparse.Namespace:
    """Command-line settings; the defaults keep the run under about ten minutes."""
    parser = argparse.ArgumentParser(prog="python -m bench.system", description=__doc__)
    parser.add_argument(
        "--rates", default="50,200", help="offered reports/s, comma-separated"
    )
    parser.add_argument(
        "--offer-s", type=float, default=30.0, help="seconds each rate is offered"
    )
    parser.add_argument(
        "--drain-s", type=float, default=60.0, help="most seconds to wait after"
    )
    parser.add_argument("--saturation-s", type=float, default=40.0)
    parser.add_argument(
        "--in-pipeline", type=int, default=32, help="reports kept in flight"
    )
    parser.add_argument("--raw-s", type=float, default=30.0)
    parser.add_argument("--max-in-flight", type=int, default=400)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/latest.json")
    parser.add_argument(
        "--no-up", action="store_true", help="do not run deploy/local/up.sh"
    )
    return parser.parse_args()


def servers_up() -> None:
    """Start the servers, or reuse those another checkout runs."""
    env = {**os.environ, "GRIDLOOP_REUSE_SERVERS": "1"}
    subprocess.run(["bash", str(ROOT / "deploy/local/up.sh")], env=env, check=True)


class Bench:
    """One benchmark run: its clients, the watcher and what it measured."""

    def __init__(self, opts: argparse.Namespace) -> None:
        self.opts = opts
        self.settings = ServiceSettings(env="test")
        self.run_id = uuid.uuid4().hex[:6]
        self.registry = demo_registry()
        self.credentials = Credentials.signed(self.registry, self.settings)
        self.photos = PhotoPool()
        self.mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
            self.settings.mongo_url, tz_aware=True, serverSelectionTimeoutMS=10_000
        )
        self.watcher = Watcher(self.settings.kafka_bootstrap, department_topics())
        self.weights = pipeline.Weights()
        self.results: list[PhaseResult] = []
        self.log_dir = ROOT / ".local" / "bench-logs"

    def sender(self, client: httpx.AsyncClient, mix: Mix, seed: int) -> Sender:
        """A sender of the realistic stream (or ``mix``) to the phase's intake."""
        stream = ReportStream(self.registry, mix, seed=seed, tag=f"bench {self.run_id}")
        return Sender(
            client,
            [INTAKE],
            stream,
            self.credentials,
            photos=self.photos,
            attempts=2,
            max_in_flight=self.opts.max_in_flight,
        )

    async def stack_phases(
        self, client: httpx.AsyncClient, label: str, rates: list[float], saturation: bool
    ) -> None:
        """Start a stack, warm it up, run its phases, stop it whatever happens."""
        stack = pipeline.phase_stack(self.run_id, label, self.log_dir)
        sampler: asyncio.Task[None] | None = None
        try:
            took = await pipeline.start(stack, self.mongo)
            say(f"services started on an empty database in {took:.0f} s ({label})")
            sampler = asyncio.create_task(self.weights.follow(stack))
            await self.warm_up(client, label)
            if saturation:
                await self.saturation(client)
            for rate in rates:
                await self.offered(client, rate)
        finally:
            if sampler is not None:
                sampler.cancel()
            self.weights.sample(stack)
            await asyncio.to_thread(stack.stop_all)

    async def warm_up(self, client: httpx.AsyncClient, label: str) -> None:
        """A few reports through every hop: connections, caches, topic metadata."""
        sender = self.sender(client, Mix.unique(), seed=1)
        name = f"warmup-{label}"
        await asyncio.gather(*(sender.send_one(name) for _ in range(WARMUP_REPORTS)))
        waited = await phases.wait_for_alerts(
            sender.of_phase(name),
            self.watcher,
            WARMUP_WAIT_S,
            self.mongo,
            pipeline.DATABASE,
        )
        alerted = sum(self.watcher.alerted(s.report_id) is not None for s in sender.sent)
        say(f"warm-up: {alerted} of {WARMUP_REPORTS} reports alerted in {waited:.0f} s")

    async def saturation(self, client: httpx.AsyncClient) -> None:
        """A fixed number of reports in the pipeline: its sustained end-to-end rate."""
        opts = self.opts
        say(
            f"saturation: {opts.in_pipeline} reports in the pipeline "
            f"for {opts.saturation_s:.0f} s"
        )
        # No second voices and every category named: a report that joins a case or
        # waits in triage alerts nobody, so nothing would say when it is through.
        sender = self.sender(client, Mix(duplicates=0, resends=0, hinted=1), seed=2)
        sent = await phases.closed_loop(
            sender,
            self.watcher,
            "saturation",
            opts.in_pipeline,
            opts.saturation_s,
            self.mongo,
            pipeline.DATABASE,
        )
        result = PhaseResult("saturation", None, opts.saturation_s)
        await self.count(result, sent, 0)

    async def offered(self, client: httpx.AsyncClient, rate: float) -> None:
        """``rate`` reports/s for a bounded time, then a bounded wait for them."""
        opts = self.opts
        name = f"offered-{rate:g}"
        say(f"{name}: {rate:g} reports/s for {opts.offer_s:.0f} s, the realistic mix")
        sender = self.sender(client, Mix(), seed=int(rate))
        sent, waited = await phases.offered(
            sender,
            self.watcher,
            name,
            rate,
            (opts.offer_s, opts.drain_s),
            self.mongo,
            pipeline.DATABASE,
        )
        result = PhaseResult(
            name, rate, opts.offer_s, waited_after_offer_s=round(waited, 1)
        )
        await self.count(result, sent, sender.skipped[name])

    async def count(self, result: PhaseResult, sent: list[Any], skipped: int) -> None:
        """Measure a finished phase and say what it came to."""
        await phases.measure(
            result, sent, skipped, self.watcher, self.mongo, pipeline.DATABASE
        )
        self.results.append(result)
        say(
            f"{result.name}: offered {result.offered}, skipped {result.skipped}, "
            f"accepted {result.accepted}, alerted {result.alerted}, joined an open case "
            f"{result.joined_open_case}, in triage {result.in_triage}, "
            f"backlog {result.backlog}; "
            f"{result.completed_per_s} reports/s carried through"
        )

    async def run(self) -> dict[str, Any]:
        """Everything, in order; the JSON document of the results."""
        opts = self.opts
        started = time.monotonic()
        machine = await describe(self.mongo)
        say(f"machine: {machine}")

        say(
            f"raw chain: {opts.in_pipeline} reports in the bare chain "
            f"for {opts.raw_s:.0f} s"
        )
        bare = await raw.measure(
            self.settings.kafka_bootstrap,
            self.settings.mongo_url,
            opts.in_pipeline,
            opts.raw_s,
        )
        say(f"raw chain: {bare.reports_per_s} reports/s")

        await prepare_department_topics(self.settings.kafka_bootstrap)
        await self.watcher.start()
        rates = [float(rate) for rate in opts.rates.split(",") if rate.strip()]
        limits = httpx.Limits(max_connections=opts.max_in_flight)
        try:
            async with httpx.AsyncClient(limits=limits, trust_env=False) as client:
                await self.stack_phases(client, "a", rates[:1], saturation=True)
                for number, rate in enumerate(rates[1:], start=1):
                    await self.stack_phases(client, chr(ord("a") + number), [rate], False)
        finally:
            await self.watcher.stop()
            await self.mongo.drop_database(pipeline.DATABASE)
            await self.mongo.close()

        headline = results.summary(
            self.results, bare, self.weights.peak_mb, self.weights.last_mb
        )
        print(results.table(self.results, bare, headline))
        return {
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            **headline,
            "machine": machine,
            "raw_chain": vars(bare),
            "phases": [phase.as_json() for phase in self.results],
            "settings": {k: str(v) for k, v in vars(opts).items()},
            "duration_s": round(time.monotonic() - started),
        }


async def _run(opts: argparse.Namespace) -> dict[str, Any]:
    """Build the run inside the event loop (Kafka clients want one) and run it."""
    return await Bench(opts).run()


def main() -> int:
    """Take the lock, bring the servers up, run, write the results."""
    opts = options()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # aiokafka logs an error for every retried first fetch on a topic created a moment
    # before; the runs check what arrived instead.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    with servers_lock():
        if not opts.no_up:
            servers_up()
        document = asyncio.run(_run(opts))
    results.write(opts.out, document)
    say(f"wrote {opts.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
