"""The classifier on single reports: hints, both languages, urgency and triage."""

import json

import pytest

from services.router.classify import (
    Classification,
    chinese_words,
    classify,
    emergency_terms,
    english_lemma,
)
from shared.registry import Grid, Registry, demo_registry


@pytest.fixture(scope="module")
def registry() -> Registry:
    """One demo registry for the module; tests that edit it work on copies."""
    return demo_registry()


def _grid_tagged(registry: Registry, tag: str | None) -> Grid:
    """A grid with ``tag``, or with none of the level-raising tags when ``tag`` is None."""
    for grid in registry.grids:
        if tag in grid.tags or (
            tag is None and not {"school", "hospital"} & set(grid.tags)
        ):
            return grid
    raise LookupError(tag)


def test_a_valid_hint_is_taken_as_given(registry: Registry) -> None:
    result = classify("麻烦尽快处理", "rubbish", registry)

    assert result.category == "rubbish"
    assert result.confidence == 1.0
    assert result.explanation.source == "hint"
    assert "taken as given" in result.explanation.summary


def test_an_open311_service_code_works_as_a_hint(registry: Registry) -> None:
    result = classify("see photo", "3002", registry)

    assert result.category == "manhole_cover"
    assert result.confidence == 1.0


def test_an_unknown_hint_falls_back_to_the_text(registry: Registry) -> None:
    result = classify("小区门口垃圾堆了好几天没人清理，臭死了", "misc", registry)

    assert result.category == "rubbish"
    assert result.explanation.source == "keywords"
    assert "not a known category" in result.explanation.summary


def test_chinese_text(registry: Registry) -> None:
    result = classify("小区门口垃圾堆了好几天没人清理，臭死了", None, registry)

    assert result.category == "rubbish"
    assert result.explanation.language == "zh"
    assert result.confidence >= 0.5
    assert result.level == 1
    assert not result.emergency
    assert any(hit.keyword == "垃圾堆" for hit in result.explanation.hits)


def test_english_text(registry: Registry) -> None:
    result = classify(
        "Someone dumped a load of rubble and broken tiles by the park gate", None, registry
    )

    assert result.category == "construction_waste"
    assert result.explanation.language == "en"
    assert result.level == 2
    assert {"dumped", "rubble"} <= {hit.matched for hit in result.explanation.hits}


def test_a_typo_still_counts(registry: Registry) -> None:
    result = classify("rubish bins overflowing again", None, registry)

    assert result.category == "rubbish"
    assert any(hit.matched == "rubish" for hit in result.explanation.hits)


def test_catalogue_keywords_segment_as_whole_words(registry: Registry) -> None:
    classify("", None, registry)

    assert "消防通道" in chinese_words("小区的消防通道被电动车堵死了")


def test_english_stems_tell_verbs_from_nouns() -> None:
    assert english_lemma("dumping") == english_lemma("dumped")
    assert english_lemma("bins") == english_lemma("bin")
    assert english_lemma("blocked") != english_lemma("block")


@pytest.mark.parametrize(
    "text",
    [
        "楼道里的电动车着火了，有人受伤",
        "老房子的墙倒塌了",
        "闻到很重的煤气味",
        "有人触电了，快来",
        "Neighbours fighting in the street, one man injured",
        "strong smell of gas in the stairwell",
        "a worker was electrocuted at the building site",
        "the old wall collapsed onto the pavement",
    ],
)
def test_emergency_words_raise_the_level_to_3(registry: Registry, text: str) -> None:
    result = classify(text, None, registry)

    assert result.emergency
    assert result.level == 3
    assert result.explanation.emergency_terms


def test_emergency_words_also_apply_to_a_hinted_report(registry: Registry) -> None:
    result = classify("树倒了，砸伤了路人，有人受伤", "fallen_tree", registry)

    assert result.category == "fallen_tree"
    assert result.emergency
    assert result.level == 3


@pytest.mark.parametrize(
    "text",
    [
        "fire exit on the 3rd floor chained shut again",
        "山体滑坡了，还好没人受伤",
        "the branch is cracked and could hurt someone",
        "树枝快断了，万一掉下来砸到人受伤怎么办",
        "火锅店的油烟太大了",
    ],
)
def test_denied_feared_or_unrelated_words_are_not_emergencies(text: str) -> None:
    assert not {"fire", "受伤", "hurt", "火"} & set(emergency_terms(text))


@pytest.mark.parametrize("tag", ["school", "hospital"])
def test_a_school_or_hospital_grid_raises_the_level(registry: Registry, tag: str) -> None:
    text = "路边有人摆地摊卖水果，占道经营"
    plain = classify(text, None, registry, grid=_grid_tagged(registry, None))
    sensitive = classify(text, None, registry, grid=_grid_tagged(registry, tag))

    assert plain.category == sensitive.category == "street_vendor"
    assert plain.level == 1
    assert sensitive.level == 2
    assert tag in sensitive.explanation.summary


def test_level_3_stays_3_near_a_school(registry: Registry) -> None:
    result = classify(
        "闻到很重的煤气味", None, registry, grid=_grid_tagged(registry, "school")
    )

    assert result.level == 3


@pytest.mark.parametrize(
    "text",
    [
        "你们能不能管管",
        "这里有问题，请处理",
        "please sort this out asap",
        "not happy with the service here",
        "",
    ],
)
def test_vague_text_goes_to_triage(registry: Registry, text: str) -> None:
    result = classify(text, None, registry)

    assert result.category is None
    assert result.needs_triage
    assert result.level is None
    assert result.confidence < 0.5
    assert "triage" in result.explanation.summary


def test_two_close_categories_go_to_triage(registry: Registry) -> None:
    result = classify("dog next door barking", None, registry)

    assert result.category is None
    assert len(result.explanation.scores) >= 2


def test_a_runtime_edit_of_the_catalogue_is_picked_up(registry: Registry) -> None:
    edited = Registry.model_validate(registry.model_dump())
    category = edited.category("neighbour_dispute")
    assert category is not None
    text = "楼上那户在阳台养鸡，天天有鸡屎味"

    before = classify(text, None, edited)
    category.keywords_zh.append("养鸡")
    after = classify(text, None, edited)

    assert before.category is None
    assert after.category == "neighbour_dispute"


def test_the_classification_serialises(registry: Registry) -> None:
    result = classify("楼下的井盖不见了，晚上很危险", None, registry)

    copy = Classification.model_validate(json.loads(result.model_dump_json()))

    assert copy == result
    assert copy.category == "manhole_cover"
