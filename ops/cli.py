"""`gridloop`: the operators' command line."""

import asyncio
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from ops import deadletters, status
from ops import rebuild as rebuild_model
from ops import registry as registry_file
from ops.load.credentials import Credentials, MissingCredential
from ops.load.profile import TYPHOON_FACTOR, TYPHOON_MINUTES, Profile
from ops.load.run import LoadPlan, generate
from ops.load.run import Progress as LoadProgress
from ops.load.stream import Mix
from ops.load.summary import LoadSummary
from ops.trace import trace as trace_report
from shared.auth import demo_credentials
from shared.registry.demo import demo_registry
from shared.settings import ServiceSettings

app = typer.Typer(help="Operate a gridloop deployment.", no_args_is_help=True)
dead = typer.Typer(help="Messages parked on dead-letter topics.", no_args_is_help=True)
app.add_typer(dead, name="deadletters")
registry_app = typer.Typer(help="The registry as a file.", no_args_is_help=True)
app.add_typer(registry_app, name="registry")
records = typer.Typer(
    help="Basic information per grid, as CSV files.", no_args_is_help=True
)
app.add_typer(records, name="records")
CASEWORK = "http://127.0.0.1:8003"
console = Console()


def _settings() -> ServiceSettings:
    return ServiceSettings()


@app.command("status")
def show_status() -> None:
    """Services, their readiness and backlogs, and consumer lag per group."""
    settings = _settings()
    services = asyncio.run(status.all_services())
    lag = asyncio.run(status.consumer_lag(settings.kafka_bootstrap))

    table = Table(title="services")
    for column in ("service", "port", "ready", "kafka", "mongodb", "outbox"):
        table.add_column(column)
    for item in services:
        ready = {None: "[red]unreachable", True: "[green]yes", False: "[yellow]no"}[
            item.ready
        ]
        outbox = "" if item.outbox_pending is None else f"{item.outbox_pending:.0f}"
        table.add_row(
            item.name,
            str(item.port),
            ready,
            item.checks.get("kafka", ""),
            item.checks.get("mongodb", ""),
            outbox,
        )
    console.print(table)

    by_group: dict[tuple[str, str], int] = {}
    for entry in lag:
        key = (entry.group, entry.topic)
        by_group[key] = by_group.get(key, 0) + entry.lag
    lag_table = Table(title="consumer lag")
    for column in ("group", "topic", "lag"):
        lag_table.add_column(column)
    for (group, topic), total in sorted(by_group.items()):
        lag_table.add_row(group, topic, str(total))
    console.print(lag_table)


@app.command("trace")
def trace(
    report_id: str,
    since: Annotated[
        str | None, typer.Option(help="ISO time shortly before the report was sent")
    ] = None,
    department: Annotated[
        list[str] | None, typer.Option(help="also look at these department topics")
    ] = None,
) -> None:
    """Print a report's path through the services, with the delay at each hop."""
    settings = _settings()
    started = datetime.fromisoformat(since) if since else datetime.now(UTC).replace(hour=0)
    extra = [f"notify.dept.{code}" for code in department or _department_codes()]
    hops = asyncio.run(
        trace_report(
            settings.kafka_bootstrap,
            report_id,
            since_ms=int(started.timestamp() * 1000),
            extra_topics=extra,
        )
    )
    if not hops:
        console.print(
            f"no message carries report id {report_id} since {started:%Y-%m-%d %H:%M}"
        )
        raise typer.Exit(1)

    table = Table(title=f"report {report_id}")
    for column in ("time (UTC)", "service", "topic", "event", "+ms"):
        table.add_column(column)
    for hop in hops:
        at = datetime.fromtimestamp(hop.at_ms / 1000, UTC).strftime("%H:%M:%S.%f")[:-3]
        table.add_row(at, hop.producer, hop.topic, hop.event_type, str(hop.delay_ms))
    console.print(table)


