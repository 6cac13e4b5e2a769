"""Qt tests: offscreen by default, coroutines on a qasync loop driven by pytest-asyncio.

Pass ``--onscreen`` (or set QT_QPA_PLATFORM yourself) to watch the widgets.
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
from collections.abc import Iterator

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


@pytest.fixture(autouse=True)
def qt_hygiene(qapp: QApplication) -> Iterator[None]:
    """Closing the last window would quit the app, which stops the qasync loop mid-test.

    Each test leaves a closed qasync loop and dead Qt objects in reference cycles; collect
    them here, on the GUI thread, before the test too (the root conftest collects after).
    """
    qapp.setQuitOnLastWindowClosed(False)
    gc.collect()
    yield


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[None]:
    """The app in Simplified Chinese for one test (English again afterwards)."""
    from rostray.gui import i18n

    assert i18n.install("zh_CN") == "zh_CN"
    yield
    i18n.install("en")
