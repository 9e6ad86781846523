"""Posting the stream to intake and keeping what each report got back.

A report is retried with the same body, as a phone does, pausing twice as long each
time (up to five seconds), until one intake answers 202 or the attempts run out; a
refusal that retrying cannot fix (4xx other than 408 and 429) ends it at once.
Open-loop sending starts reports on schedule whatever the answers do, as the public
does, but never keeps more than ``max_in_flight`` requests open: a report it could
not start is counted as skipped, not hidden.
"""

import asyncio
import itertools
import logging
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import httpx

from ops.load.credentials import Credentials
from ops.load.photos import PhotoPool
from ops.load.profile import Profile
from ops.load.stream import Kind, Planned, ReportStream

logger = logging.getLogger(__name__)

ATTEMPTS = 6
ATTEMPT_TIMEOUT_S = 10.0
RETRY_PAUSE_S = 0.3
MAX_RETRY_PAUSE_S = 5.0
MAX_IN_FLIGHT = 400
RETRYABLE = {408, 429}


@dataclass
class Sent:
    """One report and what intake made of it."""

    report_id: str
    phase: str
    sent_at: float
    kind: Kind = Kind.ORDINARY
    photo: bool = False
    original: str | None = None
    answered_at: float | None = None
    status: int | None = None
    attempts: int = 0
    last_error: str = ""
    resent: bool = False
    resend_matched: bool | None = None


class _Refused(Exception):
    """Intake said no in a way that retrying the same request cannot change."""


