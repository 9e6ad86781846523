"""Router: decides what each report is, how serious, and who must handle it.

It also owns the registry: the source of truth in MongoDB, the HTTP API operators
edit it through, and the compacted topics every service follows.
"""

from services.router.handlers import on_case_event, on_report_submitted
from services.router.lanes import Lanes, RouterSettings
from services.router.registry_api import build_router
from services.router.registry_publisher import RegistryPublisher
from services.router.registry_store import RegistryStore
from services.router.store import CaseIndex
from shared.contracts import RoutingDecision
from shared.kafka import subscribe
from shared.registry import demo_registry
from shared.registry.follower import RegistryFollower
from shared.registry.records import REGISTRY_TOPICS, split
from shared.service import Service

settings = RouterSettings()
lanes = Lanes(settings.router_topic_suffix)
service = Service("router", port=8002, settings=settings)
service.topics.extend(lanes.specs())
service.topics.extend(REGISTRY_TOPICS)
service.publishes(lanes.routed, RoutingDecision, "Routing decisions, keyed by report id.")
service.publishes(
    lanes.routed_urgent, RoutingDecision, "Routing decisions for emergencies."
)
for spec in REGISTRY_TOPICS:
    service.publishes(
        spec.name, None, "Registry entities keyed by code; compacted; empty value deletes."
    )

index = CaseIndex(service.db)
registry_store = RegistryStore(service.db)
publisher = RegistryPublisher(settings.kafka_bootstrap, registry_store)
follower = RegistryFollower(settings.kafka_bootstrap, client_id="gridloop-router-registry")
service.app.include_router(
    build_router(registry_store, publisher, settings.signing_key), tags=["registry"]
)

# One subscriber per topic, so one consumer each: the urgent lanes never wait behind
# the normal ones.
for topic, group in (
    (lanes.submitted, "router"),
    (lanes.submitted_urgent, "router-urgent"),
):
    subscribe(
        service.broker,
        service.settings,
        service="router",
        topics=[topic],
        group=lanes.group(group),
        handler=on_report_submitted(service.broker, follower.current, lanes, index),
    )

for topic, group in (
    (lanes.case_events, "router-cases"),
    (lanes.case_events_urgent, "router-cases-urgent"),
):
    subscribe(
        service.broker,
        service.settings,
        service="router",
        topics=[topic],
        group=lanes.group(group),
        handler=on_case_event(index),
    )


@service.on_startup
async def prepare() -> None:
    """Indexes, the registry seeded and published, and followed before any report."""
    await index.prepare()
    await registry_store.prepare()
    await registry_store.seed(split(demo_registry()))
    await publisher.start()
    # TODO: routers on other databases (tests, benchmarks) republish their own registry
    # onto the same topics; per-deployment topic names would keep them apart.
    await publisher.publish_all()
    await follower.start()
    follower.current()


@service.loop("registry-relay")
async def relay_registry() -> None:
    """Publish registry changes whose first publish failed; close the clients at exit."""
    try:
        await publisher.relay(settings.outbox_interval_s)
    finally:
        await follower.stop()
        await publisher.stop()


app = service.app
