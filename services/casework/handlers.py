"""Casework's subscribers: routing decisions open cases; commands change them."""

import logging

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from services.casework.actors import Caller
from services.casework.commands import CaseEngine
from services.casework.errors import ActionRefused, BadCommand, CaseworkError, UnknownAction
from services.casework.opening import CaseOpener
from shared.auth import verify
from shared.contracts import (
    CaseCommand,
    CommandRefusal,
    Envelope,
    RoutingDecision,
    envelope,
)
from shared.errors import ApiError
from shared.kafka import Handler, PoisonMessage, decode, publish_envelope
from shared.logs import bound
from shared.topics import CASES_COMMANDS_REFUSED

logger = logging.getLogger(__name__)


def on_report_routed(opener: CaseOpener) -> Handler:
    """Open a case (or add a supporter) for every routing decision."""

    async def handle(body: bytes, _: KafkaMessage) -> None:
        routed = decode(Envelope[RoutingDecision], body)
        await opener.on_decision(routed.payload, causation_id=str(routed.event_id))

    return handle


def on_case_command(broker: KafkaBroker, engine: CaseEngine, key: str) -> Handler:
    """Carry out a command from Kafka, checked exactly as the HTTP route checks it.

    Malformed commands (bad envelope, bad credential, unknown action, bad fields) go
    to the dead-letter topic; well-formed commands that the case refuses (stale
    version, not allowed now, out of scope) are answered on the refusals topic.
    """

    async def handle(body: bytes, _: KafkaMessage) -> None:
        received = decode(Envelope[CaseCommand], body)
        command = received.payload
        try:
            principal = verify(command.credential, key)
        except ApiError as error:
            raise PoisonMessage(f"credential: {error.message}") from error

        with bound(case_id=command.case_id, report_id=received.correlation_id):
            try:
                result, _repeated = await engine.command(
                    command.case_id,
                    command.action,
                    command.body,
                    Caller(principal=principal),
                    command_id=command.command_id,
                    expected_version=command.expected_version,
                )
            except (BadCommand, UnknownAction) as error:
                raise PoisonMessage(f"{error.field or 'body'}: {error.message}") from error
            except CaseworkError as error:
                await _refuse(broker, received, error)
                return

            logger.info("command %s: version %d", command.action, result.version)

    return handle


async def _refuse(
    broker: KafkaBroker, received: Envelope[CaseCommand], error: CaseworkError
) -> None:
    """Tell the sender why a well-formed command was not carried out."""
    command = received.payload
    refusal = CommandRefusal(
        case_id=command.case_id,
        command_id=command.command_id,
        action=command.action,
        code=error.code,
        message=error.message,
        allowed_actions=error.allowed if isinstance(error, ActionRefused) else [],
        current_version=error.version if isinstance(error, ActionRefused) else None,
    )
    message = envelope(
        refusal,
        event_type="case.command_refused",
        correlation_id=received.correlation_id,
        causation_id=str(received.event_id),
        producer="casework",
        identity=(command.case_id, command.command_id),
    )
    await publish_envelope(broker, CASES_COMMANDS_REFUSED, message, key=command.case_id)
    logger.info("command %s refused: %s", command.action, error.code)
