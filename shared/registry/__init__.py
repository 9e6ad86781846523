"""The registry of places, people, departments and categories the services share."""

from shared.registry.demo import demo_registry
from shared.registry.models import (
    Area,
    Category,
    Contact,
    Department,
    Grid,
    Level,
    Registry,
    RouteResolution,
    RoutingRule,
    StaffMember,
    StageLimits,
    SubDistrict,
    TimeLimits,
    Village,
)
from shared.registry.working_time import HolidayCalendar, HolidayPeriod, WorkingPeriod

__all__ = [
    "Area",
    "Category",
    "Contact",
    "Department",
    "Grid",
    "HolidayCalendar",
    "HolidayPeriod",
    "Level",
    "Registry",
    "RouteResolution",
    "RoutingRule",
    "StaffMember",
    "StageLimits",
    "SubDistrict",
    "TimeLimits",
    "Village",
    "WorkingPeriod",
    "demo_registry",
]
