"""`make chaos`: the long chaos run (``--short`` for the form `make test` runs).

Holds the servers lock, starts (or reuses) the servers with deploy/local/up.sh, and
exits non-zero when anything answered was lost or doubled, anything was left
undelivered, or a poison message was not parked.
"""

import argparse
import asyncio
import logging
import os
import subprocess
import sys

from bench.chaos.run import LONG, SHORT, ChaosRun
from bench.lock import servers_lock
from shared.launcher import ROOT


async def _run(short: bool) -> int:
    run = ChaosRun(SHORT if short else LONG, ROOT / ".local" / "chaos-logs")
    verdict = await run.run()
    return 1 if verdict.failures else 0


def main() -> int:
    """Parse, lock, bring the servers up, run."""
    parser = argparse.ArgumentParser(prog="python -m bench.chaos", description=__doc__)
    parser.add_argument("--short", action="store_true", help="the plan `make test` runs")
    opts = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # While the broker is down every client logs each failed attempt; the run's own
    # narration says when it was down.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    with servers_lock():
        env = {**os.environ, "GRIDLOOP_REUSE_SERVERS": "1"}
        subprocess.run(["bash", str(ROOT / "deploy/local/up.sh")], env=env, check=True)
        return asyncio.run(_run(opts.short))


if __name__ == "__main__":
    sys.exit(main())
