"""Which case events become alerts for a department, and what the alert says."""

from shared.contracts import CaseEvent, DepartmentAlert

ALERTING_EVENTS = {"case.dispatched": "assigned"}


def alert_for(event_type: str, event: CaseEvent) -> DepartmentAlert | None:
    """The alert a department must get for this event, if any."""
    kind = ALERTING_EVENTS.get(event_type)
    if kind is None:
        return None

    case = event.case
    where = case.grid_code or "unplaced"
    category = case.category or "uncategorised"
    return DepartmentAlert(
        department=case.department,
        case_id=case.case_id,
        report_id=case.report_id,
        kind=kind,
        level=case.level,
        emergency=case.emergency,
        title=f"Case {case.case_id} {kind}: {category} in {where}",
        summary=event.reason or "",
    )
