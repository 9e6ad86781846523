"""Casework: owns case state and emits every transition as an event."""

from services.casework.api import build_router
from services.casework.basicinfo.wiring import install_basic_info
from services.casework.clock import WorkClock
from services.casework.commands import CaseEngine
from services.casework.commands_api import build_command_router
from services.casework.console.routes import build_console_router, static_files
from services.casework.fieldwork.wiring import install_fieldwork
from services.casework.gauges import keep_fresh
from services.casework.handlers import on_case_command, on_report_routed
from services.casework.opening import CaseOpener
from services.casework.outbox import relay
from services.casework.refusals import install_refusals
from services.casework.settings import CaseworkSettings
from services.casework.stats_api import build_stats_router
from services.casework.store import CaseStore
from services.casework.timers import CaseTimer
from shared.contracts import CaseEventDetail, CommandRefusal
from shared.kafka import subscribe
from shared.registry.follower import follow
from shared.service import Service
from shared.topics import (
    CASES_COMMANDS,
    CASES_COMMANDS_REFUSED,
    CASES_EVENTS,
    CASES_EVENTS_URGENT,
    REPORTS_ROUTED,
    REPORTS_ROUTED_URGENT,
    TopicSpec,
)

settings = CaseworkSettings()
service = Service("casework", port=settings.casework_port, settings=settings)
service.topics.append(TopicSpec(CASES_COMMANDS_REFUSED))
service.publishes(CASES_EVENTS, CaseEventDetail, "Every case transition, keyed by case id.")
service.publishes(CASES_EVENTS_URGENT, CaseEventDetail, "Transitions of emergency cases.")
service.publishes(
    CASES_COMMANDS_REFUSED, CommandRefusal, "Kafka commands refused, and why."
)

registry = follow(service)
records = install_basic_info(service, registry)
fieldwork = install_fieldwork(service, registry, records)


store = CaseStore(service.db)
clock = WorkClock(
    registry,
    hour_seconds=settings.hour_seconds,
    evaluate_hours=settings.auto_evaluate_hours,
)
engine = CaseEngine(
    store, service.broker, clock, crash_after_write=settings.crash_after_write
)
opener = CaseOpener(store, engine, clock, registry, records.live_refs)
timer = CaseTimer(engine, auto_score=settings.auto_evaluation_score)

install_refusals(service.app)
service.app.include_router(build_router(store, settings.signing_key), tags=["cases"])
service.app.include_router(
    build_command_router(store, engine, settings.signing_key), tags=["commands"]
)
service.app.include_router(build_stats_router(store, settings.signing_key), tags=["stats"])
service.app.include_router(
    build_console_router(registry, settings.signing_key), tags=["console"]
)
service.app.mount("/console/static", static_files(), name="console-static")

if settings.casework_subscribe:
    group = settings.casework_group
    for topics, suffix in ((REPORTS_ROUTED, ""), (REPORTS_ROUTED_URGENT, "-urgent")):
        subscribe(
            service.broker,
            settings,
            service="casework",
            topics=[topics],
            group=f"{group}{suffix}",
            handler=on_report_routed(opener),
        )
    subscribe(
        service.broker,
        settings,
        service="casework",
        topics=[CASES_COMMANDS],
        group=f"{group}-commands",
        handler=on_case_command(service.broker, engine, settings.signing_key),
    )


@service.on_startup
async def prepare_store() -> None:
    """Create the indexes casework relies on."""
    await store.prepare()


@service.loop("casework-outbox")
async def run_outbox() -> None:
    """Publish events whose first publish was interrupted."""
    await relay(service.broker, store, settings.outbox_interval_s, settings.outbox_idle_s)


@service.loop("casework-clock")
async def run_clock() -> None:
    """Send reminders, report breaches and escalate."""
    await timer.run(settings.timer_interval_s)


@service.loop("case-gauges")
async def count_cases() -> None:
    """Keep the open and overdue case gauges current."""
    await keep_fresh(service.db, settings.gauge_interval_s)


app = service.app
