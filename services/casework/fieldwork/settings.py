"""Field work's own settings, read from ``GRIDLOOP_FIELDWORK_*``."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class FieldworkSettings(BaseSettings):
    """Where intake is, and how often campaign deadlines are looked at."""

    model_config = SettingsConfigDict(env_prefix="GRIDLOOP_FIELDWORK_", extra="ignore")

    intake_url: str = "http://127.0.0.1:8001"
    intake_timeout_s: float = Field(default=10.0, gt=0, le=120)
    deadline_scan_s: float = Field(default=2.0, gt=0, le=3600)
