"""A headless Chromium for the console's tests: Debian's browser, driven by Playwright."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One browser per module; each role gets its own context.

    While Playwright's sync driver runs, the thread looks as if an event loop were
    running, and asyncio tests refuse to start; so it must stop before the next module.
    """
    if not CHROMIUM.exists():
        pytest.skip("chromium is not installed: deploy/local/install.sh installs it")

    with sync_playwright() as driver:
        launched = driver.chromium.launch(
            executable_path=str(CHROMIUM), args=FLAGS, headless=True
        )
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def shots(artifacts: Path) -> Path:
    """Where the console's screenshots go."""
    path = artifacts / "console"
    path.mkdir(exist_ok=True)
    return path
