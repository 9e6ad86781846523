"""The routing decision for a report: what it is, how serious, who handles it, by when.

Level 1 stays with the grid, level 2 goes to the village or community station, level
3 to the sub-district: the command centre or a functional department. The department
is always named, because it answers for the category even when a grid or a station
acts first. A report that cannot be placed on a grid or given a category goes to the
registry's triage desk: never nowhere.
"""

from services.router.classify import Classification, classify
from shared.contracts import Report, RoutingDecision
from shared.registry import Category, Grid, Level, Registry

TIERS: dict[int, str] = {1: "grid", 2: "station"}
"""Who acts first at levels 1 and 2; at level 3 the department's own tier."""

TRIAGE_TIER = "centre"

TRIAGE_LIMITS: dict[str, float] = {"sign_for": 1.0, "disposal": 8.0, "verification": 8.0}
"""Working hours for a person to place a report the router could not."""


def place(report: Report, registry: Registry) -> tuple[Grid | None, str]:
    """The report's grid by its code, else by its location, and how it was found."""
    if report.grid_code is not None:
        grid = registry.grid(report.grid_code)
        if grid is None:
            return None, f"grid {report.grid_code} is not in the registry"
        return grid, f"grid {grid.code} as reported"

    if report.location is not None:
        lat, lon = report.location.lat, report.location.lon
        grid = registry.grid_at(lat, lon)
        if grid is None:
            return None, f"location ({lat:.5f}, {lon:.5f}) lies outside every grid"
        return grid, f"location ({lat:.5f}, {lon:.5f}) lies in grid {grid.code}"

    return None, "no grid code and no location"


def tier_for(level: int, department: str, registry: Registry) -> str:
    """The tier that acts first at ``level``."""
    if level in TIERS:
        return TIERS[level]

    unit = registry.department(department)
    return "centre" if unit is not None and unit.tier == "centre" else "department"


def stage_limits(category: Category, level: Level) -> dict[str, float]:
    """Working hours per stage for the category at the level."""
    limits = category.time_limits.for_level(level)
    return {
        "sign_for": limits.sign_for,
        "disposal": limits.disposal,
        "verification": limits.verification,
    }


def _limits_text(limits: dict[str, float]) -> str:
    return ", ".join(f"{stage} {hours:g} h" for stage, hours in limits.items())


def decide(report: Report, registry: Registry) -> RoutingDecision:
    """Classify and route one report, explaining every step of the choice."""
    grid, where = place(report, registry)
    result = classify(report.description, report.category_hint, registry, grid)
    if grid is None or result.category is None or result.level is None:
        return _triage(report, registry, grid, result, where)

    category = registry.category(result.category)
    assert category is not None, "the classifier only names catalogue categories"

    route = registry.route(category.code, result.level, grid)
    tier = tier_for(route.level, route.department, registry)
    limits = stage_limits(category, route.level)
    if route.rule is not None:
        ruled = f"rule {route.rule}: {route.department} at level {route.level}"
    else:
        ruled = f"no rule matched: {category.code} goes to {route.department}"

    explanation = "; ".join(
        [
            where,
            result.explanation.summary,
            ruled,
            f"tier {tier}",
            f"limits {_limits_text(limits)} (working hours)",
        ]
    )
    return RoutingDecision(
        report=report.model_copy(update={"grid_code": grid.code}),
        category=category.code,
        level=route.level,
        tier=tier,
        department=route.department,
        emergency=result.emergency,
        explanation=explanation,
        village_code=grid.village_code,
        limits_hours=limits,
    )


def _triage(
    report: Report,
    registry: Registry,
    grid: Grid | None,
    result: Classification,
    where: str,
) -> RoutingDecision:
    """Send a report the router cannot place to the triage desk, saying why."""
    category = registry.category(result.category) if result.category else None
    level: Level = result.level or (3 if result.emergency else 2)
    limits = stage_limits(category, level) if category else dict(TRIAGE_LIMITS)
    missing = []
    if grid is None:
        missing.append(where)
    if category is None:
        missing.append("no category")

    explanation = "; ".join(
        [
            where,
            result.explanation.summary,
            f"triage at {registry.triage_department}: {' and '.join(missing)}",
            f"limits {_limits_text(limits)} (working hours)",
        ]
    )
    return RoutingDecision(
        report=report.model_copy(update={"grid_code": grid.code}) if grid else report,
        category=category.code if category else None,
        level=level,
        tier=TRIAGE_TIER,
        department=registry.triage_department,
        emergency=result.emergency,
        explanation=explanation,
        triage=True,
        village_code=grid.village_code if grid else None,
        limits_hours=limits,
    )
