"""Helpers for Qt tests (imported as ``qt_helpers``); the generic ones live in ``shared``."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication
from shared import wait_signal

__all__ = ["fit_form", "wait_signal"]


def fit_form(form, width: int = 720) -> None:
    """Show the launch form and grow it until nothing scrolls (for whole-form screenshots)."""
    form.show()
    form.resize(width, 800)
    for _ in range(5):  # the width changes with the scroll bar, so grow step by step
        QApplication.processEvents()
        hidden = form.scroll.verticalScrollBar().maximum()
        if hidden == 0:
            break
        form.resize(width, form.height() + hidden)
