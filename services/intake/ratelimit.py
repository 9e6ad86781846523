"""A token bucket per client, for callers that have no account to hold to account."""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class RateLimiter:
    """``burst`` actions at once per key, refilled at ``per_minute``; kept in memory.

    Each process keeps its own buckets and forgets them on restart: good enough to
    blunt a flood from one address, not a quota. Idle buckets are dropped when the
    table grows, so many addresses cannot exhaust memory.
    """

    MAX_KEYS = 50_000

    def __init__(
        self,
        burst: int,
        per_minute: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.burst = burst
        self.rate = per_minute / 60.0
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def take(self, key: str) -> float:
        """Spend one token for ``key``: 0 if allowed, else seconds until one is back."""
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            self._forget_idle(now)
            bucket = self._buckets[key] = _Bucket(float(self.burst), now)

        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.stamp) * self.rate)
        bucket.stamp = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate

    def _forget_idle(self, now: float) -> None:
        """Drop buckets that have refilled completely: they hold no information."""
        if len(self._buckets) < self.MAX_KEYS:
            return

        full_after = self.burst / self.rate
        self._buckets = {
            key: bucket
            for key, bucket in self._buckets.items()
            if now - bucket.stamp < full_after
        }


def retry_after_header(wait_s: float) -> dict[str, str]:
    """The ``Retry-After`` header in whole seconds, never zero."""
    return {"Retry-After": str(max(1, math.ceil(wait_s)))}
