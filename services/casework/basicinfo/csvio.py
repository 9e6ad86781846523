"""Records to and from CSV, one file per category, a column per field.

Empty cells mean "not given", tags are separated by ``;``. Reading checks every row
and answers all the problems at once, each with its line and column; a problem never
quotes the cell, since the cell may hold a person's number.
"""

import csv
import io
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from services.casework.basicinfo.models import MODELS, RecordBase, fields_of

MAX_ROWS = 5000
TAG_SEPARATOR = ";"


@dataclass(frozen=True)
class RowProblem:
    """Why one line of a file was refused."""

    line: int
    field: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        """The problem as an error body lists it."""
        return {"line": self.line, "field": self.field, "reason": self.reason}


def to_csv(kind: str, values: list[dict[str, Any]]) -> str:
    """Records of one kind as CSV text with a header line."""
    columns = fields_of(kind)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for value in values:
        writer.writerow({name: cell(value.get(name)) for name in columns})
    return out.getvalue()


def cell(value: Any) -> str:
    """One value as a CSV cell."""
    if value is None:
        return ""
    if isinstance(value, list):
        return TAG_SEPARATOR.join(str(item) for item in value)
    return str(value)


def from_csv(kind: str, text: str) -> tuple[list[RecordBase], list[RowProblem]]:
    """The records a CSV file holds, or the problems of its rows."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = fields_of(kind)
    header = [name.strip() for name in reader.fieldnames or []]
    unknown = [name for name in header if name not in columns]
    if not header or unknown:
        where = unknown[0] if unknown else "header"
        reason = f"unknown column; {kind} has {', '.join(columns)}"
        return [], [RowProblem(1, where, reason if unknown else "the file has no header")]

    records: list[RecordBase] = []
    problems: list[RowProblem] = []
    for line, row in enumerate(reader, start=2):
        if line - 1 > MAX_ROWS:
            problems.append(RowProblem(line, "file", f"at most {MAX_ROWS} rows per file"))
            break
        if None in row:
            problems.append(RowProblem(line, "row", "more cells than columns"))
            continue
        try:
            records.append(MODELS[kind].model_validate(parsed(kind, row)))
        except ValidationError as exc:
            problems.extend(
                RowProblem(line, ".".join(str(p) for p in err["loc"]) or "row", err["msg"])
                for err in exc.errors()
            )
    return records, problems


def parsed(kind: str, row: dict[str | Any, str | None]) -> dict[str, Any]:
    """A CSV row as the model takes it: blanks left out, tags split."""
    value: dict[str, Any] = {"kind": kind}
    for name, text in row.items():
        text = (text or "").strip()
        if not text:
            continue
        if name.strip() == "tags":
            value["tags"] = [
                tag.strip() for tag in text.split(TAG_SEPARATOR) if tag.strip()
            ]
        else:
            value[name.strip()] = text
    return value
