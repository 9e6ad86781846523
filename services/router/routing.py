"""The routing decision for a report: category, level, tier and department."""

from shared.contracts import Report, RoutingDecision

# TODO: replace this table with the registry's category catalogue and rules once the
# registry is published on Kafka; until then a hint picks the department directly.
HINT_DEPARTMENTS: dict[str, str] = {
    "rubbish": "urban_management",
    "construction_waste": "urban_management",
    "illegal_construction": "urban_management",
    "fallen_tree": "urban_management",
    "road_damage": "urban_management",
    "street_vendor": "market_supervision",
    "food_safety": "market_supervision",
    "neighbour_dispute": "civil_affairs",
    "elderly_assistance": "civil_affairs",
    "safety_hazard": "public_security",
    "fire_hazard": "public_security",
}
DEFAULT_DEPARTMENT = "urban_management"
TRIAGE_UNIT = "command_centre"


def decide(report: Report) -> RoutingDecision:
    """Pick a department for a report by its category hint, explaining the choice."""
    if report.grid_code is None:
        return RoutingDecision(
            report=report,
            category=report.category_hint,
            level=3,
            tier="sub_district",
            department=TRIAGE_UNIT,
            explanation="no grid code: sent to manual triage at the command centre",
        )

    hint = report.category_hint
    if hint in HINT_DEPARTMENTS:
        department = HINT_DEPARTMENTS[hint]
        why = f"category hint {hint!r} is handled by {department}"
    else:
        department = DEFAULT_DEPARTMENT
        why = f"no known category hint: default department {department}"

    return RoutingDecision(
        report=report,
        category=hint if hint in HINT_DEPARTMENTS else None,
        level=3,
        tier="department",
        department=department,
        explanation=why,
    )