@dead.command("list")
def list_dead(topic: Annotated[list[str] | None, typer.Argument()] = None) -> None:
    """Parked messages with the reason they were parked."""
    settings = _settings()
    topics = topic or [
        name.removesuffix(".deadletter")
        for name in asyncio.run(deadletters.dead_letter_topics(settings.kafka_bootstrap))
    ]
    items = asyncio.run(deadletters.parked(settings.kafka_bootstrap, topics))

    table = Table(title=f"{len(items)} parked messages")
    for column in ("from", "partition/offset", "parked at", "by", "reason"):
        table.add_column(column)
    for item in items:
        at = datetime.fromtimestamp(item.record.timestamp_ms / 1000, UTC)
        where = f"{item.record.headers.get('deadletter-partition', '')}/"
        where += item.record.headers.get("deadletter-offset", "")
        table.add_row(
            item.source_topic, where, f"{at:%Y-%m-%d %H:%M:%S}", item.service, item.reason
        )
    console.print(table)


@dead.command("replay")
def replay_dead(
    topic: str,
    dry_run: Annotated[bool, typer.Option(help="count without publishing")] = False,
) -> None:
    """Send the messages parked from TOPIC back onto it, each once."""
    settings = _settings()
    with Progress(console=console) as progress:
        task = progress.add_task(f"replaying {topic}", total=None)
        count = asyncio.run(
            deadletters.replay(
                settings.kafka_bootstrap,
                topic,
                dry_run=dry_run,
                progress=lambda done: progress.update(task, completed=done),
            )
        )
    verb = "would replay" if dry_run else "replayed"
    console.print(f"{verb} {count} messages onto {topic}")


@app.command("credentials")
def credentials(
    out: Annotated[Path, typer.Option(help="where to write the JSON file")] = Path(
        ".local/credentials.json"
    ),
) -> None:
    """Write a token for every demo role and scope (local and test deployments only)."""
    settings = _settings()
    if settings.env not in {"dev", "test"}:
        console.print("refusing: demo credentials are for dev and test deployments")
        raise typer.Exit(2)

    registry = demo_registry()
    tokens = demo_credentials(
        settings.signing_key,
        grids=[grid.code for grid in registry.grids],
        departments=[department.code for department in registry.departments],
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(tokens, indent=2) + "\n")
    os.chmod(out, 0o600)
    console.print(f"wrote {len(tokens)} credentials to {out}")


def _operator_token() -> str:
    """An operator token: GRIDLOOP_TOKEN, else the demo one in .local/credentials.json."""
    token = os.environ.get("GRIDLOOP_TOKEN")
    if token:
        return token
    demo = Path(".local/credentials.json")
    if demo.is_file():
        found: str = json.loads(demo.read_text())["operator"]
        return found
    console.print("set GRIDLOOP_TOKEN to an operator's token")
    raise typer.Exit(2)


@registry_app.command("export")
def export_registry(
    out: Annotated[Path, typer.Option(help="file to write")] = Path("registry.json"),
    router: Annotated[str, typer.Option(help="router base URL")] = "http://127.0.0.1:8002",
) -> None:
    """Write every registry entity the router holds to a JSON file."""
    content = asyncio.run(registry_file.export(router, _operator_token()))
    out.write_text(json.dumps(content, ensure_ascii=False, indent=2) + "\n")
    total = sum(len(entities) for entities in content.values())
    console.print(f"wrote {total} entities to {out}")


@registry_app.command("load")
def load_registry(
    source: Path,
    router: Annotated[str, typer.Option(help="router base URL")] = "http://127.0.0.1:8002",
) -> None:
    """Put every entity of a JSON file through the router's API, which publishes it."""
    content = json.loads(source.read_text())
    total = sum(len(entities) for entities in content.values())
    with Progress(console=console) as progress:
        task = progress.add_task(f"loading {source}", total=total)
        refused = asyncio.run(
            registry_file.load(
                router,
                _operator_token(),
                content,
                progress=lambda done: progress.update(task, completed=done),
            )
        )
    for line in refused:
        console.print(f"[red]refused[/red] {line}")
    console.print(f"loaded {total - len(refused)} of {total} entities")
    if refused:
        raise typer.Exit(1)


