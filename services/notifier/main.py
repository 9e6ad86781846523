"""Notifier: tells departments and people what needs them."""

from services.notifier.delivery import DepartmentTopics
from services.notifier.handlers import on_case_event
from shared.kafka import subscribe
from shared.service import Service
from shared.topics import CASES_EVENTS

service = Service("notifier", port=8004)
department_topics = DepartmentTopics(
    service.broker, service.db, service.settings.kafka_bootstrap
)
subscribe(
    service.broker,
    service.settings,
    service="notifier",
    topics=[CASES_EVENTS],
    group="notifier",
    handler=on_case_event(department_topics),
)

app = service.app
