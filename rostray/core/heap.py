"""Keep the garbage collector's full passes out of bursts of callbacks.

A full (generation-2) collection walks every tracked object and holds the event loop while it
does. Two measures, both measured by the burst benchmark (docs/benchmarks.md, "Fixes applied"):

* ``freeze_startup_heap``: right after start-up most objects are the imported modules'
  functions, classes and tables (aiohttp, the SDK, PySide6), which live as long as the process.
  Frozen, a full pass no longer walks them (60-90 ms → 15-40 ms).
* ``FullCollectionPacer``: what a burst builds (a Launch, tracker tasks and, in sandbox mode,
  the sandbox's stacks for every stack in flight) still made the full passes that CPython
  starts on its own, by allocation counts, take 30-48 ms in the middle of the burst. The pacer
  turns those automatic passes off and runs one itself when the engine has been quiet for
  ``quiet`` seconds, or at the latest every ``longest`` seconds while it never is. When
  nothing happens no timer is armed. Quiet is 5 s, not 1: after a second of quiet the next
  thing is often the burst itself (launches, then their callbacks), and the pass that fired
  then was the burst benchmark's longest stall (50 ms, 0.13 s into the burst).
* The youngest generation is collected every ``YOUNG_THRESHOLD`` net allocations instead of
  CPython's 700: each callback allocates a few hundred objects that refcounting frees, and
  collecting every third callback was ~12 % of the receiver's CPU (paired runs, bench/fixes.md).
  The middle one is paced too (``MIDDLE_THRESHOLD`` is out of reach between two paced full
  passes, which collect it as well): at 4,000 × 2 its passes fell inside bursts every ~1-3 s
  and took 13-18 ms each (traced), and the burst benchmark's longest stall went from
  52/51/36/53 ms to 44/33/39 ms without them (bench/fixes.md, session 4). A middle pass
  only finds cycles that survived a young pass, and those wait at most ``longest`` seconds.
"""

from __future__ import annotations

import asyncio
import gc

from rostray.core.events import EventBus

# The generation-2 threshold while the pacer runs: the number of generation-1 passes before
# CPython starts a full one by itself; with the middle passes paced as well, never reached.
DEFERRED_THRESHOLD = 10_000
# Container allocations (minus deallocations) between two young collections, and young
# collections between two middle ones: 4,000,000 allocations, far more than a burst of
# 10,000 callbacks makes, so the paced full passes are the ones that walk the middle
# generation.
YOUNG_THRESHOLD = 4_000
MIDDLE_THRESHOLD = 1_000


def freeze_startup_heap() -> None:
    """Call once, when start-up is done. Objects made later are collected as usual; frozen
    ones are never freed, which is what module-level objects do anyway."""
    gc.freeze()


class FullCollectionPacer:
    """``touch()`` on every sign of activity; a full collection follows ``quiet`` seconds
    after the last one, or ``longest`` seconds after the first untouched one."""

    def __init__(self, *, quiet: float = 5.0, longest: float = 30.0) -> None:
        self.quiet = quiet
        self.longest = longest
        self.collections = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._saved: tuple[int, int, int] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._last = 0.0
        self._since = 0.0

    def start(self) -> None:
        """On the event loop; CPython's own full passes stop, young ones thin out, until
        ``stop``."""
        self._loop = asyncio.get_running_loop()
        self._saved = gc.get_threshold()
        gc.set_threshold(YOUNG_THRESHOLD, MIDDLE_THRESHOLD, DEFERRED_THRESHOLD)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None

    @property
    def pending(self) -> bool:
        """A paced collection is waiting for quiet."""
        return self._timer is not None

    def touch(self) -> None:
        if self._loop is None or self._saved is None:
            return
        self._last = self._loop.time()
        if self._timer is None:
            self._since = self._last
            self._timer = self._loop.call_at(self._last + self.quiet, self._check)

    def _check(self) -> None:
        assert self._loop is not None
        now = self._loop.time()
        if now - self._last < self.quiet and now - self._since < self.longest:
            self._timer = self._loop.call_at(
                min(self._last + self.quiet, self._since + self.longest), self._check
            )
            return
        self._timer = None
        gc.collect()
        self.collections += 1


def pace_full_collections(bus: EventBus) -> FullCollectionPacer:
    """Start a pacer that takes every engine event as activity; ``stop()`` it on shutdown."""
    pacer = FullCollectionPacer()
    pacer.start()
    bus.watch(lambda _event: pacer.touch())
    return pacer
