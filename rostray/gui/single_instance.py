"""Single instance for the tray app: a lock file plus a local server for hand-overs.

A second ``rostray`` asks the first to show itself; ``rostray launch … [--yes]`` hands a
launch over, so the running app's receiver gets the callback and it notifies.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLockFile, QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from rostray.instance import MAX_MESSAGE, decode, encode

log = logging.getLogger(__name__)
Handler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


class InstanceLock:
    """Held for the app's lifetime; a lock left by ``kill -9`` is detected and taken over."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = QLockFile(str(path))
        self._lock.setStaleLockTime(0)

    def acquire(self) -> bool:
        return self._lock.tryLock(100)

    def release(self) -> None:
        self._lock.unlock()


class InstanceServer(QObject):
    """Answers one JSON request per connection with the handler's JSON reply."""

    def __init__(self, path: Path, handler: Handler, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._path = path
        self._handler = handler
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytes] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def listen(self) -> bool:
        # We hold the lock, so a leftover socket file is stale: remove it and listen again.
        QLocalServer.removeServer(str(self._path))
        if not self._server.listen(str(self._path)):
            log.warning("single-instance server: %s", self._server.errorString())
            return False
        return True

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while (sock := self._server.nextPendingConnection()) is not None:
            self._buffers[sock] = b""
            sock.readyRead.connect(lambda s=sock: self._read(s))
            sock.disconnected.connect(lambda s=sock: self._forget(s))

    def _forget(self, sock: QLocalSocket) -> None:
        self._buffers.pop(sock, None)
        sock.deleteLater()

    def _read(self, sock: QLocalSocket) -> None:
        data = self._buffers.get(sock, b"") + bytes(sock.readAll().data())
        if len(data) > MAX_MESSAGE:
            self._reply(sock, {"ok": False, "error": "message too large"})
            return
        if b"\n" not in data:
            self._buffers[sock] = data
            return
        line = data.split(b"\n", 1)[0]
        self._buffers[sock] = b""
        try:
            request = decode(line)
        except ValueError as exc:
            self._reply(sock, {"ok": False, "error": f"bad request: {exc}"})
            return
        task = asyncio.ensure_future(self._serve(sock, request))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serve(self, sock: QLocalSocket, request: dict[str, Any]) -> None:
        try:
            reply = await self._handler(request)
        except Exception as exc:  # a hand-over must never crash the app
            log.exception("hand-over request failed")
            reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        self._reply(sock, reply)

    def _reply(self, sock: QLocalSocket, reply: dict[str, Any]) -> None:
        if sock.state() == QLocalSocket.LocalSocketState.ConnectedState:
            sock.write(encode(reply))
            sock.flush()
            sock.disconnectFromServer()
