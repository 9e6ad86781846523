"""What a load run offered and what intake answered, in figures."""

import math
from collections import Counter
from dataclasses import dataclass, field

from ops.load.sender import Sent


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(math.ceil(q / 100 * len(ordered)) - 1, 0))]


@dataclass
class LoadSummary:
    """Counts and answer times of one run or phase."""

    offered: int = 0
    skipped: int = 0
    started: int = 0
    accepted: int = 0
    not_accepted: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    photos: int = 0
    resent: int = 0
    resend_mismatches: int = 0
    answer_s: list[float] = field(default_factory=list)
    span_s: float = math.nan

    @property
    def accepted_per_s(self) -> float:
        """202 answers per second over the time the reports took to answer."""
        if not self.accepted or not self.span_s > 0:
            return math.nan
        return self.accepted / self.span_s

    def answer_ms(self, q: float) -> float:
        """A percentile of the time from sending to the 202, in milliseconds."""
        return percentile(self.answer_s, q) * 1000


def summarise(sent: list[Sent], skipped: int = 0) -> LoadSummary:
    """Tally reports started (and those skipped for too many in flight)."""
    found = LoadSummary(offered=len(sent) + skipped, skipped=skipped, started=len(sent))
    for report in sent:
        found.statuses[str(report.status or report.last_error.split(" from ")[0])] += 1
        if report.answered_at is None:
            found.not_accepted += 1
            continue
        found.accepted += 1
        found.by_kind[report.kind.value] += 1
        found.photos += report.photo
        found.resent += report.resent
        found.resend_mismatches += report.resend_matched is False
        found.answer_s.append(report.answered_at - report.sent_at)

    answered = [s for s in sent if s.answered_at is not None]
    if answered:
        first = min(s.sent_at for s in answered)
        found.span_s = max(s.answered_at or first for s in answered) - first
    return found
