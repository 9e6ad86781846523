"""Why casework did not carry out a command, one class per answer a caller gets."""

from shared.mongo import Document


class CaseworkError(Exception):
    """Base of every refusal, caught broadly only at the HTTP layer and the consumer."""

    status = 400
    code = "refused"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    @property
    def extra(self) -> dict[str, object]:
        """More detail for the error body, where a refusal has it."""
        return {}


class UnknownCase(CaseworkError):
    """No such case, or none the caller may see: the two look the same from outside."""

    status = 404
    code = "unknown_case"


class UnknownAction(CaseworkError):
    """The action is not one a caller may send."""

    status = 404
    code = "unknown_action"


class NotPermitted(CaseworkError):
    """The caller sees the case but their role may not take this action on it."""

    status = 403
    code = "not_permitted"


class BadCommand(CaseworkError):
    """The command's fields are missing or malformed."""

    status = 422
    code = "invalid_field"


class CommandIdReused(CaseworkError):
    """The command id already named a different action on this case."""

    status = 409
    code = "command_id_reused"


class StaleVersion(CaseworkError):
    """The caller decided on an older version; the current case comes with the answer."""

    status = 409
    code = "stale_version"

    def __init__(self, message: str, current: Document) -> None:
        super().__init__(message, field="expected_version")
        self.current = current


class ActionRefused(CaseworkError):
    """The table does not allow the action in the case's status."""

    status = 409
    code = "action_not_allowed"

    def __init__(self, message: str, allowed: list[str], version: int) -> None:
        super().__init__(message)
        self.allowed = allowed
        self.version = version
