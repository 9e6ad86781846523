"""Router: decides what each report is, how serious, and who must handle it."""

from services.router.handlers import on_report_submitted
from shared.kafka import subscribe
from shared.registry import demo_registry
from shared.service import Service
from shared.topics import REPORTS_SUBMITTED

service = Service("router", port=8002)
registry = demo_registry()
subscribe(
    service.broker,
    service.settings,
    service="router",
    topics=[REPORTS_SUBMITTED],
    group="router",
    handler=on_report_submitted(service.broker, lambda: registry),
)

app = service.app
