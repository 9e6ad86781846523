"""The seven categories of basic information a grid keeps, one model each.

Every record is flat (no nested objects) so it is one line of a CSV file. ``phone``
and ``id_number`` are a person's numbers: the only fields shown masked to readers
who do not need them, and never written to an event or a log line.
"""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from shared.basic_info import CODE_PATTERN, record_ref
from shared.contracts import GridCode

SENSITIVE = ("phone", "id_number")

Code = Annotated[str, StringConstraints(pattern=rf"^{CODE_PATTERN}$")]
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]
Tag = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9 -]{5,20}$")]
IdNumber = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, pattern=r"^(\d{17}[0-9Xx]|\d{15}|[A-Z]{1,2}\d{6,10})$"
    ),
]
VisitDays = Annotated[int, Field(ge=1, le=365)]


class RecordBase(BaseModel):
    """What every record has: where it is, what it is called, free tags and a note."""

    model_config = ConfigDict(extra="forbid")

    kind: str
    grid_code: GridCode
    code: Code
    name: Name
    address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] = ""
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    note: Text = ""

    @model_validator(mode="after")
    def _both_coordinates(self) -> "RecordBase":
        """A point needs both coordinates or neither."""
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give lat and lon together, or neither")
        return self

    @property
    def ref(self) -> str:
        """How cases and visits name this record."""
        return record_ref(self.grid_code, self.kind, self.code)


class Person(RecordBase):
    """A record about one person, who may be called and identified."""

    phone: Phone | None = None
    id_number: IdNumber | None = None


class Resident(Person):
    """One person living or registered in the grid."""

    kind: Literal["population"] = "population"
    gender: Literal["female", "male", "other"] | None = None
    birth_year: int | None = Field(default=None, ge=1900, le=2100)
    residence: Literal["registered", "floating", "overseas"] = "registered"
    household: Code | None = Field(default=None, description="The household's code.")


class Household(RecordBase):
    """A household and the dwelling it lives in."""

    kind: Literal["households"] = "households"
    housing: Literal["owned", "rented", "public", "dormitory", "other"] = "owned"
    members: int = Field(default=1, ge=0, le=50)
    head_name: Name | None = None
    phone: Phone | None = None


class Place(RecordBase):
    """A shop, school, clinic or other place people come to."""

    kind: Literal["places"] = "places"
    place_type: Literal[
        "shop", "restaurant", "school", "kindergarten", "hospital", "clinic",
        "market", "hotel", "workshop", "other",
    ]  # fmt: skip
    licence_no: Annotated[str, StringConstraints(max_length=40)] | None = None
    contact_name: Name | None = None
    phone: Phone | None = None


class Organisation(RecordBase):
    """A company, committee, association or team based in the grid."""

    kind: Literal["organisations"] = "organisations"
    org_type: Literal[
        "company", "social_organisation", "party_branch", "residents_committee",
        "owners_committee", "volunteer_team", "other",
    ]  # fmt: skip
    credit_code: (
        Annotated[str, StringConstraints(pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$")] | None
    ) = None
    contact_name: Name | None = None
    phone: Phone | None = None


class Facility(RecordBase):
    """A hydrant, manhole, camera or other fixed installation."""

    kind: Literal["facilities"] = "facilities"
    facility_type: Literal[
        "hydrant", "manhole", "camera", "streetlight", "bin_station", "charging_point",
        "other",
    ]  # fmt: skip
    condition: Literal["working", "damaged", "missing"] = "working"
    owner_department: (
        Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")] | None
    ) = None


class KeyPerson(Person):
    """A person the grid keeps in regular contact with, and why."""

    kind: Literal["key_persons"] = "key_persons"
    reason: Literal[
        "community_correction", "mental_health", "drug_rehabilitation", "petitioner",
        "released_prisoner", "other",
    ]  # fmt: skip
    visit_every_days: VisitDays = 30


class ServiceRecipient(Person):
    """A person the grid looks after: an elderly person alone, a disabled person..."""

    kind: Literal["service_recipients"] = "service_recipients"
    need: Literal[
        "elderly_alone", "disabled", "low_income", "left_behind_child", "veteran",
        "other",
    ]  # fmt: skip
    visit_every_days: VisitDays = 30


MODELS: dict[str, type[RecordBase]] = {
    "population": Resident,
    "households": Household,
    "places": Place,
    "organisations": Organisation,
    "facilities": Facility,
    "key_persons": KeyPerson,
    "service_recipients": ServiceRecipient,
}


def fields_of(kind: str) -> list[str]:
    """A kind's fields in CSV column order: the common ones first."""
    fields = list(MODELS[kind].model_fields)
    return [name for name in fields if name != "kind"]


class RecordOut(BaseModel):
    """A record as a caller sees it, numbers masked unless they need them."""

    ref: str
    kind: str
    revision: int
    deleted: bool
    value: dict[str, object]
    updated_at: datetime
    updated_by: str
    masked: bool


class RecordList(BaseModel):
    """A page of records."""

    items: list[RecordOut]
    limit: int
    offset: int
