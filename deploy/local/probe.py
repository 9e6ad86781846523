"""Readiness probes for the local servers, standard library only.

    probe.py mongo-ping HOST PORT      exit 0 when {ping: 1} answers ok: 1
    probe.py http-ok URL               exit 0 when GET URL answers 2xx

Used by up.sh and status.sh; works before the project's virtualenv exists.
"""

from __future__ import annotations

import socket
import struct
import sys
import urllib.error
import urllib.request

OP_MSG = 2013
TIMEOUT_S = 3.0


def _bson_ping() -> bytes:
    body = b"\x10ping\x00" + struct.pack("<i", 1)
    db = b"admin\x00"
    body += b"\x02$db\x00" + struct.pack("<i", len(db)) + db
    return struct.pack("<i", len(body) + 5) + body + b"\x00"


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    chunks = []
    while n:
        chunk = sock.recv(n)
        if not chunk:
            raise ConnectionError("connection closed mid-reply")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _reply_ok(doc: bytes) -> bool:
    # The reply is a small flat document; look for a top-level "ok" equal to 1
    # stored as a double, an int32 or an int64.
    for tag, fmt in ((b"\x01", "<d"), (b"\x10", "<i"), (b"\x12", "<q")):
        key = tag + b"ok\x00"
        at = doc.find(key)
        if at != -1:
            start = at + len(key)
            (value,) = struct.unpack_from(fmt, doc, start)
            return bool(value == 1)
    return False


def mongo_ping(host: str, port: int) -> bool:
    doc = _bson_ping()
    payload = struct.pack("<I", 0) + b"\x00" + doc
    header = struct.pack("<iiii", 16 + len(payload), 1, 0, OP_MSG)
    with socket.create_connection((host, port), timeout=TIMEOUT_S) as sock:
        sock.sendall(header + payload)
        (length, _req, _resp, opcode) = struct.unpack("<iiii", _recv_exact(sock, 16))
        body = _recv_exact(sock, length - 16)
    if opcode != OP_MSG or len(body) < 5 or body[4] != 0:
        return False
    return _reply_ok(body[5:])


def http_ok(url: str) -> bool:
    try:
        # Local servers only: ignore any *_proxy settings in the environment.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(url, timeout=TIMEOUT_S) as resp:
            status: int = resp.status
    except (urllib.error.URLError, OSError):
        return False
    return 200 <= status < 300


def main(argv: list[str]) -> int:
    try:
        if len(argv) == 4 and argv[1] == "mongo-ping":
            return 0 if mongo_ping(argv[2], int(argv[3])) else 1
        if len(argv) == 3 and argv[1] == "http-ok":
            return 0 if http_ok(argv[2]) else 1
    except (OSError, ValueError, struct.error):
        return 1
    print(__doc__, file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv))