@app.command("rebuild")
def rebuild(group: str) -> None:
    """Rebuild a read model: move its consumer group back to the start of its topics.

    Stop the service that consumes with GROUP first; it rebuilds when started.
    """
    settings = _settings()
    try:
        again = asyncio.run(rebuild_model.rewind(settings.kafka_bootstrap, group))
    except Exception as exc:
        console.print(f"group {group} not moved ({exc}); is a service still using it?")
        raise typer.Exit(1) from exc
    if not again:
        console.print(f"group {group} has committed nothing; nothing to rebuild")
        return
    for topic, count in sorted(again.items()):
        console.print(f"{group}: {count} messages of {topic} will be read again")


@app.command("docs")
def write_docs() -> None:
    """Write every service's AsyncAPI document to docs/asyncapi/."""
    from ops.asyncapi import write_all

    for path in write_all():
        console.print(f"wrote {path}")


@app.command("report")
def report(
    start: Annotated[datetime, typer.Option("--from", help="Start of the period.")],
    end: Annotated[datetime, typer.Option("--to", help="End of the period, excluded.")],
    csv: Annotated[
        bool, typer.Option("--csv", help="Print CSV instead of a table.")
    ] = False,
    casework: Annotated[str, typer.Option(help="Casework's address.")] = CASEWORK,
) -> None:
    """The field work figures for a period, per grid, village and the sub-district."""
    from ops.fieldwork_report import ReportUnavailable, fetch

    start, end = (at if at.tzinfo else at.replace(tzinfo=UTC) for at in (start, end))
    try:
        answer = asyncio.run(fetch(casework, _settings().signing_key, start, end, csv=csv))
    except ReportUnavailable as exc:
        console.print(f"[red]no report: {exc}")
        raise typer.Exit(1) from exc
    if csv:
        print(answer, end="")
        return

    rows = answer["rows"]
    table = Table(title=f"field work {start:%Y-%m-%d} to {end:%Y-%m-%d}")
    for column in rows[0] if rows else ():
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if value is None else str(value) for value in row.values()))
    console.print(table)


@records.command("export")
def export_records(
    kind: Annotated[str, typer.Argument(help="population, households, places, ...")],
    grid: Annotated[str | None, typer.Option(help="Only this grid's records.")] = None,
    out: Annotated[Path | None, typer.Option(help="Write here instead of stdout.")] = None,
    casework: Annotated[str, typer.Option(help="Casework's address.")] = CASEWORK,
) -> None:
    """Every live record of one category as CSV."""
    from ops.records import Refused, export_csv

    try:
        text = asyncio.run(export_csv(casework, _settings().signing_key, kind, grid))
    except Refused as exc:
        console.print(f"[red]refused: {exc}")
        raise typer.Exit(1) from exc
    if out is None:
        print(text, end="")
        return
    out.write_text(text, encoding="utf-8")
    os.chmod(out, 0o600)
    console.print(f"wrote {text.count(chr(10)) - 1} {kind} records to {out}")


@records.command("import")
def import_records(
    kind: Annotated[str, typer.Argument(help="population, households, places, ...")],
    path: Annotated[Path, typer.Argument(help="A CSV file with a header line.")],
    casework: Annotated[str, typer.Option(help="Casework's address.")] = CASEWORK,
) -> None:
    """Store every record of a CSV file, or none if a row is wrong."""
    from ops.records import Refused, import_csv

    text = path.read_text(encoding="utf-8")
    try:
        counts = asyncio.run(import_csv(casework, _settings().signing_key, kind, text))
    except Refused as exc:
        console.print(f"[red]nothing imported: {exc}")
        for problem in exc.problems[:50]:
            console.print(
                f"  line {problem['line']}, {problem['field']}: {problem['reason']}"
            )
        raise typer.Exit(1) from exc
    console.print(", ".join(f"{count} {change}" for change, count in counts.items()))


