"""Serving the console: its page, its assets and the places its map and filters draw."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from services.casework.access import credentials, required
from shared.errors import ApiError
from shared.registry.models import Registry

STATIC = Path(__file__).parent / "static"


def places(registry: Registry) -> dict[str, Any]:
    """Names and grid boundaries, so the console needs one request rather than hundreds."""
    return {
        "villages": [
            {"code": v.code, "name_zh": v.name_zh, "name_en": v.name_en}
            for v in registry.villages
        ],
        "departments": [
            {"code": d.code, "name_zh": d.name_zh, "name_en": d.name_en}
            for d in registry.departments
        ],
        "categories": [
            {"code": c.code, "name_zh": c.name_zh, "name_en": c.name_en}
            for c in registry.categories
        ],
        "grids": [
            {
                "code": g.code,
                "name_zh": g.name_zh,
                "name_en": g.name_en,
                "village_code": g.village_code,
                "polygon": g.polygon[0],
            }
            for g in registry.grids
        ],
    }


def build_console_router(registry: Callable[[], Registry], key: str) -> APIRouter:
    """The console's routes, reading places from the followed registry."""
    router = APIRouter(prefix="/console")

    @router.get("", include_in_schema=False)
    async def bare() -> RedirectResponse:
        """Send /console to the page itself, so relative asset paths resolve."""
        return RedirectResponse("/console/", status_code=307)

    @router.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        """The single page; the views are chosen by the address's fragment."""
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    @router.get("/places")
    async def registry_places(request: Request) -> dict[str, Any]:
        """Villages, departments, categories and grid boundaries, for staff only."""
        who = credentials(request, key)
        required(who)
        if who.principal is None:
            raise ApiError(403, "not_permitted", "the console needs a staff credential")

        return places(registry())

    return router


def static_files() -> StaticFiles:
    """The console's own scripts and styles."""
    return StaticFiles(directory=STATIC)
