"""Campaigns: a task issued to many grids, progress per household, live coverage."""

import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from services.casework.fieldwork.errors import Conflict, FieldworkError, Forbidden, NotFound
from services.casework.fieldwork.events import FieldworkEvents
from services.casework.fieldwork.intake_client import IntakeClient, report_id_for
from services.casework.fieldwork.models import CampaignIn, ProgressIn, ProgressStatus
from services.casework.fieldwork.store import FieldworkStore
from shared.auth import Principal, Role
from shared.contracts import CampaignChanged, GridNotice
from shared.mongo import Document
from shared.privacy import scrub_numbers
from shared.registry.models import Grid, Registry

logger = logging.getLogger(__name__)

ISSUERS = {Role.OPERATOR, Role.SYSTEM}
# Issued open; at the deadline complete or overdue; closed with a summary.
CAMPAIGN_STATES = {"open", "complete", "overdue", "closed"}


def target_grids(body: CampaignIn, registry: Registry) -> list[Grid]:
    """The grids a campaign goes to: all, those of some villages, or those named."""
    if body.all_grids:
        return list(registry.grids)

    chosen: dict[str, Grid] = {}
    for code in body.village_codes:
        if registry.village(code) is None:
            raise FieldworkError(f"no village {code}", "village_codes")
        chosen.update((grid.code, grid) for grid in registry.grids_of(code))
    for code in body.grids:
        grid = registry.grid(code)
        if grid is None:
            raise FieldworkError(f"no grid {code}", "grids")
        chosen[code] = grid
    if not chosen:
        raise FieldworkError("name grids, village_codes or all_grids", "grids")
    return sorted(chosen.values(), key=lambda grid: grid.code)


def coverage_of(entry: Document) -> float:
    """Share of a grid's households confirmed, at most one."""
    households = entry["households"]
    if households == 0:
        return 1.0
    return round(min(1.0, float(entry["confirmed"]) / float(households)), 4)


def overall(doc: Document) -> float:
    """Share of all the campaign's households confirmed."""
    households = sum(entry["households"] for entry in doc["grids"].values())
    confirmed = sum(min(e["confirmed"], e["households"]) for e in doc["grids"].values())
    return round(confirmed / households, 4) if households else 1.0


def missing_of(doc: Document) -> dict[str, int]:
    """Households not yet confirmed, per grid that lags."""
    missing = {
        code: entry["households"] - entry["confirmed"]
        for code, entry in doc["grids"].items()
    }
    return {code: count for code, count in sorted(missing.items()) if count > 0}


def change_of(
    doc: Document, change: str, report_ids: list[str] | None = None
) -> CampaignChanged:
    """The event for a campaign change."""
    return CampaignChanged(
        campaign_id=doc["_id"],
        change=change,
        title=scrub_numbers(doc["title"]),
        deadline=doc["deadline"],
        grids=sorted(doc["grids"]),
        coverage={code: coverage_of(entry) for code, entry in sorted(doc["grids"].items())},
        missing=missing_of(doc),
        report_ids=report_ids or [],
    )


