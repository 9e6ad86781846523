"""The demo registry: its shape, its geometry, its JSON round trip and its rules."""

import json
import random
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from shared.registry import Grid, Registry, demo_registry
from shared.registry.demo_places import EAST, WEST, band_lat

CST = timezone(timedelta(hours=8))


@pytest.fixture(scope="module")
def registry() -> Registry:
    """One demo registry for the module; tests that edit it work on copies."""
    return demo_registry()


def _inside_subdistrict(lat: float, lon: float) -> bool:
    """Whether a point is within the demo sub-district's outline."""
    return WEST < lon < EAST and band_lat(0, lon) < lat < band_lat(3, lon)


def _dump(registry: Registry) -> dict[str, Any]:
    """The registry as it travels on Kafka: plain JSON."""
    loaded: dict[str, Any] = json.loads(registry.model_dump_json())
    return loaded


def test_fourteen_villages_and_communities(registry: Registry) -> None:
    kinds = [village.kind for village in registry.villages]

    assert len(registry.villages) == 14
    assert kinds.count("village") == 8
    assert kinds.count("community") == 6


def test_189_grids_with_plausible_households(registry: Registry) -> None:
    kind = {village.code: village.kind for village in registry.villages}
    village_sizes = [
        g.households for g in registry.grids if kind[g.village_code] == "village"
    ]
    community_sizes = [
        g.households for g in registry.grids if kind[g.village_code] == "community"
    ]

    assert len(registry.grids) == 189
    assert 130 <= sum(village_sizes) / len(village_sizes) <= 170
    assert 260 <= sum(community_sizes) / len(community_sizes) <= 340
    assert all(registry.grid(grid.code) is grid for grid in registry.grids)


def test_grid_codes_follow_their_village(registry: Registry) -> None:
    for grid in registry.grids:
        assert grid.code.startswith(f"G-{grid.village_code[2:]}-")
        assert registry.village(grid.village_code) is not None


def test_every_grid_contains_its_centroid_and_grid_at_finds_it(registry: Registry) -> None:
    for grid in registry.grids:
        lon, lat = grid.centroid

        assert grid.contains(lat, lon), grid.code
        found = registry.grid_at(lat, lon)
        assert found is not None
        assert found.code == grid.code


def test_no_two_grids_overlap_and_none_is_missing_at_sampled_points(
    registry: Registry,
) -> None:
    rng = random.Random(7)
    extent_lat = (22.49, 22.61)
    extent_lon = (113.89, 114.01)

    for _ in range(2000):
        lat = rng.uniform(*extent_lat)
        lon = rng.uniform(*extent_lon)
        containing = [grid.code for grid in registry.grids if grid.contains(lat, lon)]

        assert len(containing) <= 1, (lat, lon, containing)
        if _inside_subdistrict(lat, lon):
            assert len(containing) == 1, (lat, lon)
            found = registry.grid_at(lat, lon)
            assert found is not None
            assert found.code == containing[0]
        else:
            assert registry.grid_at(lat, lon) is None


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        (22.30, 114.00),
        (22.55, 113.50),
        (22.5995, 113.995),
        (0.0, 0.0),
    ],
)
def test_point_outside_the_subdistrict_has_no_grid(
    registry: Registry, lat: float, lon: float
) -> None:
    assert registry.grid_at(lat, lon) is None


def test_round_trip_through_json(registry: Registry) -> None:
    copy = Registry.model_validate(_dump(registry))
    python_copy = Registry.model_validate(registry.model_dump())
    first = registry.grids[0]
    lon, lat = first.centroid

    assert copy == registry
    assert python_copy == registry
    assert copy.model_dump() == registry.model_dump()
    assert Registry.model_validate_json(registry.model_dump_json()) == registry
    assert copy.grid_at(lat, lon) == first


def test_every_category_names_an_existing_department(registry: Registry) -> None:
    for category in registry.categories:
        department = registry.department(category.default_department)

        assert department is not None, category.code
        assert department.tier == "department"


def test_every_category_has_a_unique_open311_service_code(registry: Registry) -> None:
    codes = [category.open311_service_code for category in registry.categories]

    assert all(codes)
    assert len(set(codes)) == len(codes)
    for category in registry.categories:
        assert registry.category_by_service_code(category.open311_service_code) is category


