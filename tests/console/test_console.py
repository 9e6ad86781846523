"""The console in a real browser: one case round the loop by three roles, and refusals."""

import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from shared.auth import Role
from shared.launcher import Stack
from shared.registry.demo import demo_registry
from tests.console.pages import (
    CASEWORK,
    CONSOLE,
    INTAKE,
    OPERATOR,
    act,
    buttons,
    forced,
    low_contrast,
    open_case,
    photo,
    place_names,
    reported_case,
    signed_in,
    tab_to,
    token,
)

pytestmark = pytest.mark.servers


def test_a_report_goes_round_the_loop_through_the_console(
    stack: Stack, browser: Browser, shots: Path, tmp_path: Path
) -> None:
    case = reported_case()
    case_id, grid = case["case_id"], case["grid_code"]
    desk = token(Role.DEPARTMENT, "desk-console", department=case["department"])
    head = token(Role.GRID_STAFF, "head-console", grids=[grid])

    board, board_context = signed_in(browser, OPERATOR)
    row = board.locator(f'tr[data-case="{case_id}"]')
    expect(row).to_be_visible()
    expect(board.locator("#live")).to_have_class("live on")
    expect(row.locator(".tag.new")).to_be_visible()
    board.screenshot(path=shots / "board.png", full_page=True)
    assert low_contrast(board) == []

    operator, operator_context = signed_in(browser, OPERATOR)
    open_case(operator, case_id)
    assert "sign" not in buttons(operator)
    refused = forced(operator, "sign", {})
    assert refused["status"] == 403
    expect(operator.locator("#notice")).to_contain_text("Your role may not do this")

    department, department_context = signed_in(browser, desk, phone=True)
    department.goto(f"{CONSOLE}#/queue")
    department.click(f'.card[data-case="{case_id}"] a')
    expect(department.locator(".case")).to_have_attribute("data-status", "dispatched")
    assert "verify" not in buttons(department)
    act(department, "sign", "signed", note="crew on the way")
    act(department, "dispose", "disposed", photo=str(photo(tmp_path, "after", "green")))
    expect(department.locator("#photos img")).to_have_count(1)
    department.screenshot(path=shots / "case-department-phone.png", full_page=True)
    refused = forced(department, "verify", {"passed": True, "media_ids": ["m-x"]})
    assert refused["status"] == 403
    expect(department.locator("#notice")).to_contain_text("(403)")

    expect(row).to_contain_text("Disposed", timeout=5000)

    operator.goto(f"{CONSOLE}#/map")
    shape = operator.locator(f'path[data-grid="{grid}"]')
    expect(shape).to_have_attribute("data-open", re.compile(r"[1-9]\d*"))
    operator.screenshot(path=shots / "map.png", full_page=True)
    assert low_contrast(operator) == []
    shape.focus()
    operator.keyboard.press("Enter")
    expect(operator.locator("#f-village")).to_have_value(case["village_code"])
    expect(operator.locator(f'tr[data-case="{case_id}"]')).to_be_visible()

    grid_head, head_context = signed_in(browser, head, phone=True)
    grid_head.goto(f"{CONSOLE}#/queue")
    expect(grid_head.locator(f'.card[data-case="{case_id}"]')).to_be_visible()
    grid_head.screenshot(path=shots / "grid-head-queue-phone.png", full_page=True)
    open_case(grid_head, case_id)
    assert buttons(grid_head) == ["verify"]
    act(grid_head, "verify", "verified", photo=str(photo(tmp_path, "check", "blue")))
    refused = forced(grid_head, "evaluate", {"score": 5})
    assert refused["status"] == 403
    expect(grid_head.locator("#notice")).to_contain_text("may not")

    open_case(operator, case_id)
    act(operator, "evaluate", "evaluated", score="4", comment="tidy work")
    stale = forced(operator, "evaluate", {"score": 1})
    assert stale["status"] == 409
    expect(operator.locator("#notice")).to_contain_text("does not allow this now")
    act(operator, "file", "filed")
    assert buttons(operator) == []
    expect(operator.locator("ol.timeline li")).to_have_count(7)
    expect(operator.locator("#photos img")).to_have_count(2)
    operator.screenshot(path=shots / "case.png", full_page=True)
    assert low_contrast(operator) == []

    names = place_names(OPERATOR)
    for by, code in (
        ("department", case["department"]),
        ("village", case["village_code"]),
        ("grid", grid),
    ):
        operator.goto(f"{CONSOLE}#/stats/{by}")
        charts = operator.locator(f'.charts[data-by="{by}"] figure')
        expect(charts).to_have_count(3)
        for chart in range(3):
            expect(charts.nth(chart)).to_contain_text(names[code][:20])
        expect(operator.locator("#coverage")).to_contain_text("Campaign coverage")
        operator.screenshot(path=shots / f"stats-{by}.png", full_page=True)
        assert low_contrast(operator) == []

    for context in (board_context, operator_context, department_context, head_context):
        context.close()


