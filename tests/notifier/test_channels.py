"""E-mail, SMS, live streams, the sign-for ladder, reporters and the rules API, for real."""

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from shared.auth import Role
from tests.kafka_tools import eventually
from tests.notifier.conftest import (
    NOTIFIER,
    SETTINGS,
    CaseEvents,
    Notifier,
    a_case,
    add_rules,
    operator_headers,
    token,
    webhook,
)
from tests.notifier.receivers import SECRET, Endpoints, Mailbox

pytestmark = pytest.mark.servers


async def test_email_goes_out_as_text_and_html_with_the_case_link(
    notifier: Notifier, mailbox: Mailbox, case_events: CaseEvents
) -> None:
    dept = f"em_{uuid.uuid4().hex[:8]}"
    address = f"desk@{dept}.example"
    receiver = {"key": f"mail:{dept}", "channel": "email", "address": address}
    await add_rules(defaults={dept: [{**receiver, "language": "en", "digest": False}]})
    case = a_case(dept, 0)
    await case_events.send("case.dispatched", case)

    async def delivered() -> list[Any]:
        return [m for m in mailbox.messages if m["To"] == address]

    mails = await eventually(delivered, timeout=15)
    mail = mails[0]
    assert mail["Subject"] == f"Case {case.case_id} assigned to you"
    assert mail["X-Gridloop-Delivery"] in mail["Message-ID"]
    parts = {part.get_content_type(): part.get_payload(decode=True) for part in mail.walk()}
    link = f"http://127.0.0.1:8003/console/cases/{case.case_id}"
    assert link.encode() in parts["text/plain"]
    assert f'href="{link}"'.encode() in parts["text/html"]


async def test_sms_goes_through_the_gateway_in_chinese(
    notifier: Notifier, endpoints: Endpoints, case_events: CaseEvents
) -> None:
    dept = f"sm_{uuid.uuid4().hex[:8]}"
    phone = "+86138" + str(uuid.uuid4().int)[:8]
    sms = {"key": f"sms:{dept}", "channel": "sms", "address": phone, "digest": False}
    await add_rules(defaults={dept: [sms]})
    case = a_case(dept, 0, emergency=True)
    await case_events.send("case.dispatched", case)

    async def texts() -> list[dict[str, Any]]:
        return [
            a.payload or {}
            for a in endpoints.at("/sms")
            if (a.payload or {})["to"] == phone
        ]

    sent = await eventually(texts, timeout=15)
    assert sent[0]["text"].startswith(f"新派遣案件 {case.case_id}")
    assert sent[0]["reference"]


async def test_stream_shows_a_department_only_its_own(
    notifier: Notifier, case_events: CaseEvents
) -> None:
    mine, theirs = (f"ss_{uuid.uuid4().hex[:8]}" for _ in range(2))
    seen: dict[str, list[str]] = {"department": [], "operator": []}

    async def watch(who: str, credential: str) -> None:
        headers = {"Authorization": f"Bearer {credential}"}
        async with (
            httpx.AsyncClient(base_url=NOTIFIER, timeout=None) as client,
            client.stream("GET", "/v1/stream", headers=headers) as answer,
        ):
            async for line in answer.aiter_lines():
                if line.startswith("data: "):
                    seen[who].append(json.loads(line[6:])["department"])

    watchers = [
        asyncio.create_task(watch("department", token(Role.DEPARTMENT, mine))),
        asyncio.create_task(watch("operator", token(Role.OPERATOR))),
    ]
    await asyncio.sleep(0.5)
    await case_events.send("case.dispatched", a_case(theirs, 0))
    await case_events.send("case.dispatched", a_case(mine, 0))

    async def both_saw_mine() -> bool:
        return mine in seen["department"] and mine in seen["operator"]

    try:
        assert await eventually(both_saw_mine, timeout=15), seen
    finally:
        for task in watchers:
            task.cancel()
    assert theirs not in seen["department"]
    assert theirs in seen["operator"]

    async with httpx.AsyncClient(base_url=NOTIFIER) as client:
        anonymous = await client.get("/v1/stream")
        resident = await client.get(
            "/v1/stream", headers={"Authorization": f"Bearer {token(Role.RESIDENT)}"}
        )
    assert anonymous.status_code == 401
    assert resident.status_code == 403


async def test_sign_for_ladder_climbs_and_signing_stops_it(
    notifier: Notifier, endpoints: Endpoints, case_events: CaseEvents
) -> None:
    dept = f"ld_{uuid.uuid4().hex[:8]}"
    unit, centre, leaders = (f"/ok/{dept}-{who}" for who in ("unit", "centre", "leaders"))
    await add_rules(
        rules=[
            {
                "rule_id": f"{dept}-centre",
                "match": {"departments": [dept], "event_types": ["sign_for.escalated"]},
                "receivers": [webhook(endpoints, centre)],
            },
            {
                "rule_id": f"{dept}-leaders",
                "match": {
                    "departments": [dept],
                    "event_types": ["sign_for.escalated_to_leadership"],
                },
                "receivers": [webhook(endpoints, leaders)],
            },
        ],
        defaults={dept: [webhook(endpoints, unit)]},
    )
    limit = float(SETTINGS["sign_for_limit_s"])
    # Dispatched just under the sign-for limit ago: the reminder falls due at once.
    long_ago = datetime.now(UTC) - timedelta(seconds=limit - 0.5)
    waiting, signed = a_case(dept, 0), a_case(dept, 1)
    await case_events.send("case.dispatched", waiting, occurred_at=long_ago)
    await case_events.send("case.dispatched", signed, occurred_at=long_ago)
    await case_events.send(
        "case.signed", signed.model_copy(update={"status": "signed", "version": 2})
    )

    def kinds(path: str, case_id: str) -> list[str]:
        return [
            (a.payload or {})["event_type"]
            for a in endpoints.accepted(path)
            if (a.payload or {}).get("case_id") == case_id
        ]

    async def climbed() -> bool:
        return bool(kinds(leaders, waiting.case_id))

    # Generous: after a burst the notifier may still be reading on a cold machine.
    assert await eventually(climbed, timeout=60)
    assert kinds(unit, waiting.case_id) == ["case.dispatched", "sign_for.reminder"]
    assert kinds(centre, waiting.case_id) == ["sign_for.escalated"]
    assert kinds(leaders, waiting.case_id) == ["sign_for.escalated_to_leadership"]
    assert kinds(unit, signed.case_id) == ["case.dispatched"]
    assert not kinds(centre, signed.case_id)


