"""The pacer moves full garbage collections to quiet moments, and only those.

Garbage that only a full pass can free: a reference cycle that was promoted to the oldest
generation while alive and then dropped. Young-generation passes leave it alone."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator

import pytest

from rostray.core.events import EngineWarning, EventBus
from rostray.core.heap import (
    DEFERRED_THRESHOLD,
    MIDDLE_THRESHOLD,
    YOUNG_THRESHOLD,
    FullCollectionPacer,
    pace_full_collections,
)


class Node:
    def __init__(self) -> None:
        self.me = self


@pytest.fixture(autouse=True)
def thresholds() -> Iterator[None]:
    saved = gc.get_threshold()
    yield
    gc.set_threshold(*saved)


def old_garbage() -> weakref.ref[Node]:
    """A dropped cycle that sits in generation 2: only a full pass frees it."""
    node = Node()
    gc.collect()  # promotes the (still referenced) cycle to the oldest generation
    ref = weakref.ref(node)
    del node
    gc.collect(1)  # young passes run as usual and must not free it
    assert ref() is not None
    return ref


async def busy(pacer: FullCollectionPacer, seconds: float, step: float = 0.01) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while loop.time() < end:
        pacer.touch()
        [object() for _ in range(2000)]  # allocations: CPython's counters keep running
        await asyncio.sleep(step)


async def test_collects_once_quiet_and_not_while_busy() -> None:
    pacer = FullCollectionPacer(quiet=0.2, longest=10)
    pacer.start()
    try:
        assert gc.get_threshold() == (YOUNG_THRESHOLD, MIDDLE_THRESHOLD, DEFERRED_THRESHOLD)
        ref = old_garbage()
        await busy(pacer, 0.6)
        assert ref() is not None and pacer.collections == 0  # never quiet for 0.2 s
        assert pacer.pending
        await asyncio.sleep(0.4)
        assert ref() is None and pacer.collections == 1
        assert not pacer.pending  # idle: no timer armed, no wake-ups
    finally:
        pacer.stop()


async def test_a_never_quiet_engine_is_still_collected_within_longest() -> None:
    pacer = FullCollectionPacer(quiet=0.2, longest=0.5)
    pacer.start()
    try:
        ref = old_garbage()
        await busy(pacer, 1.0)
        assert ref() is None and pacer.collections >= 1
    finally:
        pacer.stop()


async def test_stop_restores_thresholds_and_cancels_the_timer() -> None:
    before = gc.get_threshold()
    pacer = FullCollectionPacer(quiet=0.05)
    pacer.start()
    pacer.touch()
    assert pacer.pending
    pacer.stop()
    assert gc.get_threshold() == before and not pacer.pending
    await asyncio.sleep(0.1)
    assert pacer.collections == 0
    pacer.touch()  # after stop: ignored
    assert not pacer.pending


async def test_every_engine_event_counts_as_activity() -> None:
    bus = EventBus()
    pacer = pace_full_collections(bus)
    try:
        assert not pacer.pending
        bus.publish(EngineWarning("x"))
        assert pacer.pending
    finally:
        pacer.stop()
