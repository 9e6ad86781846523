"""Every topic the services name is in their AsyncAPI documents, which are up to date."""

import ast
from pathlib import Path

import pytest

from ops.asyncapi import DOCS, SERVICE_NAMES, channels, render
from shared import topics
from shared.registry.records import REGISTRY_TOPICS

ROOT = Path(__file__).resolve().parents[2]


def topic_names_used_in_code() -> set[str]:
    """Values of the topic constants that any service module imports."""
    used: set[str] = set()
    for path in (ROOT / "services").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "shared.topics":
                for alias in node.names:
                    value = getattr(topics, alias.name, None)
                    if isinstance(value, str) and alias.name.isupper():
                        used.add(value)
    prefixes = {topics.DEPARTMENT_PREFIX, topics.REGISTRY_PREFIX, topics.DEAD_LETTER_SUFFIX}
    return used - prefixes


@pytest.fixture(scope="module")
def documented() -> set[str]:
    return set().union(*(channels(name) for name in SERVICE_NAMES))


def test_every_topic_named_in_code_is_documented(documented: set[str]) -> None:
    used = topic_names_used_in_code()

    assert len(used) >= 8
    assert used - documented == set()


def test_registry_department_and_dead_letter_topics_are_documented(
    documented: set[str],
) -> None:
    assert {spec.name for spec in REGISTRY_TOPICS} <= documented
    assert topics.department_topic("{department}") in documented
    for topic in (topics.REPORTS_SUBMITTED, topics.REPORTS_ROUTED, topics.CASES_EVENTS):
        assert topics.dead_letter_topic(topic) in documented


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_published_document_matches_the_code(name: str) -> None:
    path = DOCS / f"{name}.yaml"

    assert path.is_file(), "run `gridloop docs` to write the AsyncAPI documents"
    assert path.read_text() == render(name), "run `gridloop docs`: the document is stale"
