"""The lock that test sessions, benchmarks and fault runs take to use the shared servers.

Test sessions take it in the ``servers_lock`` fixture; a run started on its own takes
it here. A process must take it once: a second ``flock`` on a new descriptor of the
same file in the same process would wait for itself.
"""

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def servers_lock_path() -> Path:
    """The lock file every checkout on this machine agrees on."""
    return Path(os.environ.get("TMPDIR", "/tmp")) / "gridloop-servers.lock"


@contextmanager
def servers_lock(announce: bool = True) -> Iterator[None]:
    """Hold the servers lock for the block, saying so when it has to wait."""
    with servers_lock_path().open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if announce:
                print(
                    "waiting for the servers lock (a test session is running)", flush=True
                )
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
