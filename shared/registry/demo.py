"""The demo registry: a made-up sub-district to develop, test and demonstrate against."""

from shared.registry.demo_calendar import calendar
from shared.registry.demo_catalogue import categories, departments, rules
from shared.registry.demo_places import grids, subdistrict, villages
from shared.registry.models import Registry


def demo_registry() -> Registry:
    """A fresh Lanxi Sub-district registry, identical on every call."""
    return Registry(
        version=1,
        subdistrict=subdistrict(),
        villages=villages(),
        grids=grids(),
        departments=departments(),
        categories=categories(),
        calendar=calendar(),
        rules=rules(),
        triage_department="command_centre",
    )
