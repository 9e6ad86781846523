"""Turns a notice into stored delivery jobs, one per receiver, under its delivery id."""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from services.notifier.jobs import GROUPED, QUEUED, JobStore, utcnow
from services.notifier.notices import REPORTER_EVENTS, Notice, reaches_departments
from services.notifier.rule_store import RuleCache
from services.notifier.rules import Receiver, select_receivers
from services.notifier.schedule import quiet_until, window_start
from services.notifier.settings import NotifierSettings
from services.notifier.stream import Hub
from services.notifier.subscriptions import SubscriptionStore
from services.notifier.templates import render
from shared.contracts import DepartmentAlert
from shared.mongo import Document

logger = logging.getLogger(__name__)

REPORTER = "reporter"


class Planner:
    """Decides receivers for a notice and stores a job for each before anything is sent."""

    def __init__(
        self,
        jobs: JobStore,
        rules: RuleCache,
        subscriptions: SubscriptionStore,
        hub: Hub,
        settings: NotifierSettings,
        wake: Callable[[], None],
    ) -> None:
        self.jobs = jobs
        self.rules = rules
        self.subscriptions = subscriptions
        self.hub = hub
        self.settings = settings
        self.wake = wake

    async def plan(self, notice: Notice) -> int:
        """Store the jobs a notice calls for; returns how many were new."""
        now = utcnow()
        jobs: list[Document] = []
        if reaches_departments(notice.event_type):
            receivers = select_receivers(self.rules.current, notice)
            jobs += [self.job_for(notice, receiver, now) for receiver in receivers]

        reporter_kind = REPORTER_EVENTS.get(notice.event_type)
        if reporter_kind is not None:
            told = notice.for_audience(REPORTER, reporter_kind)
            for receiver in await self.subscriptions.receivers_for(
                notice.report_id, notice.case_id
            ):
                jobs.append(self.job_for(told, receiver, now))

        new = 0
        for job in jobs:
            new += await self.jobs.enqueue(job)
        if any(job["status"] == QUEUED for job in jobs):
            self.wake()
        if new and reaches_departments(notice.event_type):
            self._show(notice)
        logger.info("planned %d of %d deliveries for %s", new, len(jobs), notice.event_type)
        return new

    def job_for(self, notice: Notice, receiver: Receiver, now: datetime) -> Document:
        """One receiver's job: rendered message, timing and grouping decided now."""
        message = render(notice, receiver.language, self.settings.console_base_url)
        grouped = receiver.grouped and not notice.emergency
        due = now
        if not notice.emergency:
            due = quiet_until(now, receiver.quiet_hours) or now

        job: Document = {
            "_id": str(notice.delivery_id(receiver.key)),
            "kind": "single",
            "status": GROUPED if grouped else QUEUED,
            "channel": str(receiver.channel),
            "endpoint": receiver.endpoint,
            "receiver": receiver.model_dump(mode="json"),
            "audience": notice.audience,
            "department": notice.department,
            "case_id": notice.case_id,
            "report_id": notice.report_id,
            "source_event_id": notice.source_event_id,
            "event_type": notice.event_type,
            "emergency": notice.emergency,
            "priority": 0 if notice.emergency else 1,
            "message": message.as_dict(),
            "payload": payload_of(notice, message.as_dict()),
            "alert": alert_of(notice, message.title).model_dump(mode="json"),
            "attempts": 0,
            "claim": None,
            "created_at": now,
            "event_at": notice.occurred_at,
            "due_at": due,
        }
        if grouped:
            # Windows follow event time, so a burst stays one burst however fast we read it.
            start = window_start(notice.occurred_at, self.settings.digest_window_s)
            job["window_start"] = start
            job["window_end"] = start + timedelta(seconds=self.settings.digest_window_s)
            job["group_key"] = f"{receiver.key}|{start.isoformat()}"
        return job

    def _show(self, notice: Notice) -> None:
        self.hub.publish(
            {notice.department, notice.audience},
            {
                "id": notice.source_event_id,
                "kind": str(notice.kind),
                "event_type": notice.event_type,
                "case_id": notice.case_id,
                "department": notice.department,
                "audience": notice.audience,
                "emergency": notice.emergency,
                "level": notice.level,
                "category": notice.category,
                "grid_code": notice.grid_code,
                "occurred_at": notice.occurred_at.isoformat(),
            },
        )


def payload_of(notice: Notice, message: dict[str, Any]) -> dict[str, Any]:
    """The JSON body a webhook or gateway receives for one notification."""
    return {
        "type": "notification",
        "kind": str(notice.kind),
        "event_type": notice.event_type,
        "case_id": notice.case_id,
        "report_id": notice.report_id,
        "department": notice.department,
        "audience": notice.audience,
        "emergency": notice.emergency,
        "level": notice.level,
        "category": notice.category,
        "grid_code": notice.grid_code,
        "occurred_at": notice.occurred_at.isoformat(),
        "title": message["title"],
        "text": message["text"],
        "link": message["link"],
    }


def alert_of(notice: Notice, title: str) -> DepartmentAlert:
    """What a department topic carries for one notification."""
    return DepartmentAlert(
        department=notice.audience,
        case_id=notice.case_id,
        report_id=notice.report_id,
        kind=str(notice.kind),
        level=notice.level,
        emergency=notice.emergency,
        title=title,
        summary=notice.reason or "",
    )
