"""Router: decides what each report is, how serious, and who must handle it."""

from services.router.handlers import on_case_event, on_report_submitted
from services.router.lanes import Lanes, RouterSettings
from services.router.store import CaseIndex
from shared.kafka import subscribe
from shared.registry import demo_registry
from shared.service import Service

settings = RouterSettings()
lanes = Lanes(settings.router_topic_suffix)
service = Service("router", port=8002, settings=settings)
service.topics.extend(lanes.specs())
index = CaseIndex(service.db)
registry = demo_registry()

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
        handler=on_report_submitted(service.broker, lambda: registry, lanes, index),
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
async def prepare_index() -> None:
    """Create the open-case index's indexes before the first report."""
    await index.prepare()


app = service.app
