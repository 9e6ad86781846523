"""Writes the Grafana dashboards from one description, so panels stay consistent.

Run it after changing a panel; a test checks the JSON files match its output.
"""

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "dashboards"

Panel = tuple[str, str, str]  # title, expression, unit

SERVICES = 'job=~"intake|router|casework|notifier"'

OVERVIEW: list[Panel] = [
    ("Services up", f"up{{{SERVICES}}}", "none"),
    (
        "Reports received per minute, by channel",
        "sum by (channel) (rate(gridloop_reports_received_total[5m])) * 60",
        "none",
    ),
    ("Open cases by department", "sum by (department) (gridloop_cases_open)", "none"),
    ("Overdue cases by department", "sum by (department) (gridloop_cases_overdue)", "none"),
    (
        "Emergency cases past their sign-for limit",
        "sum(gridloop_emergency_cases_unsigned_overdue)",
        "none",
    ),
    (
        "HTTP p95 latency by service",
        "histogram_quantile(0.95, sum by (service, le)"
        " (rate(gridloop_http_request_duration_seconds_bucket[5m])))",
        "s",
    ),
    (
        "HTTP 5xx per second by service",
        'sum by (service) (rate(gridloop_http_requests_total{status=~"5.."}[5m]))',
        "reqps",
    ),
    (
        "Notifications by channel and outcome",
        "sum by (channel, outcome) (rate(gridloop_notifications_total[5m]))",
        "ops",
    ),
]

DEPARTMENT: list[Panel] = [
    ("Open cases", 'sum(gridloop_cases_open{department=~"$department"})', "none"),
    ("Overdue cases", 'sum(gridloop_cases_overdue{department=~"$department"})', "none"),
    (
        "Reports routed here per hour",
        'sum(rate(gridloop_reports_routed_total{department=~"$department"}[1h])) * 3600',
        "none",
    ),
    (
        "Time in stage, p90",
        "histogram_quantile(0.9, sum by (stage, le) (rate("
        'gridloop_case_stage_duration_seconds_bucket{department=~"$department"}[1h])))',
        "s",
    ),
    (
        "Escalations per hour",
        'sum(rate(gridloop_case_events_published_total{event_type="case.escalated"}[1h]))'
        " * 3600",
        "none",
    ),
    (
        "Alerts to department topics",
        'sum by (outcome) (rate(gridloop_notifications_total{channel="kafka"}[15m]))',
        "ops",
    ),
]

PIPELINE: list[Panel] = [
    ("Consumer lag by group", "sum by (group) (gridloop_consumer_lag_messages)", "none"),
    (
        "Consumer lag by topic and partition",
        "max by (group, topic, partition) (gridloop_consumer_lag_messages)",
        "none",
    ),
    (
        "Messages handled per second",
        "sum by (app_name, handler)"
        " (rate(gridloop_kafka_received_processed_messages_total[1m]))",
        "ops",
    ),
    (
        "Handler time p99",
        "histogram_quantile(0.99, sum by (app_name, le) (rate("
        "gridloop_kafka_received_processed_messages_duration_seconds_bucket[5m])))",
        "s",
    ),
    (
        "Messages published per second",
        "sum by (app_name) (rate(gridloop_kafka_published_messages_total[1m]))",
        "ops",
    ),
    (
        "Dead-lettered in the last hour",
        "sum by (service, topic) (increase(gridloop_deadletter_messages_total[1h]))",
        "none",
    ),
    (
        "Redeliveries per second",
        "sum by (service, topic) (rate(gridloop_redeliveries_total[5m]))",
        "ops",
    ),
    ("Outbox backlog", "max by (service) (gridloop_outbox_pending)", "none"),
    (
        "Case events published per second, by type",
        "sum by (event_type) (rate(gridloop_case_events_published_total[5m]))",
        "ops",
    ),
]

DEPARTMENT_VARIABLE: dict[str, Any] = {
    "name": "department",
    "type": "query",
    "datasource": {"type": "prometheus", "uid": "gridloop-prometheus"},
    "query": "label_values(gridloop_reports_routed_total, department)",
    "includeAll": True,
    "multi": True,
    "refresh": 2,
}


def panel(index: int, title: str, expr: str, unit: str) -> dict[str, Any]:
    """One time-series panel, laid out two to a row."""
    return {
        "id": index + 1,
        "type": "timeseries",
        "title": title,
        "datasource": {"type": "prometheus", "uid": "gridloop-prometheus"},
        "gridPos": {"h": 8, "w": 12, "x": 12 * (index % 2), "y": 8 * (index // 2)},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "targets": [{"refId": "A", "expr": expr, "legendFormat": "__auto"}],
    }


def dashboard(
    uid: str, title: str, panels: list[Panel], variables: list[dict[str, Any]]
) -> dict[str, Any]:
    """A whole dashboard in Grafana's JSON model."""
    return {
        "uid": uid,
        "title": title,
        "tags": ["gridloop"],
        "timezone": "browser",
        "schemaVersion": 39,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": variables},
        "panels": [panel(i, *spec) for i, spec in enumerate(panels)],
    }


DASHBOARDS = {
    "overview.json": dashboard("gridloop-overview", "gridloop: overview", OVERVIEW, []),
    "department.json": dashboard(
        "gridloop-department", "gridloop: department", DEPARTMENT, [DEPARTMENT_VARIABLE]
    ),
    "pipeline.json": dashboard("gridloop-pipeline", "gridloop: pipeline", PIPELINE, []),
}


def render(board: dict[str, Any]) -> str:
    """The file content of one dashboard."""
    return json.dumps(board, indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    for name, board in DASHBOARDS.items():
        (OUT / name).write_text(render(board))
        print(f"wrote {OUT / name}")
