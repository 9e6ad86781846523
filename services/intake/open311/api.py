"""Open311 GeoReport v2 routes: discovery, services, requests and tokens."""

import json
import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from services.intake.acceptance import ReportDesk
from services.intake.open311.catalogue import DANGER, definition, services
from services.intake.open311.render import (
    Open311Error,
    check_format,
    error_response,
    respond,
)
from services.intake.open311.requests import (
    MAX_REQUESTS,
    parse_datetime,
    request_filter,
    service_request,
)
from services.intake.places import RegistrySource, place
from services.intake.settings import IntakeSettings
from services.intake.store import ReportStore
from shared.auth import Principal, Role, verify
from shared.contracts import EVENT_NAMESPACE, Channel, Location, Report, Reporter
from shared.errors import ApiError
from shared.registry import Category

logger = logging.getLogger(__name__)

SPEC = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-01-01T00:00:00+00:00"
CLIENT_ROLES = {Role.OPEN311, Role.OPERATOR}
FIELDS = (
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "email",
    "device_id",
    "account_id",
    "first_name",
    "last_name",
    "phone",
    "description",
    "media_url",
)

POST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["api_key", "service_code"],
                    "properties": {
                        "api_key": {"type": "string"},
                        **{name: {"type": "string"} for name in FIELDS},
                    },
                }
            }
        },
    }
}
ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {}, "text/xml": {}}},
    400: {"description": "an invalid parameter, in the spec's error list"},
    403: {"description": "api_key missing or invalid"},
    404: {"description": "unknown service_code, request or token"},
}


def _base(request: Request, settings: IntakeSettings) -> str:
    return (settings.public_url or str(request.base_url)).rstrip("/")


def _client(api_key: str | None, signing_key: str, fmt: str) -> Principal:
    """The Open311 client an api_key proves; 403 in the spec's shape otherwise."""
    if not api_key:
        raise Open311Error(403, "api_key is required to post a request", fmt)
    try:
        principal = verify(api_key, signing_key)
    except ApiError as exc:
        raise Open311Error(403, f"api_key refused: {exc.message}", fmt) from exc
    if principal.role not in CLIENT_ROLES:
        raise Open311Error(403, "this api_key may not post requests", fmt)
    return principal


def _fields(form: Any) -> dict[str, str]:
    """The text fields of a form; uploads are not part of GeoReport v2."""
    return {
        key: value.strip()
        for key, value in form.multi_items()
        if not isinstance(value, UploadFile) and value.strip()
    }


def _location(fields: dict[str, str], fmt: str) -> Location | None:
    if "lat" not in fields and "long" not in fields:
        return None
    try:
        return Location(lat=float(fields["lat"]), lon=float(fields["long"]))
    except (KeyError, ValueError, ValidationError) as exc:
        raise Open311Error(
            400, "lat and long must be WGS84 degrees, both given", fmt
        ) from exc


def _reporter(fields: dict[str, str], fmt: str) -> Reporter:
    name = " ".join(fields[key] for key in ("first_name", "last_name") if key in fields)
    try:
        return Reporter(kind="resident", name=name[:64] or None, phone=fields.get("phone"))
    except ValidationError as exc:
        where = ".".join(str(part) for part in exc.errors()[0]["loc"])
        raise Open311Error(400, f"{where or 'phone'} is invalid", fmt) from exc


def build_report(
    principal: Principal,
    fields: dict[str, str],
    category: Category,
    grid: str | None,
    fmt: str,
) -> tuple[Report, bool]:
    """The report an Open311 request describes, and whether it says someone is in danger.

    The report id derives from the client and everything it sent, so a client that
    retries a POST after a lost answer gets the same request rather than a second.
    """
    danger = fields.get(f"attribute[{DANGER}]", "").lower()
    if danger not in {"", "yes", "no"}:
        raise Open311Error(400, f"attribute[{DANGER}] is yes or no", fmt)
    if category.emergency and not danger:
        raise Open311Error(400, f"attribute[{DANGER}] is required for this service", fmt)

    seen = fields.get("attribute[observed_at]")
    observed = parse_datetime(seen, "attribute[observed_at]", fmt) if seen else None
    identity = json.dumps([principal.sub, sorted(fields.items())], ensure_ascii=False)
    description = fields.get("description") or category.name_en
    if len(description) > 4000:
        raise Open311Error(400, "description may be 4000 characters", fmt)
    if len(fields.get("address_string", "")) > 300:
        raise Open311Error(400, "address_string may be 300 characters", fmt)

    now = datetime.now(UTC)
    report = Report(
        report_id=str(uuid.uuid5(EVENT_NAMESPACE, f"open311/{identity}")),
        channel=Channel.OPEN311,
        grid_code=grid,
        location=_location(fields, fmt),
        address=fields.get("address_string", ""),
        category_hint=category.code,
        description=description,
        observed_at=observed or now,
        reporter=_reporter(fields, fmt),
        received_at=now,
    )
    return report, danger == "yes"


