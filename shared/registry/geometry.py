"""Plain-Python polygon helpers, so grid lookups need no geospatial library."""

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

Position = tuple[float, float]
"""A WGS84 position in GeoJSON order: (longitude, latitude)."""

Ring = Sequence[Position]


@dataclass(frozen=True, slots=True)
class BBox:
    """An axis-aligned box in degrees, the cheap first test before point-in-polygon."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def contains(self, lon: float, lat: float) -> bool:
        """Whether the point lies in the box, edges included."""
        return self.min_lon <= lon <= self.max_lon and self.min_lat <= lat <= self.max_lat

    def union(self, other: "BBox") -> "BBox":
        """The smallest box holding both boxes."""
        return BBox(
            min(self.min_lon, other.min_lon),
            min(self.min_lat, other.min_lat),
            max(self.max_lon, other.max_lon),
            max(self.max_lat, other.max_lat),
        )


def ring_bbox(ring: Ring) -> BBox:
    """The bounding box of a ring."""
    lons = [lon for lon, _ in ring]
    lats = [lat for _, lat in ring]
    return BBox(min(lons), min(lats), max(lons), max(lats))


def point_in_ring(lon: float, lat: float, ring: Ring) -> bool:
    """Even-odd ray casting; half-open edges give a point on a shared edge to one side."""
    inside = False
    for (x1, y1), (x2, y2) in pairwise(ring):
        if (y1 > lat) == (y2 > lat):
            continue

        crossing = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
        if lon < crossing:
            inside = not inside
    return inside


def point_in_polygon(lon: float, lat: float, rings: Sequence[Ring]) -> bool:
    """Inside the outer ring (the first) and outside every hole (the rest)."""
    if not rings or not point_in_ring(lon, lat, rings[0]):
        return False
    return not any(point_in_ring(lon, lat, hole) for hole in rings[1:])


def signed_area(ring: Ring) -> float:
    """Shoelace area in square degrees: positive when the ring runs counter-clockwise."""
    return 0.5 * sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairwise(ring))


def ring_centroid(ring: Ring) -> Position:
    """Area-weighted centroid of a closed ring."""
    area = signed_area(ring)
    if area == 0:
        lons = [lon for lon, _ in ring[:-1]]
        lats = [lat for _, lat in ring[:-1]]
        return (sum(lons) / len(lons), sum(lats) / len(lats))

    cx = cy = 0.0
    for (x1, y1), (x2, y2) in pairwise(ring):
        cross = x1 * y2 - x2 * y1
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    return (cx / (6 * area), cy / (6 * area))


def _orientation(a: Position, b: Position, c: Position) -> float:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _segments_cross(a: Position, b: Position, c: Position, d: Position) -> bool:
    """Whether segments ab and cd properly intersect or touch."""
    o1, o2 = _orientation(a, b, c), _orientation(a, b, d)
    o3, o4 = _orientation(c, d, a), _orientation(c, d, b)
    if (o1 > 0) != (o2 > 0) and (o3 > 0) != (o4 > 0) and 0 not in (o1, o2, o3, o4):
        return True

    def on_segment(p: Position, q: Position, r: Position) -> bool:
        within_x = min(p[0], r[0]) <= q[0] <= max(p[0], r[0])
        return within_x and min(p[1], r[1]) <= q[1] <= max(p[1], r[1])

    return (
        (o1 == 0 and on_segment(a, c, b))
        or (o2 == 0 and on_segment(a, d, b))
        or (o3 == 0 and on_segment(c, a, d))
        or (o4 == 0 and on_segment(c, b, d))
    )


def is_simple_ring(ring: Ring) -> bool:
    """Whether no two non-adjacent edges of a closed ring meet."""
    edges = list(pairwise(ring))
    count = len(edges)
    for i in range(count):
        for j in range(i + 1, count):
            adjacent = j == i + 1 or (i == 0 and j == count - 1)
            if not adjacent and _segments_cross(*edges[i], *edges[j]):
                return False
    return True
