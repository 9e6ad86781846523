"""Refusals of field work, each with its HTTP status and the field it names."""

from services.casework.errors import CaseworkError


class FieldworkError(CaseworkError):
    """Something field work refuses to do."""

    status = 422
    code = "invalid_field"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message, field=field)


class NotFound(FieldworkError):
    """No such visit, campaign or record."""

    status = 404
    code = "not_found"


class Forbidden(FieldworkError):
    """The credential does not cover this grid or action."""

    status = 403
    code = "forbidden"


class Conflict(FieldworkError):
    """The thing is in a state that does not allow this."""

    status = 409
    code = "conflict"


class IntakeUnavailable(FieldworkError):
    """Intake did not take a report raised from the field."""

    status = 502
    code = "intake_unavailable"
