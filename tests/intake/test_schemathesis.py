"""Property-based calls generated from intake's OpenAPI document, against the stack.

Each operation is driven with hypothesis directly: schemathesis 4.32's own pytest
plugin does not load under pytest 9.
"""

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import response_schema_conformance

from shared.launcher import Stack
from tests.intake.helpers import INTAKE, OPERATOR

pytestmark = pytest.mark.servers

EXAMPLES = 6
CHECKS = [schemathesis.checks.not_a_server_error, response_schema_conformance]


def test_no_server_error_and_no_answer_off_the_schema(stack: Stack) -> None:
    schema = schemathesis.openapi.from_url(f"{INTAKE}/openapi.json")
    operations = [
        result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)
    ]
    assert len(operations) >= 10

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck)
        )
        def exercise(case: Any) -> None:
            case.call_and_validate(headers=dict(OPERATOR), checks=CHECKS)

        exercise()
