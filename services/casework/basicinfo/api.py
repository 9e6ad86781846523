"""Basic information over HTTP: records one by one, their history, and CSV files."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status

from services.casework.basicinfo.csvio import to_csv
from services.casework.basicinfo.desk import RecordDesk
from services.casework.basicinfo.models import MODELS, SENSITIVE, RecordList, fields_of
from shared.auth import Principal, principal_dependency
from shared.basic_info import KINDS, record_ref
from shared.contracts import GridCode
from shared.errors import ApiError

MAX_FILE_BYTES = 5_000_000
CSV_BODY = {
    "requestBody": {
        "required": True,
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


async def csv_text(request: Request) -> str:
    """The uploaded file as text, refusing what is too large or not UTF-8."""
    body = await request.body()
    if len(body) > MAX_FILE_BYTES:
        raise ApiError(413, "too_large", f"a file may have at most {MAX_FILE_BYTES} bytes")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(422, "invalid_file", "the file is not UTF-8 text") from exc


def build_records_router(desk: RecordDesk, signing_key: str) -> APIRouter:
    """The basic information routes."""
    router = APIRouter(prefix="/v1")
    who = Depends(principal_dependency(signing_key))

    @router.get("/records/kinds")
    async def kinds() -> dict[str, Any]:
        """The seven categories, their columns and which of them are person numbers."""
        return {
            kind: {
                "columns": fields_of(kind),
                "sensitive": [
                    name for name in SENSITIVE if name in MODELS[kind].model_fields
                ],
            }
            for kind in KINDS
        }

    @router.get("/records", response_model=RecordList)
    async def list_records(
        caller: Annotated[Principal, who],
        grid_code: GridCode | None = None,
        kind: str | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> dict[str, Any]:
        """Live records of a grid and or a category."""
        items = await desk.search(
            caller, grid_code=grid_code, kind=kind, limit=limit, skip=offset
        )
        return {"items": items, "limit": limit, "offset": offset}

    @router.get("/records.csv", response_class=Response)
    async def export_records(
        caller: Annotated[Principal, who], kind: str, grid_code: GridCode | None = None
    ) -> Response:
        """Every live record of a category as CSV, numbers masked unless needed."""
        values = await desk.export(caller, kind, grid_code)
        return Response(to_csv(kind, values), media_type="text/csv; charset=utf-8")

    @router.post("/records.csv", openapi_extra=CSV_BODY)
    async def import_records(
        request: Request, caller: Annotated[Principal, who], kind: str
    ) -> dict[str, int]:
        """Store every record of a CSV file, or none, with every problem named."""
        text = await csv_text(request)
        return await desk.import_csv(caller, kind, text)

    @router.get("/records/{grid_code}/{kind}/{code}")
    async def read_record(
        grid_code: str, kind: str, code: str, caller: Annotated[Principal, who]
    ) -> dict[str, Any]:
        """One record, with the visits and cases that name it."""
        return await desk.read(caller, record_ref(grid_code, kind, code))

    @router.get("/records/{grid_code}/{kind}/{code}/history")
    async def record_history(
        grid_code: str, kind: str, code: str, caller: Annotated[Principal, who]
    ) -> dict[str, Any]:
        """What changed in a record, when and by whom; numbers masked."""
        ref = record_ref(grid_code, kind, code)
        return {"ref": ref, "changes": await desk.history(caller, ref)}

    @router.put("/records/{grid_code}/{kind}/{code}")
    async def put_record(
        grid_code: str,
        kind: str,
        code: str,
        body: dict[str, Any],
        response: Response,
        caller: Annotated[Principal, who],
    ) -> dict[str, Any]:
        """Create or change one record; 201 when it is new."""
        shown, change = await desk.put(caller, (grid_code, kind, code), body)
        if change == "created":
            response.status_code = status.HTTP_201_CREATED
        return {**shown, "change": change}

    @router.delete("/records/{grid_code}/{kind}/{code}")
    async def delete_record(
        grid_code: str, kind: str, code: str, caller: Annotated[Principal, who]
    ) -> dict[str, Any]:
        """Delete a record; cases and visits that named it still find it."""
        return await desk.delete(caller, record_ref(grid_code, kind, code))

    return router
