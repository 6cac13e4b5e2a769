"""Helpers for Qt tests (imported as ``qt_helpers``); the generic ones live in ``shared``."""

from __future__ import annotations

from shared import wait_signal

__all__ = ["wait_signal"]