async def test_ladder_climbs_on_the_cases_own_deadline_and_village_rules_match(
    notifier: Notifier, endpoints: Endpoints, case_events: CaseEvents
) -> None:
    dept = f"lv_{uuid.uuid4().hex[:8]}"
    village = f"V-{dept}"
    station = f"/ok/{dept}-station"
    await add_rules(
        rules=[
            {
                "rule_id": f"{dept}-station",
                "match": {"villages": [village], "event_types": ["sign_for.reminder"]},
                "receivers": [webhook(endpoints, station)],
            }
        ],
        defaults={dept: [webhook(endpoints, f"/ok/{dept}-unit")]},
    )
    # Far shorter than the configured limit: only the case's own deadline can fire it.
    sign_due = datetime.now(UTC) + timedelta(seconds=1)
    case = a_case(dept, 0, village_code=village, sign_due=sign_due)
    await case_events.send("case.dispatched", case)

    async def reminded() -> list[Any]:
        return endpoints.accepted(station)

    assert await eventually(reminded, timeout=30)
    told = endpoints.accepted(station)[0]
    assert told.payload is not None
    assert told.payload["event_type"] == "sign_for.reminder"
    assert told.payload["case_id"] == case.case_id
    assert told.at >= sign_due.timestamp()
    assert told.at - sign_due.timestamp() < float(SETTINGS["sign_for_limit_s"]) / 2


async def test_reporter_and_supporter_hear_verification_and_closing(
    notifier: Notifier, endpoints: Endpoints, case_events: CaseEvents
) -> None:
    dept = f"rp_{uuid.uuid4().hex[:8]}"
    case = a_case(dept, 0, status="verified", version=5)
    reporter, supporter = f"/ok/{dept}-reporter", f"/ok/{dept}-supporter"
    hook = {"channel": "webhook", "secret": SECRET, "language": "en"}
    async with httpx.AsyncClient(base_url=NOTIFIER, headers=operator_headers()) as client:
        first = await client.put(
            f"/v1/subscriptions/{case.report_id}",
            json={"receivers": [{**hook, "address": endpoints.url(reporter)}]},
        )
        second = await client.put(
            f"/v1/subscriptions/{case.report_id}-dup",
            json={
                "case_ids": [case.case_id],
                "receivers": [{**hook, "address": endpoints.url(supporter)}],
            },
        )
        unsigned = await client.put(
            "/v1/subscriptions/x",
            json={"receivers": [{"channel": "webhook", "address": "http://x/y"}]},
        )
    assert first.status_code == second.status_code == 200
    assert unsigned.status_code == 422
    assert unsigned.json()["error"]["field"] == "receivers.0.secret"

    await add_rules(defaults={dept: [webhook(endpoints, f"/ok/{dept}-unit")]})
    await case_events.send("case.verified", case, action="verify")
    closed = case.model_copy(update={"status": "filed", "version": 7})
    await case_events.send("case.filed", closed, action="file")

    async def both_told() -> bool:
        return all(len(endpoints.accepted(path)) == 2 for path in (reporter, supporter))

    assert await eventually(both_told, timeout=15)
    for path in (reporter, supporter):
        told = [a.payload or {} for a in endpoints.accepted(path)]
        assert sorted(p["kind"] for p in told) == ["closed", "verified"]
        assert {p["audience"] for p in told} == {"reporter"}


async def test_rules_api_needs_an_operator_and_names_bad_fields(notifier: Notifier) -> None:
    async with httpx.AsyncClient(base_url=NOTIFIER) as client:
        anonymous = await client.get("/v1/rules")
        department = await client.get(
            "/v1/rules",
            headers={"Authorization": f"Bearer {token(Role.DEPARTMENT, 'x_y')}"},
        )
        bad = await client.put(
            "/v1/rules",
            headers=operator_headers(),
            json={
                "rules": [
                    {
                        "rule_id": "r",
                        "receivers": [{"key": "k", "channel": "email", "address": "nope"}],
                    }
                ]
            },
        )
        shown = await client.get("/v1/rules", headers=operator_headers())
    assert anonymous.status_code == 401
    assert department.status_code == 403
    assert bad.status_code == 422
    assert bad.json()["error"]["field"].startswith("rules.0.receivers.0")
    secrets = [
        r.get("secret")
        for group in shown.json()["rules"]["defaults"].values()
        for r in group
        if r["channel"] == "webhook"
    ]
    assert secrets
    assert set(secrets) == {"*" * 16}
