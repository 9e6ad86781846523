"""Notifier: tells departments and people what needs them, once and in time."""

import logging

import httpx

from services.notifier.api import build_router
from services.notifier.channels import (
    Channel,
    EmailChannel,
    KafkaTopicChannel,
    SmsChannel,
    WebhookChannel,
)
from services.notifier.digests import Digester
from services.notifier.dispatcher import Dispatcher
from services.notifier.handlers import on_case_event
from services.notifier.jobs import JobStore
from services.notifier.ladder import SignForLadder
from services.notifier.planner import Planner
from services.notifier.rule_store import RuleCache
from services.notifier.settings import NotifierSettings
from services.notifier.stream import Hub
from services.notifier.subscriptions import SubscriptionStore
from shared.contracts import DepartmentAlert
from shared.kafka import subscribe
from shared.service import Service
from shared.topics import (
    CASES_EVENTS,
    CASES_EVENTS_URGENT,
    NOTIFY_DEADLETTER,
    TopicSpec,
    department_topic,
)

settings = NotifierSettings()
logging.getLogger("httpx").setLevel(logging.WARNING)
service = Service("notifier", port=8004, settings=settings)
service.topics.append(TopicSpec(NOTIFY_DEADLETTER, partitions=1))
service.publishes(
    department_topic("{department}"),
    DepartmentAlert,
    "Alerts and digests for one department's own systems, keyed by case id.",
)
service.publishes(NOTIFY_DEADLETTER, None, "Deliveries given up after the retry limit.")

http = httpx.AsyncClient(
    timeout=settings.webhook_timeout_s,
    limits=httpx.Limits(max_connections=settings.worker_concurrency),
)
channels: dict[str, Channel] = {
    "kafka": KafkaTopicChannel(service.broker, settings.kafka_bootstrap),
    "webhook": WebhookChannel(http),
    "email": EmailChannel(settings),
    "sms": SmsChannel(http, settings.sms_gateway_url),
}
jobs = JobStore(service.db, settings.db_write_concurrency)
rules = RuleCache(service.db)
subscriptions = SubscriptionStore(service.db)
hub = Hub()
dispatcher = Dispatcher(jobs, channels, service.broker, settings)
planner = Planner(jobs, rules, subscriptions, hub, settings, dispatcher.wake)
ladder = SignForLadder(service.db, planner, settings)
digester = Digester(jobs, settings.digest_window_s, settings.digest_grace_s)

service.app.include_router(
    build_router(settings.signing_key, rules, jobs, subscriptions, hub), tags=["notifier"]
)

# Two consumer groups: a backlog of ordinary events cannot hold back an emergency.
for topic, group in ((CASES_EVENTS, "notifier"), (CASES_EVENTS_URGENT, "notifier-urgent")):
    subscribe(
        service.broker,
        settings,
        service="notifier",
        topics=[topic],
        group=group,
        handler=on_case_event(planner, ladder),
    )


@service.on_startup
async def prepare() -> None:
    """Create indexes and load the rules before the first event arrives."""
    await jobs.prepare()
    await ladder.prepare()
    await rules.refresh()


@service.loop("notifier-deliveries")
async def deliver() -> None:
    """Drain delivery jobs."""
    try:
        await dispatcher.run()
    finally:
        await dispatcher.drain()


@service.loop("notifier-digests")
async def close_digests() -> None:
    """Turn ended windows into digests."""
    await digester.run(dispatcher.woken)


@service.loop("notifier-ladder")
async def climb_ladders() -> None:
    """Send sign-for reminders and escalations that fell due."""
    await ladder.run()


@service.loop("notifier-rules")
async def follow_rules() -> None:
    """Pick up rule edits made through any notifier."""
    await rules.follow(settings.rules_refresh_s)


app = service.app