def test_sign_in_refuses_a_bad_token_and_switches_language(
    stack: Stack, browser: Browser
) -> None:
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(CONSOLE)
    page.fill("#token", "not-a-token")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#notice")).to_be_visible()
    expect(page.locator("#logout")).to_be_hidden()

    page.fill("#token", OPERATOR)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#nav a").first).to_have_text(re.compile("案件看板|Case board"))
    expect(page.locator("main h1")).to_be_focused()

    tab_to(page, '#nav a[href="#/stats"]')
    page.keyboard.press("Enter")
    expect(page.locator('.charts[data-by="department"]')).to_be_visible()
    tab_to(page, "#by")
    page.keyboard.press("ArrowDown")
    expect(page.locator('.charts[data-by="village"]')).to_be_visible()
    expect(page.locator("#by")).to_be_focused()

    before = page.locator("#nav a").first.inner_text()
    tab_to(page, "#lang")
    page.keyboard.press("Enter")
    expect(page.locator("#nav a").first).not_to_have_text(before)
    expect(page.locator("html")).to_have_attribute("lang", re.compile("zh-CN|en"))
    expect(page.locator('.charts[data-by="village"] h2').first).to_contain_text("按村/社区")
    assert low_contrast(page) == []
    context.close()


def test_extension_and_return_go_through_the_console(
    stack: Stack, browser: Browser, shots: Path
) -> None:
    extended, returned = reported_case(), reported_case()
    desk = token(Role.DEPARTMENT, "desk-console", department=extended["department"])
    head = token(Role.GRID_STAFF, "head-console", grids=[extended["grid_code"]])

    department, department_context = signed_in(browser, desk)
    open_case(department, extended["case_id"])
    tab_to(department, '#actions button[data-action="sign"]')
    department.keyboard.press("Enter")
    expect(department.locator("#field-note")).to_be_focused()
    department.keyboard.press("Escape")
    expect(department.locator("#form-sign")).to_have_count(0)
    expect(department.locator('#actions button[data-action="sign"]')).to_be_focused()
    department.keyboard.press("Enter")
    department.keyboard.type("on our way")
    tab_to(department, "#form-sign button[type=submit]")
    department.keyboard.press("Enter")
    expect(department.locator(".case")).to_have_attribute("data-status", "signed")
    expect(department.locator("#actions button").first).to_be_focused()
    act(department, "request-extension", "signed", hours="8", reason="waiting for a skip")
    assert "approve-extension" not in buttons(department)

    grid_head, head_context = signed_in(browser, head)
    open_case(grid_head, extended["case_id"])
    assert buttons(grid_head) == []
    refused = forced(grid_head, "approve-extension", {"note": "yes"})
    assert refused["status"] == 403, refused["text"]

    operator, operator_context = signed_in(browser, OPERATOR)
    open_case(operator, extended["case_id"])
    assert "approve-extension" in buttons(operator)
    act(operator, "approve-extension", "signed", note="granted")
    assert "approve-extension" not in buttons(operator)

    open_case(department, returned["case_id"])
    act(department, "return", "returned", reason_code="not_ours", note="a housing matter")
    expect(department.locator("ol.timeline")).to_contain_text("a housing matter")

    chinese = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    board = chinese.new_page()
    board.goto(CONSOLE)
    board.fill("#token", OPERATOR)
    board.click("#login-form button")
    expect(board.locator(f'tr[data-case="{returned["case_id"]}"]')).to_contain_text(
        "已退回"
    )
    board.screenshot(path=shots / "board-zh.png", full_page=True)

    for context in (department_context, head_context, operator_context, chinese):
        context.close()


