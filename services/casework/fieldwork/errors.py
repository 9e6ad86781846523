"""Refusals of field work, each with its HTTP status and the field it names."""


class FieldworkError(Exception):
    """Something field work refuses to do."""

    status = 422
    code = "invalid_field"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    @property
    def extra(self) -> dict[str, object]:
        """More detail for the error body, where a refusal has it."""
        return {}


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
