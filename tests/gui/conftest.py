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

import qasync
from PySide6.QtWidgets import QApplication


def qasync_loop() -> asyncio.AbstractEventLoop:
    app = QApplication.instance() or QApplication([])
    return qasync.QEventLoop(app)


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict:
    """Every async test here runs on a qasync loop: Qt signals and asyncio share one loop."""
    return {"qasync": qasync_loop}


from qt_helpers import wait_signal  # noqa: E402,F401  (kept for old imports)
