"""The registry as records: one JSON value per entity, keyed by kind and code.

This is the shape the registry travels in on Kafka (one compacted topic per kind, the
code as key) and is stored in by its owner. :func:`split` cuts a registry into
records and :func:`assemble` puts records back together, validating the whole.
"""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from shared.registry.models import (
    Category,
    Department,
    Grid,
    Registry,
    RoutingRule,
    SubDistrict,
    Village,
)
from shared.registry.working_time import HolidayCalendar
from shared.topics import REGISTRY_PREFIX, TopicSpec

Kind = Literal[
    "subdistrict",
    "villages",
    "grids",
    "departments",
    "categories",
    "rules",
    "calendar",
    "settings",
]
KINDS: tuple[Kind, ...] = (
    "subdistrict",
    "villages",
    "grids",
    "departments",
    "categories",
    "rules",
    "calendar",
    "settings",
)
SINGLE = "default"
"""The code of the one calendar and the one settings record."""

Records = dict[str, dict[str, dict[str, Any]]]
"""Entity JSON by kind, then by code."""


class Settings(BaseModel):
    """Registry-wide choices that belong to no single entity."""

    model_config = ConfigDict(extra="forbid")

    triage_department: str


MODELS: dict[str, type[BaseModel]] = {
    "subdistrict": SubDistrict,
    "villages": Village,
    "grids": Grid,
    "departments": Department,
    "categories": Category,
    "rules": RoutingRule,
    "calendar": HolidayCalendar,
    "settings": Settings,
}

KEY_FIELDS: dict[str, str | None] = {
    "subdistrict": "code",
    "villages": "code",
    "grids": "code",
    "departments": "code",
    "categories": "code",
    "rules": "name",
    "calendar": None,
    "settings": None,
}
"""The field that holds an entity's code; None for kinds with one record only."""


class RegistryIncomplete(ValueError):
    """The records lack something every registry needs."""


def registry_topic(kind: str) -> str:
    """The compacted topic that carries one kind of entity."""
    return f"{REGISTRY_PREFIX}{kind}"


REGISTRY_TOPICS: tuple[TopicSpec, ...] = tuple(
    TopicSpec(registry_topic(kind), partitions=1, compacted=True) for kind in KINDS
)


def code_of(kind: str, value: BaseModel) -> str:
    """The code an entity is keyed by."""
    field = KEY_FIELDS[kind]
    return SINGLE if field is None else str(getattr(value, field))


def parse(kind: str, value: dict[str, Any]) -> BaseModel:
    """One entity of ``kind``, validated; raises pydantic's ValidationError."""
    return MODELS[kind].model_validate(value)


def split(registry: Registry) -> Records:
    """The registry cut into entity records."""
    entities: dict[str, list[BaseModel]] = {
        "subdistrict": [registry.subdistrict],
        "villages": list(registry.villages),
        "grids": list(registry.grids),
        "departments": list(registry.departments),
        "categories": list(registry.categories),
        "rules": list(registry.rules),
        "calendar": [registry.calendar],
        "settings": [Settings(triage_department=registry.triage_department)],
    }
    return {
        kind: {code_of(kind, item): item.model_dump(mode="json") for item in items}
        for kind, items in entities.items()
    }


def _ordered(records: Records, kind: str) -> list[dict[str, Any]]:
    return [records.get(kind, {})[code] for code in sorted(records.get(kind, {}))]


def assemble(records: Records, version: int = 1) -> Registry:
    """A validated registry from records; raises ValidationError or RegistryIncomplete."""
    subdistricts = _ordered(records, "subdistrict")
    calendars = _ordered(records, "calendar")
    settings = _ordered(records, "settings")
    if len(subdistricts) != 1:
        raise RegistryIncomplete(f"{len(subdistricts)} sub-district records, need 1")
    if not calendars or not settings:
        raise RegistryIncomplete("the calendar or the settings record is missing")

    return Registry.model_validate(
        {
            "version": max(version, 1),
            "subdistrict": subdistricts[0],
            "villages": _ordered(records, "villages"),
            "grids": _ordered(records, "grids"),
            "departments": _ordered(records, "departments"),
            "categories": _ordered(records, "categories"),
            "rules": _ordered(records, "rules"),
            "calendar": calendars[0],
            "triage_department": settings[0]["triage_department"],
        }
    )
