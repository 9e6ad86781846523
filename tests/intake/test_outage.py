"""An intake process of our own whose Kafka we cut off: reports wait, then become cases."""

import asyncio
import functools
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.launcher import ROOT, Stack, service_env, wait_ready
from tests.conftest import GROUP_PREFIX, TEST_DB
from tests.intake.helpers import TcpProxy, a_report, grid_head, resident_report
from tests.intake.test_reports import cases_for
from tests.kafka_tools import eventually

pytestmark = pytest.mark.servers

PORT = 18011
URL = f"http://127.0.0.1:{PORT}"
REDIRECT = Path(__file__).parent / "kafka_redirect"


@pytest.fixture(scope="module")
async def proxied(stack: Stack, artifacts: Path) -> AsyncIterator[TcpProxy]:
    """Intake on its own port, reaching Kafka only through a proxy we can close.

    It has a database of its own: the stack's intake would otherwise relay its
    unpublished reports through its own, working, connection.
    """
    proxy = TcpProxy()
    await proxy.open()
    env = service_env(
        env="test",
        mongo_db=f"{TEST_DB}_proxied",
        kafka_bootstrap=f"127.0.0.1:{proxy.port}",
        outbox_interval_s="0.5",
        outbox_idle_s="2",
        group_prefix=f"{GROUP_PREFIX}proxied-",
        intake_port=str(PORT),
        intake_resident_burst="2",
        intake_resident_per_minute="1",
    )
    env["GRIDLOOP_TEST_KAFKA_REDIRECT"] = f"127.0.0.1:9092=127.0.0.1:{proxy.port}"
    env["PYTHONPATH"] = f"{REDIRECT}:{ROOT}"
    log = (artifacts / "service-logs" / "intake-proxied.log").open("ab")
    process = await asyncio.to_thread(
        subprocess.Popen,
        [sys.executable, "-m", "services.intake"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    try:
        await asyncio.to_thread(wait_ready, "intake-proxied", PORT, process)
        yield proxy
    finally:
        process.terminate()
        await asyncio.to_thread(process.wait, 20)
        await proxy.close()


async def test_reports_accepted_while_kafka_is_away_become_cases(proxied: TcpProxy) -> None:
    reports = [a_report() for _ in range(3)]
    await proxied.close()
    try:
        async with httpx.AsyncClient(base_url=URL, timeout=20) as client:
            answers = [
                await client.post("/v1/reports", json=r, headers=grid_head("G-03-07"))
                for r in reports
            ]
            held = [
                (await client.get(f"/v1/reports/{r['report_id']}")).json() for r in reports
            ]
    finally:
        await proxied.open()

    assert [a.status_code for a in answers] == [202, 202, 202]
    assert [h["published"] for h in held] == [False, False, False]
    for report in reports:
        report_id: str = report["report_id"]
        cases: list[dict[str, Any]] = await eventually(
            functools.partial(cases_for, report_id), timeout=60
        )
        assert len(cases) == 1


async def test_residents_without_an_account_are_rate_limited(proxied: TcpProxy) -> None:
    async with httpx.AsyncClient(base_url=URL, timeout=10) as client:
        answers = [
            await client.post("/v1/reports", json=resident_report()) for _ in range(3)
        ]

    assert [a.status_code for a in answers] == [202, 202, 429]
    assert int(answers[2].headers["retry-after"]) >= 1
    assert answers[2].json()["error"]["code"] == "rate_limited"
