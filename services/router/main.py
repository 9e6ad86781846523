"""Router: decides what each report is, how serious, and who must handle it."""

from services.router.handlers import on_report_submitted
from services.router.lanes import Lanes, RouterSettings
from shared.kafka import subscribe
from shared.registry import demo_registry
from shared.service import Service

settings = RouterSettings()
lanes = Lanes(settings.router_topic_suffix)
service = Service("router", port=8002, settings=settings)
service.topics.extend(lanes.specs())
registry = demo_registry()

# Two subscribers, so two consumers: the urgent lane never waits behind the normal one.
for topic, group in (
    (lanes.submitted, lanes.group("router")),
    (lanes.submitted_urgent, lanes.group("router-urgent")),
):
    subscribe(
        service.broker,
        service.settings,
        service="router",
        topics=[topic],
        group=group,
        handler=on_report_submitted(service.broker, lambda: registry, lanes),
    )

app = service.app
