"""Prometheus metrics that every service exposes, and the HTTP middleware feeding them.

Labels are bounded: a route template, never a path with an id in it.
"""

import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.routing import Match

HTTP_REQUESTS = Counter(
    "gridloop_http_requests_total",
    "HTTP requests answered, by route template and status code.",
    ["service", "method", "route", "status"],
)
HTTP_DURATION = Histogram(
    "gridloop_http_request_duration_seconds",
    "Time to answer an HTTP request.",
    ["service", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
DEAD_LETTERS = Counter(
    "gridloop_deadletter_messages_total",
    "Messages parked on a dead-letter topic because they could not be handled.",
    ["service", "topic"],
)
REDELIVERIES = Counter(
    "gridloop_redeliveries_total",
    "Messages handed back to Kafka after a transient failure, to be retried.",
    ["service", "topic"],
)
OUTBOX_PENDING = Gauge(
    "gridloop_outbox_pending",
    "Events stored but not yet confirmed published.",
    ["service"],
)
SERVICE_INFO = Gauge(
    "gridloop_service_info",
    "Always 1; labels say which service and version is running.",
    ["service", "version"],
)


def _route_template(request: Request) -> str:
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match is Match.FULL:
            return str(getattr(route, "path", "other"))
    return "unmatched"


def instrument(app: FastAPI, service: str) -> None:
    """Count and time every request, and serve ``/metrics``."""

    @app.middleware("http")
    async def _measure(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        route = _route_template(request)
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            HTTP_REQUESTS.labels(service, request.method, route, str(status)).inc()
            HTTP_DURATION.labels(service, request.method, route).observe(
                time.perf_counter() - started
            )

    @app.get("/metrics", include_in_schema=False)
    async def _metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
