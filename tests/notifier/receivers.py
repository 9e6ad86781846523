"""Local stand-ins for what the notifier talks to: webhook endpoints, an SMS gateway, SMTP.

The webhook endpoints check every delivery with the department helper, as a real
department would, and keep what they saw. ``/ok`` answers at once, ``/fail`` 500,
``/slow`` after a pause, ``/hang`` after longer than the notifier waits.
"""

import json
import socket
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from services.notifier.receiver import DeliveryRejected, verify_delivery

SECRET = "test-webhook-secret-0123456789"
SLOW_S = 0.3
HANG_S = 2.0


@dataclass
class Arrival:
    """One request an endpoint received and what the helper made of it."""

    path: str
    headers: dict[str, str]
    body: bytes
    at: float
    verdict: str
    payload: dict[str, Any] | None


@dataclass
class Endpoints:
    """Every request received, and one seen-id set per path, as a department keeps."""

    port: int = 0
    arrivals: list[Arrival] = field(default_factory=list)
    seen: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        """Where the notifier should post for ``path``."""
        return f"http://127.0.0.1:{self.port}{path}"

    def at(self, path: str) -> list[Arrival]:
        """Arrivals at one path, in order."""
        with self.lock:
            return [a for a in self.arrivals if a.path == path]

    def accepted(self, path: str) -> list[Arrival]:
        """Arrivals the helper accepted: each delivery once."""
        return [a for a in self.at(path) if a.verdict == "accepted"]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def serve_endpoints() -> tuple[Endpoints, ThreadingHTTPServer]:
    """Start the webhook endpoints and SMS gateway on a free port."""
    endpoints = Endpoints()

    class Handle(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {key: value for key, value in self.headers.items()}
            payload, verdict = self._check(headers, body)
            with endpoints.lock:
                endpoints.arrivals.append(
                    Arrival(self.path, headers, body, time.time(), verdict, payload)
                )
            kind = self.path.split("/")[1]
            if kind == "slow":
                time.sleep(SLOW_S)
            if kind == "hang":
                time.sleep(HANG_S)
            self.send_response(500 if kind == "fail" else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _check(
            self, headers: dict[str, str], body: bytes
        ) -> tuple[dict[str, Any] | None, str]:
            if self.path.startswith("/sms"):
                return json.loads(body), "accepted"
            seen = endpoints.seen[self.path]
            with endpoints.lock:
                try:
                    return verify_delivery(
                        headers, body, SECRET, time.time(), seen
                    ), "accepted"
                except DeliveryRejected as refusal:
                    return None, "duplicate" if refusal.duplicate else refusal.reason

        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handle)
    server.daemon_threads = True
    endpoints.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return endpoints, server


class Mailbox:
    """An SMTP handler that keeps every message it receives."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.messages: list[Message] = []

    async def handle_DATA(  # noqa: N802 - aiosmtpd calls the hook by this name
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        """Keep the message and accept it."""
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def serve_smtp() -> tuple[Mailbox, Controller]:
    """A real SMTP server on a free local port."""
    mailbox = Mailbox(free_port())
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    return mailbox, controller
