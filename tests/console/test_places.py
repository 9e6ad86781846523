"""The places document the console's map and filters draw from."""

from services.casework.console.routes import places
from shared.registry.demo import demo_registry


def test_places_carry_every_grid_boundary_and_the_names_filters_need() -> None:
    registry = demo_registry()

    shown = places(registry)

    assert len(shown["grids"]) == len(registry.grids)
    first = shown["grids"][0]
    assert first["polygon"][0] == first["polygon"][-1]
    assert {g["village_code"] for g in shown["grids"]} <= {
        v["code"] for v in shown["villages"]
    }
    assert all(d["name_zh"] and d["name_en"] for d in shown["departments"])
    assert {c["code"] for c in shown["categories"]} >= {"rubbish", "construction_waste"}
