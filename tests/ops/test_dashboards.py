"""Dashboards are what their builder writes, and Prometheus accepts every expression."""

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from deploy.grafana.build_dashboards import DASHBOARDS, render

DASHBOARD_DIR = Path(__file__).resolve().parents[2] / "deploy/grafana/dashboards"
PROMETHEUS = "http://127.0.0.1:9090"


def expressions() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted(DASHBOARD_DIR.glob("*.json")):
        board: dict[str, Any] = json.loads(path.read_text())
        for panel in board["panels"]:
            for target in panel["targets"]:
                found.append((path.name, panel["title"], target["expr"]))
    return found


def test_dashboard_files_match_their_builder() -> None:
    for name, board in DASHBOARDS.items():
        assert (DASHBOARD_DIR / name).read_text() == render(board), f"rebuild {name}"


def test_there_are_three_dashboards_with_panels() -> None:
    assert sorted(p.name for p in DASHBOARD_DIR.glob("*.json")) == [
        "department.json",
        "overview.json",
        "pipeline.json",
    ]
    assert len(expressions()) >= 20


@pytest.mark.servers
@pytest.mark.parametrize(("board", "title", "expr"), expressions())
def test_prometheus_accepts_panel_expression(board: str, title: str, expr: str) -> None:
    query = expr.replace("$department", ".*")
    answer = httpx.get(f"{PROMETHEUS}/api/v1/query", params={"query": query}, timeout=10)

    body = answer.json()
    assert answer.status_code == 200, f"{board} / {title}: {body.get('error')}"
    assert body["status"] == "success"
