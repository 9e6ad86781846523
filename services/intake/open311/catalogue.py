"""Open311 services and their definitions, from the registry's category catalogue."""

from typing import Any

from shared.registry import Category, Registry

AREA_GROUPS = {
    "environment_sanitation": "Environment and sanitation",
    "city_appearance": "City appearance",
    "roads_traffic": "Roads and traffic",
    "public_safety_fire": "Public safety and fire",
    "disputes": "Disputes",
    "market_food": "Markets and food",
    "civil_affairs": "Civil affairs",
}

DANGER = "danger_now"


def service(category: Category) -> dict[str, Any]:
    """One entry of ``services``."""
    return {
        "service_code": category.open311_service_code,
        "service_name": category.name_en,
        "description": f"{category.name_en} / {category.name_zh}",
        "metadata": True,
        "type": "realtime",
        "keywords": ",".join(category.keywords_en[:8]),
        "group": AREA_GROUPS.get(category.area, category.area),
    }


def services(registry: Registry) -> list[dict[str, Any]]:
    """Every category as an Open311 service, in catalogue order."""
    return [service(category) for category in registry.categories]


def attributes(category: Category) -> list[dict[str, Any]]:
    """What a client may add to a request; an emergency category must say who is at risk."""
    return [
        {
            "variable": True,
            "code": DANGER,
            "datatype": "singlevaluelist",
            "required": category.emergency,
            "datatype_description": "Choose yes or no.",
            "order": 1,
            "description": "Is anyone in danger right now? / 现在是否有人身危险？",
            "values": [
                {"key": "yes", "name": "Yes / 是"},
                {"key": "no", "name": "No / 否"},
            ],
        },
        {
            "variable": True,
            "code": "observed_at",
            "datatype": "datetime",
            "required": False,
            "datatype_description": "ISO 8601 with a time zone; now if absent.",
            "order": 2,
            "description": "When was it seen? / 发现时间",
            "values": [],
        },
    ]


def definition(category: Category) -> dict[str, Any]:
    """The service definition of a category."""
    return {
        "service_code": category.open311_service_code,
        "attributes": attributes(category),
    }
