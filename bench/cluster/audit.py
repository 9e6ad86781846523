"""Counting what the run sent against what came out, and judging it."""

import math
from dataclasses import dataclass, field

from bench.watch import CaseRow, Seen
from ops.load.sender import Sent

FAULT_WINDOW_S = 20.0
"""Reports answered from a fault until this long after it count as under that fault."""

RESUME_LIMIT_S = 15.0
"""New cases must appear this soon after a fault, or the run fails."""


@dataclass(frozen=True)
class Fault:
    """Something the run did to the system, and when."""

    at: float
    what: str


@dataclass
class Counts:
    """The tallies the verdict rests on."""

    sent: int = 0
    answered: int = 0
    not_answered: int = 0
    with_case: int = 0
    lost: list[str] = field(default_factory=list)
    duplicate_cases: list[str] = field(default_factory=list)
    missing_dispatched: list[str] = field(default_factory=list)
    double_dispatched: list[str] = field(default_factory=list)
    missing_alert: list[str] = field(default_factory=list)
    double_alert: list[str] = field(default_factory=list)
    dispatched_copies: int = 0
    alert_copies: int = 0
    unanswered_with_case: int = 0

    def failures(self) -> list[str]:
        """Every way the run lost or duplicated something."""
        checks = {
            "reports answered 202 without a case": self.lost,
            "reports with more than one case": self.duplicate_cases,
            "cases without a case.dispatched event": self.missing_dispatched,
            "cases with two different case.dispatched events": self.double_dispatched,
            "cases whose department was not alerted": self.missing_alert,
            "cases alerted twice under different event ids": self.double_alert,
        }
        return [f"{len(ids)} {what} (e.g. {ids[0]})" for what, ids in checks.items() if ids]


def count(
    sent: list[Sent], cases: dict[str, list[CaseRow]], seen: dict[str, Seen]
) -> Counts:
    """Match every report of the run to its cases, events and alerts."""
    counts = Counts(sent=len(sent))
    for report in sent:
        rows = cases.get(report.report_id, [])
        if report.answered_at is None:
            counts.not_answered += 1
            counts.unanswered_with_case += bool(rows)
            continue

        counts.answered += 1
        if not rows:
            counts.lost.append(report.report_id)
            continue
        counts.with_case += 1
        if len(rows) > 1:
            counts.duplicate_cases.append(report.report_id)

        messages = seen.get(report.report_id, Seen())
        counts.dispatched_copies += messages.dispatched_copies
        counts.alert_copies += messages.alert_copies
        _tally(
            counts.missing_dispatched, counts.double_dispatched, report, messages.dispatched
        )
        _tally(counts.missing_alert, counts.double_alert, report, messages.alerts)
    return counts


def _tally(
    missing: list[str], double: list[str], report: Sent, ids: dict[str, float]
) -> None:
    if not ids:
        missing.append(report.report_id)
    elif len(ids) > 1:
        double.append(report.report_id)


def all_done(
    sent: list[Sent], cases: dict[str, list[CaseRow]], seen: dict[str, Seen]
) -> bool:
    """Whether every answered report has its case, event and alert."""
    for report in sent:
        if report.answered_at is None:
            continue
        messages = seen.get(report.report_id)
        if not cases.get(report.report_id) or messages is None:
            return False
        if not messages.dispatched or not messages.alerts:
            return False
    return True


def all_alerted(sent: list[Sent], seen: dict[str, Seen]) -> bool:
    """Whether every answered report's department was alerted (no database read)."""
    return all(_alerted(s, seen) for s in sent if s.answered_at is not None)


@dataclass(frozen=True)
class Delays:
    """Seconds from intake's 202 to the case stored and to the department alerted."""

    to_case: list[float]
    to_alert: list[float]


def delays(
    sent: list[Sent],
    cases: dict[str, list[CaseRow]],
    seen: dict[str, Seen],
    since: float = -math.inf,
    until: float = math.inf,
) -> Delays:
    """Delays of the reports answered between ``since`` and ``until``."""
    to_case: list[float] = []
    to_alert: list[float] = []
    for report in sent:
        if report.answered_at is None or not since <= report.answered_at < until:
            continue
        rows = cases.get(report.report_id)
        if rows:
            to_case.append(max(min(r.created_at for r in rows) - report.answered_at, 0.0))
        messages = seen.get(report.report_id)
        if messages is not None and messages.alerts:
            to_alert.append(max(min(messages.alerts.values()) - report.answered_at, 0.0))
    return Delays(to_case, to_alert)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(math.ceil(q / 100 * len(ordered)) - 1, 0))]


@dataclass(frozen=True)
class Recovery:
    """How the pipeline carried on after one fault."""

    fault: Fault
    next_case_s: float
    next_alert_s: float
    worst_to_case_s: float
    worst_to_alert_s: float


def recovery(
    fault: Fault,
    sent: list[Sent],
    cases: dict[str, list[CaseRow]],
    seen: dict[str, Seen],
) -> Recovery:
    """Time to the first case and alert after the fault, and the worst delay near it."""
    created = [
        r.created_at for rows in cases.values() for r in rows if r.created_at > fault.at
    ]
    alerted = [t for s in seen.values() for t in s.alerts.values() if t > fault.at]
    # Reports in flight when the fault struck suffer most: start a little before it.
    near = delays(sent, cases, seen, since=fault.at - 2.0, until=fault.at + FAULT_WINDOW_S)
    return Recovery(
        fault,
        next_case_s=min(created, default=math.inf) - fault.at,
        next_alert_s=min(alerted, default=math.inf) - fault.at,
        worst_to_case_s=max(near.to_case, default=math.nan),
        worst_to_alert_s=max(near.to_alert, default=math.nan),
    )


@dataclass(frozen=True)
class Capacity:
    """Throughput of the closed-loop phase, with every instance running."""

    reports: int
    accepted_per_s: float
    completed_per_s: float


def capacity(sent: list[Sent], seen: dict[str, Seen]) -> Capacity:
    """Reports per second accepted, and carried all the way to an alert."""
    answered = [s for s in sent if s.answered_at is not None]
    if not answered:
        return Capacity(0, math.nan, math.nan)

    first = min(s.sent_at for s in answered)
    last_answer = max(s.answered_at or first for s in answered)
    alerts = [min(seen[s.report_id].alerts.values()) for s in answered if _alerted(s, seen)]
    done = max(alerts, default=math.nan)
    return Capacity(
        len(answered),
        len(answered) / max(last_answer - first, 1e-3),
        len(alerts) / max(done - first, 1e-3) if alerts else math.nan,
    )


def _alerted(report: Sent, seen: dict[str, Seen]) -> bool:
    messages = seen.get(report.report_id)
    return messages is not None and bool(messages.alerts)
