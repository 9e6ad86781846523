"""Keeps basic information: checks a record, stores it, remembers what changed.

A record names a grid of the registry, and a resident may name a household of the
same grid; both are checked before anything is stored. Log lines name references and
counts only: a record's values may hold a person's numbers.
"""

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from services.casework.basicinfo.access import check_read, check_write, sees_numbers
from services.casework.basicinfo.csvio import RowProblem, from_csv
from services.casework.basicinfo.models import MODELS, RecordBase
from services.casework.basicinfo.store import BasicInfoStore, changes_between, masked
from services.casework.fieldwork.errors import Conflict, FieldworkError, NotFound
from shared.auth import Principal
from shared.basic_info import KINDS, record_ref, split_ref
from shared.mongo import Document
from shared.registry.models import Registry

logger = logging.getLogger(__name__)

WRITE_ATTEMPTS = 3


class InvalidRows(FieldworkError):
    """Rows of an imported file that cannot be stored, every one of them."""

    def __init__(self, problems: list[RowProblem]) -> None:
        first = problems[0]
        super().__init__(
            f"{len(problems)} problems; line {first.line}, {first.field}: {first.reason}",
            first.field,
        )
        self.problems = problems

    @property
    def extra(self) -> dict[str, object]:
        """Every problem, so a whole file is corrected in one go."""
        return {"problems": [problem.as_dict() for problem in self.problems[:200]]}


def check_kind(kind: str) -> str:
    """A known category, or 422 naming the seven."""
    if kind not in KINDS:
        raise FieldworkError(
            f"no category {kind!r}; categories: {', '.join(KINDS)}", "kind"
        )
    return kind


