"""The generated stream: the mix it promises, bodies intake accepts, the typhoon's shape."""

import math
from collections import Counter

import pytest

from ops.load.credentials import Credentials
from ops.load.profile import Profile
from ops.load.stream import Kind, Mix, ReportStream
from ops.load.summary import percentile
from services.intake.models import ReportIn
from shared.registry import demo_registry
from shared.registry.urgency import looks_urgent
from shared.settings import ServiceSettings

REGISTRY = demo_registry()


def test_stream_keeps_to_its_mix_and_every_body_is_valid() -> None:
    stream = ReportStream(REGISTRY, Mix(), seed=3)
    planned = [stream.next() for _ in range(3000)]

    kinds = Counter(p.kind for p in planned)
    assert kinds[Kind.EMERGENCY] / 3000 == pytest.approx(0.03, abs=0.012)
    assert kinds[Kind.DUPLICATE] / 3000 == pytest.approx(0.08, abs=0.02)
    assert sum(p.photo for p in planned) / 3000 == pytest.approx(0.1, abs=0.02)
    assert sum(p.resend for p in planned) / 3000 == pytest.approx(0.02, abs=0.01)
    for p in planned:
        ReportIn.model_validate(p.body)
    assert len({p.report_id for p in planned}) == 3000


def test_texts_come_in_chinese_and_english_and_emergencies_read_as_urgent() -> None:
    stream = ReportStream(REGISTRY, Mix(emergencies=0.5, duplicates=0), seed=5)
    planned = [stream.next() for _ in range(400)]

    chinese = [
        p
        for p in planned
        if any("\u4e00" <= ch <= "\u9fff" for ch in p.body["description"][:6])
    ]
    assert 0.4 < len(chinese) / 400 < 0.8
    emergencies = [p for p in planned if p.kind is Kind.EMERGENCY]
    assert emergencies
    assert all(looks_urgent(p.body["description"]) for p in emergencies)


def test_a_duplicate_repeats_a_recent_problem_within_its_radius() -> None:
    stream = ReportStream(REGISTRY, Mix(duplicates=0.3, located=1), seed=9)
    planned = [stream.next() for _ in range(600)]
    by_id = {p.report_id: p for p in planned}

    duplicates = [p for p in planned if p.kind is Kind.DUPLICATE]
    assert duplicates
    for dup in duplicates:
        original = by_id[str(dup.original)]
        category = REGISTRY.category(dup.body["category_hint"])
        assert category is not None
        assert category.duplicate_radius_m > 0
        assert (
            original.body.get("category_hint", dup.body["category_hint"])
            == (dup.body["category_hint"])
        )
        a, b = original.body["location"], dup.body["location"]
        metres = math.dist((a["lat"], a["lon"]), (b["lat"], b["lon"])) * 111_320
        assert metres < category.duplicate_radius_m


def test_callers_match_channels_and_every_caller_has_a_credential() -> None:
    tokens = Credentials.signed(REGISTRY, ServiceSettings(env="test"))
    stream = ReportStream(REGISTRY, seed=1)
    for _ in range(500):
        p = stream.next()
        assert tokens.header(p.caller)["Authorization"].startswith("Bearer ")
        if p.body["channel"] in {"app", "patrol"}:
            assert p.body["reporter"] == {"kind": "grid_staff"}
            grid = p.body.get("grid_code")
            if grid is None:
                placed = REGISTRY.grid_at(
                    p.body["location"]["lat"], p.body["location"]["lon"]
                )
                assert placed is not None
                grid = placed.code
            assert p.caller == f"grid_head:{grid}"


def test_unique_mix_gives_reports_that_cannot_support_one_another() -> None:
    stream = ReportStream(REGISTRY, Mix.unique(), seed=2)
    planned = [stream.next() for _ in range(300)]
    assert {p.kind for p in planned} == {Kind.ORDINARY}
    assert all("location" not in p.body and "grid_code" in p.body for p in planned)
    assert not any(p.photo or p.resend for p in planned)


def test_mix_refuses_shares_outside_zero_to_one() -> None:
    with pytest.raises(ValueError, match="photos"):
        Mix(photos=1.5)


def test_typhoon_offers_fifty_times_the_base_rate_during_the_surge() -> None:
    profile = Profile.typhoon(2.0, factor=50, after_s=10, minutes=1)
    times = list(profile.send_times(100))

    before = [t for t in times if t < 10]
    surge = [t for t in times if 10 <= t < 70]
    after = [t for t in times if t >= 70]
    assert len(before) == 20
    assert len(surge) == pytest.approx(6000, abs=2)
    assert len(after) == pytest.approx(60, abs=2)
    assert profile.expected(100) == len(times)


def test_percentile_is_nearest_rank() -> None:
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 50) == 50
    assert percentile(values, 99) == 99
    assert math.isnan(percentile([], 50))
