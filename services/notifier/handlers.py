"""Notifier's subscriber: case events in, stored delivery jobs and ladder changes out.

Nothing is sent here. The handler only writes jobs and the ladder, both keyed so
that a redelivered event changes nothing, and returns; Kafka then commits the
offset and the delivery workers do the slow part.
"""

from faststream.kafka.annotations import KafkaMessage

from services.notifier.ladder import SignForLadder
from services.notifier.notices import notice_from_event
from services.notifier.planner import Planner
from shared.contracts import CaseEvent, Envelope
from shared.kafka import Handler, PoisonMessage, decode
from shared.logs import bound


def on_case_event(planner: Planner, ladder: SignForLadder) -> Handler:
    """Plan the notifications a case event calls for and move its sign-for ladder."""

    async def handle(body: bytes, _: KafkaMessage) -> None:
        received = decode(Envelope[CaseEvent], body)
        if not received.event_type.startswith("case."):
            raise PoisonMessage(f"event_type {received.event_type} is not a case event")

        event = received.payload
        with bound(case_id=event.case.case_id):
            notice = notice_from_event(
                received.event_type, event, received.occurred_at, str(received.event_id)
            )
            if notice is not None:
                await planner.plan(notice)
            await ladder.observe(received.event_type, event.case, received.occurred_at)

    return handle
