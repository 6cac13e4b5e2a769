"""The test harness itself: async tests run on a qasync loop and can await Qt signals."""

from __future__ import annotations

import asyncio

import qasync
from PySide6.QtCore import QObject, QTimer, Signal
from qt_helpers import wait_signal


class Pinger(QObject):
    ping = Signal(str)


async def test_async_tests_run_on_the_qt_loop() -> None:
    assert isinstance(asyncio.get_running_loop(), qasync.QEventLoop)
    pinger = Pinger()
    QTimer.singleShot(10, lambda: pinger.ping.emit("pong"))
    assert await wait_signal(pinger.ping) == ("pong",)
