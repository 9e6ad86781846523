"""Closes digest windows: a burst to one receiver becomes one message per window.

Items are stored as ``grouped`` jobs carrying their window. Once a window has
ended (plus a grace period for events still being written), its items become
one digest job. The digest's id follows from the window and a sequence number,
and items are marked only after the digest is stored, so a crash in between
rebuilds the same digest rather than sending the items twice. Items read after their
window closed (the notifier was behind by more than the grace) go out as a second
digest for the same window, never lost and never folded into a later window.

TODO: close a window when the consumer has read past it rather than by wall clock, so
a lagging notifier still sends one digest per window; it needs the consumer's
position per partition, which the planner does not see today.
"""

import asyncio
import logging
from datetime import timedelta

from services.notifier.jobs import QUEUED, JobStore, digest_id, utcnow
from services.notifier.rules import Receiver
from services.notifier.schedule import quiet_until
from services.notifier.templates import Message, render_digest
from shared.mongo import Document

logger = logging.getLogger(__name__)


class Digester:
    """Turns ended windows of grouped jobs into digest jobs."""

    def __init__(self, jobs: JobStore, window_s: float, grace_s: float) -> None:
        self.jobs = jobs
        self.window_s = window_s
        self.grace_s = grace_s

    async def close_due(self) -> int:
        """Build digests for every ended window; returns how many were stored."""
        now = utcnow()
        built = 0
        for group_key in await self.jobs.closed_windows(
            now - timedelta(seconds=self.grace_s)
        ):
            sequence, items = await self.jobs.gather(group_key)
            if items:
                await self.jobs.add_digest(digest_job(group_key, sequence, items))
                built += 1
                logger.info("digest of %d for %s", len(items), items[0]["audience"])
        return built

    async def run(self, wake: asyncio.Event) -> None:
        """Close windows for the life of the process, a few times per window."""
        pause = min(max(self.window_s / 4, 0.2), 5.0)
        while True:
            if await self.close_due():
                wake.set()
            await asyncio.sleep(pause)


def digest_job(group_key: str, sequence: int, items: list[Document]) -> Document:
    """The job that carries a window's items to their receiver in one message."""
    first = items[0]
    receiver = Receiver.model_validate(first["receiver"])
    messages = [Message(**item["message"]) for item in items]
    message = render_digest(first["audience"], messages, receiver.language)
    created = utcnow()
    due = quiet_until(created, receiver.quiet_hours) or created
    return {
        "_id": digest_id(group_key, sequence),
        "kind": "digest",
        "status": QUEUED,
        "channel": first["channel"],
        "endpoint": first["endpoint"],
        "receiver": first["receiver"],
        "audience": first["audience"],
        "department": first["department"],
        "case_id": None,
        "report_id": None,
        "event_type": "digest",
        "emergency": False,
        "priority": 1,
        "group_key": group_key,
        "window_start": first["window_start"],
        "window_end": first["window_end"],
        "items": [item["_id"] for item in items],
        "message": message.as_dict(),
        "payload": {
            "type": "digest",
            "audience": first["audience"],
            "window_start": first["window_start"].isoformat(),
            "window_end": first["window_end"].isoformat(),
            "count": len(items),
            "title": message.title,
            "text": message.text,
            "items": [{"delivery_id": item["_id"], **item["payload"]} for item in items],
        },
        "alerts": [item["alert"] for item in items],
        "attempts": 0,
        "claim": None,
        "created_at": created,
        "event_at": min(item["event_at"] for item in items),
        "due_at": due,
    }
