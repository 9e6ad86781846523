"""Every service answers health, readiness and metrics; Prometheus scrapes them all."""

import uuid

import httpx
import pytest

from shared.auth import Principal, Role, issue
from shared.launcher import SERVICES, Stack
from shared.settings import ServiceSettings
from tests.conftest import GROUP_PREFIX
from tests.e2e.test_report_to_department import AUTH, a_report, case_for
from tests.kafka_tools import eventually

pytestmark = pytest.mark.servers

PROMETHEUS = "http://127.0.0.1:9090"


@pytest.mark.parametrize(("name", "port"), SERVICES.items())
async def test_service_answers_health_readiness_and_metrics(
    stack: Stack, name: str, port: int
) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
        health = await client.get("/healthz")
        ready = await client.get("/readyz")
        metrics = await client.get("/metrics")

    assert health.json() == {"status": "ok", "service": name}
    checks = ready.json()["checks"]
    assert {"kafka", "mongodb"} <= set(checks)
    assert set(checks.values()) == {"ok"}
    assert metrics.headers["content-type"].startswith("text/plain")
    assert f'gridloop_service_info{{service="{name}",version=' in metrics.text
    assert "gridloop_http_requests_total" in metrics.text


async def test_prometheus_scrapes_all_four_services(stack: Stack) -> None:
    async def all_up() -> dict[str, str]:
        async with httpx.AsyncClient(timeout=5) as client:
            answer = await client.get(
                f"{PROMETHEUS}/api/v1/query",
                params={"query": 'up{job=~"intake|router|casework|notifier"}'},
            )
        samples = answer.json()["data"]["result"]
        values = {s["metric"]["job"]: s["value"][1] for s in samples}
        return values if values == dict.fromkeys(SERVICES, "1") else {}

    assert await eventually(all_up, timeout=30), "Prometheus does not see all four up"


@pytest.mark.parametrize("name", ["router", "casework", "notifier"])
async def test_consumers_report_their_lag(stack: Stack, name: str) -> None:
    # A group that has handled nothing yet has committed nothing to measure from.
    async with httpx.AsyncClient(timeout=10, headers=AUTH) as client:
        sent = await client.post(
            "http://127.0.0.1:8001/v1/reports", json=a_report(location=None)
        )
        assert sent.status_code == 202, sent.text

    async def lag_lines() -> list[str]:
        async with httpx.AsyncClient(timeout=5) as client:
            text = (await client.get(f"http://127.0.0.1:{SERVICES[name]}/metrics")).text
        prefix = f'gridloop_consumer_lag_messages{{group="{GROUP_PREFIX}{name}"'
        return [line for line in text.splitlines() if line.startswith(prefix)]

    assert await eventually(lag_lines, timeout=40)


async def test_casework_counts_open_cases_and_times_each_stage(stack: Stack) -> None:
    report = a_report(location=None)
    async with httpx.AsyncClient(timeout=10, headers=AUTH) as client:
        await client.post("http://127.0.0.1:8001/v1/reports", json=report)
        cases = await eventually(lambda: case_for(client, report["report_id"]))
        desk = issue(
            Principal(role=Role.DEPARTMENT, sub="desk-ops", department="urban_management"),
            ServiceSettings().signing_key,
        )
        signed = await client.post(
            f"http://127.0.0.1:8003/v1/cases/{cases[0]['case_id']}/sign",
            json={"command_id": str(uuid.uuid4()), "expected_version": cases[0]["version"]},
            headers={"Authorization": f"Bearer {desk}"},
        )
        assert signed.status_code == 200, signed.text

    async def casework_metrics() -> str:
        async with httpx.AsyncClient(timeout=5) as client:
            text = (await client.get("http://127.0.0.1:8003/metrics")).text
        wanted = (
            'gridloop_cases_open{department="urban_management"',
            'gridloop_case_stage_duration_seconds_count{department="urban_management"'
            ',stage="dispatched"}',
        )
        return text if all(line in text for line in wanted) else ""

    assert await eventually(casework_metrics, timeout=20)
