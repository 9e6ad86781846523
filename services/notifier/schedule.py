"""When things happen: quiet hours, retry backoff and digest windows, as pure functions."""

import random
from datetime import UTC, datetime, timedelta

from services.notifier.rules import QuietHours


def quiet_until(now: datetime, quiet: QuietHours | None) -> datetime | None:
    """The end of the quiet span ``now`` falls in, or None when the receiver is awake."""
    if quiet is None or quiet.start == quiet.end:
        return None

    offset = timedelta(minutes=quiet.utc_offset_minutes)
    local = now.astimezone(UTC) + offset
    clock = local.time().replace(tzinfo=None)
    overnight = quiet.start > quiet.end
    inside = (
        (clock >= quiet.start or clock < quiet.end)
        if overnight
        else quiet.start <= clock < quiet.end
    )
    if not inside:
        return None

    end_day = local.date()
    if overnight and clock >= quiet.start:
        end_day += timedelta(days=1)
    local_end = datetime.combine(end_day, quiet.end, tzinfo=UTC)
    return local_end - offset


def backoff(attempt: int, base_s: float, max_s: float, rng: random.Random) -> float:
    """Seconds before retry ``attempt``: doubling to a cap, jittered in its upper half."""
    ceiling = min(max_s, base_s * 2 ** max(attempt - 1, 0))
    return rng.uniform(ceiling / 2, ceiling)


def window_start(at: datetime, window_s: float) -> datetime:
    """The start of the digest window ``at`` falls in."""
    epoch = at.timestamp()
    return datetime.fromtimestamp(epoch - epoch % window_s, UTC)
