"""Settings read from the environment, refused early when missing or unsafe."""

from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


class ServiceSettings(BaseSettings):
    """What every gridloop service needs to start.

    ``env`` says where the service runs. Outside ``dev`` and ``test`` the
    validator refuses the development secret, so a deployment cannot go live
    with a key that is printed in this repository.
    """

    model_config = SettingsConfigDict(env_prefix="GRIDLOOP_", extra="ignore")

    env: Literal["dev", "test", "compose", "production"] = "dev"
    kafka_bootstrap: str = "127.0.0.1:9092"
    mongo_url: str = "mongodb://127.0.0.1:27017/"
    mongo_db: str = Field(default="gridloop", pattern=r"^[A-Za-z0-9_]{1,60}$")
    http_host: str = "127.0.0.1"
    http_port: int | None = Field(default=None, ge=1, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    signing_key: str = "dev-only-signing-key-change-me-0000000000"
    consumer_start: Literal["earliest", "latest"] = "earliest"
    group_prefix: str = Field(default="", pattern=r"^[a-z0-9_.-]{0,40}$")
    topic_replication: int = Field(default=1, ge=1, le=5)
    topic_min_insync: int = Field(default=1, ge=1, le=5)
    outbox_interval_s: float = Field(default=1.0, gt=0, le=60)
    outbox_idle_s: float = Field(default=15.0, gt=0, le=600)
    redelivery_backoff_s: float = Field(default=1.0, ge=0, le=60)
    cors_origins: list[str] = Field(
        default=["http://127.0.0.1:8003", "http://localhost:8003"], max_length=20
    )

    @model_validator(mode="after")
    def _refuse_unsafe(self) -> "ServiceSettings":
        if self.topic_min_insync > self.topic_replication:
            raise ValueError("GRIDLOOP_TOPIC_MIN_INSYNC exceeds GRIDLOOP_TOPIC_REPLICATION")
        if not self.kafka_bootstrap.strip():
            raise ValueError("GRIDLOOP_KAFKA_BOOTSTRAP is empty")
        if urlsplit(self.mongo_url).scheme not in {"mongodb", "mongodb+srv"}:
            raise ValueError("GRIDLOOP_MONGO_URL must be a mongodb:// URL")
        if self.env not in {"dev", "test"}:
            if self.signing_key.startswith("dev-only"):
                raise ValueError("GRIDLOOP_SIGNING_KEY must be set outside dev and test")
            if len(self.signing_key) < 32:
                raise ValueError("GRIDLOOP_SIGNING_KEY must be at least 32 characters")
        if self.env == "production" and self.http_host in LOCAL_HOSTS:
            raise ValueError("GRIDLOOP_HTTP_HOST is loopback-only in production")
        return self
