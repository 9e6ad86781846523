"""Credentials: signed bearer tokens that every service can check on its own.

A token names a role and its scope (grids for grid staff, a department for its
users). It is signed with the deployment's key, so intake, casework and the
notifier verify it without asking a central service, and a changed scope needs
a new token rather than a database lookup on every request.
"""

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Awaitable, Callable
from enum import StrEnum

from fastapi import Request
from pydantic import BaseModel, Field, ValidationError

from shared.errors import ApiError

TOKEN_PREFIX = "glt1"


class Role(StrEnum):
    """Who someone is to gridloop."""

    OPERATOR = "operator"
    GRID_STAFF = "grid_staff"
    DEPARTMENT = "department"
    HOTLINE = "hotline"
    OPEN311 = "open311"
    RESIDENT = "resident"
    SYSTEM = "system"


class Principal(BaseModel):
    """The caller as a verified credential describes them."""

    role: Role
    sub: str = Field(min_length=1, max_length=80)
    grids: list[str] = Field(default_factory=list)
    department: str | None = None
    exp: int | None = None

    def may_act_in_grid(self, grid_code: str | None) -> bool:
        """Whether this caller may report or act in ``grid_code``."""
        if self.role in {Role.OPERATOR, Role.HOTLINE, Role.OPEN311, Role.SYSTEM}:
            return True
        if self.role is Role.GRID_STAFF:
            return grid_code is not None and grid_code in self.grids
        return False


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(key: str, body: str) -> str:
    return _b64(hmac.new(key.encode(), body.encode(), hashlib.sha256).digest())


def issue(principal: Principal, key: str) -> str:
    """A token that proves ``principal`` to any service holding ``key``."""
    body = _b64(principal.model_dump_json(exclude_none=True).encode())
    return f"{TOKEN_PREFIX}.{body}.{_signature(key, body)}"


def verify(token: str, key: str, *, now: float | None = None) -> Principal:
    """The principal a token proves, or 401 with the reason."""
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        raise ApiError(401, "bad_credential", "credential is not a gridloop token")
    _, body, signature = parts
    if not hmac.compare_digest(signature, _signature(key, body)):
        raise ApiError(401, "bad_credential", "credential signature does not match")

    try:
        principal = Principal.model_validate(json.loads(_unb64(body)))
    except (ValueError, ValidationError) as exc:
        raise ApiError(401, "bad_credential", "credential is malformed") from exc
    if principal.exp is not None and principal.exp < (now or time.time()):
        raise ApiError(401, "expired_credential", "credential has expired")
    return principal


def tracking_token(key: str, report_id: str) -> str:
    """The reporter's token for a report: derived, so a retried report gets the same one."""
    mac = hmac.new(key.encode(), f"track:{report_id}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def bearer_token(request: Request) -> str | None:
    """The token from ``Authorization: Bearer``, if any."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def principal_dependency(
    key: str, *, optional: bool = False
) -> Callable[[Request], Awaitable[Principal | None]]:
    """Resolve the caller from its bearer token; 401 without one unless optional."""

    async def resolve(request: Request) -> Principal | None:
        token = bearer_token(request)
        if token is None:
            if optional:
                return None
            raise ApiError(
                401,
                "missing_credential",
                "this action needs a credential: Authorization: Bearer <token>",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return verify(token, key)

    return resolve


def demo_credentials(
    key: str, *, grids: list[str], departments: list[str]
) -> dict[str, str]:
    """One token per role and scope, for local runs and tests."""
    tokens = {
        "operator": issue(Principal(role=Role.OPERATOR, sub="operator-demo"), key),
        "hotline": issue(Principal(role=Role.HOTLINE, sub="hotline-demo"), key),
        "open311_api_key": issue(Principal(role=Role.OPEN311, sub="open311-demo"), key),
    }
    for grid in grids:
        staff = Principal(role=Role.GRID_STAFF, sub=f"head-{grid}", grids=[grid])
        tokens[f"grid_head:{grid}"] = issue(staff, key)
    for department in departments:
        member = Principal(
            role=Role.DEPARTMENT, sub=f"desk-{department}", department=department
        )
        tokens[f"department:{department}"] = issue(member, key)
    return tokens
