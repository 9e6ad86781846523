"""What the console tests share: credentials, a reported case and page actions."""

import io
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from PIL import Image
from playwright.sync_api import Browser, Page, ViewportSize, expect

from shared.auth import Principal, Role, issue
from shared.settings import ServiceSettings

INTAKE = "http://127.0.0.1:8001"
CASEWORK = "http://127.0.0.1:8003"
CONSOLE = f"{CASEWORK}/console/"
KEY = ServiceSettings().signing_key
GRID = "G-03-07"


def token(role: Role, sub: str, **scope: Any) -> str:
    """A credential signed with the test environment's key."""
    return issue(Principal(role=role, sub=sub, **scope), KEY)


OPERATOR = token(Role.OPERATOR, "op-console")


def reported_case() -> dict[str, Any]:
    """Submit a resident's report through intake and wait for its dispatched case."""
    report_id = str(uuid.uuid4())
    report = {
        "report_id": report_id,
        "channel": "app",
        "grid_code": GRID,
        "category_hint": "construction_waste",
        "address": "Lane 9, beside the school gate",
        "description": "Broken bricks and tiles dumped beside the school gate.",
        "observed_at": datetime.now(UTC).isoformat(),
        "reporter": {"kind": "resident", "name": "Li", "phone": "13800000002"},
    }
    headers = {"authorization": f"Bearer {OPERATOR}"}
    with httpx.Client(timeout=10) as client:
        accepted = client.post(f"{INTAKE}/v1/reports", json=report)
        assert accepted.status_code == 202, accepted.text
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            found = client.get(
                f"{CASEWORK}/v1/cases", params={"report_id": report_id}, headers=headers
            ).json()["items"]
            if found and found[0]["status"] == "dispatched":
                return dict(found[0])
            time.sleep(0.3)

    raise AssertionError(f"no dispatched case for report {report_id}")


def photo(folder: Path, name: str, colour: str) -> Path:
    """A small PNG to attach as proof."""
    path = folder / f"{name}.png"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def signed_in(
    browser: Browser, credential: str, *, phone: bool = False
) -> tuple[Page, Any]:
    """A fresh browser context signed in by pasting ``credential`` on the sign-in page."""
    size = (
        ViewportSize(width=390, height=844)
        if phone
        else ViewportSize(width=1280, height=900)
    )
    context = browser.new_context(viewport=size, locale="en-GB")
    page = context.new_page()
    page.goto(CONSOLE)
    page.fill("#token", credential)
    page.click("#login-form button")
    expect(page.locator("#logout")).to_be_visible()
    return page, context


def open_case(page: Page, case_id: str) -> None:
    """Go to a case page and wait for it to show."""
    page.goto(f"{CONSOLE}#/case/{case_id}")
    expect(page.locator(".case")).to_be_visible()


def act(page: Page, action: str, status: str, **fields: str) -> None:
    """Open an action's form, fill it, submit and wait for the case's new status."""
    before = page.locator(".case").get_attribute("data-version")
    page.click(f'#actions button[data-action="{action}"]')
    form = page.locator(f"#form-{action}")
    for name, value in fields.items():
        field = form.locator(f'[name="{name}"]')
        if name == "photo":
            field.set_input_files(value)
        elif field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    form.locator("button[type=submit]").click()
    expect(page.locator(".case")).not_to_have_attribute("data-version", str(before))
    expect(page.locator(".case")).to_have_attribute("data-status", status)
    expect(page.locator("#notice")).to_have_class("info")


def forced(page: Page, action: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Call an action the page does not offer, as a tampering user could."""
    result: dict[str, Any] = page.evaluate(
        "([action, fields]) => window.gridloop.act(action, fields)", [action, fields]
    )
    return result


def buttons(page: Page) -> list[str]:
    """The actions the case page offers."""
    return list(
        page.locator("#actions button").evaluate_all("bs => bs.map(b => b.dataset.action)")
    )


CONTRAST = (Path(__file__).parent / "contrast.js").read_text()


def low_contrast(page: Page) -> list[str]:
    """Texts on the page whose contrast is under WCAG AA, with their ratios."""
    found: list[str] = page.evaluate(CONTRAST)
    return found


def tab_to(page: Page, selector: str, presses: int = 60) -> None:
    """Press Tab until the focus is on ``selector``, as a keyboard user would."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return

    raise AssertionError(f"{selector} was not reached in {presses} presses of Tab")


def place_names(credential: str) -> dict[str, str]:
    """English names of departments, villages and grids by code, as the console shows."""
    with httpx.Client(timeout=10) as client:
        answer = client.get(
            f"{CASEWORK}/console/places", headers={"authorization": f"Bearer {credential}"}
        )
    answer.raise_for_status()
    places = answer.json()
    kinds = ("departments", "villages", "grids")
    return {p["code"]: p["name_en"] for kind in kinds for p in places[kind]}
