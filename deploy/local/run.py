"""Runs the whole system locally, feeds it demo reports and narrates each case.

Started by `make run` after `make up`. The demo starts from now: the broker it shares
with the test suite and the benchmarks may hold their unread traffic, which is not the
demo's and is left behind. Ctrl-C lets the services finish what the demo sent them,
then stops them and the infrastructure that `make up` started.
"""

import asyncio
import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from deploy.local.demo_fieldwork import feed_fieldwork, load_plan  # noqa: E402
from ops.backlog import skip_to_end  # noqa: E402
from ops.status import TRANSIENT_GROUP_PREFIXES, consumer_lag  # noqa: E402
from shared.launcher import SERVICES, Stack, service_env  # noqa: E402
from shared.topics import CASES_EVENTS, CASES_EVENTS_URGENT  # noqa: E402

LOCAL = Path(os.environ.get("GRIDLOOP_LOCAL", ROOT / ".local"))
KAFKA = "127.0.0.1:9092"
DRAIN_S = 30.0
INTAKE = "http://127.0.0.1:8001"
CASEWORK = "http://127.0.0.1:8003"

logger = logging.getLogger("gridloop.run")


def say(message: str) -> None:
    """Print a line for the person watching."""
    print(f"[gridloop] {message}", flush=True)


async def narrate(ready: asyncio.Event) -> None:
    """Print one line per case transition as it is published."""
    consumer = AIOKafkaConsumer(
        CASES_EVENTS,
        CASES_EVENTS_URGENT,
        bootstrap_servers=KAFKA,
        group_id=f"demo-narrator-{uuid.uuid4()}",
        auto_offset_reset="latest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        while not consumer.assignment():  # noqa: ASYNC110 - aiokafka offers no event for it
            await asyncio.sleep(0.2)
        ready.set()
        async for record in consumer:
            event = json.loads(record.value)
            case = event["payload"]["case"]
            say(
                f"case {case['case_id']} {event['event_type']}: {case['status']}"
                f" -> {case['department']} (grid {case['grid_code']},"
                f" {case['category'] or 'uncategorised'})"
            )
    finally:
        await consumer.stop()


def write_credentials() -> dict[str, str]:
    """Demo credentials for every role, in .local/credentials.json, explained on screen."""
    path = LOCAL / "credentials.json"
    command = [sys.executable, "-m", "services.intake.credentials", "--out", str(path)]
    subprocess.run(command, cwd=ROOT, env=service_env(env="dev"), check=True)
    tokens: dict[str, str] = json.loads(path.read_text())
    return tokens


async def feed(reports: list[dict[str, str]], tokens: dict[str, str]) -> None:
    """Submit the demo reports one by one, each with its grid head's credential."""
    async with httpx.AsyncClient(timeout=10) as client:
        for item in reports:
            token = tokens[f"grid_head:{item['grid_code']}"]
            report = {
                **item,
                "report_id": str(uuid.uuid4()),
                "observed_at": datetime.now(UTC).isoformat(),
                "reporter": {"kind": "grid_staff", "id": f"staff-{item['grid_code']}"},
            }
            answer = await client.post(
                f"{INTAKE}/v1/reports",
                json=report,
                headers={"Authorization": f"Bearer {token}"},
            )
            channel, code = report["channel"], answer.status_code
            say(f"report {report['report_id']} from {channel}: HTTP {code}")
            await asyncio.sleep(1.0)


def service_group(group: str) -> bool:
    """A group of the deployment's own services: lasting, and no operator tool's."""
    return not group.startswith((*TRANSIENT_GROUP_PREFIXES, "gridloop-"))


async def start_from_now() -> None:
    """Leave behind what others put on the shared topics since the demo last ran."""
    skipped = await skip_to_end(KAFKA, chosen=service_group)
    if skipped:
        say(f"left {skipped} messages of other runs on this broker unread: not the demo's")


async def drain() -> None:
    """Wait, a while at most, until the services have read what the demo sent them."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DRAIN_S
    while True:
        left = sum(p.lag for p in await consumer_lag(KAFKA) if service_group(p.group))
        if left == 0:
            return
        if loop.time() > deadline:
            say(f"{left} messages still unread after {DRAIN_S:.0f} s; stopping anyway")
            return
        await asyncio.sleep(1.0)


async def main() -> None:
    """Start, feed, narrate, and wait for Ctrl-C."""
    log_dir = LOCAL / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    # New groups start at the end too, for the same reason as start_from_now.
    env = service_env(env="dev", consumer_start="latest")
    stack = Stack(env=env, log_dir=log_dir, own_session=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    try:
        await start_from_now()
        for name in SERVICES:
            await asyncio.to_thread(stack.start, name)
            say(f"{name} ready on port {SERVICES[name]}")

        listening = asyncio.Event()
        narrator = asyncio.create_task(narrate(listening))
        await asyncio.wait_for(listening.wait(), timeout=30)

        tokens = write_credentials()
        reports = json.loads((ROOT / "deploy/local/demo_reports.json").read_text())
        await feed(reports, tokens)
        began = datetime.now(UTC) - timedelta(minutes=5)
        await feed_fieldwork(CASEWORK, tokens, say, load_plan())
        say("demo stream sent. Look at:")
        say("  console     http://127.0.0.1:8003/console/ (a token from the credentials)")
        say("  cases       http://127.0.0.1:8003/v1/cases")
        say(
            f"  field work  .venv/bin/gridloop report --from {began:%Y-%m-%dT%H:%M}"
            f" --to {datetime.now(UTC) + timedelta(hours=1):%Y-%m-%dT%H:%M}"
        )
        say("  intake API  http://127.0.0.1:8001/docs")
        say("  Prometheus  http://127.0.0.1:9090 (query: up)")
        say(f"  logs        {log_dir}")
        say("Ctrl-C stops everything.")
        await stop.wait()
        narrator.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await narrator
        say("letting the services finish what they were sent")
        await drain()
    finally:
        say("stopping services")
        stack.stop_all()
        down = ["bash", str(ROOT / "deploy/local/down.sh")]
        await asyncio.to_thread(subprocess.run, down, check=False)


if __name__ == "__main__":
    asyncio.run(main())
