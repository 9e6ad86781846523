"""The pure parts of field work and of personal-number handling."""

from datetime import UTC, datetime
from typing import Any

import pytest

from services.casework.fieldwork.campaigns import count_move, missing_of, target_grids
from services.casework.fieldwork.catalogue import checklist
from services.casework.fieldwork.errors import FieldworkError
from services.casework.fieldwork.models import CampaignIn
from services.casework.fieldwork.report import as_csv, compile_report
from shared.privacy import contact_ref, mask_phone, scrub_numbers
from shared.registry.demo import demo_registry

REGISTRY = demo_registry()


def test_the_catalogue_has_28_items_in_7_categories() -> None:
    catalogue = checklist()

    assert len(catalogue.categories) == 7
    assert len(catalogue.codes()) == 28


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("+86 138 0000 1111", "+86 138****1111"),
        ("13800001111", "138****1111"),
        ("12345", "*****"),
    ],
)
def test_phones_are_masked_to_first_three_and_last_four(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


def test_a_contact_reference_is_stable_and_keyed() -> None:
    assert contact_ref("k", "+86 138 0000 1111") == contact_ref("k", "13800001111")
    assert contact_ref("k", "13800001111") != contact_ref("other", "13800001111")
    assert "1111" not in (contact_ref("k", "13800001111") or "")


def test_numbers_typed_into_text_are_masked_but_dates_are_not() -> None:
    text = "call 13800001111 or 0755-12345678, ID 44030119900101123X, 2026-12-03 10:00"

    assert (
        scrub_numbers(text)
        == "call 138****1111 or 075****5678, ID 440****1123, 2026-12-03 10:00"
    )


def test_campaign_grids_come_from_villages_and_codes() -> None:
    body = CampaignIn(
        title="t",
        instructions="i",
        grids=["G-02-01"],
        village_codes=["V-01"],
        deadline=datetime(2030, 1, 1, tzinfo=UTC),
    )
    codes = [grid.code for grid in target_grids(body, REGISTRY)]

    assert "G-02-01" in codes
    assert {grid.code for grid in REGISTRY.grids_of("V-01")} <= set(codes)
    with pytest.raises(FieldworkError):
        target_grids(body.model_copy(update={"grids": ["G-99-99"]}), REGISTRY)


def test_a_household_moving_between_states_moves_the_counters() -> None:
    changes: dict[str, int] = {}
    count_move(changes, "G-01-01", None, "confirmed")
    count_move(changes, "G-01-01", "blocked", "confirmed")
    count_move(changes, "G-01-01", "confirmed", "confirmed")

    assert changes == {"grids.G-01-01.confirmed": 2, "grids.G-01-01.blocked": -1}


def test_the_report_adds_grids_into_villages_and_the_sub_district() -> None:
    villages = {"G-01-01": "V-01", "G-01-02": "V-01", "G-02-01": "V-02"}
    visits: list[dict[str, Any]] = [
        {"grid_code": "G-01-01", "visit_type": "home_visit",
         "findings": [{"dispute": True, "resolved": True}]},
        {"grid_code": "G-02-01", "visit_type": "patrol", "findings": []},
    ]  # fmt: skip
    cases = [{"grid_code": "G-01-02", "category": "neighbour_dispute"}]
    campaign = {
        "grids": {
            "G-01-01": {"village_code": "V-01", "households": 10, "confirmed": 10},
            "G-02-01": {"village_code": "V-02", "households": 10, "confirmed": 5},
        }
    }
    rows = compile_report(villages, {"neighbour_dispute"}, visits, cases, [campaign])
    by = {(row["level"], row["code"]): row for row in rows}

    assert by[("sub_district", "all")]["visits"] == 2
    assert by[("sub_district", "all")]["campaign_coverage"] == 0.75
    assert by[("village", "V-01")]["disputes_resolved"] == 2
    assert by[("village", "V-01")]["problems_handled"] == 2
    assert by[("grid", "G-02-01")]["campaign_coverage"] == 0.5
    assert as_csv(rows).count("\n") == len(rows) + 1


def test_missing_households_are_counted_per_lagging_grid() -> None:
    doc = {
        "grids": {
            "A": {"households": 3, "confirmed": 3},
            "B": {"households": 4, "confirmed": 1},
        }
    }

    assert missing_of(doc) == {"B": 3}
