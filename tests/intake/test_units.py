"""Pure logic of intake: rate limiting, photo cleaning, Open311 filters, access rules."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from services.intake.access import check_grid, check_reporter
from services.intake.images import clean
from services.intake.open311.render import Open311Error, to_xml
from services.intake.open311.requests import request_filter
from services.intake.ratelimit import RateLimiter
from shared.auth import Principal, Role
from shared.contracts import Reporter
from shared.errors import ApiError
from tests.intake.helpers import GPS_IFD, image_bytes


def test_bucket_allows_the_burst_then_says_when_to_retry() -> None:
    now = [0.0]
    limiter = RateLimiter(burst=2, per_minute=6, clock=lambda: now[0])

    assert limiter.take("a") == limiter.take("a") == 0
    assert limiter.take("a") == pytest.approx(10)
    assert limiter.take("b") == 0

    now[0] = 10.0
    assert limiter.take("a") == 0


def test_png_named_anything_loses_its_gps_tags() -> None:
    tagged = image_bytes("PNG", gps=True)
    assert Image.open(io.BytesIO(tagged)).getexif().get_ifd(GPS_IFD)

    cleaned = clean(tagged, 10_000_000)

    assert cleaned.content_type == "image/png"
    reread = Image.open(io.BytesIO(cleaned.data))
    assert not reread.getexif()
    assert b"eXIf" not in cleaned.data


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (b"GIF89a" + b"\x00" * 64, 415),
        (b"%PDF-1.7 not a photo", 415),
        (image_bytes("PNG")[:60], 422),
    ],
)
def test_unreadable_or_foreign_files_are_refused(data: bytes, status: int) -> None:
    with pytest.raises(ApiError) as refused:
        clean(data, 10_000_000)
    assert refused.value.status == status
    assert refused.value.field == "file"


def test_a_decompression_bomb_is_refused_before_decoding() -> None:
    out = io.BytesIO()
    Image.new("L", (6000, 6000)).save(out, "PNG")
    with pytest.raises(ApiError) as refused:
        clean(out.getvalue(), max_pixels=10_000_000)
    assert refused.value.status == 413


def test_open311_defaults_to_the_last_ninety_days() -> None:
    now = datetime(2026, 5, 1, tzinfo=UTC)
    chosen = request_filter("json", None, None, None, None, None, now=now)
    assert chosen.end == now
    assert chosen.start == now - timedelta(days=90)
    assert chosen.query()["accepted_at"] == {"$gte": chosen.start, "$lte": now}


def test_open311_refuses_spans_over_ninety_days_and_bad_status() -> None:
    with pytest.raises(Open311Error):
        request_filter(
            "json", None, None, "2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z", None
        )
    with pytest.raises(Open311Error):
        request_filter("xml", None, None, None, None, "pending")


def test_service_request_ids_override_other_filters() -> None:
    chosen = request_filter("json", "a,b", "1001", None, None, "open")
    assert chosen.query() == {"_id": {"$in": ["a", "b"]}}


def test_xml_lists_take_singular_item_names() -> None:
    xml = to_xml("service_requests", [{"service_request_id": "x", "lat": None}])
    assert b"<service_requests><request><service_request_id>x</service_request_id>" in xml


def test_grid_staff_act_only_in_their_grids() -> None:
    head = Principal(role=Role.GRID_STAFF, sub="h", grids=["G-01-01"])
    check_grid(head, "G-01-01")
    for elsewhere in ("G-01-02", None):
        with pytest.raises(ApiError) as refused:
            check_grid(head, elsewhere)
        assert refused.value.status == 403


def test_anonymous_callers_report_only_as_residents_with_a_phone() -> None:
    anonymous = Principal(role=Role.RESIDENT, sub="anonymous")
    with pytest.raises(ApiError) as refused:
        check_reporter(anonymous, Reporter(kind="grid_staff"))
    assert refused.value.status == 401
    with pytest.raises(ApiError) as refused:
        check_reporter(anonymous, Reporter(kind="resident", name="Li"))
    assert refused.value.field == "reporter.phone"


def test_staff_ids_come_from_the_credential() -> None:
    head = Principal(role=Role.GRID_STAFF, sub="head-G-01-01", grids=["G-01-01"])
    reporter = check_reporter(head, Reporter(kind="grid_staff", id="someone-else"))
    assert reporter.id == "head-G-01-01"
    department = Principal(role=Role.DEPARTMENT, sub="d", department="water_affairs")
    with pytest.raises(ApiError):
        check_reporter(department, Reporter(kind="operator"))
