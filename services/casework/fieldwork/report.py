"""The district's field work figures for a period, per grid, village and sub-district."""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from services.casework.fieldwork.models import VisitType
from shared.mongo import Document

COLUMNS = (
    "level", "code", "visits", *(kind.value for kind in VisitType), "disputes_resolved",
    "problems_handled", "campaign_households", "campaign_confirmed", "campaign_coverage",
)  # fmt: skip


@dataclass
class Tally:
    """The figures of one grid, village or the whole sub-district."""

    visits: dict[VisitType, int] = field(
        default_factory=lambda: dict.fromkeys(VisitType, 0)
    )
    disputes_resolved: int = 0
    problems_handled: int = 0
    campaign_households: int = 0
    campaign_confirmed: int = 0

    def row(self, level: str, code: str) -> dict[str, Any]:
        """The tally as one report row."""
        households = self.campaign_households
        return {
            "level": level,
            "code": code,
            "visits": sum(self.visits.values()),
            **{kind.value: count for kind, count in self.visits.items()},
            "disputes_resolved": self.disputes_resolved,
            "problems_handled": self.problems_handled,
            "campaign_households": households,
            "campaign_confirmed": self.campaign_confirmed,
            "campaign_coverage": round(self.campaign_confirmed / households, 4)
            if households
            else None,
        }


class Ledger:
    """Adds figures to a grid, its village and the sub-district at once."""

    def __init__(self, villages: dict[str, str]) -> None:
        self.villages = villages
        self.grids: dict[str, Tally] = {}
        self.by_village: dict[str, Tally] = {}
        self.total = Tally()

    def tallies(self, grid: str | None, village: str | None = None) -> list[Tally]:
        """The tallies a figure about ``grid`` counts in."""
        village = village or (self.villages.get(grid) if grid else None)
        found = [self.total]
        if grid:
            found.append(self.grids.setdefault(grid, Tally()))
        if village:
            found.append(self.by_village.setdefault(village, Tally()))
        return found

    def rows(self) -> list[dict[str, Any]]:
        """Every row: the sub-district, then villages, then grids."""
        return [
            self.total.row("sub_district", "all"),
            *(
                self.by_village[code].row("village", code)
                for code in sorted(self.by_village)
            ),
            *(self.grids[code].row("grid", code) for code in sorted(self.grids)),
        ]


def compile_report(
    villages: dict[str, str],
    disputes: set[str],
    visits: Iterable[Document],
    closed_cases: Iterable[Document],
    campaigns: Iterable[Document],
) -> list[dict[str, Any]]:
    """Rows of figures from the period's visits, filed cases and running campaigns.

    ``disputes`` are the case categories that are disputes between people: a filed
    case of one is a dispute resolved, as is a visit's dispute settled on the spot.
    """
    ledger = Ledger(villages)
    for visit in visits:
        findings = visit.get("findings", [])
        resolved = [f for f in findings if f.get("resolved")]
        for tally in ledger.tallies(visit["grid_code"], visit.get("village_code")):
            tally.visits[VisitType(visit["visit_type"])] += 1
            tally.problems_handled += len(resolved)
            tally.disputes_resolved += sum(1 for f in resolved if f.get("dispute"))

    for case in closed_cases:
        dispute = case.get("category") in disputes
        for tally in ledger.tallies(case.get("grid_code"), case.get("village_code")):
            tally.problems_handled += 1
            tally.disputes_resolved += int(dispute)

    for campaign in campaigns:
        for code, entry in campaign["grids"].items():
            for tally in ledger.tallies(code, entry.get("village_code")):
                tally.campaign_households += entry["households"]
                tally.campaign_confirmed += min(entry["confirmed"], entry["households"])
    return ledger.rows()


def as_csv(rows: list[dict[str, Any]]) -> str:
    """The rows as CSV with a header line."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
