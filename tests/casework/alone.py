"""A casework process of its own for server tests: own port, database and clock."""

import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from services.casework.clock import WorkClock
from services.casework.opening import CaseOpener
from services.casework.store import CaseStore
from shared.auth import Principal, Role, issue
from shared.contracts import Report, Reporter, RoutingDecision
from shared.launcher import ROOT, service_env, wait_ready
from shared.mongo import Document
from shared.registry import demo_registry

PORT = 8013
DB = "gridloop_test_casework"
KEY = "dev-only-signing-key-change-me-0000000000"
REGISTRY = demo_registry()


@contextmanager
def casework(log: Path, **settings: str) -> Iterator[subprocess.Popen[bytes]]:
    """Run casework alone on its own port and database, with subscriptions off."""
    env = service_env(
        env="test",
        mongo_db=DB,
        casework_port=str(PORT),
        casework_subscribe="false",
        outbox_interval_s="0.3",
        outbox_idle_s="1",
        timer_interval_s="0.2",
        **settings,
    )
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "services.casework"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_ready("casework", PORT, process)
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=20)


def token(role: Role, sub: str, **scope: Any) -> dict[str, str]:
    """Authorization headers for a signed credential."""
    return {"authorization": f"Bearer {issue(Principal(role=role, sub=sub, **scope), KEY)}"}


def decision(**overrides: Any) -> RoutingDecision:
    """A routing decision for a fresh report in G-01-01."""
    report = Report(
        report_id=str(uuid.uuid4()),
        channel="app",
        grid_code="G-01-01",
        description="Broken tiles dumped by the lane.",
        observed_at=datetime.now(UTC),
        reporter=Reporter(kind="resident", name="Li", phone="13800000000"),
        received_at=datetime.now(UTC),
    )
    fields: dict[str, Any] = {
        "report": report,
        "category": "construction_waste",
        "level": 2,
        "tier": "department",
        "department": "urban_management",
        "explanation": "test",
    }
    fields.update(overrides)
    return RoutingDecision(**fields)


async def seed(db: Any, routed: RoutingDecision, hour_seconds: float | None) -> Document:
    """Store a case exactly as casework opens one; its relay publishes the first event."""
    clock = WorkClock(lambda: REGISTRY, hour_seconds=hour_seconds)
    opener = CaseOpener(CaseStore(db), None, clock, lambda: REGISTRY)  # type: ignore[arg-type]
    doc = opener.build(routed, "seed", datetime.now(UTC))
    await db["cases"].insert_one(doc)
    return doc
