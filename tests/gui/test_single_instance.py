"""Single instance: the lock, and hand-overs from the Qt-free client to the Qt server."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

from rostray.gui.single_instance import InstanceLock, InstanceServer
from rostray.instance import send_to_running


async def test_handover_round_trip(tmp_path: Path) -> None:
    seen: list[dict] = []

    async def handler(request: dict) -> dict:
        seen.append(request)
        await asyncio.sleep(0.01)  # the reply may take a loop turn (a launch does)
        return {"ok": True, "stack_id": "abc"}

    path = tmp_path / "rostray.sock"
    server = InstanceServer(path, handler)
    assert server.listen()
    try:
        reply = await asyncio.to_thread(
            send_to_running,
            {"command": "launch", "name": "x", "parameters": {"a": "中文"}},
            path=path,
        )
    finally:
        server.close()
    assert reply == {"ok": True, "stack_id": "abc"}
    assert seen == [{"command": "launch", "name": "x", "parameters": {"a": "中文"}}]


async def test_garbage_gets_an_error_reply_and_the_server_survives(tmp_path: Path) -> None:
    async def handler(request: dict) -> dict:
        raise RuntimeError("boom")

    path = tmp_path / "rostray.sock"
    server = InstanceServer(path, handler)
    assert server.listen()

    def raw(data: bytes) -> bytes:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(5)
            sock.connect(str(path))
            sock.sendall(data)
            return sock.recv(65536)

    try:
        assert b"bad request" in await asyncio.to_thread(raw, b"not json\n")
        assert b"bad request" in await asyncio.to_thread(raw, b"[1, 2]\n")
        reply = await asyncio.to_thread(send_to_running, {"command": "show"}, path=path)
        assert reply == {"ok": False, "error": "RuntimeError: boom"}
    finally:
        server.close()


def test_nobody_listening_means_none(tmp_path: Path) -> None:
    assert send_to_running({"command": "show"}, path=tmp_path / "missing.sock") is None
    stale = tmp_path / "stale.sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(stale))  # a socket file left by a crash, nobody accepting
    assert send_to_running({"command": "show"}, path=stale) is None


def test_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    first, second = InstanceLock(tmp_path / "l.lock"), InstanceLock(tmp_path / "l.lock")
    assert first.acquire()
    assert not second.acquire()
    first.release()
    assert second.acquire()
    second.release()
