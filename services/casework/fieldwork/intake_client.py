"""Raises reports from the field through intake, with the worker's own credential.

Going through intake rather than opening a case here means a finding is routed,
deduplicated and scope-checked exactly like any report, and intake's check that the
worker reports only in their own grids applies unchanged.
"""

import logging
import uuid
from datetime import datetime

import httpx

from services.casework.fieldwork.errors import IntakeUnavailable
from shared.contracts import EVENT_NAMESPACE

logger = logging.getLogger(__name__)


def report_id_for(*parts: str) -> str:
    """A report id derived from its origin, so a retried visit raises the same report."""
    return str(uuid.uuid5(EVENT_NAMESPACE, "fieldwork/" + "/".join(parts)))


class IntakeClient:
    """Posts reports to intake's ``POST /v1/reports``."""

    def __init__(self, base_url: str, timeout_s: float) -> None:
        self.http = httpx.AsyncClient(base_url=base_url, timeout=timeout_s)

    async def raise_report(
        self,
        token: str,
        *,
        report_id: str,
        grid_code: str,
        description: str,
        category_hint: str | None,
        observed_at: datetime,
        address: str = "",
        record_ref: str | None = None,
    ) -> str:
        """Hand intake a patrol report; answers its id, the same for every retry."""
        body = {
            "report_id": report_id,
            "channel": "patrol",
            "grid_code": grid_code,
            "address": address[:300],
            "category_hint": category_hint,
            "description": description,
            "observed_at": observed_at.isoformat(),
            "reporter": {"kind": "grid_staff"},
            "record_ref": record_ref,
        }
        try:
            answer = await self.http.post(
                "/v1/reports", json=body, headers={"authorization": f"Bearer {token}"}
            )
        except httpx.HTTPError as exc:
            raise IntakeUnavailable(f"intake did not answer: {exc}") from exc

        if answer.status_code == 409:
            logger.info("field report %s was raised before", report_id)
            return report_id
        if answer.status_code != 202:
            logger.warning("intake refused a field report: %s", answer.status_code)
            raise IntakeUnavailable(f"intake answered {answer.status_code}: {answer.text}")
        return str(answer.json()["report_id"])

    async def close(self) -> None:
        """Release the connection pool."""
        await self.http.aclose()
