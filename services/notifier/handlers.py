"""Notifier's subscriber: case events in, department alerts out."""

from faststream.kafka.annotations import KafkaMessage

from services.notifier.alerts import alert_for
from services.notifier.delivery import DepartmentTopics, alert_envelope
from shared.contracts import CaseEvent, Envelope
from shared.kafka import Handler, decode
from shared.logs import bound


def on_case_event(topics: DepartmentTopics) -> Handler:
    """Alert the department a case event concerns, if it concerns one."""

    async def handle(body: bytes, _: KafkaMessage) -> None:
        received = decode(Envelope[CaseEvent], body)
        alert = alert_for(received.event_type, received.payload)
        if alert is None:
            return

        with bound(case_id=alert.case_id):
            message = alert_envelope(alert, str(received.event_id), received.correlation_id)
            await topics.deliver(alert, message)

    return handle
