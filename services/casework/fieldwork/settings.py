"""Field work's own settings, read from ``GRIDLOOP_FIELDWORK_*``."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class FieldworkSettings(BaseSettings):
    """Where intake is, how often deadlines are looked at, how long numbers are kept.

    A visit's contact phone is kept ``visit_phone_days`` after the visit; a deleted
    basic information record keeps its person numbers ``deleted_record_days``.
    """

    model_config = SettingsConfigDict(env_prefix="GRIDLOOP_FIELDWORK_", extra="ignore")

    intake_url: str = "http://127.0.0.1:8001"
    intake_timeout_s: float = Field(default=10.0, gt=0, le=120)
    deadline_scan_s: float = Field(default=2.0, gt=0, le=3600)
    visit_phone_days: float = Field(default=90.0, ge=0, le=3650)
    deleted_record_days: float = Field(default=30.0, ge=0, le=3650)
    retention_interval_s: float = Field(default=3600.0, gt=0, le=86_400)
