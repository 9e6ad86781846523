"""Test-only: send a child process's Kafka connections through a proxy the test controls.

Kafka clients connect to the address the broker advertises, not to the bootstrap
address, so a proxy given as bootstrap alone would be bypassed after the first
metadata answer. ``GRIDLOOP_TEST_KAFKA_REDIRECT=host:port=host:port`` makes every
connection to the first address go to the second instead.
"""

import asyncio
import os
from typing import Any

_rule = os.environ.get("GRIDLOOP_TEST_KAFKA_REDIRECT", "")
if _rule:
    _source, _, _target = _rule.partition("=")
    _from_host, _, _from_port = _source.rpartition(":")
    _to_host, _, _to_port = _target.rpartition(":")
    _original = asyncio.BaseEventLoop.create_connection

    async def _create_connection(
        self: asyncio.BaseEventLoop,
        factory: Any,
        host: Any = None,
        port: Any = None,
        **kw: Any,
    ) -> Any:
        if host in {_from_host, "localhost"} and str(port) == _from_port:
            host, port = _to_host, int(_to_port)
        return await _original(self, factory, host, port, **kw)

    asyncio.BaseEventLoop.create_connection = _create_connection  # type: ignore[method-assign, assignment]
