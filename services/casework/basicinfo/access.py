"""Who may read and change a grid's basic information, and who sees person numbers.

Grid staff keep the records of their own grids; operators keep all of them.
Departments and the hotline read records to act on cases, with phone and identity
numbers masked: a department that needs to call someone goes through the grid.
"""

from services.casework.fieldwork.errors import Forbidden
from shared.auth import Principal, Role

KEEPERS = {Role.OPERATOR, Role.SYSTEM}
READERS = {Role.OPERATOR, Role.SYSTEM, Role.GRID_STAFF, Role.DEPARTMENT, Role.HOTLINE}


def check_read(caller: Principal, grid_code: str | None) -> None:
    """Refuse residents and clients, and grid staff outside their grids."""
    if caller.role not in READERS:
        raise Forbidden(f"a {caller.role} credential cannot read basic information")
    if caller.role is Role.GRID_STAFF and not (
        grid_code is not None and caller.may_act_in_grid(grid_code)
    ):
        raise Forbidden("grid staff read the records of their own grids", "grid_code")


def check_write(caller: Principal, grid_code: str) -> None:
    """Only operators and the grid's own staff change its records."""
    if caller.role in KEEPERS:
        return
    if caller.role is Role.GRID_STAFF and caller.may_act_in_grid(grid_code):
        return
    raise Forbidden(
        f"your credential cannot change the records of {grid_code}", "grid_code"
    )


def sees_numbers(caller: Principal, grid_code: str) -> bool:
    """Whether the caller gets person numbers in full for records of ``grid_code``."""
    if caller.role in KEEPERS:
        return True
    return caller.role is Role.GRID_STAFF and caller.may_act_in_grid(grid_code)
