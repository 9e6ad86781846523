"""Fetches the periodic field work report from casework for `gridloop report`."""

from datetime import datetime
from typing import Any

import httpx

from shared.auth import Principal, Role, issue


class ReportUnavailable(Exception):
    """Casework did not answer with a report; the message says why."""


async def fetch(
    base_url: str, key: str, start: datetime, end: datetime, *, csv: bool
) -> Any:
    """The report rows as JSON, or the CSV text."""
    token = issue(Principal(role=Role.OPERATOR, sub="gridloop-cli"), key)
    params = {"from": start.isoformat(), "to": end.isoformat()}
    if csv:
        params["format"] = "csv"
    try:
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
            answer = await client.get(
                "/v1/stats/fieldwork",
                params=params,
                headers={"authorization": f"Bearer {token}"},
            )
    except httpx.HTTPError as exc:
        raise ReportUnavailable(f"casework at {base_url} did not answer: {exc}") from exc
    if answer.status_code != 200:
        raise ReportUnavailable(f"casework answered {answer.status_code}: {answer.text}")
    return answer.text if csv else answer.json()