def validated(kind: str, grid_code: str, code: str, body: dict[str, Any]) -> RecordBase:
    """The record a request body describes, its place taken from the path."""
    for name, expected in (("kind", kind), ("grid_code", grid_code), ("code", code)):
        if body.get(name, expected) != expected:
            raise FieldworkError(f"{name} does not match the path", name)
    try:
        return MODELS[kind].model_validate(
            {**body, "kind": kind, "grid_code": grid_code, "code": code}
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "body"
        raise FieldworkError(f"{field}: {first['msg']}", field) from exc


def shown(doc: Document, caller: Principal) -> dict[str, Any]:
    """A stored record as the caller may see it."""
    full = sees_numbers(caller, doc["grid_code"])
    return {
        "ref": doc["_id"],
        "kind": doc["kind"],
        "revision": doc["revision"],
        "deleted": doc["deleted"],
        "value": doc["value"] if full else masked(doc["value"]),
        "updated_at": doc["updated_at"],
        "updated_by": doc["updated_by"],
        "masked": not full,
    }


class RecordDesk:
    """Reads, writes, deletes and imports records for callers with the right scope."""

    def __init__(self, store: BasicInfoStore, registry: Callable[[], Registry]) -> None:
        self.store = store
        self.registry = registry

    async def read(self, caller: Principal, ref: str) -> Document:
        """One record, deleted ones included, with the visits and cases naming it."""
        grid, _, _ = self._split(ref)
        check_read(caller, grid)
        doc = await self.store.get(ref)
        if doc is None:
            raise NotFound(f"no record {ref}", "ref")
        return {**shown(doc, caller), "referenced_by": await self.store.referenced_by(ref)}

    async def history(self, caller: Principal, ref: str) -> list[Document]:
        """A record's changes, newest first, numbers masked."""
        grid, _, _ = self._split(ref)
        check_read(caller, grid)
        return [
            {key: value for key, value in entry.items() if key != "_id"}
            for entry in await self.store.history_of(ref)
        ]

    async def search(
        self,
        caller: Principal,
        *,
        grid_code: str | None,
        kind: str | None,
        limit: int,
        skip: int,
    ) -> list[dict[str, Any]]:
        """Live records of a grid or category, as the caller may see them."""
        check_read(caller, grid_code)
        filters: Document = {}
        if grid_code:
            filters["grid_code"] = grid_code
        if kind:
            filters["kind"] = check_kind(kind)
        found = await self.store.search(filters, limit=limit, skip=skip)
        return [shown(doc, caller) for doc in found]

    async def put(
        self, caller: Principal, ref_parts: tuple[str, str, str], body: dict[str, Any]
    ) -> tuple[Document, str]:
        """Create or change one record; answers it and what happened to it."""
        grid_code, kind, code = ref_parts
        check_kind(kind)
        check_write(caller, grid_code)
        record = validated(kind, grid_code, code, body)
        problems = self._scope_problems(caller, [record])
        problems = problems or await self._reference_problems([record])
        if problems:
            raise FieldworkError(problems[0].reason, problems[0].field)

        doc, change = await self._write(caller, record)
        logger.info("record %s %s by %s", record.ref, change, caller.sub)
        return shown(doc, caller), change

    async def delete(self, caller: Principal, ref: str) -> Document:
        """Mark a record deleted; it stays for the cases and visits that named it."""
        grid, _, _ = self._split(ref)
        check_write(caller, grid)
        for _ in range(WRITE_ATTEMPTS):
            doc = await self.store.get(ref)
            if doc is None or doc["deleted"]:
                raise NotFound(f"no record {ref}", "ref")
            now = datetime.now(UTC)
            fields = {"deleted": True, "deleted_at": now, **stamp(caller, now)}
            if await self.store.replace(ref, doc["revision"], fields):
                await self.store.add_history(
                    entry(ref, doc["revision"] + 1, "deleted", caller, now, {})
                )
                logger.info("record %s deleted by %s", ref, caller.sub)
                return shown({**doc, **fields, "revision": doc["revision"] + 1}, caller)
        raise Conflict(f"record {ref} keeps changing; try again", "ref")

    async def import_csv(self, caller: Principal, kind: str, text: str) -> dict[str, int]:
        """Store every record of a file, or none if any row is wrong."""
        check_kind(kind)
        records, problems = from_csv(kind, text)
        if not problems:
            problems = self._scope_problems(caller, records)
        if not problems:
            problems = await self._reference_problems(records)
        if problems:
            raise InvalidRows(problems)

        counts = {"created": 0, "updated": 0, "unchanged": 0}
        for record in records:
            _, change = await self._write(caller, record)
            counts[change] += 1
        logger.info(
            "imported %d %s records by %s: %s", len(records), kind, caller.sub, counts
        )
        return counts

    async def export(
        self, caller: Principal, kind: str, grid_code: str | None
    ) -> list[dict[str, Any]]:
        """The values of every live record of a category, as the caller may see them."""
        check_kind(kind)
        check_read(caller, grid_code)
        filters: Document = {"kind": kind}
        if grid_code:
            filters["grid_code"] = grid_code
        found = await self.store.search(filters, limit=0)
        return [shown(doc, caller)["value"] for doc in found]

    async def _write(self, caller: Principal, record: RecordBase) -> tuple[Document, str]:
        """Store a record over the revision it was compared with."""
        value = record.model_dump(mode="json", exclude={"kind"})
        ref = record.ref
        for _ in range(WRITE_ATTEMPTS):
            now = datetime.now(UTC)
            before = await self.store.get(ref)
            if before is None:
                doc = new_record(record, value, caller, now)
                if await self.store.insert(doc):
                    diff = changes_between({}, value)
                    await self.store.add_history(
                        entry(ref, 1, "created", caller, now, diff)
                    )
                    return doc, "created"
                continue

            if before["value"] == value and not before["deleted"]:
                return before, "unchanged"
            fields = {
                "value": value,
                "deleted": False,
                "deleted_at": None,
                "numbers_removed_at": None,
            }
            fields.update(stamp(caller, now))
            if await self.store.replace(ref, before["revision"], fields):
                revision = before["revision"] + 1
                diff = changes_between({} if before["deleted"] else before["value"], value)
                await self.store.add_history(
                    entry(ref, revision, "updated", caller, now, diff)
                )
                return {**before, **fields, "revision": revision}, "updated"
        raise Conflict(f"record {ref} keeps changing; try again", "ref")

    def _split(self, ref: str) -> tuple[str, str, str]:
        try:
            return split_ref(ref)
        except ValueError as exc:
            raise FieldworkError(str(exc), "ref") from exc

    def _scope_problems(
        self, caller: Principal, records: list[RecordBase]
    ) -> list[RowProblem]:
        """Rows in grids the registry lacks or the caller does not keep."""
        problems = []
        registry = self.registry()
        for line, record in enumerate(records, start=2):
            if registry.grid(record.grid_code) is None:
                problems.append(
                    RowProblem(line, "grid_code", f"no grid {record.grid_code}")
                )
                continue
            try:
                check_write(caller, record.grid_code)
            except FieldworkError as exc:
                problems.append(RowProblem(line, "grid_code", exc.message))
        return problems

    async def _reference_problems(self, records: list[RecordBase]) -> list[RowProblem]:
        """Residents naming a household neither stored nor in the same file."""
        wanted = {
            line: record_ref(record.grid_code, "households", household)
            for line, record in enumerate(records, start=2)
            if (household := getattr(record, "household", None))
        }
        if not wanted:
            return []
        known = {record.ref for record in records}
        known |= await self.store.live_refs(sorted(set(wanted.values()) - known))
        return [
            RowProblem(line, "household", "no such household in this grid")
            for line, ref in wanted.items()
            if ref not in known
        ]


def stamp(caller: Principal, now: datetime) -> Document:
    """Who changed a record, and when."""
    return {"updated_at": now, "updated_by": caller.sub}


def new_record(
    record: RecordBase, value: dict[str, Any], caller: Principal, now: datetime
) -> Document:
    """The first stored form of a record."""
    return {
        "_id": record.ref,
        "kind": record.kind,
        "grid_code": record.grid_code,
        "code": record.code,
        "value": value,
        "revision": 1,
        "deleted": False,
        "deleted_at": None,
        "numbers_removed_at": None,
        "created_at": now,
        **stamp(caller, now),
    }


def entry(
    ref: str,
    revision: int,
    change: str,
    caller: Principal,
    at: datetime,
    diff: dict[str, Any],
) -> Document:
    """One line of a record's history."""
    # TODO: a crash between the record's write and this entry loses the entry (a
    # second write would need a transaction, which FerretDB v1 does not offer).
    return {
        "_id": f"{ref}@{revision}",
        "ref": ref,
        "revision": revision,
        "change": change,
        "at": at,
        "by": caller.sub,
        "changes": diff,
    }
