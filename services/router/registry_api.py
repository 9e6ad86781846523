"""Operators edit the registry over HTTP; every accepted change is published at once.

A change is checked twice before it is stored: the entity on its own (422 naming the
field), then the registry it would make (422 naming the reference that breaks, or 409
when a deletion would leave something pointing at nothing).
"""

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from pydantic import ValidationError

from services.router.registry_publisher import RegistryPublisher
from services.router.registry_store import RegistryStore, value_of
from shared.auth import Principal, Role, principal_dependency
from shared.errors import ApiError
from shared.mongo import Document
from shared.registry.records import (
    KEY_FIELDS,
    KINDS,
    SINGLE,
    Records,
    RegistryIncomplete,
    assemble,
    code_of,
    parse,
)

logger = logging.getLogger(__name__)

# For each kind, the fields that name another entity, and the kind they name.
REFERENCES: dict[str, list[tuple[str, str]]] = {
    "grids": [("village_code", "villages")],
    "categories": [("default_department", "departments")],
    "rules": [("category", "categories"), ("set_department", "departments")],
    "settings": [("triage_department", "departments")],
}
UNDELETABLE = frozenset({"subdistrict", "calendar", "settings"})


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise ApiError(
            404, "unknown_kind", f"no registry kind {kind!r}; kinds: {', '.join(KINDS)}"
        )
    return kind


def _operator(principal: Principal | None) -> None:
    if principal is None or principal.role not in {Role.OPERATOR, Role.SYSTEM}:
        raise ApiError(403, "forbidden", "only operators may change the registry")


def _invalid(exc: ValidationError) -> ApiError:
    """The entity's first validation error, naming its field."""
    fields = [
        {
            "field": ".".join(str(part) for part in err["loc"]) or "body",
            "reason": err["msg"],
        }
        for err in exc.errors()
    ]
    first = fields[0]
    return ApiError(
        422,
        "invalid_field",
        f"{first['field']}: {first['reason']}",
        field=first["field"],
        extra={"fields": fields},
    )


def _validated(kind: str, code: str, body: dict[str, Any]) -> dict[str, Any]:
    """The entity as its model dumps it, with the code in the path matching the body."""
    try:
        entity = parse(kind, body)
    except ValidationError as exc:
        raise _invalid(exc) from exc

    if code_of(kind, entity) != code:
        field = KEY_FIELDS[kind] or "code"
        raise ApiError(
            422,
            "invalid_field",
            f"{field}: {code_of(kind, entity)!r} does not match {code!r} in the path",
            field=field,
        )
    dumped: dict[str, Any] = entity.model_dump(mode="json")
    return dumped


def _dangling(kind: str, value: dict[str, Any], records: Records) -> None:
    """Refuse an entity that names another entity the registry does not hold."""
    for field, target in REFERENCES.get(kind, []):
        named = value.get(field)
        if named is not None and named not in records.get(target, {}):
            raise ApiError(
                422,
                "unknown_reference",
                f"{field}: no {target} entity {named!r}",
                field=field,
            )


def _users(kind: str, code: str, records: Records) -> list[str]:
    """Entities that name ``kind``/``code``."""
    return [
        f"{other}/{other_code}"
        for other, references in REFERENCES.items()
        for field, target in references
        if target == kind
        for other_code, value in records.get(other, {}).items()
        if value.get(field) == code
    ]


def _whole(records: Records) -> None:
    """The registry the records would make must validate as a whole."""
    try:
        assemble(records)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ApiError(422, "inconsistent_registry", str(first["msg"])) from exc
    except RegistryIncomplete as exc:
        raise ApiError(409, "incomplete_registry", str(exc)) from exc


def _shown(doc: Document, published: bool) -> dict[str, Any]:
    return {
        "kind": doc["kind"],
        "code": doc["code"],
        "revision": doc["revision"],
        "published": published,
        "value": value_of(doc),
    }


def build_router(
    store: RegistryStore, publisher: RegistryPublisher, signing_key: str
) -> APIRouter:
    """Routes to read and change the registry."""
    router = APIRouter(prefix="/v1/registry")
    caller = principal_dependency(signing_key)

    async def publish(doc: Document) -> bool:
        try:
            await publisher.publish(doc)
            return True
        except Exception:
            logger.exception("registry change stored, publish failed: the relay retries")
            return False

    @router.get("/{kind}")
    async def list_codes(
        kind: str, _: Annotated[Principal | None, Depends(caller)]
    ) -> dict[str, Any]:
        """The codes of every entity of a kind."""
        return {"kind": _kind(kind), "codes": await store.codes(kind)}

    @router.get("/{kind}/{code}")
    async def read(
        kind: str, code: str, _: Annotated[Principal | None, Depends(caller)]
    ) -> dict[str, Any]:
        """One entity."""
        doc = await store.get(_kind(kind), code)
        if doc is None:
            raise ApiError(404, "not_found", f"no {kind} entity {code!r}")
        return _shown(doc, bool(doc.get("published")))

    @router.put("/{kind}/{code}")
    async def replace(
        kind: str,
        code: str,
        body: Annotated[dict[str, Any], Body()],
        principal: Annotated[Principal | None, Depends(caller)],
    ) -> dict[str, Any]:
        """Create or replace one entity, then publish it."""
        _operator(principal)
        value = _validated(_kind(kind), code, body)
        # TODO: two concurrent changes each validate without the other; a revision
        # check on the whole registry would refuse the second, needs a registry-wide
        # version document.
        records = await store.records()
        _dangling(kind, value, records)
        records.setdefault(kind, {})[code] = value
        _whole(records)

        doc = await store.write(kind, code, value)
        logger.info("registry %s/%s set by %s", kind, code, principal and principal.sub)
        return _shown(doc, await publish(doc))

    @router.delete("/{kind}/{code}")
    async def remove(
        kind: str, code: str, principal: Annotated[Principal | None, Depends(caller)]
    ) -> dict[str, Any]:
        """Delete one entity nothing else names, then publish its tombstone."""
        _operator(principal)
        if _kind(kind) in UNDELETABLE or code == SINGLE:
            raise ApiError(409, "required", f"the registry cannot do without its {kind}")
        records = await store.records()
        if code not in records.get(kind, {}):
            raise ApiError(404, "not_found", f"no {kind} entity {code!r}")

        users = _users(kind, code, records)
        if users:
            raise ApiError(
                409, "in_use", f"{kind}/{code} is named by {', '.join(users[:5])}"
            )
        del records[kind][code]
        _whole(records)

        doc = await store.write(kind, code, None)
        logger.info("registry %s/%s deleted by %s", kind, code, principal and principal.sub)
        return _shown(doc, await publish(doc))

    return router
