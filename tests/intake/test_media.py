"""Photos on the real stack: cleaned, stored once in GridFS, referred to by id."""

import io
from typing import Any

import httpx
import pytest
from PIL import Image

from shared.launcher import Stack
from shared.topics import REPORTS_SUBMITTED
from tests.intake.helpers import (
    GPS_IFD,
    INTAKE,
    OPERATOR,
    a_report,
    grid_head,
    image_bytes,
)
from tests.kafka_tools import read_until

pytestmark = pytest.mark.servers


async def upload(
    client: httpx.AsyncClient, data: bytes, name: str, kind: str
) -> httpx.Response:
    return await client.post("/v1/media", files={"file": (name, data, kind)})


async def test_png_renamed_jpg_with_gps_is_stored_without_gps(stack: Stack) -> None:
    tagged = image_bytes("PNG", (80, 60), gps=True)
    async with httpx.AsyncClient(base_url=INTAKE, timeout=10, headers=OPERATOR) as client:
        first = await upload(client, tagged, "IMG_0001.jpg", "image/jpeg")
        again = await upload(client, tagged, "IMG_0001.jpg", "image/jpeg")
        fetched = await client.get(f"/v1/media/{first.json()['media_id']}")
        anonymous = await client.get(
            f"/v1/media/{first.json()['media_id']}", headers={"Authorization": ""}
        )

    assert first.status_code == 201, first.text
    assert again.status_code == 200
    assert again.json() == first.json()
    assert first.json()["content_type"] == "image/png"
    assert fetched.headers["content-type"] == "image/png"
    stored = Image.open(io.BytesIO(fetched.content))
    assert stored.format == "PNG"
    assert stored.size == (80, 60)
    assert not stored.getexif().get_ifd(GPS_IFD)
    assert b"eXIf" not in fetched.content
    assert anonymous.status_code == 401


@pytest.mark.parametrize(
    ("data", "kind", "status", "code"),
    [
        (b"GIF89a" + bytes(200), "image/gif", 415, "unsupported_media_type"),
        (b"\xff\xd8\xff" + bytes(11_000_000), "image/jpeg", 413, "too_large"),
    ],
)
async def test_foreign_and_oversize_files_are_refused(
    stack: Stack, data: bytes, kind: str, status: int, code: str
) -> None:
    async with httpx.AsyncClient(base_url=INTAKE, timeout=30, headers=OPERATOR) as client:
        answer = await upload(client, data, "photo.jpg", kind)
    assert answer.status_code == status
    assert answer.json()["error"]["code"] == code
    assert answer.json()["error"]["field"] == "file"


async def test_bomb_is_refused_by_its_pixel_count(stack: Stack) -> None:
    out = io.BytesIO()
    Image.new("L", (10_000, 5_000)).save(out, "PNG")
    async with httpx.AsyncClient(base_url=INTAKE, timeout=30, headers=OPERATOR) as client:
        answer = await upload(client, out.getvalue(), "small.png", "image/png")
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "too_many_pixels"


async def test_report_events_carry_photo_ids_and_digests_not_bytes(stack: Stack) -> None:
    photo = image_bytes("JPEG", (120, 90), gps=True)
    async with httpx.AsyncClient(base_url=INTAKE, timeout=10) as client:
        stored = (
            await client.post(
                "/v1/media",
                files={"file": ("p.jpg", photo, "image/jpeg")},
                headers=grid_head("G-03-07"),
            )
        ).json()
        report = a_report(media_ids=[stored["media_id"]])
        unknown = a_report(media_ids=["0" * 32])
        accepted = await client.post(
            "/v1/reports", json=report, headers=grid_head("G-03-07")
        )
        refused = await client.post(
            "/v1/reports", json=unknown, headers=grid_head("G-03-07")
        )
        missing = await client.get(f"/v1/reports/{unknown['report_id']}")

    assert accepted.status_code == 202
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "media_ids"
    assert missing.status_code == 404
    records = await read_until(
        REPORTS_SUBMITTED, lambda r: r["key"] == report["report_id"], timeout=15
    )
    payload: dict[str, Any] = records[0]["value"]["payload"]
    assert payload["media_ids"] == [stored["media_id"]]
    assert payload["media_sha256"] == {stored["media_id"]: stored["sha256"]}
    assert len(str(records[0]["value"])) < 4000
