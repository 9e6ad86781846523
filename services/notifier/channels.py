"""The ways a notification leaves gridloop: Kafka topics, webhooks, e-mail and SMS.

Every channel sends one stored job and raises :class:`DeliveryFailed` when it did
not get through, saying whether a retry can help.
"""

import asyncio
import json
import smtplib
import time
from email.message import EmailMessage
from typing import Any, Protocol

import httpx
from faststream.kafka import KafkaBroker

from services.notifier.settings import NotifierSettings
from services.notifier.signing import signed_headers
from shared.contracts import DepartmentAlert, DepartmentDigest, Envelope
from shared.kafka import ensure_topics, publish_envelope
from shared.mongo import Document
from shared.topics import TopicSpec, department_topic

RETRYABLE_STATUSES = {408, 425, 429}


class DeliveryFailed(Exception):
    """A send that did not get through; ``permanent`` when retrying cannot help."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Channel(Protocol):
    """Sends one job's message to its receiver."""

    async def send(self, job: Document) -> None:
        """Deliver, or raise DeliveryFailed."""


def body_of(job: Document) -> dict[str, Any]:
    """The JSON document a webhook or gateway receives for a job."""
    return {"delivery_id": job["_id"], **job["payload"]}


class KafkaTopicChannel:
    """Publishes to ``notify.dept.<code>``, creating the topic on first use."""

    def __init__(self, broker: KafkaBroker, bootstrap: str) -> None:
        self.broker = broker
        self.bootstrap = bootstrap
        self._known: set[str] = set()

    async def send(self, job: Document) -> None:
        """Publish the job as an ``alert.*`` envelope whose id is the delivery id."""
        topic = department_topic(job["receiver"]["address"])
        if topic not in self._known:
            await ensure_topics(self.bootstrap, (TopicSpec(topic, partitions=3),))
            self._known.add(topic)

        message = envelope_of(job)
        await publish_envelope(self.broker, topic, message, key=job.get("case_id") or "")


def envelope_of(job: Document) -> Envelope[Any]:
    """The envelope a department's topic carries for a job."""
    payload = job["payload"]
    common = {
        "event_id": job["_id"],
        "occurred_at": job["created_at"],
        "producer": "notifier",
    }
    if job["kind"] == "digest":
        digest = DepartmentDigest(
            department=job["audience"],
            window_start=job["window_start"],
            window_end=job["window_end"],
            items=[DepartmentAlert.model_validate(alert) for alert in job["alerts"]],
        )
        return Envelope[DepartmentDigest](
            **common,
            event_type="alert.digest",
            correlation_id=job["_id"],
            payload=digest,
        )
    return Envelope[DepartmentAlert](
        **common,
        event_type=f"alert.{payload['kind']}",
        correlation_id=job["report_id"],
        causation_id=job.get("source_event_id"),
        payload=DepartmentAlert.model_validate(job["alert"]),
    )


class WebhookChannel:
    """Signed HTTP POSTs; 2xx is delivered, 4xx other than throttling is permanent."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def send(self, job: Document) -> None:
        """POST the job's JSON with this attempt's signature."""
        receiver = job["receiver"]
        body = json.dumps(body_of(job), ensure_ascii=False, default=str).encode()
        headers = signed_headers(receiver["secret"], job["_id"], int(time.time()), body)
        await _post(self.client, receiver["address"], body, headers)


class SmsChannel:
    """Hands short texts to an HTTP SMS gateway."""

    def __init__(self, client: httpx.AsyncClient, gateway_url: str | None) -> None:
        self.client = client
        self.gateway_url = gateway_url

    async def send(self, job: Document) -> None:
        """POST the number, the text and the delivery id as reference to the gateway."""
        if self.gateway_url is None:
            raise DeliveryFailed("no SMS gateway configured (GRIDLOOP_SMS_GATEWAY_URL)")
        message = job["message"]
        text = f"{message['title']} {message['link']}"
        body = json.dumps(
            {"to": job["receiver"]["address"], "text": text, "reference": job["_id"]},
            ensure_ascii=False,
        ).encode()
        await _post(
            self.client, self.gateway_url, body, {"Content-Type": "application/json"}
        )


class EmailChannel:
    """Plain text and HTML mail over SMTP."""

    def __init__(self, settings: NotifierSettings) -> None:
        self.settings = settings

    async def send(self, job: Document) -> None:
        """Build the mail and hand it to the SMTP server off the event loop."""
        mail = self.compose(job)
        try:
            await asyncio.to_thread(self._submit, mail)
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryFailed(f"recipient refused: {exc}", permanent=True) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryFailed(f"SMTP: {exc}") from exc

    def compose(self, job: Document) -> EmailMessage:
        """The mail for a job; its Message-ID follows from the delivery id."""
        message = job["message"]
        mail = EmailMessage()
        mail["From"] = self.settings.smtp_sender
        mail["To"] = job["receiver"]["address"]
        mail["Subject"] = message["title"]
        mail["Message-ID"] = f"<{job['_id']}@gridloop>"
        mail["X-Gridloop-Delivery"] = job["_id"]
        mail.set_content(message["text"])
        mail.add_alternative(message["html"], subtype="html")
        return mail

    def _submit(self, mail: EmailMessage) -> None:
        with smtplib.SMTP(
            self.settings.smtp_host,
            self.settings.smtp_port,
            timeout=self.settings.smtp_timeout_s,
        ) as smtp:
            smtp.send_message(mail)


async def _post(
    client: httpx.AsyncClient, url: str, body: bytes, headers: dict[str, str]
) -> None:
    try:
        answer = await client.post(url, content=body, headers=headers)
    except httpx.TimeoutException as exc:
        raise DeliveryFailed("timed out") from exc
    except httpx.HTTPError as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc

    if answer.is_success:
        return
    permanent = (
        400 <= answer.status_code < 500 and answer.status_code not in RETRYABLE_STATUSES
    )
    raise DeliveryFailed(f"HTTP {answer.status_code}", permanent=permanent)
