"""Telling a new report from one more voice about an open case.

A report supports an open case of the same category that opened no longer ago than
the category's window and lies within its radius. The neighbourhood is a disk of H3
cells around the report, which any MongoDB-compatible server can match with ``$in``;
the exact distance then decides among the candidates.

Supporters raise the level: every ``SUPPORTERS_PER_LEVEL`` supporters lift the case
one level above the level it opened at, up to 3. The router decides this and carries
it in the supporter's decision; casework raises the case to that level if it is lower.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import h3

from services.router.routing import tier_for
from shared.contracts import RoutingDecision
from shared.registry import Category, Registry

H3_RESOLUTION = 10
"""About 76 m edges: fine enough that a 30 m radius is a small disk."""

EDGE_MARGIN = 0.05
"""Cells near the report differ a little from its own; allow for that much."""

SUPPORTERS_PER_LEVEL = 3

CLOSED_STATUSES = frozenset({"filed", "merged", "invalid"})
"""A case in one of these no longer takes supporters."""

EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class Spot:
    """Where and when a report was made, and of what category."""

    report_id: str
    category: str
    lat: float
    lon: float
    at: datetime

    @property
    def cell(self) -> str:
        """The H3 cell the report lies in."""
        return str(h3.latlng_to_cell(self.lat, self.lon, H3_RESOLUTION))


@dataclass(frozen=True)
class OpenCase:
    """An open case as the router's index knows it."""

    case_id: str
    report_id: str
    category: str
    base_level: int
    lat: float
    lon: float
    opened_at: datetime


@dataclass(frozen=True)
class Neighbourhood:
    """What to look for: the cells to search and how near and recent a case must be."""

    cells: list[str]
    radius_m: float
    since: datetime


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = (
        math.sin(dphi / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def disk_size(cell: str, radius_m: float) -> int:
    """H3 rings around ``cell`` that surely hold every cell within ``radius_m`` of it.

    Centres of cells k rings apart are at least 1.5 k edges apart, and a point lies
    within one edge of its cell's centre, so the centre of any cell holding a point
    within the radius is at most the radius plus two edges away.
    """
    edges = [float(h3.edge_length(edge, "m")) for edge in h3.origin_to_directed_edges(cell)]
    short, long = min(edges) * (1 - EDGE_MARGIN), max(edges) * (1 + EDGE_MARGIN)
    return math.ceil((radius_m + 2 * long) / (1.5 * short))


def neighbourhood(spot: Spot, category: Category) -> Neighbourhood | None:
    """Where open cases this report could support would be, if it can support any."""
    if category.duplicate_radius_m <= 0 or category.duplicate_window_hours <= 0:
        return None

    cells = h3.grid_disk(spot.cell, disk_size(spot.cell, category.duplicate_radius_m))
    return Neighbourhood(
        cells=sorted(str(cell) for cell in cells),
        radius_m=category.duplicate_radius_m,
        since=spot.at - timedelta(hours=category.duplicate_window_hours),
    )


def nearest(spot: Spot, candidates: list[OpenCase], radius_m: float) -> OpenCase | None:
    """The closest candidate within the radius, if any."""
    near = [
        (distance_m(spot.lat, spot.lon, case.lat, case.lon), case.case_id, case)
        for case in candidates
        if case.report_id != spot.report_id
    ]
    inside = [item for item in near if item[0] <= radius_m]
    return min(inside)[2] if inside else None


def supporter_level(base_level: int, supporters: int) -> int:
    """The level a case should reach with ``supporters`` supporters."""
    return min(3, base_level + supporters // SUPPORTERS_PER_LEVEL)


def as_supporter(
    decision: RoutingDecision,
    case: OpenCase,
    supporters: int,
    spot: Spot,
    registry: Registry,
) -> RoutingDecision:
    """The decision turned into support for ``case``, with the level supporters earn."""
    level = max(decision.level, supporter_level(case.base_level, supporters))
    away = distance_m(spot.lat, spot.lon, case.lat, case.lon)
    hours = (spot.at - case.opened_at).total_seconds() / 3600
    why = (
        f"supports open case {case.case_id} ({away:.0f} m away, opened {hours:.1f} h "
        f"before); {supporters} supporter(s) on a level-{case.base_level} case: "
        f"level {level}"
    )
    return decision.model_copy(
        update={
            "duplicate_of": case.case_id,
            "level": level,
            "tier": tier_for(level, decision.department, registry),
            "explanation": f"{decision.explanation}; {why}",
        }
    )
