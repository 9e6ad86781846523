"""What `gridloop status` shows: services, consumer lag, outbox and dead-letter backlogs."""

import asyncio
from dataclasses import dataclass, field

import httpx
from prometheus_client.parser import text_string_to_metric_families

from shared.lag import LagReader, PartitionLag

SERVICE_PORTS = {"intake": 8001, "router": 8002, "casework": 8003, "notifier": 8004}
TRANSIENT_GROUP_PREFIXES = ("test-", "demo-", "bench-")


@dataclass
class ServiceStatus:
    """One service as its own endpoints describe it."""

    name: str
    port: int
    ready: bool | None = None
    checks: dict[str, str] = field(default_factory=dict)
    outbox_pending: float | None = None


async def service_status(host: str, name: str, port: int) -> ServiceStatus:
    """Readiness and outbox backlog of one service; ``ready`` is None when unreachable."""
    status = ServiceStatus(name, port)
    async with httpx.AsyncClient(base_url=f"http://{host}:{port}", timeout=3) as client:
        try:
            ready = await client.get("/readyz")
            metrics = await client.get("/metrics")
        except httpx.HTTPError:
            return status

    status.ready = ready.status_code == 200
    status.checks = ready.json().get("checks", {})
    for family in text_string_to_metric_families(metrics.text):
        if family.name == "gridloop_outbox_pending":
            status.outbox_pending = sum(sample.value for sample in family.samples)
    return status


async def all_services(host: str = "127.0.0.1") -> list[ServiceStatus]:
    """Every service's status, asked concurrently."""
    return list(
        await asyncio.gather(
            *(service_status(host, name, port) for name, port in SERVICE_PORTS.items())
        )
    )


async def consumer_lag(bootstrap: str, *, transient: bool = False) -> list[PartitionLag]:
    """Lag of every lasting consumer group (and test or bench groups if ``transient``)."""
    async with LagReader(bootstrap) as reader:
        groups = [
            g
            for g in await reader.groups()
            if transient or not g.startswith(TRANSIENT_GROUP_PREFIXES)
        ]
        found: list[PartitionLag] = []
        for group in groups:
            found.extend(await reader.lag(group))
        return found
