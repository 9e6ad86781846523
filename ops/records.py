"""Basic information files for `gridloop records`: CSV out of casework and back in."""

from typing import Any

import httpx

from shared.auth import Principal, Role, issue


class Refused(Exception):
    """Casework refused the request; the message says why."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        error = body.get("error", {})
        super().__init__(error.get("message", f"HTTP {status}"))
        self.problems: list[dict[str, Any]] = error.get("problems", [])


def _headers(key: str) -> dict[str, str]:
    token = issue(Principal(role=Role.OPERATOR, sub="gridloop-cli"), key)
    return {"authorization": f"Bearer {token}"}


def _refused(answer: httpx.Response) -> Refused:
    try:
        body = answer.json()
    except ValueError:
        body = {"error": {"message": answer.text[:300]}}
    return Refused(answer.status_code, body)


async def export_csv(base_url: str, key: str, kind: str, grid_code: str | None) -> str:
    """Every live record of a category, as CSV."""
    params = {"kind": kind, **({"grid_code": grid_code} if grid_code else {})}
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        answer = await client.get("/v1/records.csv", params=params, headers=_headers(key))
    if answer.status_code != 200:
        raise _refused(answer)
    return answer.text


async def import_csv(base_url: str, key: str, kind: str, text: str) -> dict[str, int]:
    """Store a CSV file's records; answers how many were created, updated, unchanged."""
    headers = {**_headers(key), "content-type": "text/csv; charset=utf-8"}
    async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:
        answer = await client.post(
            "/v1/records.csv",
            params={"kind": kind},
            content=text.encode("utf-8"),
            headers=headers,
        )
    if answer.status_code != 200:
        raise _refused(answer)
    counts: dict[str, int] = answer.json()
    return counts
