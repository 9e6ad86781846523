"""The intake-side urgency check: cheap, and never misses what the router would see."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from services.router.classify import emergency_terms
from shared.launcher import ROOT
from shared.registry.urgency import looks_urgent

LABELLED = Path(__file__).with_name("labelled_reports.jsonl")


@pytest.mark.parametrize(
    "text",
    [
        "3栋二楼着火了，浓烟很大",
        "有老人摔倒受伤流血",
        "燃气泄漏，整栋楼都是煤气味",
        "The shed behind block 4 is on fire",
        "A wall collapsed onto the pavement and a man is injured",
        "Strong smell of gas in the stairwell",
    ],
)
def test_emergencies_look_urgent(text: str) -> None:
    assert looks_urgent(text)


@pytest.mark.parametrize(
    "text",
    [
        "小区门口垃圾桶满了",
        "晚上在火锅店门口乱停车",
        "The fire exit on the third floor is blocked with bikes",
        "Street light out on Lane 4 since Monday",
    ],
)
def test_ordinary_reports_do_not(text: str) -> None:
    assert not looks_urgent(text)


def test_nothing_the_classifier_calls_an_emergency_is_missed() -> None:
    texts = [json.loads(line)["text"] for line in LABELLED.read_text().splitlines()]
    urgent = [text for text in texts if emergency_terms(text)]

    assert urgent
    assert [text for text in urgent if not looks_urgent(text)] == []


def test_the_check_loads_no_word_segmenter() -> None:
    probe = (
        "import sys, shared.registry.urgency as u; u.looks_urgent('着火了'); "
        "sys.exit('jieba' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", probe], cwd=ROOT).returncode == 0
