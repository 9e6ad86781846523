"""Resolving HTTP callers: a signed bearer token, a report's tracking token, or nobody."""

import hmac
from dataclasses import dataclass

from fastapi import Request

from services.casework.actors import Caller
from shared.auth import Principal, bearer_token, tracking_token, verify
from shared.errors import ApiError
from shared.mongo import Document

TRACKING_HEADER = "x-tracking-token"


@dataclass(frozen=True)
class Credentials:
    """What a request presented; checked against a case once the case is known."""

    principal: Principal | None
    tracking: str | None
    key: str

    @property
    def anonymous(self) -> bool:
        """Whether the request presented nothing at all."""
        return self.principal is None and self.tracking is None

    def for_report(self, report_id: str) -> Caller | None:
        """The caller for a list narrowed to one report; None if the token is wrong."""
        if self.principal is not None:
            return Caller(principal=self.principal)

        if self.tracking is None:
            return None

        expected = tracking_token(self.key, report_id)
        if not hmac.compare_digest(expected, self.tracking):
            return None

        return Caller(tracked_report=report_id)

    def for_case(self, doc: Document) -> Caller | None:
        """The caller as they stand to one case: the token must be for its reports."""
        if self.principal is not None:
            return Caller(principal=self.principal)

        for report_id in (doc["report_id"], *doc.get("supporters", [])):
            caller = self.for_report(report_id)
            if caller is not None:
                return caller

        return None


def credentials(request: Request, key: str) -> Credentials:
    """Read the request's credentials; a bearer token that fails to verify is 401."""
    token = bearer_token(request)
    principal = verify(token, key) if token else None
    tracking = request.headers.get(TRACKING_HEADER) or None
    return Credentials(principal=principal, tracking=tracking, key=key)


def required(creds: Credentials) -> None:
    """Refuse anonymous requests where a credential is needed."""
    if creds.anonymous:
        raise ApiError(
            401,
            "missing_credential",
            "this needs Authorization: Bearer <token> or X-Tracking-Token",
            headers={"WWW-Authenticate": "Bearer"},
        )
