"""How fast to send: a steady rate, or a typhoon's surge on top of it.

In a typhoon hour a sub-district receives dozens of times its usual reports within
minutes (fallen trees, flooding, power lines down); the ``typhoon`` profile sends the
base rate, then ``factor`` times that rate for a few minutes, then the base rate again.
"""

from collections.abc import Iterator
from dataclasses import dataclass

TYPHOON_FACTOR = 50.0
TYPHOON_MINUTES = 3.0


@dataclass(frozen=True)
class Profile:
    """Reports per second as a function of seconds since the start."""

    base: float
    surge_factor: float = 1.0
    surge_start_s: float = 0.0
    surge_s: float = 0.0

    def __post_init__(self) -> None:
        if self.base <= 0 or self.surge_factor <= 0:
            raise ValueError("rates must be positive")
        if self.surge_start_s < 0 or self.surge_s < 0:
            raise ValueError("a surge starts and lasts a non-negative number of seconds")

    @classmethod
    def steady(cls, rate: float) -> "Profile":
        """The same rate throughout."""
        return cls(rate)

    @classmethod
    def typhoon(
        cls,
        base: float,
        *,
        factor: float = TYPHOON_FACTOR,
        after_s: float = 30.0,
        minutes: float = TYPHOON_MINUTES,
    ) -> "Profile":
        """``base``, then ``factor`` x ``base`` from ``after_s`` for ``minutes``."""
        return cls(base, factor, after_s, minutes * 60)

    def rate_at(self, t: float) -> float:
        """Reports per second at ``t`` seconds."""
        if self.surge_start_s <= t < self.surge_start_s + self.surge_s:
            return self.base * self.surge_factor
        return self.base

    def send_times(self, duration_s: float) -> Iterator[float]:
        """Offsets in seconds at which to send, evenly spaced at the rate of the moment."""
        t = 0.0
        while t < duration_s:
            yield t
            t += 1.0 / self.rate_at(t)

    def expected(self, duration_s: float) -> int:
        """How many reports ``duration_s`` seconds of this profile offer."""
        return sum(1 for _ in self.send_times(duration_s))

    def describe(self) -> str:
        """The profile in a few words, for printed output."""
        if self.surge_factor == 1 or self.surge_s == 0:
            return f"{self.base:g} reports/s"
        return (
            f"{self.base:g} reports/s, {self.surge_factor:g}x "
            f"({self.base * self.surge_factor:g}/s) from {self.surge_start_s:g} s "
            f"for {self.surge_s:g} s"
        )
