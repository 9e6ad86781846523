"""One load run from the command line: a profile of reports against intake, counted."""

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from ops.load.credentials import Credentials
from ops.load.profile import Profile
from ops.load.sender import Sender
from ops.load.stream import Mix, ReportStream
from ops.load.summary import LoadSummary, summarise
from shared.registry import Registry

PHASE = "load"
PROGRESS_EVERY_S = 5.0


@dataclass(frozen=True)
class Progress:
    """Where a run stands, for a line of output every few seconds."""

    elapsed_s: float
    started: int
    accepted: int
    in_flight: int
    skipped: int
    rate_now: float


@dataclass(frozen=True)
class LoadPlan:
    """Everything one run needs apart from the credentials."""

    intakes: list[str]
    profile: Profile
    duration_s: float
    mix: Mix
    seed: int | None = None
    tag: str = ""
    max_in_flight: int = 400
    attempts: int = 3


async def generate(
    plan: LoadPlan,
    registry: Registry,
    credentials: Credentials,
    report: Callable[[Progress], None] | None = None,
) -> LoadSummary:
    """Offer the plan's reports, wait for the last answers and count them."""
    stream = ReportStream(
        registry, plan.mix, seed=plan.seed or time.time_ns(), tag=plan.tag
    )
    limits = httpx.Limits(max_connections=plan.max_in_flight)
    async with httpx.AsyncClient(limits=limits, trust_env=False) as client:
        sender = Sender(
            client,
            plan.intakes,
            stream,
            credentials,
            attempts=plan.attempts,
            max_in_flight=plan.max_in_flight,
        )
        started = time.monotonic()
        offering = asyncio.create_task(sender.offer(PHASE, plan.profile, plan.duration_s))
        while not offering.done():
            await asyncio.wait({offering}, timeout=PROGRESS_EVERY_S)
            if report is not None:
                elapsed = time.monotonic() - started
                report(
                    Progress(
                        elapsed,
                        len(sender.sent),
                        len(sender.answered()),
                        len(sender.in_flight),
                        sender.skipped[PHASE],
                        plan.profile.rate_at(elapsed),
                    )
                )
        await offering
        await sender.settle()
    return summarise(sender.sent, sender.skipped[PHASE])
