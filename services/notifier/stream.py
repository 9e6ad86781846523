"""Server-Sent Events for live boards: each department its own, operators everything.

The stream is live only: a board that connects sees what happens from then on
and reads history from its department topic or the delivery log.
"""

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import Counter

logger = logging.getLogger(__name__)

QUEUE_SIZE = 500
HEARTBEAT_S = 15.0

STREAM_DROPS = Counter(
    "gridloop_stream_dropped_total",
    "Live-board events dropped because a subscriber fell too far behind.",
)


@dataclass(eq=False)
class Watcher:
    """One open stream: the department it may see (None for operators) and its queue."""

    department: str | None
    queue: asyncio.Queue[dict[str, Any]] = field(
        default_factory=lambda: asyncio.Queue(QUEUE_SIZE)
    )


class Hub:
    """Fans notices out to open streams."""

    def __init__(self) -> None:
        self.watchers: set[Watcher] = set()

    def publish(self, departments: set[str], event: dict[str, Any]) -> None:
        """Offer ``event`` to operators and to streams of the given departments."""
        for watcher in list(self.watchers):
            if watcher.department is not None and watcher.department not in departments:
                continue
            try:
                watcher.queue.put_nowait(event)
            except asyncio.QueueFull:
                STREAM_DROPS.inc()

    async def follow(self, department: str | None) -> AsyncIterator[str]:
        """SSE frames for one subscriber until it disconnects."""
        watcher = Watcher(department)
        self.watchers.add(watcher)
        try:
            yield ": connected\n\n"
            while True:
                try:
                    event = await asyncio.wait_for(watcher.queue.get(), HEARTBEAT_S)
                except TimeoutError:
                    yield ": heartbeat\n\n"
                    continue
                data = json.dumps(event, ensure_ascii=False, default=str)
                yield f"id: {event['id']}\nevent: {event['kind']}\ndata: {data}\n\n"
        finally:
            self.watchers.discard(watcher)
