"""Qt tests: offscreen by default, coroutines on a qasync loop driven by pytest-asyncio.

Pass ``--onscreen`` (or set QT_QPA_PLATFORM yourself) to watch the widgets.
"""

from __future__ import annotations

import asyncio
import os
import sys

import pytest

if "--onscreen" not in sys.argv:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

from PySide6.QtWidgets import QApplication  # noqa: E402  (platform must be chosen first)

import qasync  # noqa: E402


def qasync_loop() -> asyncio.AbstractEventLoop:
    app = QApplication.instance() or QApplication([])
    return qasync.QEventLoop(app)


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict:
    """Every async test here runs on a qasync loop: Qt signals and asyncio share one loop."""
    return {"qasync": qasync_loop}


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
