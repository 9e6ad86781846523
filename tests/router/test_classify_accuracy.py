"""The classifier over a labelled set of realistic reports, to keep its accuracy honest."""

from collections import Counter
from pathlib import Path

import pytest
from pydantic import BaseModel

from services.router.classify import classify
from shared.registry import demo_registry

REPORTS = Path(__file__).with_name("labelled_reports.jsonl")
TRIAGE = "triage"
MIN_ACCURACY = 0.90
MAX_TRIAGE_SHARE = 0.15


class LabelledReport(BaseModel):
    """One report as a person would send it, with the answer a dispatcher would give."""

    text: str
    channel: str
    expected_category: str
    expected_department: str


def _reports() -> list[LabelledReport]:
    """The labelled set, one JSON object per line."""
    lines = REPORTS.read_text(encoding="utf-8").splitlines()
    return [LabelledReport.model_validate_json(line) for line in lines if line.strip()]


def test_labelled_set_is_well_formed() -> None:
    registry = demo_registry()
    reports = _reports()
    channels = Counter(report.channel for report in reports)
    chinese = sum(
        1 for report in reports if any("\u4e00" <= c <= "\u9fff" for c in report.text)
    )

    assert len(reports) >= 220
    assert set(channels) == {"app", "hotline", "web", "patrol"}
    assert 0.5 <= chinese / len(reports) <= 0.7
    assert len({report.text for report in reports}) == len(reports)
    for report in reports:
        if report.expected_category != TRIAGE:
            assert registry.category(report.expected_category), report.expected_category
        assert registry.department(report.expected_department), report.expected_department


def test_classifier_accuracy(capsys: pytest.CaptureFixture[str]) -> None:
    registry = demo_registry()
    reports = _reports()

    right_category = right_department = triaged = classified = right_classified = 0
    misses: list[str] = []
    for report in reports:
        result = classify(report.text, None, registry)
        got = result.category or TRIAGE
        if result.category is None:
            department = registry.triage_department
            triaged += 1
        else:
            assert result.level is not None
            department = registry.route(result.category, result.level).department
            classified += 1
            right_classified += got == report.expected_category

        right_category += got == report.expected_category
        right_department += department == report.expected_department
        if got != report.expected_category:
            misses.append(f"  {report.expected_category} -> {got}: {report.text[:60]}")

    total = len(reports)
    accuracy = right_classified / classified
    triage_share = triaged / total
    summary = (
        f"{total} labelled reports: category accuracy {right_category / total:.1%}, "
        f"department accuracy {right_department / total:.1%}, "
        f"sent to triage {triage_share:.1%}, "
        f"accuracy on the {classified} not triaged {accuracy:.1%}"
    )
    with capsys.disabled():
        print(f"\n{summary}")

    detail = summary + "\n" + "\n".join(misses)
    assert accuracy >= MIN_ACCURACY, detail
    assert triage_share <= MAX_TRIAGE_SHARE, detail