def test_catalogue_covers_the_seven_areas_in_both_languages(registry: Registry) -> None:
    areas = {category.area for category in registry.categories}

    assert len(registry.categories) >= 30
    assert len(areas) == 7
    for category in registry.categories:
        assert len(category.keywords_zh) >= 10, category.code
        assert len(category.keywords_en) >= 10, category.code


def test_lookups_answer_none_for_unknown_codes(registry: Registry) -> None:
    assert registry.grid("G-99-99") is None
    assert registry.village("V-99") is None
    assert registry.category("nothing") is None
    assert registry.department("nothing") is None
    assert registry.category_by_service_code("0000") is None


def test_tagged_grids_exist(registry: Registry) -> None:
    tags = [tag for grid in registry.grids for tag in grid.tags]

    assert tags.count("school") >= 10
    assert tags.count("hospital") >= 3
    assert tags.count("low_lying") >= 10


def test_an_unknown_department_is_refused(registry: Registry) -> None:
    data = _dump(registry)
    data["categories"][0]["default_department"] = "nowhere"

    with pytest.raises(ValidationError, match="unknown department"):
        Registry.model_validate(data)


def test_an_open_ring_is_refused(registry: Registry) -> None:
    data = _dump(registry)
    data["grids"][0]["polygon"][0].pop()

    with pytest.raises(ValidationError, match="closed"):
        Registry.model_validate(data)


def test_a_crossed_ring_is_refused(registry: Registry) -> None:
    data = _dump(registry)
    ring = data["grids"][0]["polygon"][0]
    ring[1], ring[2] = ring[2], ring[1]

    with pytest.raises(ValidationError, match="cross"):
        Registry.model_validate(data)


def test_assigning_a_field_reindexes(registry: Registry) -> None:
    copy = Registry.model_validate(_dump(registry))
    removed: Grid = copy.grids[-1]
    lon, lat = removed.centroid

    copy.grids = copy.grids[:-1]

    assert copy.grid(removed.code) is None
    assert copy.grid_at(lat, lon) is None


def test_first_matching_rule_wins(registry: Registry) -> None:
    low = next(grid for grid in registry.grids if "low_lying" in grid.tags)
    dry = next(grid for grid in registry.grids if "low_lying" not in grid.tags)

    flooded_low = registry.route("waterlogging", 2, low)
    flooded_dry = registry.route("waterlogging", 2, dry)
    fight = registry.route("neighbour_dispute", 3)

    assert (flooded_low.department, flooded_low.level) == ("emergency_management", 3)
    assert flooded_low.rule == "flooding_in_low_lying_grid"
    assert (flooded_dry.department, flooded_dry.level, flooded_dry.rule) == (
        "water_affairs",
        2,
        None,
    )
    assert fight.department == "public_security"


def test_calendar_knows_holidays_and_makeup_days(registry: Registry) -> None:
    calendar = registry.calendar

    assert not calendar.is_working_day(date(2026, 2, 17))
    assert calendar.is_working_day(date(2026, 2, 14))
    assert not calendar.is_working_day(date(2026, 3, 7))
    assert calendar.is_working_day(date(2026, 3, 9))
    assert not calendar.is_working_day(date(2027, 10, 4))


def test_deadlines_count_only_working_hours(registry: Registry) -> None:
    calendar = registry.calendar
    friday_late = datetime(2026, 1, 30, 17, 0, tzinfo=CST)
    before_spring_festival = datetime(2026, 2, 13, 17, 0, tzinfo=CST)
    lunchtime = datetime(2026, 3, 10, 11, 30, tzinfo=CST)

    assert calendar.add_working_hours(friday_late, 2) == datetime(
        2026, 2, 2, 10, 0, tzinfo=CST
    )
    assert calendar.add_working_hours(before_spring_festival, 3) == datetime(
        2026, 2, 14, 11, 0, tzinfo=CST
    )
    assert calendar.add_working_hours(lunchtime, 1) == datetime(
        2026, 3, 10, 14, 30, tzinfo=CST
    )


def test_time_limits_grow_with_level(registry: Registry) -> None:
    for category in registry.categories:
        limits = category.time_limits

        assert limits.for_level(1).disposal <= limits.for_level(3).disposal, category.code
