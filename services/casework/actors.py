"""Who is calling: credentials turned into table actors and into what they may see.

The transition table speaks of grid heads where credentials speak of grid staff; this
module is the one place that maps one onto the other. Hotline and Open311 callers
may read cases (they answer residents) but hold no role in the table, so they cannot
act on them. A resident proves a report is theirs with its tracking token.
"""

from dataclasses import dataclass
from typing import Any

from services.casework.case_model import Actor, Role
from shared.auth import Principal
from shared.auth import Role as AuthRole
from shared.mongo import Document

TABLE_ROLE: dict[AuthRole, Role] = {
    AuthRole.OPERATOR: Role.OPERATOR,
    AuthRole.GRID_STAFF: Role.GRID_HEAD,
    AuthRole.DEPARTMENT: Role.DEPARTMENT,
    AuthRole.RESIDENT: Role.RESIDENT,
    AuthRole.SYSTEM: Role.SYSTEM,
}
SEES_EVERYTHING = frozenset(
    {AuthRole.OPERATOR, AuthRole.SYSTEM, AuthRole.HOTLINE, AuthRole.OPEN311}
)


def reporter_identity(report_id: str) -> str:
    """The actor id a case's reporter acts under: whoever holds the report's token."""
    return f"report:{report_id}"


@dataclass(frozen=True)
class Caller:
    """A verified caller: what they may see, and the actor they are in the table."""

    principal: Principal | None = None
    tracked_report: str | None = None

    @property
    def label(self) -> str:
        """Name the caller in logs and errors without any secret."""
        if self.principal is not None:
            return f"{self.principal.role}:{self.principal.sub}"

        return f"tracking:{self.tracked_report}"

    def actor(self) -> Actor | None:
        """The table actor this caller acts as, or None for read-only roles."""
        if self.principal is None:
            if self.tracked_report is None:
                return None

            return Actor(role=Role.RESIDENT, id=reporter_identity(self.tracked_report))

        role = TABLE_ROLE.get(self.principal.role)
        if role is None:
            return None

        scope: frozenset[str] = frozenset()
        if role is Role.DEPARTMENT and self.principal.department:
            scope = frozenset({self.principal.department})
        elif role is Role.GRID_HEAD:
            scope = frozenset(self.principal.grids)

        return Actor(role=role, id=self.principal.sub, scope=scope)

    def visibility(self) -> dict[str, Any] | None:
        """A query filter of the cases this caller may see; None means no case at all."""
        if self.principal is None:
            report = self.tracked_report
            if report is None:
                return None

            return {"$or": [{"report_id": report}, {"supporters": report}]}

        role = self.principal.role
        if role in SEES_EVERYTHING:
            return {}

        if role is AuthRole.DEPARTMENT and self.principal.department:
            return {"department": self.principal.department}

        if role is AuthRole.GRID_STAFF:
            return {"grid_code": {"$in": list(self.principal.grids)}}

        # TODO: residents signed in with an account see nothing until accounts are linked
        # to reports; today a resident reaches a report only through its tracking token.
        return None

    def sees(self, doc: Document) -> bool:
        """Whether this caller may see one stored case."""
        rule = self.visibility()
        if rule is None:
            return False

        if not rule:
            return True

        if self.principal is None:
            return doc.get("report_id") == self.tracked_report or (
                self.tracked_report in doc.get("supporters", [])
            )

        if "department" in rule:
            return bool(doc.get("department") == rule["department"])

        return doc.get("grid_code") in rule["grid_code"]["$in"]
