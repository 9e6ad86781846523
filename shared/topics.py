"""Kafka topic names and how each topic is laid out."""

from dataclasses import dataclass

REPORTS_SUBMITTED = "reports.submitted"
REPORTS_ROUTED = "reports.routed"
CASES_EVENTS = "cases.events"
CASES_COMMANDS = "cases.commands"

# The emergency lane: the same messages on topics of their own, read by consumers of
# their own, so that a backlog of ordinary reports cannot hold an emergency back.
REPORTS_SUBMITTED_URGENT = "reports.submitted.urgent"
REPORTS_ROUTED_URGENT = "reports.routed.urgent"
CASES_EVENTS_URGENT = "cases.events.urgent"

# The registry (grids, departments, categories, rules, calendar): compacted topics
# keyed by entity code, owned by the router, followed by every service.
REGISTRY_PREFIX = "registry."
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


LANE_TOPICS = (
    REPORTS_SUBMITTED,
    REPORTS_ROUTED,
    CASES_EVENTS,
    CASES_COMMANDS,
    REPORTS_SUBMITTED_URGENT,
    REPORTS_ROUTED_URGENT,
    CASES_EVENTS_URGENT,
)

CORE_TOPICS: tuple[TopicSpec, ...] = (
    *(TopicSpec(name) for name in LANE_TOPICS),
    *(TopicSpec(dead_letter_topic(name), partitions=1) for name in LANE_TOPICS),
)

# Commands on cases that casework refused (stale version, not allowed, out of scope),
# keyed by case id with the reason, so a sender on Kafka learns what HTTP answers 409 to.
CASES_COMMANDS_REFUSED = "cases.commands.refused"


# Notifications the notifier gave up on after its retry limit, with the reason.
NOTIFY_DEADLETTER = "notify.deadletter"

# Field work: visits, patrols and campaigns, keyed by grid code or campaign id.
FIELDWORK_EVENTS = "fieldwork.events"
FIELDWORK_CAMPAIGNS = "fieldwork.campaigns"
GRID_NOTICE_PREFIX = "notify.grid."


def grid_topic(grid_code: str) -> str:
    """Topic that a grid head's app consumes campaign notices from."""
    return f"{GRID_NOTICE_PREFIX}{grid_code}"
