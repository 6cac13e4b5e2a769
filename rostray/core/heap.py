"""Keep the objects of start-up out of the garbage collector's full passes.

A full (generation-2) collection walks every tracked object, and right after start-up most of
them are the imported modules' functions, classes and tables (aiohttp, the SDK, PySide6),
which live as long as the process. During a burst of callbacks such a pass held the event loop
for 60-90 ms, the longest stall the burst benchmark saw; with those objects frozen the same
pass walks only what was built since (15-20 ms). See docs/benchmarks.md, "Fixes applied".
"""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    """Call once, when start-up is done. Objects made later are collected as usual; frozen
    ones are never freed, which is what module-level objects do anyway."""
    gc.freeze()
