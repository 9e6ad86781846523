"""Placing a report in its grid: by the code it names, or by the point it gives."""

from collections.abc import Callable

from shared.basic_info import split_ref
from shared.contracts import Location
from shared.errors import ApiError
from shared.registry import Registry

RegistrySource = Callable[[], Registry]


def place(
    registry: Registry, grid_code: str | None, location: Location | None
) -> str | None:
    """The grid a report belongs to; None when its point lies outside every grid.

    A named grid must exist (404 naming ``grid_code``). A point outside the
    sub-district is accepted without a grid: the router sends it to triage,
    because a resident near a boundary should not be turned away for it.
    """
    if grid_code is not None:
        if registry.grid(grid_code) is None:
            raise ApiError(
                404,
                "unknown_grid",
                f"no grid {grid_code} in the registry",
                field="grid_code",
            )
        return grid_code

    if location is None:
        return None
    grid = registry.grid_at(location.lat, location.lon)
    return grid.code if grid is not None else None


def check_record_grid(record_ref: str | None, grid_code: str | None) -> None:
    """A report may name a record of its own grid only; whether it exists is casework's."""
    if record_ref is None:
        return
    grid_of_record, _, _ = split_ref(record_ref)
    if grid_of_record != grid_code:
        raise ApiError(
            422,
            "invalid_field",
            f"record_ref: the record is in {grid_of_record}, the report in "
            f"{grid_code or 'no grid'}",
            field="record_ref",
        )
