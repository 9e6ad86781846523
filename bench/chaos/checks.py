"""What a chaos run must find once the backlog has drained, and the counts it prints.

- every report intake answered 202 is exactly one case: opened for it, or joined as
  a supporter of an open case, never both and never two;
- every version of every case has exactly one transition event, however many copies
  of it were delivered (a follower drops repeats by event id);
- every dispatched case reached its department on both channels the rules name (its
  Kafka topic and the webhook), once per kind after repeats are dropped, and the
  notifier holds no undelivered or abandoned job;
- nothing is left behind: no consumer lag in the run's groups, no unpublished report
  or case event, no notification job waiting;
- every poison message was parked, by every service consuming its topic, with a reason.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pymongo import AsyncMongoClient

from bench.chaos.hooks import Deliveries
from bench.chaos.poison import Injected, Parked
from bench.watch import CaseRow, Watcher, supported
from ops.load.sender import Sent
from shared.lag import LagReader

ASSIGNED = "assigned"


@dataclass
class Leftovers:
    """Work still waiting in the database and on the topics."""

    unpublished_reports: int = 0
    unpublished_cases: int = 0
    jobs_waiting: int = 0
    jobs_dead: int = 0
    lag: int = 0

    @property
    def none(self) -> bool:
        """Whether everything has been done."""
        return not (
            self.unpublished_reports
            or self.unpublished_cases
            or self.jobs_waiting
            or self.jobs_dead
            or self.lag
        )


async def leftovers(
    mongo: AsyncMongoClient[dict[str, Any]], database: str, bootstrap: str, prefix: str
) -> Leftovers:
    """Count what the services have not finished."""
    db = mongo[database]
    found = Leftovers(
        unpublished_reports=await db["reports"].count_documents({"published": False}),
        unpublished_cases=await db["cases"].count_documents({"outbox_pending": True}),
        jobs_waiting=await db["notify_jobs"].count_documents({}),
        jobs_dead=await db["notify_done"].count_documents({"status": "dead"}),
    )
    async with LagReader(bootstrap) as reader:
        for group in await reader.groups():
            if group.startswith(prefix):
                found.lag += sum(p.lag for p in await reader.lag(group))
    return found


@dataclass
class Verdict:
    """The counts, in print order, and every way the run failed."""

    counts: list[tuple[str, int]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    account: str = ""

    def count(self, label: str, value: int) -> None:
        """Add a line to the account."""
        self.counts.append((label, value))

    def require_none(self, label: str, value: int) -> None:
        """Count ``value`` under ``label``; anything but zero fails the run."""
        self.count(label, value)
        if value:
            self.failures.append(f"{value} {label}")

    def require(self, label: str, offenders: Iterable[str]) -> None:
        """Count offenders under ``label``; any offender fails the run."""
        found = list(offenders)
        self.count(label, len(found))
        if found:
            self.failures.append(f"{len(found)} {label} (e.g. {', '.join(found[:3])})")


def judge(
    sent: list[Sent],
    cases: dict[str, list[CaseRow]],
    watcher: Watcher,
    deliveries: Deliveries,
    injected: Injected,
    parked: Parked,
    left: Leftovers,
) -> Verdict:
    """Hold the run's output against every promise in the module's docstring."""
    verdict = Verdict()
    answered = [s for s in sent if s.answered_at is not None]
    joined = supported(cases)
    verdict.count("reports sent", len(sent))
    verdict.count("answered 202", len(answered))
    verdict.count(
        "not answered 202 after every retry (no promise made)", len(sent) - len(answered)
    )
    verdict.count("sent twice with the same id", sum(s.resent for s in sent))
    verdict.require(
        "second answers that differed from the first",
        (s.report_id for s in sent if s.resend_matched is False),
    )

    homes = {
        s.report_id: len(cases.get(s.report_id, [])) + len(joined.get(s.report_id, []))
        for s in answered
    }
    verdict.count(
        "answered reports that opened a case",
        sum(bool(cases.get(s.report_id)) for s in answered),
    )
    verdict.count(
        "answered reports that joined an open case",
        sum(bool(joined.get(s.report_id)) for s in answered),
    )
    verdict.require("LOST: answered 202, no case", (r for r, n in homes.items() if n == 0))
    verdict.require(
        "DUPLICATED: in more than one case", (r for r, n in homes.items() if n > 1)
    )

    rows = [row for group in cases.values() for row in group]
    missing, doubled = [], []
    for row in rows:
        versions = watcher.by_case.get(row.case_id)
        for version in range(1, row.version + 1):
            ids = versions.by_version.get(version, set()) if versions else set()
            if not ids:
                missing.append(f"{row.case_id} v{version}")
            elif len(ids) > 1:
                doubled.append(f"{row.case_id} v{version}")
    verdict.count("cases stored", len(rows))
    verdict.count(
        "  of which in triage (no department yet, so no alert)", sum(r.triage for r in rows)
    )
    verdict.count(
        "transition events expected (one per case version)", sum(r.version for r in rows)
    )
    verdict.count(
        "transition event copies read", sum(t.copies for t in watcher.by_case.values())
    )
    verdict.require("case versions with no event", missing)
    verdict.require("case versions with two different event ids", doubled)

    dispatched = [r for r in rows if r.version >= 1 and not r.triage]
    verdict.count(
        "department alert copies read",
        sum(s.alert_copies for s in watcher.by_report.values()),
    )
    verdict.require(
        "dispatched cases without exactly one alert on their topic",
        (
            r.case_id
            for r in dispatched
            if len(watcher.alert_kinds.get((r.case_id, ASSIGNED), ())) != 1
        ),
    )
    verdict.count("webhook deliveries handled", len(deliveries.seen_ids))
    verdict.count("webhook repeats dropped by delivery id", deliveries.repeats)
    verdict.require(
        "dispatched cases without exactly one webhook delivery",
        (
            r.case_id
            for r in dispatched
            if len(deliveries.by_case.get((r.case_id, ASSIGNED), ())) != 1
        ),
    )
    verdict.require(
        "webhook deliveries refused (bad signature or stale)", deliveries.refused
    )

    verdict.require_none("reports never published to Kafka", left.unpublished_reports)
    verdict.require_none("cases with unpublished events", left.unpublished_cases)
    verdict.require_none("notification jobs still waiting", left.jobs_waiting)
    verdict.require_none("notifications given up on", left.jobs_dead)
    verdict.require_none("messages of consumer lag left", left.lag)

    verdict.count("poison messages injected", len(injected.messages))
    verdict.count(
        "parked copies expected (one per consuming service)", parked.expected(injected)
    )
    verdict.count(
        "parked copies found with a reason",
        sum(1 for s in parked.by_label.values() for r in s.values() if r),
    )
    verdict.require(
        "poison messages not parked by every consumer", parked.missing(injected)
    )
    return verdict
