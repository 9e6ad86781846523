"""The notifier's own settings, on top of what every service reads."""

from pydantic import Field, model_validator

from shared.settings import ServiceSettings


class NotifierSettings(ServiceSettings):
    """Delivery, grouping and ladder timings, and where the outside channels live.

    Every duration is in seconds so tests can shrink a minute-long digest window or
    an hour-long sign-for limit to a fraction of a second.
    """

    console_base_url: str = "http://127.0.0.1:8003/console/cases"
    digest_window_s: float = Field(default=60.0, gt=0, le=3600)
    digest_grace_s: float = Field(default=1.0, ge=0, le=60)
    rules_refresh_s: float = Field(default=2.0, gt=0, le=60)

    worker_poll_s: float = Field(default=0.5, gt=0, le=10)
    worker_concurrency: int = Field(default=64, ge=1, le=1000)
    endpoint_concurrency: int = Field(default=4, ge=1, le=100)
    lease_s: float = Field(default=30.0, gt=0, le=3600)
    db_write_concurrency: int = Field(default=2, ge=1, le=256)

    retry_limit: int = Field(default=6, ge=1, le=50)
    retry_base_s: float = Field(default=1.0, gt=0, le=600)
    retry_max_s: float = Field(default=300.0, gt=0, le=86400)
    webhook_timeout_s: float = Field(default=5.0, gt=0, le=120)

    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_sender: str = "gridloop@localhost"
    smtp_timeout_s: float = Field(default=10.0, gt=0, le=120)
    sms_gateway_url: str | None = None
    sms_timeout_s: float = Field(default=5.0, gt=0, le=120)

    # Only for case events that carry no sign-for deadline of their own.
    sign_for_limit_s: float = Field(default=2 * 3600, gt=0)
    ladder_centre_after_s: float = Field(default=3600, gt=0)
    ladder_leadership_after_s: float = Field(default=2 * 3600, gt=0)
    ladder_poll_s: float = Field(default=5.0, gt=0, le=300)

    @model_validator(mode="after")
    def _lease_outlives_a_send(self) -> "NotifierSettings":
        slowest = max(self.webhook_timeout_s, self.smtp_timeout_s, self.sms_timeout_s)
        if self.lease_s <= slowest:
            raise ValueError("GRIDLOOP_LEASE_S must exceed every channel timeout")
        return self
