"""The topics and consumer groups the router uses, in two lanes: normal and urgent.

Each lane has its own topics and its own consumer group, so a backlog of ordinary
reports cannot delay an emergency. A suffix moves the whole set to topics of its own,
so a benchmark can flood the router without touching the shared topics.
"""

from dataclasses import dataclass

from pydantic import Field

from shared.settings import ServiceSettings
from shared.topics import (
    CASES_EVENTS,
    CASES_EVENTS_URGENT,
    REPORTS_ROUTED,
    REPORTS_ROUTED_URGENT,
    REPORTS_SUBMITTED,
    REPORTS_SUBMITTED_URGENT,
    TopicSpec,
    dead_letter_topic,
)


class RouterSettings(ServiceSettings):
    """The shared settings, plus the router's own topic suffix."""

    router_topic_suffix: str = Field(default="", pattern=r"^(\.[a-z0-9-]{1,40})?$")


@dataclass(frozen=True)
class Lanes:
    """Topic and group names, each with the same suffix."""

    suffix: str = ""

    def _named(self, name: str) -> str:
        return f"{name}{self.suffix}"

    @property
    def submitted(self) -> str:
        """Reports to route, normal lane."""
        return self._named(REPORTS_SUBMITTED)

    @property
    def submitted_urgent(self) -> str:
        """Reports to route, emergency lane."""
        return self._named(REPORTS_SUBMITTED_URGENT)

    @property
    def routed(self) -> str:
        """Decisions for ordinary reports."""
        return self._named(REPORTS_ROUTED)

    @property
    def routed_urgent(self) -> str:
        """Decisions for emergencies."""
        return self._named(REPORTS_ROUTED_URGENT)

    @property
    def case_events(self) -> str:
        """Case transitions, normal lane."""
        return self._named(CASES_EVENTS)

    @property
    def case_events_urgent(self) -> str:
        """Case transitions, emergency lane."""
        return self._named(CASES_EVENTS_URGENT)

    def group(self, name: str) -> str:
        """A consumer group name for this set of topics."""
        return self._named(name)

    def routed_for(self, emergency: bool) -> str:
        """Where a decision goes."""
        return self.routed_urgent if emergency else self.routed

    def specs(self) -> tuple[TopicSpec, ...]:
        """The lane topics and their dead-letter twins, for creation at start-up."""
        names = (
            self.submitted,
            self.submitted_urgent,
            self.routed,
            self.routed_urgent,
            self.case_events,
            self.case_events_urgent,
        )
        return (
            *(TopicSpec(name) for name in names),
            *(TopicSpec(dead_letter_topic(name), partitions=1) for name in names),
        )
