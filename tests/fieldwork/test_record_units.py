"""The pure parts of basic information: categories, CSV, masks, scopes and references."""

from typing import Any

import pytest

from services.casework.basicinfo.access import check_read, check_write, sees_numbers
from services.casework.basicinfo.csvio import from_csv, to_csv
from services.casework.basicinfo.models import MODELS, fields_of
from services.casework.basicinfo.store import changes_between, masked
from services.casework.fieldwork.errors import Forbidden
from services.intake.places import check_record_grid
from shared.auth import Principal, Role
from shared.basic_info import KINDS, record_ref, split_ref
from shared.errors import ApiError
from shared.privacy import mask_identity

ID_NUMBER = "44030119900303001X"
PHONE = "13912345678"


def test_there_are_seven_categories_each_with_a_model() -> None:
    assert len(KINDS) == 7
    assert set(MODELS) == set(KINDS)
    assert all(MODELS[kind].model_fields["kind"].default == kind for kind in KINDS)
    assert fields_of("facilities")[:3] == ["grid_code", "code", "name"]


def test_a_reference_names_grid_category_and_code() -> None:
    ref = record_ref("G-01-02", "facilities", "hydrant-7")

    assert split_ref(ref) == ("G-01-02", "facilities", "hydrant-7")
    for bad in ("G-01-02/cars/x", "G-1-2/facilities/x", "G-01-02/facilities/", "x"):
        with pytest.raises(ValueError, match="not a record reference"):
            split_ref(bad)


def test_a_csv_file_round_trips_with_tags_and_blanks() -> None:
    text = (
        "grid_code,code,name,place_type,tags,phone\n"
        "G-01-02,shop-1,Grocery,shop,late_opening;cash_only,13800001111\n"
        "G-01-02,school-1,School,school,,\n"
    )
    records, problems = from_csv("places", text)

    assert problems == []
    assert [r.ref for r in records] == ["G-01-02/places/shop-1", "G-01-02/places/school-1"]
    assert records[0].model_dump()["tags"] == ["late_opening", "cash_only"]
    assert records[1].model_dump()["phone"] is None

    again = to_csv("places", [r.model_dump(mode="json") for r in records])
    assert again.splitlines()[0] == ",".join(fields_of("places"))
    assert from_csv("places", again) == (records, [])


def test_bad_rows_are_named_by_line_and_column_without_their_cells() -> None:
    text = (
        "grid_code,code,name,need,id_number,phone\n"
        f"G-01-02,s-1,Huang,elderly_alone,{ID_NUMBER},{PHONE}\n"
        "G-01-02,s-2,Wu,nothing,12345,139-bad\n"
        "G-01-02,s 3,Li,disabled,,\n"
    )
    records, problems = from_csv("service_recipients", text)
    where = {(p.line, p.field) for p in problems}

    assert len(records) == 1
    assert where == {(3, "need"), (3, "id_number"), (3, "phone"), (4, "code")}
    assert "12345" not in repr(problems)
    assert "139-bad" not in repr(problems)


def test_an_unknown_column_refuses_the_file() -> None:
    records, problems = from_csv("facilities", "grid_code,code,name,colour\n")

    assert records == []
    assert (problems[0].line, problems[0].field) == (1, "colour")


def test_person_numbers_are_masked_in_shown_values_and_history() -> None:
    value = {"name": "Liu", "phone": PHONE, "id_number": ID_NUMBER}

    assert masked(value) == {
        "name": "Liu",
        "phone": "139****5678",
        "id_number": "440****001X",
    }
    diff = changes_between(value, {**value, "phone": "13800001111", "name": "Liu Q"})
    assert diff == {
        "name": {"from": "Liu", "to": "Liu Q"},
        "phone": {"from": "139****5678", "to": "138****1111"},
    }
    assert mask_identity("1234567") == "*******"


def test_staff_of_a_grid_keep_its_records_and_see_its_numbers() -> None:
    head = Principal(role=Role.GRID_STAFF, sub="head", grids=["G-01-02"])
    desk = Principal(role=Role.DEPARTMENT, sub="desk", department="housing")
    operator = Principal(role=Role.OPERATOR, sub="op")
    resident = Principal(role=Role.RESIDENT, sub="someone")

    check_write(head, "G-01-02")
    check_write(operator, "G-09-09")
    check_read(desk, "G-01-02")
    refusals: list[tuple[Any, Principal, str | None]] = [
        (check_write, head, "G-01-03"),
        (check_write, desk, "G-01-02"),
        (check_read, head, "G-01-03"),
        (check_read, head, None),
        (check_read, resident, "G-01-02"),
    ]
    for check, caller, grid in refusals:
        with pytest.raises(Forbidden):
            check(caller, grid)
    assert sees_numbers(head, "G-01-02")
    assert not sees_numbers(desk, "G-01-02")
    assert sees_numbers(operator, "G-01-02")


def test_intake_takes_a_record_of_the_reports_own_grid_only() -> None:
    check_record_grid(None, None)
    check_record_grid("G-01-02/facilities/h-1", "G-01-02")
    with pytest.raises(ApiError) as refused:
        check_record_grid("G-01-02/facilities/h-1", "G-01-03")
    assert refused.value.field == "record_ref"
