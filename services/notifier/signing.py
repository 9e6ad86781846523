"""The webhook signature: HMAC-SHA256 over delivery id, timestamp and body.

Signing the delivery id and the timestamp with the body means neither can be
swapped without breaking the signature, so a receiver that rejects old
timestamps and ids it has seen cannot be fed a replay.
"""

import hashlib
import hmac

DELIVERY_HEADER = "X-Gridloop-Delivery"
TIMESTAMP_HEADER = "X-Gridloop-Timestamp"
SIGNATURE_HEADER = "X-Gridloop-Signature"
SCHEME = "v1"


def signature(secret: str, delivery_id: str, timestamp: int, body: bytes) -> str:
    """The signature header value for one attempt."""
    signed = f"{delivery_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"{SCHEME}={digest}"


def signed_headers(
    secret: str, delivery_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    """Every header a webhook attempt carries."""
    return {
        "Content-Type": "application/json",
        DELIVERY_HEADER: delivery_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, delivery_id, timestamp, body),
    }
