"""Who may hand intake a report, where, and as whom."""

from fastapi import Request

from services.intake.ratelimit import RateLimiter, retry_after_header
from shared.auth import Principal, Role, bearer_token, verify
from shared.contracts import Reporter
from shared.errors import ApiError

ANONYMOUS = "anonymous"
REPORTING_ROLES = {Role.OPERATOR, Role.HOTLINE, Role.GRID_STAFF, Role.OPEN311, Role.SYSTEM}


def client_address(request: Request) -> str:
    """The peer address; proxies' forwarding headers are not trusted."""
    return request.client.host if request.client is not None else "unknown"


class Gate:
    """Resolves writers: a verified credential, or an anonymous resident within limits."""

    def __init__(self, signing_key: str, limiter: RateLimiter) -> None:
        self.signing_key = signing_key
        self.limiter = limiter

    async def writer(self, request: Request) -> Principal:
        """The caller of a write; residents without a token are rate-limited by address."""
        token = bearer_token(request)
        principal = (
            Principal(role=Role.RESIDENT, sub=ANONYMOUS)
            if token is None
            else verify(token, self.signing_key)
        )

        if principal.role is Role.RESIDENT:
            wait = self.limiter.take(f"{principal.sub}@{client_address(request)}")
            if wait > 0:
                raise ApiError(
                    429,
                    "rate_limited",
                    "too many reports from this address; retry later",
                    headers=retry_after_header(wait),
                )
        return principal

    async def reader(self, request: Request) -> Principal:
        """A caller with a credential of a staff role, for reading stored photos."""
        token = bearer_token(request)
        if token is None:
            raise ApiError(
                401,
                "missing_credential",
                "this needs a credential: Authorization: Bearer <token>",
                headers={"WWW-Authenticate": "Bearer"},
            )
        principal = verify(token, self.signing_key)
        if principal.role is Role.RESIDENT:
            raise ApiError(403, "forbidden", "residents cannot read stored photos")
        return principal


def check_reporter(principal: Principal, reporter: Reporter) -> Reporter:
    """The reporter as the credential allows it; staff ids come from the credential."""
    if principal.role is Role.RESIDENT:
        if reporter.kind != "resident":
            status = 401 if principal.sub == ANONYMOUS else 403
            raise ApiError(
                status,
                "missing_credential" if status == 401 else "forbidden",
                f"reporting as {reporter.kind} needs a {reporter.kind} credential",
                field="reporter.kind",
            )
        for name in ("name", "phone"):
            if getattr(reporter, name) is None:
                raise ApiError(
                    422,
                    "invalid_field",
                    f"a resident gives a {name}",
                    field=f"reporter.{name}",
                )
        return reporter

    if principal.role not in REPORTING_ROLES:
        raise ApiError(403, "forbidden", f"a {principal.role} credential cannot report")
    if principal.role is Role.GRID_STAFF and reporter.kind != "grid_staff":
        raise ApiError(
            403, "forbidden", "grid staff report as grid_staff", field="reporter.kind"
        )
    if reporter.kind in {"grid_staff", "operator"}:
        return reporter.model_copy(update={"id": principal.sub[:64]})
    return reporter


def check_grid(principal: Principal, grid_code: str | None) -> None:
    """Grid staff report only in their own grids; other roles anywhere."""
    if principal.role is not Role.GRID_STAFF:
        return
    if not principal.may_act_in_grid(grid_code):
        where = grid_code or "a place outside every grid"
        raise ApiError(
            403,
            "outside_your_grids",
            f"your credential covers {', '.join(principal.grids) or 'no grid'}"
            f", not {where}",
            field="grid_code",
        )
