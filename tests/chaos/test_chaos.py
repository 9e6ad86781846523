"""The short chaos run inside the test suite: faults under load, nothing lost or doubled.

It runs the services of its own (``bench.chaos``) on the standard ports, so the
session's stack steps aside while it runs: its services are stopped, and before they
start again their consumer groups are moved past what the chaos run left on the shared
topics (that traffic is not theirs, and would keep them busy for a minute).

The broker is killed and restarted here as well as in ``make chaos``: the session holds
the servers lock, so no other session uses it meanwhile; it comes back with the same
command line and data in under half a minute; and the rest of the suite runs after
it, which is itself the proof that it came back healthy. FerretDB is only frozen here
(SIGSTOP for ten seconds); ``make chaos`` stops it for thirty.
"""

from pathlib import Path

import pytest

from bench.chaos.run import SHORT, ChaosRun
from ops.backlog import skip_to_end
from shared.launcher import SERVICES, Stack
from tests.conftest import GROUP_PREFIX, KAFKA

pytestmark = pytest.mark.servers


async def test_short_chaos_run_loses_and_doubles_nothing(
    stack: Stack, artifacts: Path
) -> None:
    for name in list(stack.processes):
        stack.stop(name)
    try:
        verdict = await ChaosRun(SHORT, artifacts / "chaos-logs").run()
    finally:
        await skip_to_end(KAFKA, GROUP_PREFIX)
        for name in SERVICES:
            stack.start(name)

    (artifacts / "chaos-short.txt").write_text(verdict.account + "\n")
    assert not verdict.failures, verdict.account
