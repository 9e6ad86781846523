"""The notifier's HTTP API: rules, the delivery log, subscriptions and live streams."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from services.notifier.jobs import JobStore
from services.notifier.rule_store import RuleCache
from services.notifier.rules import RuleSet
from services.notifier.stream import Hub
from services.notifier.subscriptions import SubscriptionStore
from shared.auth import Principal, Role, bearer_token, verify
from shared.contracts import NotificationSubscription
from shared.errors import ApiError


class SubscriptionRequest(BaseModel):
    """A reporter's channels, and the cases their report supports if it is a duplicate."""

    case_ids: list[str] = Field(default_factory=list, max_length=20)
    receivers: list[NotificationSubscription] = Field(min_length=1, max_length=5)


def build_router(
    signing_key: str,
    rules: RuleCache,
    jobs: JobStore,
    subscriptions: SubscriptionStore,
    hub: Hub,
) -> APIRouter:
    """Every notifier route, each checking the caller's credential."""
    router = APIRouter()

    async def caller(request: Request) -> Principal:
        token = bearer_token(request) or request.query_params.get("access_token")
        if token is None:
            raise ApiError(
                401,
                "missing_credential",
                "this action needs a credential: Authorization: Bearer <token>",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return verify(token, signing_key)

    def require(*roles: Role) -> Any:
        async def check(principal: Annotated[Principal, Depends(caller)]) -> Principal:
            if principal.role not in roles:
                allowed = ", ".join(sorted(roles))
                raise ApiError(403, "forbidden", f"this action needs the role {allowed}")
            return principal

        return Depends(check)

    operator = require(Role.OPERATOR)

    @router.get("/v1/rules")
    async def get_rules(_: Annotated[Principal, operator]) -> dict[str, Any]:
        """The rules in force, secrets masked."""
        await rules.refresh()
        return {
            "revision": rules.revision,
            "rules": rules.current.masked().model_dump(mode="json", by_alias=True),
        }

    @router.put("/v1/rules")
    async def put_rules(
        proposed: RuleSet, who: Annotated[Principal, operator]
    ) -> dict[str, Any]:
        """Replace the whole rule set at once; masked secrets keep their stored value."""
        await rules.refresh()
        try:
            complete = proposed.keep_secrets_from(rules.current)
        except ValueError as exc:
            raise ApiError(422, "invalid_field", str(exc), field="secret") from exc
        revision = await rules.save(complete, who.sub)
        return {"revision": revision}

    @router.get("/v1/deliveries")
    async def list_deliveries(
        _: Annotated[Principal, operator],
        case_id: str | None = None,
        delivery_id: str | None = None,
        channel: str | None = None,
        status: str | None = None,
        receiver: str | None = None,
        department: str | None = None,
        since: datetime | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> dict[str, Any]:
        """Delivery attempts, newest first, filtered."""
        filters: dict[str, Any] = {
            key: value
            for key, value in {
                "case_id": case_id,
                "delivery_id": delivery_id,
                "channel": channel,
                "status": status,
                "receiver": receiver,
                "department": department,
            }.items()
            if value is not None
        }
        if since is not None:
            filters["at"] = {"$gte": since}
        return {"items": await jobs.deliveries(filters, limit)}

    @router.put("/v1/subscriptions/{report_id}")
    async def put_subscription(
        report_id: str,
        wanted: SubscriptionRequest,
        _: Annotated[Principal, require(Role.OPERATOR, Role.SYSTEM, Role.HOTLINE)],
    ) -> dict[str, Any]:
        """Say where a reporter hears that their case was verified and closed."""
        for index, want in enumerate(wanted.receivers):
            if want.channel == "webhook" and want.secret is None:
                field = f"receivers.{index}.secret"
                raise ApiError(
                    422, "invalid_field", f"{field}: webhooks need a secret", field=field
                )
        await subscriptions.put(report_id, wanted.case_ids, wanted.receivers)
        return {"report_id": report_id, "receivers": len(wanted.receivers)}

    @router.get("/v1/stream")
    async def stream(
        who: Annotated[Principal, Depends(caller)], department: str | None = None
    ) -> StreamingResponse:
        """Live notices: a department's own; all, or one department's, for operators."""
        if who.role is Role.DEPARTMENT and who.department:
            if department not in (None, who.department):
                raise ApiError(403, "forbidden", "a department sees only its own stream")
            scope: str | None = who.department
        elif who.role is Role.OPERATOR:
            scope = department
        else:
            raise ApiError(
                403, "forbidden", "live streams are for departments and operators"
            )
        return StreamingResponse(
            hub.follow(scope),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    return router
