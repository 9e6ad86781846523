"""How the work split between the two instances of each consuming service.

Each instance counts the messages it handled (FastStream's Prometheus middleware);
reading every instance's ``/metrics`` shows whether both took part of the group.
"""

import logging

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bench.cluster.fleet import Fleet

logger = logging.getLogger(__name__)

PROCESSED = "gridloop_kafka_received_processed_messages"
CONSUMING = ("router", "casework", "notifier")


async def handled(client: httpx.AsyncClient, url: str) -> int:
    """Messages one instance has handled so far; -1 when it does not answer."""
    try:
        response = await client.get(f"{url}/metrics", timeout=5)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        logger.info("no metrics from %s: %s", url, exc)
        return -1

    return int(
        sum(
            sample.value
            for family in text_string_to_metric_families(response.text)
            if family.name == PROCESSED
            for sample in family.samples
            if sample.name == f"{PROCESSED}_total"
        )
    )


async def split(client: httpx.AsyncClient, fleet: Fleet) -> dict[str, int]:
    """Messages handled by every live instance of the consuming services."""
    return {
        instance.name: await handled(client, instance.url)
        for instance in fleet.instances
        if instance.service in CONSUMING and instance.alive
    }