@app.command("loadgen")
def loadgen(
    rate: Annotated[float, typer.Option(help="reports per second (the base rate)")] = 2.0,
    duration: Annotated[float, typer.Option(help="seconds of sending")] = 60.0,
    intake: Annotated[
        list[str] | None, typer.Option(help="intake base URL; repeat for several")
    ] = None,
    typhoon: Annotated[
        bool, typer.Option(help="surge to --surge-factor x the rate for a few minutes")
    ] = False,
    surge_factor: Annotated[float, typer.Option()] = TYPHOON_FACTOR,
    surge_after: Annotated[float, typer.Option(help="seconds before the surge")] = 30.0,
    surge_minutes: Annotated[float, typer.Option()] = TYPHOON_MINUTES,
    emergencies: Annotated[float, typer.Option(help="share of emergencies")] = 0.03,
    duplicates: Annotated[
        float, typer.Option(help="share repeating a recent report's problem nearby")
    ] = 0.08,
    resends: Annotated[
        float, typer.Option(help="share sent twice with the same id, as flaky phones do")
    ] = 0.02,
    photos: Annotated[float, typer.Option(help="share with a photo")] = 0.1,
    located: Annotated[float, typer.Option(help="share giving a point, not a grid")] = 0.7,
    credentials_file: Annotated[
        Path | None,
        typer.Option("--credentials", help="tokens as `gridloop credentials` writes them"),
    ] = None,
    seed: Annotated[int | None, typer.Option(help="repeat a run's content")] = None,
    max_in_flight: Annotated[int, typer.Option(help="most requests open at once")] = 400,
) -> None:
    """Send a realistic stream of reports to intake at a rate, or a typhoon's surge."""
    settings = _settings()
    registry = demo_registry()
    try:
        mix = Mix(
            emergencies=emergencies,
            duplicates=duplicates,
            resends=resends,
            photos=photos,
            located=located,
        )
        profile = (
            Profile.typhoon(
                rate, factor=surge_factor, after_s=surge_after, minutes=surge_minutes
            )
            if typhoon
            else Profile.steady(rate)
        )
        tokens = (
            Credentials.from_file(credentials_file)
            if credentials_file
            else Credentials.signed(registry, settings)
        )
    except (ValueError, MissingCredential, OSError) as exc:
        console.print(f"[red]{exc}")
        raise typer.Exit(2) from exc

    plan = LoadPlan(
        intakes=intake or ["http://127.0.0.1:8001"],
        profile=profile,
        duration_s=duration,
        mix=mix,
        seed=seed,
        max_in_flight=max_in_flight,
    )
    console.print(
        f"offering {profile.describe()} for {duration:g} s "
        f"(about {profile.expected(duration)} reports) to {', '.join(plan.intakes)}"
    )
    found = asyncio.run(generate(plan, registry, tokens, _show_progress))
    console.print(_load_table(found))
    if found.accepted == 0:
        raise typer.Exit(1)


def _show_progress(now: LoadProgress) -> None:
    console.print(
        f"t+{now.elapsed_s:5.0f} s  offering {now.rate_now:g}/s  started {now.started}"
        f"  answered 202 {now.accepted}  in flight {now.in_flight}  skipped {now.skipped}"
    )


def _load_table(found: LoadSummary) -> Table:
    table = Table(title="load run")
    table.add_column("figure")
    table.add_column("value", justify="right")
    rows = [
        ("offered", str(found.offered)),
        ("skipped (too many in flight)", str(found.skipped)),
        ("answered 202", str(found.accepted)),
        ("not answered 202 after retries", str(found.not_accepted)),
        *((f"  of which {kind}", str(n)) for kind, n in sorted(found.by_kind.items())),
        ("  with a photo", str(found.photos)),
        ("  sent twice (same id)", str(found.resent)),
        ("  second answer differed", str(found.resend_mismatches)),
        ("accepted per second", f"{found.accepted_per_s:.1f}"),
        *((f"time to 202, p{q}", f"{found.answer_ms(q):.0f} ms") for q in (50, 95, 99)),
        ("last answers", ", ".join(f"{k}: {v}" for k, v in found.statuses.most_common())),
    ]
    for label, value in rows:
        table.add_row(label, value)
    return table


def _department_codes() -> list[str]:
    return [department.code for department in demo_registry().departments]


def main() -> None:
    """Entry point of the `gridloop` command."""
    app()
