"""The duplicate neighbourhood: the H3 disk holds every point within the radius."""

import math
from datetime import UTC, datetime, timedelta

import h3
from hypothesis import given, settings
from hypothesis import strategies as st

from services.router.duplicates import (
    H3_RESOLUTION,
    OpenCase,
    Spot,
    distance_m,
    nearest,
    neighbourhood,
    supporter_level,
)
from shared.registry import demo_registry

NOW = datetime(2026, 3, 2, 10, tzinfo=UTC)
RUBBISH = demo_registry().category("rubbish")


def a_spot(lat: float = 22.55, lon: float = 113.95, report_id: str = "r-new") -> Spot:
    return Spot(report_id=report_id, category="rubbish", lat=lat, lon=lon, at=NOW)


def a_case(
    lat: float, lon: float, case_id: str = "C-1", report_id: str = "r-1"
) -> OpenCase:
    return OpenCase(
        case_id=case_id,
        report_id=report_id,
        category="rubbish",
        base_level=1,
        lat=lat,
        lon=lon,
        opened_at=NOW - timedelta(hours=1),
    )


def offset(lat: float, lon: float, metres: float, bearing: float) -> tuple[float, float]:
    """A point ``metres`` away on ``bearing`` radians, flat-earth accurate at this scale."""
    north = metres * math.cos(bearing) / 111_320
    east = metres * math.sin(bearing) / (111_320 * math.cos(math.radians(lat)))
    return lat + north, lon + east


@settings(max_examples=300, deadline=None)
@given(
    lat=st.floats(22.50, 22.60),
    lon=st.floats(113.90, 114.00),
    radius=st.sampled_from([30.0, 100.0, 150.0, 300.0, 500.0, 2000.0]),
    share=st.floats(0, 1),
    bearing=st.floats(0, 2 * math.pi),
)
def test_every_point_within_the_radius_lies_in_the_disk(
    lat: float, lon: float, radius: float, share: float, bearing: float
) -> None:
    assert RUBBISH is not None
    category = RUBBISH.model_copy(update={"duplicate_radius_m": radius})
    other_lat, other_lon = offset(lat, lon, radius * share * 0.999, bearing)

    where = neighbourhood(a_spot(lat, lon), category)

    assert where is not None
    assert h3.latlng_to_cell(other_lat, other_lon, H3_RESOLUTION) in where.cells


def test_the_window_and_radius_come_from_the_category() -> None:
    registry = demo_registry()
    rubbish, wages = registry.category("rubbish"), registry.category("wage_arrears")
    assert rubbish is not None
    assert wages is not None

    where = neighbourhood(a_spot(), rubbish)

    assert where is not None
    assert where.radius_m == rubbish.duplicate_radius_m
    assert where.since == NOW - timedelta(hours=rubbish.duplicate_window_hours)
    assert neighbourhood(a_spot(), wages) is None


def test_the_nearest_case_within_the_radius_wins() -> None:
    spot = a_spot()
    near_lat, near_lon = offset(spot.lat, spot.lon, 40, 1.0)
    far_lat, far_lon = offset(spot.lat, spot.lon, 90, 2.0)
    outside_lat, outside_lon = offset(spot.lat, spot.lon, 120, 3.0)
    cases = [
        a_case(far_lat, far_lon, "C-far", "r-far"),
        a_case(near_lat, near_lon, "C-near", "r-near"),
        a_case(outside_lat, outside_lon, "C-out", "r-out"),
    ]

    chosen = nearest(spot, cases, 100)

    assert chosen is not None
    assert chosen.case_id == "C-near"
    assert 39 < distance_m(spot.lat, spot.lon, near_lat, near_lon) < 41
    assert nearest(spot, cases[2:], 100) is None


def test_a_report_never_supports_its_own_case() -> None:
    spot = a_spot(report_id="r-1")

    assert nearest(spot, [a_case(spot.lat, spot.lon, report_id="r-1")], 100) is None


def test_every_three_supporters_raise_the_level_up_to_3() -> None:
    assert [supporter_level(1, n) for n in range(8)] == [1, 1, 1, 2, 2, 2, 3, 3]
    assert supporter_level(3, 1) == 3
