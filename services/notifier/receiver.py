"""Checking gridloop webhooks on the receiving side; departments may copy this module.

Each delivery is an HTTP POST of a JSON body with three headers:

- ``X-Gridloop-Delivery``: the delivery id, the same on every retry of the same
  notification, also after a notifier restart;
- ``X-Gridloop-Timestamp``: Unix seconds when this attempt was signed;
- ``X-Gridloop-Signature``: ``v1=`` and the hex HMAC-SHA256, keyed with the
  shared secret, of ``<delivery id>.<timestamp>.`` followed by the raw body.

Use it in a handler like this::

    seen = set()   # or any store with ``in`` and ``add``, kept for the replay window
    try:
        payload = verify_delivery(request.headers, raw_body, SECRET, time.time(), seen)
    except DeliveryRejected as refusal:
        return 200 if refusal.duplicate else 400   # a repeat was handled already
    handle(payload)   # on failure: seen.discard(id) and answer 5xx so it comes again
    return 200

Answer 2xx once the delivery is handled: anything else makes gridloop retry
with the same delivery id. Answer 2xx to a repeat as well, so it stops coming.
"""

import hmac
import json
from collections.abc import Mapping, MutableSet
from typing import Any

from services.notifier.signing import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature,
)

REPLAY_WINDOW_S = 300


class DeliveryRejected(Exception):
    """A delivery that must not be acted on; ``duplicate`` marks one already accepted."""

    def __init__(self, reason: str, *, duplicate: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.duplicate = duplicate


def verify_delivery(
    headers: Mapping[str, str],
    body: bytes,
    secret: str,
    now: float,
    seen_ids: MutableSet[str],
    *,
    window_s: float = REPLAY_WINDOW_S,
) -> dict[str, Any]:
    """The delivery's JSON payload, once it is signed, fresh and new; else DeliveryRejected.

    A delivery id that passes is added to ``seen_ids``.
    """
    lowered = {key.lower(): value for key, value in headers.items()}
    delivery_id = lowered.get(DELIVERY_HEADER.lower(), "")
    stamp = lowered.get(TIMESTAMP_HEADER.lower(), "")
    given = lowered.get(SIGNATURE_HEADER.lower(), "")
    if not delivery_id or not stamp or not given:
        raise DeliveryRejected("delivery, timestamp or signature header missing")

    try:
        timestamp = int(stamp)
    except ValueError as exc:
        raise DeliveryRejected("timestamp is not a whole number of seconds") from exc
    if not hmac.compare_digest(given, signature(secret, delivery_id, timestamp, body)):
        raise DeliveryRejected("signature does not match")
    if abs(now - timestamp) > window_s:
        raise DeliveryRejected("timestamp outside the replay window")
    if delivery_id in seen_ids:
        raise DeliveryRejected("delivery already received", duplicate=True)

    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise DeliveryRejected("body is not JSON") from exc
    if not isinstance(payload, dict):
        raise DeliveryRejected("body is not a JSON object")

    seen_ids.add(delivery_id)
    return payload
