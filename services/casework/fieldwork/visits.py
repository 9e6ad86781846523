"""Records visits and patrols: stored first, findings raised as reports, then announced."""

import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from services.casework.basicinfo.store import BasicInfoStore
from services.casework.fieldwork.catalogue import checklist
from services.casework.fieldwork.errors import FieldworkError, Forbidden
from services.casework.fieldwork.events import FieldworkEvents
from services.casework.fieldwork.intake_client import IntakeClient, report_id_for
from services.casework.fieldwork.models import Finding, VisitIn, VisitType
from services.casework.fieldwork.store import FieldworkStore
from shared.auth import Principal, Role
from shared.basic_info import split_ref
from shared.contracts import VisitRecorded
from shared.mongo import Document
from shared.privacy import scrub_numbers
from shared.registry.models import Grid, Registry

logger = logging.getLogger(__name__)

VISITORS = {Role.GRID_STAFF, Role.OPERATOR}
# Visits of these types are to a person the grid keeps a record of, in this category.
RECORD_KIND_OF = {
    VisitType.KEY_PERSON_VISIT: "key_persons",
    VisitType.SERVICE_RECIPIENT_VISIT: "service_recipients",
}


class VisitDesk:
    """Takes a visit from a grid worker and does everything that follows from it."""

    def __init__(
        self,
        store: FieldworkStore,
        events: FieldworkEvents,
        intake: IntakeClient,
        registry: Callable[[], Registry],
        records: BasicInfoStore,
    ) -> None:
        self.store = store
        self.events = events
        self.intake = intake
        self.registry = registry
        self.records = records

    async def record(self, caller: Principal, token: str, body: VisitIn) -> Document:
        """Store the visit, raise the reports its findings ask for, then announce it."""
        grid = check_visit(caller, body, self.registry())
        await self._check_record(body)
        visit_id = str(body.visit_id or uuid.uuid4())
        doc: Document = {
            "_id": visit_id,
            **body.model_dump(mode="python", exclude={"visit_id"}),
            "visit_type": body.visit_type.value,
            "village_code": grid.village_code,
            "visitor": caller.sub,
            "report_ids": [],
            "published": False,
            "recorded_at": datetime.now(UTC),
        }
        doc, created = await self.store.add_visit(doc)
        if not created and doc["published"]:
            return doc

        report_ids = await self._raise_reports(token, visit_id, body)
        await self.store.set_visit(visit_id, {"report_ids": report_ids})
        await self.events.visit_recorded(announcement(doc, report_ids))
        await self.store.set_visit(visit_id, {"published": True})
        logger.info("visit %s recorded in %s", visit_id, body.grid_code)
        return {**doc, "report_ids": report_ids, "published": True}

    async def _check_record(self, body: VisitIn) -> None:
        """The record a visit names exists in its grid and fits the visit's type."""
        if body.record_ref is None:
            return
        grid, kind, _ = split_ref(body.record_ref)
        if grid != body.grid_code:
            raise FieldworkError(
                f"the record is in {grid}, not the visit's grid", "record_ref"
            )
        wanted = RECORD_KIND_OF.get(body.visit_type)
        if wanted is not None and kind != wanted:
            raise FieldworkError(
                f"a {body.visit_type} names a {wanted} record", "record_ref"
            )
        if not await self.records.exists(body.record_ref):
            raise FieldworkError(f"no record {body.record_ref}", "record_ref")

    async def _raise_reports(self, token: str, visit_id: str, body: VisitIn) -> list[str]:
        """Hand intake the findings marked for a report, each under a derived id."""
        raised = []
        for index, finding in enumerate(body.findings):
            if not finding.raise_report:
                continue
            where = body.household or body.place or ""
            report_id = await self.intake.raise_report(
                token,
                report_id=report_id_for("visit", visit_id, str(index)),
                grid_code=body.grid_code,
                description=finding.text,
                category_hint=finding.category_hint,
                observed_at=body.visited_at,
                address=where,
                record_ref=body.record_ref,
            )
            raised.append(report_id)
        return raised


def check_visit(caller: Principal, body: VisitIn, registry: Registry) -> Grid:
    """The grid of a visit the caller may log, or the reason they may not."""
    if caller.role not in VISITORS:
        raise Forbidden(f"a {caller.role} credential cannot log visits")
    if not caller.may_act_in_grid(body.grid_code):
        raise Forbidden(f"your credential does not cover {body.grid_code}", "grid_code")
    grid = registry.grid(body.grid_code)
    if grid is None:
        raise FieldworkError(f"no grid {body.grid_code}", "grid_code")
    if body.household is None and body.place is None:
        raise FieldworkError("a visit names a household or a place", "household")

    unknown = sorted(set(body.checklist) - checklist().codes())
    if unknown:
        raise FieldworkError(f"unknown checklist items: {', '.join(unknown)}", "checklist")
    return grid


def scrubbed(text: str | None) -> str | None:
    """Free text as it may travel: a number typed into it is masked."""
    return None if text is None else scrub_numbers(text)


def announcement(doc: Document, report_ids: list[str]) -> VisitRecorded:
    """The visit as it travels: counts and references, no person's numbers."""
    findings = [Finding.model_validate(item) for item in doc["findings"]]
    return VisitRecorded(
        visit_id=doc["_id"],
        visit_type=doc["visit_type"],
        grid_code=doc["grid_code"],
        village_code=doc.get("village_code"),
        visitor=doc["visitor"],
        household=scrubbed(doc.get("household")),
        place=scrubbed(doc.get("place")),
        record_ref=doc.get("record_ref"),
        checklist=doc["checklist"],
        findings=len(findings),
        disputes_resolved=sum(1 for f in findings if f.dispute and f.resolved),
        problems_handled=sum(1 for f in findings if f.resolved),
        report_ids=report_ids,
        visited_at=doc["visited_at"],
    )
