"""The registry as records: cut up and put back together, it is the same registry."""

import pytest
from pydantic import ValidationError

from shared.registry import demo_registry
from shared.registry.records import (
    KINDS,
    SINGLE,
    RegistryIncomplete,
    assemble,
    registry_topic,
    split,
)


def test_split_and_assemble_round_trip() -> None:
    registry = demo_registry()
    records = split(registry)

    again = assemble(records, version=7)

    assert set(records) == set(KINDS)
    assert len(records["grids"]) == 189
    assert records["calendar"].keys() == {SINGLE}
    assert again.version == 7
    assert {g.code for g in again.grids} == {g.code for g in registry.grids}
    assert again.grid("G-03-07") == registry.grid("G-03-07")
    assert [rule.name for rule in again.rules] == sorted(
        rule.name for rule in registry.rules
    )
    assert again.route("waterlogging", 2, again.grid("G-01-01")) == registry.route(
        "waterlogging", 2, registry.grid("G-01-01")
    )


def test_a_dangling_reference_does_not_assemble() -> None:
    records = split(demo_registry())
    del records["departments"]["transport"]

    with pytest.raises(ValidationError, match="transport"):
        assemble(records)


def test_missing_singletons_do_not_assemble() -> None:
    records = split(demo_registry())
    records["settings"] = {}

    with pytest.raises(RegistryIncomplete):
        assemble(records)


def test_one_topic_per_kind() -> None:
    assert registry_topic("grids") == "registry.grids"
