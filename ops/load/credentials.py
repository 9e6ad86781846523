"""The credentials the generator sends reports with: grid heads, the hotline, operators.

The callers are named as ``gridloop credentials`` names them (``operator``,
``hotline``, ``grid_head:<grid>``), so the file that command writes can be used as it
is; without a file they are signed with the deployment's key, which only dev and test
deployments let this tool read.
"""

import json
from pathlib import Path

from shared.auth import demo_credentials
from shared.registry import Registry
from shared.settings import ServiceSettings


class MissingCredential(Exception):
    """The stream asked for a caller the credentials do not include."""


class Credentials:
    """Bearer tokens by caller name."""

    def __init__(self, tokens: dict[str, str]) -> None:
        self.tokens = tokens

    @classmethod
    def signed(cls, registry: Registry, settings: ServiceSettings) -> "Credentials":
        """Tokens for every demo caller, signed with the deployment's key."""
        if settings.env not in {"dev", "test"}:
            raise MissingCredential(
                "signing demo credentials is for dev and test deployments; pass a file"
            )
        return cls(
            demo_credentials(
                settings.signing_key,
                grids=[grid.code for grid in registry.grids],
                departments=[department.code for department in registry.departments],
            )
        )

    @classmethod
    def from_file(cls, path: Path) -> "Credentials":
        """Tokens from a JSON object of caller name to token."""
        tokens = json.loads(path.read_text())
        if not isinstance(tokens, dict):
            raise MissingCredential(f"{path} does not hold a JSON object of tokens")
        return cls({str(name): str(token) for name, token in tokens.items()})

    def header(self, caller: str) -> dict[str, str]:
        """The Authorization header for ``caller``."""
        token = self.tokens.get(caller)
        if token is None:
            raise MissingCredential(f"no credential for {caller}")
        return {"Authorization": f"Bearer {token}"}