class CampaignDesk:
    """Issues campaigns, takes progress and answers coverage."""

    def __init__(
        self,
        store: FieldworkStore,
        events: FieldworkEvents,
        intake: IntakeClient,
        registry: Callable[[], Registry],
    ) -> None:
        self.store = store
        self.events = events
        self.intake = intake
        self.registry = registry

    async def issue(self, caller: Principal, body: CampaignIn) -> Document:
        """Store the campaign, announce it and notify every grid head in it."""
        if caller.role not in ISSUERS:
            raise Forbidden(f"a {caller.role} credential cannot issue campaigns")
        now = datetime.now(UTC)
        if body.deadline <= now:
            raise FieldworkError("the deadline has passed already", "deadline")

        grids = target_grids(body, self.registry())
        doc: Document = {
            "_id": str(uuid.uuid4()),
            "title": body.title,
            "instructions": body.instructions,
            "status": "open",
            "deadline": body.deadline,
            "remind_at": body.deadline - timedelta(seconds=body.remind_before_s),
            "reminded": False,
            "escalated": False,
            "closed": False,
            "created_by": caller.sub,
            "created_at": now,
            "grids": {
                grid.code: {
                    "village_code": grid.village_code,
                    "households": grid.households,
                    "head": grid.head.staff_id,
                    "confirmed": 0,
                    "blocked": 0,
                    "report_ids": [],
                }
                for grid in grids
            },
            "summary": None,
        }
        await self.store.add_campaign(doc)

        await self.events.campaign_changed(change_of(doc, "issued"), "issued")
        await self.events.notify_grids(
            [
                notice(doc, code, "campaign_issued", body.instructions)
                for code in doc["grids"]
            ]
        )
        logger.info("campaign %s issued to %d grids", doc["_id"], len(grids))
        return doc

    async def get(self, campaign_id: str) -> Document:
        """One campaign, or 404."""
        doc = await self.store.campaign(campaign_id)
        if doc is None:
            raise NotFound(f"no campaign {campaign_id}", "campaign_id")
        return doc

    async def recent(self, statuses: list[str], limit: int) -> list[Document]:
        """The newest campaigns, for boards that show coverage across all of them."""
        unknown = set(statuses) - CAMPAIGN_STATES
        if unknown:
            raise FieldworkError(
                f"no campaign state {', '.join(sorted(unknown))}; "
                f"states are {', '.join(sorted(CAMPAIGN_STATES))}",
                "status",
            )
        return await self.store.recent_campaigns(statuses, limit)

    async def progress(
        self, caller: Principal, token: str, campaign_id: str, body: ProgressIn
    ) -> Document:
        """Record households' status; blockers become reports that become cases."""
        doc = await self.get(campaign_id)
        if doc["status"] == "closed":
            raise Conflict("the campaign is closed", "campaign_id")
        if body.grid_code not in doc["grids"]:
            raise FieldworkError(f"{body.grid_code} is not in this campaign", "grid_code")
        if not caller.may_act_in_grid(body.grid_code):
            raise Forbidden(f"your credential does not cover {body.grid_code}", "grid_code")

        changes: dict[str, int] = {}
        reports: list[str] = []
        for item in body.items:
            key = f"{campaign_id}|{body.grid_code}|{item.unit}"
            fields = {
                "campaign_id": campaign_id,
                "grid_code": body.grid_code,
                "unit": item.unit,
                "status": item.status.value,
                "note": item.note,
                "by": caller.sub,
                "at": datetime.now(UTC),
            }
            before = await self.store.record_progress(key, fields)
            previous = before["status"] if before else None
            count_move(changes, body.grid_code, previous, item.status.value)

            if item.status is ProgressStatus.BLOCKED:
                report_id = await self._raise_blocker(token, doc, body.grid_code, item)
                await self.store.add_report(campaign_id, body.grid_code, report_id)
                reports.append(report_id)

        if changes:
            await self.store.count_change(campaign_id, changes)
        doc = await self.get(campaign_id)
        await self.events.campaign_changed(
            change_of(doc, "progressed", reports), "progress", str(uuid.uuid4())
        )
        return doc

    async def _raise_blocker(
        self, token: str, doc: Document, grid_code: str, item: Any
    ) -> str:
        """A household that cannot be done becomes a report, and so a case."""
        return await self.intake.raise_report(
            token,
            report_id=report_id_for("campaign", doc["_id"], grid_code, item.unit),
            grid_code=grid_code,
            description=f"{doc['title']}: {item.unit} blocked. {item.note}".strip(),
            category_hint=item.category_hint,
            observed_at=doc["created_at"],
            address=item.unit,
        )

    async def close(self, caller: Principal, campaign_id: str) -> Document:
        """Close the campaign with its summary and announce it."""
        if caller.role not in ISSUERS:
            raise Forbidden(f"a {caller.role} credential cannot close campaigns")
        doc = await self.get(campaign_id)
        summary = summary_of(doc)
        if not await self.store.claim(
            campaign_id, "closed", {"status": "closed", "summary": summary}
        ):
            raise Conflict("the campaign is closed already", "campaign_id")

        doc = await self.get(campaign_id)
        await self.events.campaign_changed(change_of(doc, "closed"), "closed")
        logger.info("campaign %s closed", campaign_id)
        return doc


def count_move(changes: dict[str, int], grid: str, before: str | None, after: str) -> None:
    """The counter changes when one household moves from ``before`` to ``after``."""
    if before == after:
        return
    for status, step in ((before, -1), (after, 1)):
        if status in {"confirmed", "blocked"}:
            key = f"grids.{grid}.{status}"
            changes[key] = changes.get(key, 0) + step


def summary_of(doc: Document) -> dict[str, object]:
    """What a closed campaign achieved."""
    grids = doc["grids"]
    return {
        "grids": len(grids),
        "households": sum(entry["households"] for entry in grids.values()),
        "confirmed": sum(min(e["confirmed"], e["households"]) for e in grids.values()),
        "blocked": sum(entry["blocked"] for entry in grids.values()),
        "reports": sum(len(entry["report_ids"]) for entry in grids.values()),
        "coverage": overall(doc),
        "grids_complete": sum(1 for e in grids.values() if coverage_of(e) >= 1.0),
        "missing": missing_of(doc),
    }


def notice(doc: Document, grid_code: str, kind: str, text: str) -> GridNotice:
    """A notice about ``doc`` for one grid's head."""
    missing = missing_of(doc).get(grid_code, 0)
    return GridNotice(
        grid_code=grid_code,
        campaign_id=doc["_id"],
        kind=kind,
        title=scrub_numbers(doc["title"]),
        text=scrub_numbers(text),
        deadline=doc["deadline"],
        missing=missing,
    )
