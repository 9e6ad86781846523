"""Logging setup: JSON lines off a terminal, report and case ids on every line."""

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

_report_id: ContextVar[str | None] = ContextVar("report_id", default=None)
_case_id: ContextVar[str | None] = ContextVar("case_id", default=None)

_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


@contextmanager
def bound(*, report_id: str | None = None, case_id: str | None = None) -> Iterator[None]:
    """Attach a report or case id to every log line written inside the block."""
    tokens = []
    if report_id is not None:
        tokens.append((_report_id, _report_id.set(report_id)))
    if case_id is not None:
        tokens.append((_case_id, _case_id.set(case_id)))
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


class _ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "report_id", None) is None:
            record.report_id = _report_id.get()
        if getattr(record, "case_id", None) is None:
            record.case_id = _case_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log shippers."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and value is not None:
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class ConsoleFormatter(logging.Formatter):
    """Readable lines for a person at a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        ids = " ".join(
            f"{key}={value}"
            for key in ("report_id", "case_id")
            if (value := getattr(record, key, None))
        )
        line = f"{self.formatTime(record, '%H:%M:%S')} {record.levelname:<7} {record.name}"
        line = f"{line}: {record.getMessage()}"
        if ids:
            line = f"{line} [{ids}]"
        if record.exc_info:
            line = f"{line}\n{self.formatException(record.exc_info)}"
        return line


def setup_logging(service: str, level: str = "INFO") -> None:
    """Configure the root logger once for a service process."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_ContextFilter())
    if sys.stderr.isatty():
        handler.setFormatter(ConsoleFormatter())
    else:
        handler.setFormatter(JsonFormatter(service))

    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    adopt_library_loggers()
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
    logging.getLogger("pymongo").setLevel(logging.WARNING)
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)


def adopt_library_loggers() -> None:
    """Route loggers that libraries fitted with their own handlers through ours.

    FastStream attaches a coloured stdout handler to its loggers when they are
    first used; run this again after the broker starts.
    """
    for name, candidate in list(logging.Logger.manager.loggerDict.items()):
        if name.startswith(("faststream", "uvicorn")) and isinstance(
            candidate, logging.Logger
        ):
            candidate.handlers[:] = []
            candidate.propagate = True
