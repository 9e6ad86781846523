"""A notifier with short windows and timeouts, plus its receivers, for server tests."""

import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from shared.auth import Principal, Role, issue
from shared.contracts import CaseEvent, CaseSnapshot, envelope
from shared.launcher import ROOT, Stack, wait_ready
from shared.settings import ServiceSettings
from shared.topics import CASES_EVENTS
from tests.conftest import KAFKA
from tests.notifier.receivers import (
    SECRET,
    Endpoints,
    Mailbox,
    serve_endpoints,
    serve_smtp,
)

NOTIFIER = "http://127.0.0.1:8004"
KEY = ServiceSettings().signing_key

SETTINGS = {
    "digest_window_s": "6",
    # Generous: on a cold machine the notifier may read a 200-event burst for longer
    # than a window, and items read after the grace would go in a second digest.
    "digest_grace_s": "10",
    "rules_refresh_s": "0.5",
    "worker_poll_s": "0.2",
    "endpoint_concurrency": "2",
    "lease_s": "3",
    "retry_limit": "3",
    "retry_base_s": "0.2",
    "retry_max_s": "1",
    "webhook_timeout_s": "0.7",
    "smtp_timeout_s": "2",
    "sms_timeout_s": "1",
    # Long, so no reminder joins the notices other tests count; the ladder's test
    # dates its cases back to just under this limit instead of waiting for it.
    "sign_for_limit_s": "600",
    "ladder_centre_after_s": "2",
    "ladder_leadership_after_s": "2",
    "ladder_poll_s": "0.3",
}


@dataclass
class Notifier:
    """The notifier process under test and how to kill and restart it."""

    env: dict[str, str]
    log: Any
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start it and wait until it is ready."""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "services.notifier"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_ready("notifier", 8004, self.process)

    def stop(self, *, kill: bool = False) -> None:
        """Stop it: SIGKILL when ``kill``, else gracefully."""
        assert self.process is not None
        if kill:
            self.process.kill()
        else:
            self.process.terminate()
        self.process.wait(timeout=20)
        self.process = None


@pytest.fixture(scope="session")
def endpoints() -> Iterator[Endpoints]:
    """Webhook endpoints and the SMS gateway."""
    found, server = serve_endpoints()
    yield found
    server.shutdown()


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    """The SMTP server mail is sent to."""
    box, controller = serve_smtp()
    yield box
    controller.stop()


@pytest.fixture(scope="session")
def notifier(stack: Stack, endpoints: Endpoints, mailbox: Mailbox) -> Iterator[Notifier]:
    """Replace the stack's notifier with one on short timings for the session."""
    stack.stop("notifier")
    env = dict(stack.env)
    env.update({f"GRIDLOOP_{name.upper()}": value for name, value in SETTINGS.items()})
    env["GRIDLOOP_SMS_GATEWAY_URL"] = endpoints.url("/sms")
    env["GRIDLOOP_SMTP_PORT"] = str(mailbox.port)
    with (stack.log_dir / "notifier-under-test.log").open("ab") as log:
        running = Notifier(env=env, log=log)
        running.start()
        try:
            yield running
        finally:
            if running.process is not None:
                running.stop()
            stack.start("notifier")


def token(role: Role, department: str | None = None) -> str:
    """A credential the notifier under test accepts."""
    return issue(Principal(role=role, sub=f"test-{role}", department=department), KEY)


def operator_headers() -> dict[str, str]:
    """Headers of an operator's request."""
    return {"Authorization": f"Bearer {token(Role.OPERATOR)}"}


async def add_rules(
    defaults: dict[str, list[dict[str, Any]]] | None = None,
    rules: list[dict[str, Any]] | None = None,
) -> None:
    """Merge defaults and rules into the notifier's rule set through its API."""
    async with httpx.AsyncClient(base_url=NOTIFIER, headers=operator_headers()) as client:
        current = (await client.get("/v1/rules")).json()["rules"]
        current["defaults"].update(defaults or {})
        current["rules"] = [*(rules or []), *current["rules"]]
        answer = await client.put("/v1/rules", json=current)
        assert answer.status_code == 200, answer.text


def webhook(endpoints: Endpoints, path: str, **extra: Any) -> dict[str, Any]:
    """A webhook receiver posting to one local path."""
    key = "hook" + path.replace("/", ":")
    return {
        "key": key[:80],
        "channel": "webhook",
        "address": endpoints.url(path),
        "secret": SECRET,
        **extra,
    }


def a_case(department: str, number: int, **changes: Any) -> CaseSnapshot:
    """A case snapshot for a department, numbered so ids stay distinct."""
    stamp = datetime.now(UTC).strftime("%H%M%S%f")
    values: dict[str, Any] = {
        "case_id": f"C-{department}-{number}-{stamp}",
        "report_id": f"R-{department}-{number}-{stamp}",
        "status": "dispatched",
        "grid_code": "G-03-07",
        "category": "fallen_tree",
        "level": 1,
        "tier": "sub_district",
        "department": department,
        "emergency": False,
        "version": 1,
    }
    values.update(changes)
    return CaseSnapshot(**values)


class CaseEvents:
    """Publishes case events as casework would."""

    def __init__(self, producer: AIOKafkaProducer) -> None:
        self.producer = producer

    async def send(
        self,
        event_type: str,
        case: CaseSnapshot,
        *,
        topic: str = CASES_EVENTS,
        action: str = "dispatch",
        occurred_at: datetime | None = None,
    ) -> None:
        """Publish one event and wait for the broker to confirm it."""
        await self.send_many(
            [(event_type, case)], topic=topic, action=action, occurred_at=occurred_at
        )

    async def send_many(
        self,
        events: list[tuple[str, CaseSnapshot]],
        *,
        topic: str = CASES_EVENTS,
        action: str = "dispatch",
        occurred_at: datetime | None = None,
    ) -> None:
        """Publish several events, confirmed together."""
        pending = []
        for event_type, case in events:
            message = envelope(
                CaseEvent(action=action, from_status=None, actor="test", case=case),
                event_type=event_type,
                correlation_id=case.report_id,
                producer="casework",
                identity=(case.case_id, str(case.version)),
                occurred_at=occurred_at,
            )
            pending.append(
                await self.producer.send(
                    topic,
                    message.model_dump_json().encode(),
                    key=case.case_id.encode(),
                    headers=[("report-id", case.report_id.encode())],
                )
            )
        for future in pending:
            await future


@pytest.fixture(scope="session")
async def case_events() -> AsyncIterator[CaseEvents]:
    """One producer for the whole session."""
    producer = AIOKafkaProducer(
        bootstrap_servers=KAFKA, acks="all", enable_idempotence=True
    )
    await producer.start()
    yield CaseEvents(producer)
    await producer.stop()
