"""What intake's tests share: credentials, reports, images and a proxy to cut Kafka off."""

import asyncio
import contextlib
import io
import uuid
from datetime import UTC, datetime
from typing import Any

from PIL import Image

from shared.auth import Principal, Role, issue
from shared.settings import ServiceSettings

INTAKE = "http://127.0.0.1:8001"
CASEWORK = "http://127.0.0.1:8003"
KEY = ServiceSettings().signing_key
GPS_IFD = 0x8825


def token(role: Role, sub: str, **scope: Any) -> str:
    """A credential signed with the test environment's key."""
    return issue(Principal(role=role, sub=sub, **scope), KEY)


def bearer(value: str) -> dict[str, str]:
    """The header that carries a credential."""
    return {"Authorization": f"Bearer {value}"}


def grid_head(grid: str) -> dict[str, str]:
    """Headers of the head of ``grid``."""
    return bearer(token(Role.GRID_STAFF, f"head-{grid}", grids=[grid]))


OPERATOR = bearer(token(Role.OPERATOR, "operator-test"))
OPEN311_KEY = token(Role.OPEN311, "open311-test")


def a_report(**overrides: Any) -> dict[str, Any]:
    """A valid grid head's report with a fresh id."""
    report: dict[str, Any] = {
        "report_id": str(uuid.uuid4()),
        "channel": "app",
        "grid_code": "G-03-07",
        "address": "Lane 4, east gate",
        "category_hint": "rubbish",
        "description": "Bags of rubbish piled beside the lane since yesterday.",
        "observed_at": datetime.now(UTC).isoformat(),
        "reporter": {"kind": "grid_staff"},
    }
    report.update(overrides)
    return report


def resident_report(**overrides: Any) -> dict[str, Any]:
    """A valid report from a resident without an account."""
    reporter = {"kind": "resident", "name": "Wang Fang", "phone": "+86 138 0000 0000"}
    return a_report(channel="web", reporter=reporter, **overrides)


def image_bytes(fmt: str, size: tuple[int, int] = (64, 48), *, gps: bool = False) -> bytes:
    """An image in ``fmt``, optionally tagged with a GPS position in its EXIF."""
    image = Image.new("RGB", size, (30, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (22.0, 32.0, 35.0), 3: "E", 4: (113.0, 56.0, 4.0)}
    out = io.BytesIO()
    image.save(out, fmt, exif=exif)
    return out.getvalue()


class TcpProxy:
    """Forwards a local port to Kafka; closing it cuts every connection through it."""

    def __init__(self, target_port: int = 9092) -> None:
        self.target_port = target_port
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def open(self) -> None:
        """Listen (again, on the same port once chosen) and forward."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        """Stop listening and drop every forwarded connection."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.close()
        self._writers.clear()

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(
                "127.0.0.1", self.target_port
            )
        except OSError:
            writer.close()
            return
        self._writers.update({writer, up_writer})
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        with contextlib.suppress(OSError, asyncio.CancelledError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()
        self._writers.discard(writer)
