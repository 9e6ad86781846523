"""The visit checklist: 28 items in 7 categories, shipped as data so a district edits it."""

import json
from functools import cache
from pathlib import Path

from pydantic import BaseModel, Field

CATALOGUE_FILE = Path(__file__).with_name("checklist.json")


class ChecklistItem(BaseModel):
    """One thing a visitor checks."""

    code: str = Field(pattern=r"^[a-z_]+\.[a-z_]+$")
    name_en: str
    name_zh: str


class ChecklistCategory(BaseModel):
    """A group of checklist items."""

    code: str
    name_en: str
    name_zh: str
    items: list[ChecklistItem] = Field(min_length=1)


class Checklist(BaseModel):
    """The whole catalogue."""

    categories: list[ChecklistCategory] = Field(min_length=1)

    def codes(self) -> set[str]:
        """Every item code."""
        return {item.code for category in self.categories for item in category.items}


@cache
def checklist(path: Path = CATALOGUE_FILE) -> Checklist:
    """The catalogue, read once per process."""
    return Checklist.model_validate(json.loads(path.read_text(encoding="utf-8")))
