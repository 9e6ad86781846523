"""The registry as a file: exported from the router and loaded back through its API.

Loading goes entity by entity through the same validated API operators use, so
a file can never put into the registry what the API would refuse; the router
publishes each change on the registry topics as usual.
"""

from collections.abc import Callable
from typing import Any

import httpx

from shared.registry.records import KINDS

RegistryFile = dict[str, dict[str, Any]]


async def export(base: str, token: str) -> RegistryFile:
    """Every entity of every kind, as the router holds it."""
    headers = {"Authorization": f"Bearer {token}"}
    exported: RegistryFile = {}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
        for kind in KINDS:
            listed = await client.get(f"/v1/registry/{kind}")
            listed.raise_for_status()
            exported[kind] = {}
            for code in listed.json()["codes"]:
                entity = await client.get(f"/v1/registry/{kind}/{code}")
                entity.raise_for_status()
                exported[kind][code] = entity.json()["value"]
    return exported


async def load(
    base: str,
    token: str,
    content: RegistryFile,
    progress: Callable[[int], None] = lambda _: None,
) -> list[str]:
    """Put every entity of the file; answer the refusals, one line each."""
    headers = {"Authorization": f"Bearer {token}"}
    refused: list[str] = []
    done = 0
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
        for kind in KINDS:
            for code, value in content.get(kind, {}).items():
                answer = await client.put(f"/v1/registry/{kind}/{code}", json=value)
                if answer.status_code >= 400:
                    reason = answer.json().get("error", {}).get("message", answer.text)
                    refused.append(f"{kind}/{code}: {answer.status_code} {reason}")
                done += 1
                progress(done)
    return refused
