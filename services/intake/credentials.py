"""Writes demo credentials for every role, so a person can try each door of gridloop.

Run as ``python -m services.intake.credentials --out .local/credentials.json``.
"""

import argparse
import json
import os
from pathlib import Path

from shared.auth import demo_credentials
from shared.registry import demo_registry
from shared.settings import ServiceSettings


def make(signing_key: str) -> dict[str, str]:
    """One token per role and scope over the demo registry's grids and departments."""
    registry = demo_registry()
    return demo_credentials(
        signing_key,
        grids=[grid.code for grid in registry.grids],
        departments=[department.code for department in registry.departments],
    )


def usage(path: Path, intake: str) -> str:
    """How to use the written credentials, for the person running the demo."""
    return "\n".join(
        [
            f"demo credentials written to {path} (role -> token or api_key)",
            "  report as a grid head:",
            f"    TOKEN=$(jq -r '.\"grid_head:G-01-02\"' {path})",
            '    curl -H "Authorization: Bearer $TOKEN"'
            f' -H "content-type: application/json" {intake}/v1/reports -d @report.json',
            "  operator and hotline: keys 'operator' and 'hotline' (any grid)",
            "  Open311 clients: api_key=$(jq -r .open311_api_key "
            f"{path}) on POST {intake}/open311/v2/requests.json",
            "  residents need no credential; they are rate-limited per address",
        ]
    )


def main() -> None:
    """Write the credentials file with owner-only permissions and explain it."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path(".local/credentials.json"))
    parser.add_argument("--intake", default="http://127.0.0.1:8001")
    args = parser.parse_args()

    tokens = make(ServiceSettings().signing_key)
    path: Path = args.out
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(tokens, handle, indent=2, sort_keys=True)
    print(usage(path, args.intake))


if __name__ == "__main__":
    main()
