"""Casework throughput and query times on the real servers.

Prints commands per second through casework's HTTP command route next to raw
single-document conditional updates per second with the same driver on the same
server, then the time of GET /v1/cases and GET /v1/stats at each stored case count.
Runs its own casework process on its own port and database, so it disturbs nobody.
"""

import argparse
import asyncio
import copy
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from pymongo import AsyncMongoClient

from services.casework.clock import WorkClock
from services.casework.opening import CaseOpener
from services.casework.store import CaseStore
from shared.auth import Principal, Role, issue
from shared.contracts import Report, Reporter, RoutingDecision
from shared.launcher import ROOT, service_env, wait_ready
from shared.registry import demo_registry
from shared.settings import ServiceSettings

PORT = 8023
DB = "gridloop_bench_casework"
REGISTRY = demo_registry()
DEPARTMENTS = ("urban_management", "market_supervision", "civil_affairs", "public_security")
STATUSES = ("dispatched", "signed", "disposed", "verified", "filed")


def routed(department: str, grid: str) -> RoutingDecision:
    """A routing decision for a fresh report."""
    now = datetime.now(UTC)
    report = Report(
        report_id=str(uuid.uuid4()),
        channel="app",
        grid_code=grid,
        description="Bench report",
        observed_at=now,
        reporter=Reporter(kind="grid_staff", id="bench"),
        received_at=now,
    )
    return RoutingDecision(
        report=report,
        category="construction_waste",
        level=2,
        tier="department",
        department=department,
        explanation="bench",
    )


def template() -> dict[str, Any]:
    """One case document as casework stores it, with its outbox already published."""
    opener = CaseOpener(None, None, WorkClock(lambda: REGISTRY), lambda: REGISTRY)  # type: ignore[arg-type]
    doc = opener.build(routed(DEPARTMENTS[0], "G-01-01"), "bench", datetime.now(UTC))
    doc.update(outbox=[], outbox_pending=False, next_timer_at=None)
    return doc


def variant(base: dict[str, Any], number: int) -> dict[str, Any]:
    """A varied copy of the template: department, grid, status, age and summary."""
    doc = copy.deepcopy(base)
    grid = REGISTRY.grids[number % len(REGISTRY.grids)]
    opened = datetime.now(UTC) - timedelta(hours=number % 2000)
    doc.update(
        _id=f"C-BENCH-{number:08d}",
        report_id=f"bench-{uuid.uuid4()}",
        department=DEPARTMENTS[number % len(DEPARTMENTS)],
        grid_code=grid.code,
        village_code=grid.village_code,
        status=STATUSES[number % len(STATUSES)],
        overdue=number % 7 == 0,
        created_at=opened,
        summary={
            "opened_at": opened,
            "sign_s": 600 + number % 5000,
            "dispose_s": 20_000 + number % 50_000,
            **(
                {"close_s": 90_000.0, "on_time": number % 5 != 0} if number % 5 == 4 else {}
            ),
            "returned": number % 11 == 0,
            "reopened": number % 13 == 0,
            **({"satisfaction": 1 + number % 5} if number % 5 == 4 else {}),
        },
    )
    return doc


async def pool(count: int, workers: int, job: Callable[[int], Awaitable[None]]) -> float:
    """Run ``job`` for 0..count-1 on a few concurrent workers; the seconds it took."""
    queue = iter(range(count))

    async def worker() -> None:
        for number in queue:
            await job(number)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    return time.perf_counter() - started


async def timed(client: httpx.AsyncClient, path: str, **params: Any) -> float:
    """The median of three timings of one GET, in milliseconds.

    One timing when the first takes over ten seconds: at that size the figure is
    about scanning, and repeating it would only make the run last an hour longer.
    """
    times: list[float] = []
    while len(times) < 3:
        started = time.perf_counter()
        answer = await client.get(path, params=params)
        answer.raise_for_status()
        times.append((time.perf_counter() - started) * 1000)
        if times[0] > 10_000:
            break
    return statistics.median(times)


