"""A department's webhook endpoint, as the notifier's receiver guide says to build one.

Every delivery is checked with ``services.notifier.receiver.verify_delivery``: a
repeat of a delivery id already handled is answered 200 and counted, not handled
again. The endpoint keeps, per case and kind of notification, the delivery ids it
handled, so the run can tell a repeat (same id) from a second notification (new id).
"""

import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from services.notifier.receiver import DeliveryRejected, verify_delivery

SECRET = "chaos-webhook-secret-0123456789abcdef"


@dataclass
class Deliveries:
    """What the endpoint handled and what it turned away."""

    seen_ids: set[str] = field(default_factory=set)
    by_case: dict[tuple[str, str], set[str]] = field(
        default_factory=lambda: defaultdict(set)
    )
    first_at: dict[str, float] = field(default_factory=dict)
    repeats: int = 0
    refused: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, headers: dict[str, str], body: bytes) -> None:
        """Handle one POST as a department would."""
        with self.lock:
            try:
                payload = verify_delivery(headers, body, SECRET, time.time(), self.seen_ids)
            except DeliveryRejected as refusal:
                if refusal.duplicate:
                    self.repeats += 1
                else:
                    self.refused.append(refusal.reason)
                return
            case_id = str(payload.get("case_id"))
            self.by_case[(case_id, str(payload.get("kind")))].add(
                str(payload["delivery_id"])
            )
            self.first_at.setdefault(case_id, time.time())


class Endpoint:
    """The HTTP server in a thread of this process."""

    def __init__(self) -> None:
        self.deliveries = Deliveries()
        deliveries = self.deliveries

        class Handle(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                deliveries.take(dict(self.headers.items()), body)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the run prints counts."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handle)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Where the notifier should post."""
        return f"http://127.0.0.1:{self.server.server_address[1]}/department"

    def start(self) -> None:
        """Serve in the background."""
        self.thread.start()

    def stop(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()