def test_services_answer_the_console_origin_only(stack: Stack) -> None:
    asked = {"access-control-request-method": "POST"}
    asked["access-control-request-headers"] = "authorization"
    with httpx.Client(timeout=5) as client:
        ours = client.options(
            f"{INTAKE}/v1/media", headers={**asked, "origin": "http://127.0.0.1:8003"}
        )
        theirs = client.options(
            f"{INTAKE}/v1/media", headers={**asked, "origin": "http://elsewhere.test"}
        )
        page = client.get(CONSOLE)
        places = client.get(f"{CASEWORK}/console/places")

    assert ours.headers["access-control-allow-origin"] == "http://127.0.0.1:8003"
    assert "access-control-allow-origin" not in theirs.headers
    assert page.status_code == 200
    assert "/console/static/app.js" in page.text
    assert places.status_code == 401


def test_campaign_coverage_shows_each_campaign_and_its_laggards(
    stack: Stack, browser: Browser, shots: Path
) -> None:
    registry = demo_registry()
    grids = [registry.grid(code) for code in ("G-03-07", "G-03-08", "G-05-01")]
    assert all(grids)
    title = f"Flood season door-to-door check {uuid.uuid4().hex[:6]}"
    issued = {
        "title": title,
        "instructions": "Check every household's sandbags and exits.",
        "grids": [grid.code for grid in grids if grid],
        "deadline": (datetime.now(UTC) + timedelta(days=2)).isoformat(),
    }
    operator = {"authorization": f"Bearer {OPERATOR}"}
    confirmed: dict[str, tuple[int, int]] = {}
    with httpx.Client(base_url=CASEWORK, timeout=30) as client:
        answer = client.post("/v1/campaigns", json=issued, headers=operator)
        assert answer.status_code == 201, answer.text
        campaign_id = answer.json()["campaign_id"]
        for grid, share in zip(grids, (0.75, 1.0, 0.1), strict=True):
            assert grid is not None
            done = int(grid.households * share)
            head = token(Role.GRID_STAFF, f"head-{grid.code}", grids=[grid.code])
            items = [{"unit": f"u-{n}", "status": "confirmed"} for n in range(done)]
            answer = client.post(
                f"/v1/campaigns/{campaign_id}/progress",
                json={"grid_code": grid.code, "items": items},
                headers={"authorization": f"Bearer {head}"},
            )
            assert answer.status_code == 200, answer.text
            before = confirmed.get(grid.village_code, (0, 0))
            confirmed[grid.village_code] = (before[0] + done, before[1] + grid.households)

    page, context = signed_in(browser, OPERATOR)
    page.goto(f"{CONSOLE}#/stats/village")
    coverage = page.locator("#coverage")
    done = sum(part[0] for part in confirmed.values())
    due = sum(part[1] for part in confirmed.values())
    expect(coverage.locator("figure").first).to_contain_text(title)
    expect(coverage.locator("figure").first).to_contain_text(f"({done}/{due} households)")
    ours = coverage.locator("figure", has_text=f"{title} · by village")
    for village_done, village_due in confirmed.values():
        expect(ours).to_contain_text(f"({village_done}/{village_due} households)")
    coverage.scroll_into_view_if_needed()
    page.screenshot(path=shots / "stats-campaigns.png", full_page=True)
    assert low_contrast(page) == []
    context.close()