class Sender:
    """Sends reports round-robin over the intake instances, failing over on errors."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        intakes: list[str],
        stream: ReportStream,
        credentials: Credentials,
        *,
        photos: PhotoPool | None = None,
        attempts: int = ATTEMPTS,
        attempt_timeout_s: float = ATTEMPT_TIMEOUT_S,
        max_in_flight: int = MAX_IN_FLIGHT,
    ) -> None:
        self.client = client
        self.intakes = [url.rstrip("/") for url in intakes]
        self.stream = stream
        self.credentials = credentials
        self.photos = photos or PhotoPool()
        self.attempts = attempts
        self.attempt_timeout_s = attempt_timeout_s
        self.max_in_flight = max_in_flight
        self.sent: list[Sent] = []
        self.skipped: Counter[str] = Counter()
        self.turn = itertools.count()
        self.in_flight: set[asyncio.Task[Sent]] = set()

    def answered(self, phase: str | None = None) -> list[Sent]:
        """Reports some intake answered 202, in one phase or all."""
        return [
            s
            for s in self.sent
            if s.answered_at is not None and (phase is None or s.phase == phase)
        ]

    def of_phase(self, phase: str) -> list[Sent]:
        """Every report started in ``phase``."""
        return [s for s in self.sent if s.phase == phase]

    async def send_one(self, phase: str) -> Sent:
        """Send the stream's next report."""
        return await self.send(self.stream.next(), phase)

    async def send(self, planned: Planned, phase: str) -> Sent:
        """Send one report, retrying the same body until an intake answers 202."""
        sent = Sent(
            planned.report_id,
            phase,
            time.time(),
            kind=planned.kind,
            photo=planned.photo,
            original=planned.original,
        )
        self.sent.append(sent)
        headers = self.credentials.header(planned.caller)
        body = dict(planned.body)
        start = next(self.turn)

        answer: dict[str, Any] | None = None
        for attempt in range(self.attempts):
            base = self.intakes[(start + attempt) % len(self.intakes)]
            sent.attempts = attempt + 1
            try:
                if planned.photo and "media_ids" not in body:
                    body["media_ids"] = [await self._upload(base, headers, sent)]
                answer = await self._post(base, body, headers, sent)
            except _Refused:
                break
            except httpx.HTTPError as exc:
                sent.last_error = f"{type(exc).__name__} from {base}"
            if answer is not None:
                sent.answered_at = time.time()
                break
            await asyncio.sleep(min(RETRY_PAUSE_S * 2**attempt, MAX_RETRY_PAUSE_S))

        if answer is None:
            logger.warning("report %s not accepted: %s", sent.report_id, sent.last_error)
        elif planned.resend:
            await self._resend(base, body, headers, sent, answer)
        return sent

    async def _post(
        self, base: str, body: dict[str, Any], headers: dict[str, str], sent: Sent
    ) -> dict[str, Any] | None:
        """The 202 answer's JSON; None when worth another attempt."""
        response = await self.client.post(
            f"{base}/v1/reports", json=body, headers=headers, timeout=self.attempt_timeout_s
        )
        sent.status = response.status_code
        if response.status_code == 202:
            answer: dict[str, Any] = response.json()
            return answer
        sent.last_error = f"HTTP {response.status_code} from {base}: {response.text[:200]}"
        if response.status_code < 500 and response.status_code not in RETRYABLE:
            raise _Refused(sent.last_error)
        return None

    async def _upload(self, base: str, headers: dict[str, str], sent: Sent) -> str:
        """Store the report's photo first, as the app does; answer its media id."""
        files = {"file": ("photo.jpg", self.photos.next(), "image/jpeg")}
        response = await self.client.post(
            f"{base}/v1/media", files=files, headers=headers, timeout=self.attempt_timeout_s
        )
        if response.status_code in {200, 201}:
            return str(response.json()["media_id"])
        sent.status = response.status_code
        sent.last_error = f"photo: HTTP {response.status_code}: {response.text[:200]}"
        if response.status_code < 500 and response.status_code not in RETRYABLE:
            raise _Refused(sent.last_error)
        raise httpx.HTTPError(sent.last_error)

    async def _resend(
        self,
        base: str,
        body: dict[str, Any],
        headers: dict[str, str],
        sent: Sent,
        first: dict[str, Any],
    ) -> None:
        """Send the accepted report once more; intake must answer exactly as before."""
        sent.resent = True
        try:
            response = await self.client.post(
                f"{base}/v1/reports",
                json=body,
                headers=headers,
                timeout=self.attempt_timeout_s,
            )
        except httpx.HTTPError as exc:
            logger.info("resend of %s got no answer: %s", sent.report_id, exc)
            return
        if response.status_code == 202:
            sent.resend_matched = response.json() == first
        elif response.status_code < 500:
            sent.resend_matched = False
            logger.warning(
                "resend of %s answered %d: %s",
                sent.report_id,
                response.status_code,
                response.text[:200],
            )

    def _start(self, phase: str) -> None:
        task = asyncio.create_task(self.send_one(phase))
        self.in_flight.add(task)
        task.add_done_callback(self.in_flight.discard)

    async def offer(
        self,
        phase: str,
        profile: Profile,
        duration_s: float,
        stop: asyncio.Event | None = None,
    ) -> None:
        """Open loop: start reports at the profile's rate, then wait for their answers.

        Sending ends after ``duration_s`` or as soon as ``stop`` is set.
        """
        started = time.monotonic()
        for offset in profile.send_times(duration_s):
            await asyncio.sleep(max(started + offset - time.monotonic(), 0))
            if stop is not None and stop.is_set():
                break
            if len(self.in_flight) >= self.max_in_flight:
                self.skipped[phase] += 1
                continue
            self._start(phase)
        if self.skipped[phase]:
            logger.warning(
                "%d reports of %s not started: %d already in flight",
                self.skipped[phase],
                phase,
                self.max_in_flight,
            )
        await self.settle()

    async def closed(self, phase: str, concurrency: int, duration_s: float) -> None:
        """Closed loop: ``concurrency`` senders, each sending again on every answer."""
        deadline = time.monotonic() + duration_s

        async def sender() -> None:
            while time.monotonic() < deadline:
                await self.send_one(phase)

        await asyncio.gather(*(sender() for _ in range(concurrency)))

    async def settle(self) -> None:
        """Wait for the reports still being sent (each is bounded in time)."""
        if self.in_flight:
            await asyncio.gather(*self.in_flight, return_exceptions=True)
