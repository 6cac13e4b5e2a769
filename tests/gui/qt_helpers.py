"""Helpers for Qt tests (imported as ``qt_helpers``)."""

from __future__ import annotations

import asyncio


async def wait_signal(signal, timeout: float = 5.0) -> tuple:
    """Await a Qt signal from inside a coroutine (qtbot.waitSignal would nest a loop)."""
    future: asyncio.Future[tuple] = asyncio.get_running_loop().create_future()

    def handler(*args: object) -> None:
        if not future.done():
            future.set_result(args)

    signal.connect(handler)
    try:
        return await asyncio.wait_for(future, timeout)
    finally:
        signal.disconnect(handler)
