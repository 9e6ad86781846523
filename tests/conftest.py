"""Fixtures for tests that talk to the real Kafka broker and MongoDB-compatible server."""

import fcntl
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient

from shared.launcher import ROOT, SERVICES, Stack, service_env

KAFKA = os.environ.get("GRIDLOOP_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
MONGO = os.environ.get("GRIDLOOP_MONGO_URL", "mongodb://127.0.0.1:27017/")
TEST_DB = "gridloop_test"
# Consumer groups new to every session: messages left on the shared topics by earlier
# sessions are not this session's work.
GROUP_PREFIX = f"test-{uuid.uuid4().hex[:8]}-"


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where tests leave logs and pictures for a person to look at."""
    path = ROOT / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="session")
def servers_lock() -> Iterator[None]:
    """One test session at a time may use the shared servers and service ports."""
    path = Path(os.environ.get("TMPDIR", "/tmp")) / "gridloop-servers.lock"
    with path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
        fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
async def mongo(servers_lock: None) -> AsyncIterator[AsyncMongoClient[dict[str, object]]]:
    """A client for the local server, with the test database dropped first."""
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        MONGO, serverSelectionTimeoutMS=5000, tz_aware=True
    )
    await client.drop_database(TEST_DB)
    yield client
    await client.close()


@pytest.fixture(scope="session")
def stack(mongo: object, artifacts: Path) -> Iterator[Stack]:
    """All four services running as real processes for the whole session."""
    log_dir = artifacts / "service-logs"
    log_dir.mkdir(exist_ok=True)
    env = service_env(
        env="test",
        mongo_db=TEST_DB,
        outbox_interval_s="0.5",
        outbox_idle_s="2",
        redelivery_backoff_s="0.2",
        group_prefix=GROUP_PREFIX,
        consumer_start="latest",
        # Many tests report as residents from this one address; the limit itself is
        # tested on an intake of its own.
        intake_resident_burst="10000",
        gauge_interval_s="1",
    )
    running = Stack(env=env, log_dir=log_dir)
    try:
        for name in SERVICES:
            running.start(name)
        yield running
    finally:
        running.stop_all()