def build_open311_router(
    desk: ReportDesk,
    store: ReportStore,
    registry: RegistrySource,
    settings: IntakeSettings,
    signing_key: str,
) -> APIRouter:
    """The GeoReport v2 routes under ``/open311/v2``."""
    router = APIRouter(prefix="/open311/v2", responses=ANSWERS)

    @router.get("/discovery.{fmt}")
    async def discovery(fmt: str, request: Request) -> Response:
        """Where the endpoints are and which formats they speak."""
        fmt = check_format(fmt)
        base = _base(request, settings)
        return respond(
            fmt,
            "discovery",
            {
                "changeset": CHANGESET,
                "contact": "Lanxi Sub-district command centre, open311@lanxi.example",
                "key_service": "Ask the command centre for an api_key.",
                "endpoints": [
                    {
                        "specification": SPEC,
                        "url": f"{base}/open311/v2",
                        "changeset": CHANGESET,
                        "type": "production",
                        "formats": ["text/xml", "application/json"],
                    }
                ],
            },
        )

    @router.get("/services.{fmt}")
    async def list_services(fmt: str) -> Response:
        """Every category of the catalogue as a service."""
        return respond(check_format(fmt), "services", services(registry()))

    @router.get("/services/{service_code}.{fmt}")
    async def service_definition(service_code: str, fmt: str) -> Response:
        """The attributes a request for this service may carry."""
        fmt = check_format(fmt)
        category = registry().category_by_service_code(service_code)
        if category is None:
            raise Open311Error(404, f"no service {service_code}", fmt)
        return respond(fmt, "service_definition", definition(category))

    @router.post("/requests.{fmt}", openapi_extra=POST_BODY)
    async def post_request(fmt: str, request: Request) -> Response:
        """Accept a service request; it becomes a report like any other."""
        fmt = check_format(fmt)
        try:
            form = await request.form(max_files=0, max_fields=64)
        except Exception as exc:
            raise Open311Error(400, "the body must be form-encoded", fmt) from exc
        fields = _fields(form)
        principal = _client(fields.pop("api_key", None), signing_key, fmt)

        current = registry()
        code = fields.get("service_code")
        if not code:
            raise Open311Error(400, "service_code is required", fmt)
        category = current.category_by_service_code(code)
        if category is None:
            raise Open311Error(404, f"no service {code}", fmt)
        location = _location(fields, fmt)
        if (
            location is None
            and "address_string" not in fields
            and "address_id" not in fields
        ):
            raise Open311Error(400, "give lat and long, address_string or address_id", fmt)

        grid = place(current, None, location)
        report, danger = build_report(principal, fields, category, grid, fmt)
        try:
            # A repeat is answered from the stored copy: its observed_at defaulted to
            # the time of the first post, so the fresh one would not match it.
            doc = await store.find(report.report_id) or await desk.accept(
                report, urgent_hint=danger
            )
        except ApiError as exc:
            raise Open311Error(
                400 if exc.status == 422 else exc.status, exc.message, fmt
            ) from exc

        answer = {
            "service_request_id": doc["_id"],
            "token": doc["tracking_token"],
            "service_notice": "Urgent: handled at once." if doc.get("urgent") else None,
            "account_id": fields.get("account_id"),
        }
        return respond(fmt, "service_requests", [answer])

    @router.get("/requests.{fmt}")
    async def list_requests(
        fmt: str,
        request: Request,
        service_request_id: str | None = None,
        service_code: str | None = None,
        start_date: str | None = None,
        end_date: str | None = None,
        status: str | None = None,
        jurisdiction_id: str | None = None,
    ) -> Response:
        """Requests by the spec's filters: the last 90 days and 1000 requests at most."""
        fmt = check_format(fmt)
        chosen = request_filter(
            fmt, service_request_id, service_code, start_date, end_date, status
        )
        docs = await store.search(chosen.query(), MAX_REQUESTS)
        base = _base(request, settings)
        current = registry()
        items = [service_request(doc, current, base) for doc in docs]
        return respond(fmt, "service_requests", items)

    @router.get("/requests/{service_request_id}.{fmt}")
    async def get_request(fmt: str, service_request_id: str, request: Request) -> Response:
        """One request."""
        fmt = check_format(fmt)
        doc = await store.find(service_request_id)
        if doc is None:
            raise Open311Error(404, f"no request {service_request_id}", fmt)
        item = service_request(doc, registry(), _base(request, settings))
        return respond(fmt, "service_requests", [item])

    @router.get("/tokens/{token}.{fmt}")
    async def resolve_token(fmt: str, token: str) -> Response:
        """The request a token stands for."""
        fmt = check_format(fmt)
        doc = await store.find_by_token(token)
        if doc is None:
            raise Open311Error(404, "no request for this token", fmt)
        return respond(
            fmt, "service_requests", [{"service_request_id": doc["_id"], "token": token}]
        )

    return router


def install_open311_errors(app: FastAPI) -> None:
    """Answer Open311 refusals in the spec's error list."""

    async def on_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, Open311Error)
        return error_response(exc)

    app.add_exception_handler(Open311Error, on_error)
