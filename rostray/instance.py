"""Single instance: the running tray app listens on a local socket; later invocations talk to it.

The socket is a Unix domain socket under the per-user runtime directory, which Qt's
QLocalServer creates when given a full path; the command line reaches it with the standard
library, so ``rostray launch`` never imports Qt. One JSON object per line each way.
"""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path
from typing import Any

SOCKET_NAME = "rostray.sock"
LOCK_NAME = "rostray.lock"
MAX_MESSAGE = 256 * 1024


def socket_path() -> Path:
    from rostray.config import runtime_dir

    return runtime_dir() / SOCKET_NAME


def lock_path() -> Path:
    from rostray.config import runtime_dir

    return runtime_dir() / LOCK_NAME


def encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, ensure_ascii=False).encode() + b"\n"


def decode(line: bytes) -> dict[str, Any]:
    """Parse one request; anything malformed is an error reply, never an exception upstream."""
    if len(line) > MAX_MESSAGE:
        raise ValueError("message too large")
    data = json.loads(line.decode("utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("command"), str):
        raise ValueError("expected a JSON object with a command")
    return data


def send_to_running(
    message: dict[str, Any], *, path: Path | None = None, timeout: float = 10.0
) -> dict[str, Any] | None:
    """Deliver ``message`` to the running app and return its reply; None if none runs."""
    if sys.platform == "win32":  # QLocalServer uses named pipes there; not wired up yet
        return None
    target = path or socket_path()
    if not target.exists():
        return None
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(str(target))
        except (ConnectionRefusedError, FileNotFoundError):
            return None  # a stale socket left by a crash
        sock.sendall(encode(message))
        reply = b""
        while not reply.endswith(b"\n") and len(reply) < MAX_MESSAGE:
            chunk = sock.recv(65536)
            if not chunk:
                break
            reply += chunk
    try:
        return json.loads(reply.decode("utf-8")) if reply.strip() else {"ok": True}
    except ValueError:
        return {"ok": False, "error": "the running rostray sent an unreadable reply"}
