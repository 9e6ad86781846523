"""How often an outbox relay looks for unpublished events.

On FerretDB a query on anything but ``_id`` reads the whole collection, so a relay
that looked every second would spend the database on finding nothing. It looks
often while it finds work or shortly after a publish failed, and rarely otherwise;
publishing right after each write remains the normal path.
"""

import asyncio
import contextlib
import time


class RelayPace:
    """Sleeps between relay sweeps: ``busy_s`` while there is work, else ``idle_s``."""

    def __init__(self, busy_s: float, idle_s: float, alert_window_s: float = 30.0) -> None:
        self.busy_s = busy_s
        self.idle_s = max(idle_s, busy_s)
        self.alert_window_s = alert_window_s
        self._nudged = asyncio.Event()
        self._busy_until = 0.0

    def nudge(self) -> None:
        """A publish failed: look often for a while, starting now."""
        self._busy_until = time.monotonic() + self.alert_window_s
        self._nudged.set()

    async def wait(self, found: int) -> None:
        """Sleep until the next sweep is due, or until nudged."""
        busy = found > 0 or time.monotonic() < self._busy_until
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(
                self._nudged.wait(), self.busy_s if busy else self.idle_s
            )
        self._nudged.clear()
