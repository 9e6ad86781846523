"""Intake's own settings, read from ``GRIDLOOP_INTAKE_*`` beside the shared ones."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class IntakeSettings(BaseSettings):
    """Limits on what intake accepts, and where it listens.

    The resident rate limit is a token bucket per client address: ``resident_burst``
    reports at once, refilled at ``resident_per_minute``. It lives in the memory of
    one process, so N intake processes allow N times the rate. A reporter's phone is
    kept ``phone_retention_days`` after the case closed, then removed.
    """

    model_config = SettingsConfigDict(env_prefix="GRIDLOOP_INTAKE_", extra="ignore")

    port: int = Field(default=8001, ge=1, le=65535)
    public_url: str = ""
    resident_burst: int = Field(default=10, ge=1, le=10_000)
    resident_per_minute: float = Field(default=6.0, gt=0, le=60_000)
    max_photo_bytes: int = Field(default=10_000_000, ge=1_000, le=100_000_000)
    max_photo_pixels: int = Field(default=40_000_000, ge=10_000, le=200_000_000)
    phone_retention_days: float = Field(default=30.0, ge=0, le=3650)
    retention_interval_s: float = Field(default=3600.0, gt=0, le=86_400)
