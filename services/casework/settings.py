"""Casework's own settings, on top of what every service reads."""

from pydantic import Field, model_validator

from shared.settings import ServiceSettings


class CaseworkSettings(ServiceSettings):
    """Time limits, timers and the knobs tests and benchmarks need.

    ``hour_seconds`` replaces the working-day calendar with a plain clock where one
    limit hour lasts that many seconds, so tests see a limit pass in seconds.
    ``crash_after_write`` makes the process die between storing a transition and
    publishing it; it exists to prove the outbox and is refused outside dev and test.
    """

    casework_port: int = Field(default=8003, ge=1, le=65535)
    casework_group: str = Field(default="casework", pattern=r"^[A-Za-z0-9_.-]{1,100}$")
    casework_subscribe: bool = True
    hour_seconds: float | None = Field(default=None, gt=0, le=3600)
    timer_interval_s: float = Field(default=15.0, gt=0, le=300)
    gauge_interval_s: float = Field(default=60.0, gt=0, le=3600)
    auto_evaluate_hours: float = Field(default=72.0, gt=0)
    auto_evaluation_score: int = Field(default=5, ge=1, le=5)
    crash_after_write: bool = False

    @model_validator(mode="after")
    def _test_hooks_stay_in_tests(self) -> "CaseworkSettings":
        """A deployment must never die on purpose."""
        if self.crash_after_write and self.env not in {"dev", "test"}:
            raise ValueError("GRIDLOOP_CRASH_AFTER_WRITE is only for dev and test")

        return self
