"""Routing decisions on the demo registry: levels, tiers, rules, limits and triage."""

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from services.router.routing import TRIAGE_LIMITS, decide
from shared.contracts import Report
from shared.registry import Registry, RoutingRule, demo_registry


@pytest.fixture(scope="module")
def registry() -> Registry:
    """One demo registry; tests that edit it work on copies."""
    return demo_registry()


def a_report(**overrides: Any) -> Report:
    now = datetime.now(UTC).isoformat()
    fields: dict[str, Any] = {
        "report_id": str(uuid.uuid4()),
        "channel": "app",
        "grid_code": "G-03-07",
        "category_hint": "construction_waste",
        "description": "Someone dumped bags of broken tiles beside the lane overnight.",
        "observed_at": now,
        "received_at": now,
        "reporter": {"kind": "grid_staff", "id": "staff-0307"},
    }
    fields.update(overrides)
    return Report.model_validate(fields)


def test_a_hinted_report_goes_to_the_category_department(registry: Registry) -> None:
    decision = decide(a_report(), registry)

    assert decision.category == "construction_waste"
    assert decision.department == "urban_management"
    assert decision.level == 2
    assert decision.tier == "station"
    assert decision.village_code == "V-03"
    assert not decision.triage
    assert not decision.emergency
    assert decision.limits_hours == {"sign_for": 2, "disposal": 40, "verification": 16}
    assert "hint 'construction_waste'" in decision.explanation
    assert "no rule matched" in decision.explanation


def test_free_text_is_classified_and_the_score_explained(registry: Registry) -> None:
    decision = decide(
        a_report(category_hint=None, description="小区门口垃圾桶满了三天没人清运，很臭"),
        registry,
    )

    assert decision.category == "rubbish"
    assert decision.level == 1
    assert decision.tier == "grid"
    assert "confidence" in decision.explanation
    assert "best rubbish" in decision.explanation


def test_an_emergency_is_level_3_with_the_emergency_limits(registry: Registry) -> None:
    decision = decide(
        a_report(category_hint=None, description="3栋二楼着火了，浓烟很大，有人被困"),
        registry,
    )

    assert decision.emergency
    assert decision.category == "fire_incident"
    assert decision.level == 3
    assert decision.department == "emergency_management"
    assert decision.tier == "department"
    assert decision.limits_hours["sign_for"] == 0.25


def test_a_rule_overrides_the_default_department(registry: Registry) -> None:
    low = next(grid for grid in registry.grids if "low_lying" in grid.tags)
    decision = decide(
        a_report(grid_code=low.code, category_hint="waterlogging", description="积水很深"),
        registry,
    )

    assert decision.department == "emergency_management"
    assert decision.level == 3
    assert "rule flooding_in_low_lying_grid" in decision.explanation


def test_a_new_rule_with_a_lower_order_wins(registry: Registry) -> None:
    edited = registry.model_copy(deep=True)
    edited.rules = [
        *edited.rules,
        RoutingRule(
            name="waste_to_environment",
            order=1,
            category="construction_waste",
            set_department="environment",
        ),
    ]

    decision = decide(a_report(), edited)

    assert decision.department == "environment"
    assert "rule waste_to_environment" in decision.explanation


def test_a_location_without_grid_code_finds_its_grid(registry: Registry) -> None:
    grid = registry.grid("G-08-06")
    assert grid is not None
    lon, lat = grid.centroid

    decision = decide(a_report(grid_code=None, location={"lat": lat, "lon": lon}), registry)

    assert decision.report.grid_code == "G-08-06"
    assert decision.village_code == "V-08"
    assert not decision.triage
    assert "lies in grid G-08-06" in decision.explanation


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"grid_code": "G-99-01"}, "grid G-99-01 is not in the registry"),
        (
            {"grid_code": None, "location": {"lat": 30.0, "lon": 120.0}},
            "outside every grid",
        ),
        ({"grid_code": None}, "no grid code and no location"),
    ],
)
def test_a_report_that_cannot_be_placed_goes_to_triage(
    registry: Registry, change: dict[str, Any], why: str
) -> None:
    decision = decide(a_report(**change), registry)

    assert decision.triage
    assert decision.department == registry.triage_department
    assert decision.tier == "centre"
    assert decision.category == "construction_waste"
    assert decision.village_code is None
    assert why in decision.explanation


def test_a_report_without_category_goes_to_triage(registry: Registry) -> None:
    decision = decide(
        a_report(category_hint=None, description="Please come and have a look."), registry
    )

    assert decision.triage
    assert decision.category is None
    assert decision.department == "command_centre"
    assert decision.village_code == "V-03"
    assert decision.limits_hours == TRIAGE_LIMITS
    assert "no category" in decision.explanation
