"""Drives every GeoReport v2 endpoint as a client would, in JSON and in parsed XML."""

import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from shared.launcher import Stack
from tests.intake.helpers import INTAKE, OPEN311_KEY
from tests.kafka_tools import eventually

pytestmark = pytest.mark.servers

BASE = f"{INTAKE}/open311/v2"
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


def parsed(fmt: str, answer: httpx.Response) -> Any:
    """The answer as plain data, whichever format it came in."""
    if fmt == "json":
        assert answer.headers["content-type"].startswith("application/json")
        return answer.json()
    assert answer.headers["content-type"].startswith("text/xml")
    return _element(ET.fromstring(answer.content))


LIST_TAGS = {"services", "service_requests", "attributes", "values", "endpoints"}
LIST_TAGS |= {"formats", "errors"}


def _element(element: ET.Element) -> Any:
    children = list(element)
    if element.tag in LIST_TAGS:
        return [_element(child) for child in children]
    if not children:
        return element.text
    return {child.tag: _element(child) for child in children}


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_a_georeport_client_round_trip(stack: Stack, fmt: str) -> None:
    async with httpx.AsyncClient(timeout=15) as client:
        discovery = parsed(fmt, await client.get(f"{BASE}/discovery.{fmt}"))
        endpoint = discovery["endpoints"][0]
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert "text/xml" in endpoint["formats"]
        base = endpoint["url"]

        services = parsed(fmt, await client.get(f"{base}/services.{fmt}"))
        assert len(services) == 35
        rubbish = next(s for s in services if s["service_code"] == "1001")
        assert rubbish["type"] == "realtime"
        assert str(rubbish["metadata"]).lower() == "true"

        definition = parsed(fmt, await client.get(f"{base}/services/1001.{fmt}"))
        codes = [attribute["code"] for attribute in definition["attributes"]]
        assert "danger_now" in codes

        form = {
            "api_key": OPEN311_KEY,
            "service_code": "1001",
            # Apart, so the second run's report is not a supporter of the first's case.
            "lat": "22.5431" if fmt == "json" else "22.5600",
            "long": "113.9344" if fmt == "json" else "113.9500",
            "address_string": "Lane 4, east gate",
            "description": f"Rubbish bags by the lane ({uuid.uuid4()})",
            "first_name": "Li",
            "last_name": "Lei",
            "phone": "+86 138 0000 1111",
            "attribute[danger_now]": "no",
        }
        posted = await client.post(f"{base}/requests.{fmt}", data=form)
        assert posted.status_code == 200, posted.text
        created = parsed(fmt, posted)[0]
        request_id, tracking = created["service_request_id"], created["token"]
        repeat = parsed(fmt, await client.post(f"{base}/requests.{fmt}", data=form))[0]
        assert repeat["service_request_id"] == request_id

        resolved = parsed(fmt, await client.get(f"{base}/tokens/{tracking}.{fmt}"))
        assert resolved[0]["service_request_id"] == request_id

        async def dispatched() -> dict[str, Any] | None:
            one = parsed(fmt, await client.get(f"{base}/requests/{request_id}.{fmt}"))[0]
            return one if one.get("agency_responsible") else None

        one = await eventually(dispatched)
        assert set(one) == REQUEST_FIELDS
        assert one["status"] == "open"
        assert one["service_code"] == "1001"
        assert one["expected_datetime"]
        assert datetime.fromisoformat(one["expected_datetime"]) > datetime.fromisoformat(
            one["requested_datetime"]
        )
        assert "dispatched" in one["status_notes"]
        assert float(one["lat"]) == pytest.approx(float(form["lat"]))

        start = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
        listed = parsed(
            fmt,
            await client.get(
                f"{base}/requests.{fmt}",
                params={"service_code": "1001", "status": "open", "start_date": start},
            ),
        )
        assert request_id in [item["service_request_id"] for item in listed]
        by_id = parsed(
            fmt,
            await client.get(
                f"{base}/requests.{fmt}", params={"service_request_id": request_id}
            ),
        )
        assert [item["service_request_id"] for item in by_id] == [request_id]
        closed = parsed(
            fmt, await client.get(f"{base}/requests.{fmt}", params={"status": "closed"})
        )
        assert request_id not in [item["service_request_id"] for item in closed or []]


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_errors_come_in_the_spec_shape(stack: Stack, fmt: str) -> None:
    old = "2025-01-01T00:00:00+00:00"
    async with httpx.AsyncClient(base_url=BASE, timeout=15) as client:
        no_key = await client.post(f"/requests.{fmt}", data={"service_code": "1001"})
        bad_service = await client.post(
            f"/requests.{fmt}",
            data={"api_key": OPEN311_KEY, "service_code": "nope", "address_string": "x"},
        )
        nowhere = await client.post(
            f"/requests.{fmt}", data={"api_key": OPEN311_KEY, "service_code": "1001"}
        )
        span = await client.get(
            f"/requests.{fmt}",
            params={"start_date": old, "end_date": "2025-12-01T00:00:00Z"},
        )
        unknown = await client.get(f"/requests/{uuid.uuid4()}.{fmt}")

    for answer, status in (
        (no_key, 403),
        (bad_service, 404),
        (nowhere, 400),
        (span, 400),
        (unknown, 404),
    ):
        assert answer.status_code == status
        errors = parsed(fmt, answer)
        assert int(errors[0]["code"]) == status
        assert errors[0]["description"]