async def bench(commands: int, workers: int, sizes: list[int]) -> None:
    """Measure and print."""
    settings = ServiceSettings()
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        settings.mongo_url, tz_aware=True
    )
    await mongo.drop_database(DB)
    db = mongo[DB]
    store = CaseStore(db)
    await store.prepare()
    base = template()

    sign = [variant(base, n) | {"status": "dispatched"} for n in range(commands)]
    for doc in sign:
        doc["department"] = DEPARTMENTS[0]
    await db["cases"].insert_many(sign)
    raw = [variant(base, commands + n) for n in range(commands)]
    await db["cases"].insert_many(raw)

    key = settings.signing_key
    desk = issue(
        Principal(role=Role.DEPARTMENT, sub="bench", department=DEPARTMENTS[0]), key
    )
    operator = issue(Principal(role=Role.OPERATOR, sub="bench-op"), key)
    env = service_env(
        mongo_db=DB,
        casework_port=str(PORT),
        casework_subscribe="false",
        log_level="WARNING",
    )
    log = (ROOT / "test-artifacts").resolve()
    log.mkdir(exist_ok=True)
    with (log / "bench-casework.log").open("ab") as out:
        process = subprocess.Popen(  # noqa: ASYNC220
            [sys.executable, "-m", "services.casework"], cwd=ROOT, env=env, stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_ready("casework", PORT, process)
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{PORT}", timeout=600
        ) as client:

            async def command(number: int) -> None:
                answer = await client.post(
                    f"/v1/cases/{sign[number]['_id']}/sign",
                    json={"command_id": f"bench-{number}", "expected_version": 1},
                    headers={"authorization": f"Bearer {desk}"},
                )
                answer.raise_for_status()

            async def update(number: int) -> None:
                doc = raw[number]
                result = await store.apply(
                    doc["_id"],
                    1,
                    1,
                    {
                        "$set": {
                            "status": "signed",
                            "version": 2,
                            "state.status": "signed",
                        },
                        "$push": {
                            "timeline": {"version": 2, "action": "sign"},
                            "outbox": {"$each": [{"topic": "x", "event": {}}]},
                        },
                        "$inc": {"outbox_seq": 1},
                    },
                )
                assert result

            for doc in raw:
                doc["outbox_seq"] = 1
            await db["cases"].update_many(
                {"_id": {"$in": [d["_id"] for d in raw]}}, {"$set": {"outbox_seq": 1}}
            )
            print(f"{len(sign) + len(raw)} cases stored; sending {commands} commands")
            through = commands / await pool(commands, workers, command)
            direct = commands / await pool(commands, workers, update)
            print(
                f"commands through casework: {through:8.0f} /s  "
                f"({commands} commands, {workers} at once)"
            )
            print(f"raw conditional updates:   {direct:8.0f} /s  (same driver and server)")
            print(f"ratio casework / raw:      {through / direct:8.2f}")

            client.headers["authorization"] = f"Bearer {operator}"
            stored = 2 * commands
            for size in sizes:
                while stored < size:
                    batch = min(5000, size - stored)
                    await db["cases"].insert_many(
                        [variant(base, stored + n) for n in range(batch)]
                    )
                    stored += batch
                lists = await timed(client, "/v1/cases")
                filtered = await timed(
                    client, "/v1/cases", department=DEPARTMENTS[1], status="signed"
                )
                overdue = await timed(client, "/v1/cases", overdue="true", sort="due")
                by_department = await timed(client, "/v1/stats", by="department")
                by_period = await timed(client, "/v1/stats", by="period", period="week")
                print(
                    f"{size:>9,} cases: GET /v1/cases {lists:7.0f} ms, filtered "
                    f"{filtered:7.0f} ms, overdue by due {overdue:7.0f} ms; GET /v1/stats "
                    f"by department {by_department:8.0f} ms, by week {by_period:8.0f} ms"
                )
    finally:
        process.terminate()
        process.wait(timeout=20)
        await mongo.drop_database(DB)
        await mongo.close()


def main() -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--commands", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--sizes", default="10000", help="comma-separated case counts")
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]
    asyncio.run(bench(options.commands, options.workers, sizes))


if __name__ == "__main__":
    main()
