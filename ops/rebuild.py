"""Rebuilding a read model by reading its topics again from the start.

Every read model gridloop keeps beside a topic (intake's view of each report's
case, the router's index of open cases, the notifier's delivery log) is built by
idempotent handlers, so moving the consumer group back to the earliest offsets
rebuilds it. Kafka refuses to move a group that has members: stop the service
(or the instances in that group) first.
"""

from ops.backlog import committed_offsets, move_group


async def rewind(bootstrap: str, group: str) -> dict[str, int]:
    """Move ``group`` to the earliest offsets; answer messages to re-read per topic."""
    committed = await committed_offsets(bootstrap, group)
    if not committed:
        return {}

    starts = await move_group(bootstrap, group, list(committed), to_end=False)
    again: dict[str, int] = {}
    for tp, offset in committed.items():
        again[tp.topic] = again.get(tp.topic, 0) + max(offset - starts[tp], 0)
    return again
