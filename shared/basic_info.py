"""Basic information per grid: its seven categories and how others name one record.

A record is named ``<grid>/<category>/<code>``, so any service can tell from the
reference alone which grid the record belongs to; only casework, which keeps the
records, can tell whether it exists.
"""

import re
from typing import Annotated, Literal, get_args

from pydantic import StringConstraints

Kind = Literal[
    "population",
    "households",
    "places",
    "organisations",
    "facilities",
    "key_persons",
    "service_recipients",
]
KINDS: tuple[str, ...] = get_args(Kind)

CODE_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}"
REF_PATTERN = rf"^(G-\d{{2}}-\d{{2}})/({'|'.join(KINDS)})/({CODE_PATTERN})$"
_REF = re.compile(REF_PATTERN)

RecordRef = Annotated[str, StringConstraints(pattern=REF_PATTERN)]
"""A reference to one basic information record, e.g. ``G-01-02/facilities/hydrant-7``."""


def record_ref(grid_code: str, kind: str, code: str) -> str:
    """The reference of a record."""
    return f"{grid_code}/{kind}/{code}"


def split_ref(ref: str) -> tuple[str, str, str]:
    """Grid code, kind and code of a reference; ValueError for anything else."""
    match = _REF.match(ref)
    if match is None:
        raise ValueError(f"not a record reference: {ref[:80]!r}")
    grid, kind, code = match.groups()
    return grid, kind, code
