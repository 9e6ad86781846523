"""What every service process shares: lifecycle, health, readiness and metrics."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

import uvicorn
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from faststream.kafka import KafkaBroker
from pydantic import BaseModel
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from shared.contracts import Envelope
from shared.errors import install_error_handlers
from shared.kafka import ensure_topics, make_broker
from shared.lag import report_lag
from shared.logs import adopt_library_loggers, setup_logging
from shared.metrics import SERVICE_INFO, instrument
from shared.mongo import Document, database, make_client
from shared.settings import ServiceSettings
from shared.topics import CORE_TOPICS, TopicSpec

logger = logging.getLogger(__name__)

VERSION = "0.1.0"

Hook = Callable[[], Awaitable[None]]


class Service:
    """One gridloop process: a Kafka broker, a database and an HTTP app.

    Start-up hooks run before the broker starts consuming, so indexes and
    in-memory state exist before the first message. Background loops (outbox
    relays, timers) run for the life of the process; one that crashes is
    restarted after a pause rather than silently gone.
    """

    def __init__(
        self, name: str, port: int, settings: ServiceSettings | None = None
    ) -> None:
        self.name = name
        self.settings = settings or ServiceSettings()
        self.port = self.settings.http_port or port
        self.broker: KafkaBroker = make_broker(self.settings, name)
        self.client: AsyncMongoClient[Document] = make_client(self.settings)
        self.db: AsyncDatabase[Document] = database(self.client, self.settings)
        self.topics: list[TopicSpec] = list(CORE_TOPICS)
        self._startup: list[Hook] = []
        self._shutdown: list[Hook] = []
        self.readiness: dict[str, Callable[[], bool]] = {}
        self._loops: list[tuple[str, Hook]] = []

        self.app = FastAPI(
            title=f"gridloop {name}", version=VERSION, lifespan=self._lifespan
        )
        instrument(self.app, name)
        self._allow_console()
        install_error_handlers(self.app)
        self.app.add_api_route("/healthz", self._healthz, methods=["GET"], tags=["health"])
        self.app.add_api_route("/readyz", self._readyz, methods=["GET"], tags=["health"])
        SERVICE_INFO.labels(name, VERSION).set(1)

    def _allow_console(self) -> None:
        """Let the browser console, served by casework, call this service with a token."""
        if not self.settings.cors_origins:
            return

        self.app.add_middleware(
            CORSMiddleware,
            allow_origins=self.settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["authorization", "content-type"],
            expose_headers=["idempotent-replayed"],
            max_age=600,
        )

    def on_startup(self, hook: Hook) -> Hook:
        """Run ``hook`` once after connecting and before consuming."""
        self._startup.append(hook)
        return hook

    def publishes(
        self, topic: str, payload: type[BaseModel] | None, description: str
    ) -> None:
        """Declare a topic this service publishes on, for its AsyncAPI document.

        ``payload`` is the model inside the envelope; None for messages that are not
        envelopes (registry records, parked deliveries).
        """
        self.broker.publisher(
            topic,
            title=f"{self.name}:{topic}",
            description=description,
            schema=Envelope[payload] if payload else None,  # type: ignore[valid-type]
        )

    def on_shutdown(self, hook: Hook) -> Hook:
        """Run ``hook`` once when the process stops, after consuming stopped."""
        self._shutdown.append(hook)
        return hook

    def loop(self, name: str) -> Callable[[Hook], Hook]:
        """Run the decorated coroutine for the life of the process."""

        def register(hook: Hook) -> Hook:
            self._loops.append((name, hook))
            return hook

        return register

    async def _keep_running(self, name: str, hook: Hook) -> None:
        while True:
            try:
                await hook()
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("background loop %s crashed; restarting in 2 s", name)
                await asyncio.sleep(2)

    async def ensure_topics(self, *specs: TopicSpec) -> None:
        """Create missing topics with this deployment's replication settings."""
        await ensure_topics(
            self.settings.kafka_bootstrap,
            specs,
            replication=self.settings.topic_replication,
            min_insync=self.settings.topic_min_insync,
        )

    async def _wait_for_kafka(self) -> None:
        for attempt in range(1, 61):
            try:
                await self.ensure_topics(*self.topics)
                return
            except Exception as exc:
                logger.warning("Kafka not reachable yet (attempt %d): %s", attempt, exc)
                await asyncio.sleep(2)
        raise RuntimeError(f"Kafka at {self.settings.kafka_bootstrap} never answered")

    @contextlib.asynccontextmanager
    async def _lifespan(self, _: FastAPI) -> AsyncIterator[None]:
        setup_logging(self.name, self.settings.log_level)
        await self._wait_for_kafka()
        for hook in self._startup:
            await hook()
        await self.broker.start()
        adopt_library_loggers()
        loops = [*self._loops, ("consumer-lag", self._report_lag)]
        tasks = [
            asyncio.create_task(self._keep_running(name, hook), name=name)
            for name, hook in loops
        ]
        logger.info("%s ready on port %d", self.name, self.port)
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self.broker.stop()
            for hook in self._shutdown:
                await hook()
            await self.client.close()
            logger.info("%s stopped", self.name)

    async def _report_lag(self) -> None:
        await report_lag(
            self.settings.kafka_bootstrap, self.name, self.settings.group_prefix
        )

    def _consumers_assigned(self) -> bool:
        """Whether every subscriber has partitions, so nothing published now is missed."""
        consumers = [getattr(sub, "consumer", None) for sub in self.broker.subscribers]
        return all(consumer is not None and consumer.assignment() for consumer in consumers)

    async def _healthz(self) -> dict[str, str]:
        return {"status": "ok", "service": self.name}

    async def _readyz(self) -> JSONResponse:
        checks: dict[str, str] = {}
        try:
            checks["kafka"] = "ok" if await self.broker.ping(timeout=2) else "unreachable"
        except Exception as exc:
            checks["kafka"] = f"error: {exc}"
        try:
            await asyncio.wait_for(self.db.command("ping"), timeout=3)
            checks["mongodb"] = "ok"
        except Exception as exc:
            checks["mongodb"] = f"error: {exc}"

        if self.settings.consumer_start == "latest":
            checks["consumers"] = "ok" if self._consumers_assigned() else "not assigned"
        for name, check in self.readiness.items():
            checks[name] = "ok" if check() else "not ready"

        ready = all(value == "ok" for value in checks.values())
        return JSONResponse(
            {"ready": ready, "checks": checks}, status_code=200 if ready else 503
        )

    def run(self) -> None:
        """Serve until interrupted."""
        uvicorn.run(
            self.app,
            host=self.settings.http_host,
            port=self.port,
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=10,
        )
