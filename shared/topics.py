"""Kafka topic names and how each topic is laid out."""

from dataclasses import dataclass

REPORTS_SUBMITTED = "reports.submitted"
REPORTS_ROUTED = "reports.routed"
CASES_EVENTS = "cases.events"
CASES_COMMANDS = "cases.commands"
DEPARTMENT_PREFIX = "notify.dept."
DEAD_LETTER_SUFFIX = ".deadletter"


@dataclass(frozen=True)
class TopicSpec:
    """A topic with the partition count and clean-up policy it is created with."""

    name: str
    partitions: int = 6
    compacted: bool = False


def department_topic(department: str) -> str:
    """Topic that a department's own systems consume its alerts from."""
    return f"{DEPARTMENT_PREFIX}{department}"


def dead_letter_topic(topic: str) -> str:
    """Topic where messages from ``topic`` that cannot be handled are parked."""
    return f"{topic}{DEAD_LETTER_SUFFIX}"


CORE_TOPICS: tuple[TopicSpec, ...] = (
    TopicSpec(REPORTS_SUBMITTED),
    TopicSpec(REPORTS_ROUTED),
    TopicSpec(CASES_EVENTS),
    TopicSpec(CASES_COMMANDS),
    *(
        TopicSpec(dead_letter_topic(name), partitions=1)
        for name in (REPORTS_SUBMITTED, REPORTS_ROUTED, CASES_EVENTS, CASES_COMMANDS)
    ),
)
