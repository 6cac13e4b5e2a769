"""Engine events → Qt signals, plus the small in-memory picture the tray draws from.

The engine is Qt-free and publishes on an asyncio ``EventBus``. One task here consumes a
``Subscription`` on the qasync loop and re-emits each event as a typed Qt signal, so widgets
connect to signals and never touch asyncio. The model (stacks in flight, recent results,
last tunnel state) lives here so the tray, its tooltip and its menu agree.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

from rostray.core.events import (
    CallbackReceived,
    EngineWarning,
    StackFinished,
    StackLaunched,
    StackStatusChanged,
)

log = logging.getLogger(__name__)

RECENT_LIMIT = 20
TUNNEL_FIELDS = ("phase", "url", "rtt_ms", "reason", "preset", "restarts", "at")


class EventSource(Protocol):
    """An ``Engine`` or an ``EventBus``: anything whose ``subscribe()`` gives a Subscription."""

    def subscribe(self) -> Any: ...


@dataclass(frozen=True)
class InFlight:
    stack_id: str
    stack_name: str
    started_at: float
    status: str
    sandbox: bool = False


def is_tunnel_state(obj: object) -> bool:
    """Duck-typed: the tunnel helper's ``TunnelState`` or anything shaped like it."""
    return all(hasattr(obj, name) for name in TUNNEL_FIELDS)


class EngineBridge(QObject):
    """Re-emits engine events as Qt signals and keeps the tray's model up to date."""

    stackLaunched = Signal(object)  # StackLaunched
    stackStatusChanged = Signal(object)  # StackStatusChanged
    stackFinished = Signal(object)  # StackFinished
    callbackReceived = Signal(object)  # CallbackReceived
    warning = Signal(object)  # EngineWarning
    tunnelState = Signal(object)  # TunnelState (duck-typed)
    # Every event, after its typed signal. Named as the brief asks; it shadows the Python
    # name of QObject.event(), which Qt's own (C++) event dispatch does not use.
    event = Signal(object)
    modelChanged = Signal()  # in_flight / recent / tunnel changed
    stopped = Signal()  # the subscription ended (bus closed) or stop() was called

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._in_flight: dict[str, InFlight] = {}
        self._recent: deque[StackFinished] = deque(maxlen=RECENT_LIMIT)
        self._tunnel: object | None = None
        self._subscription: Any = None
        self._task: asyncio.Task[None] | None = None

    # -- model -----------------------------------------------------------------------------

    @property
    def in_flight(self) -> list[InFlight]:
        """Stacks with an operation under way, oldest first."""
        return sorted(self._in_flight.values(), key=lambda s: s.started_at)

    @property
    def recent(self) -> list[StackFinished]:
        """The last results, newest first (at most 20)."""
        return list(reversed(self._recent))

    @property
    def last_result(self) -> StackFinished | None:
        return self._recent[-1] if self._recent else None

    @property
    def tunnel(self) -> object | None:
        return self._tunnel

    def track(self, stack_id: str, stack_name: str, started_at: float, status: str) -> None:
        """Seed a stack that was in flight before this bridge started (e.g. from history)."""
        self._in_flight[stack_id] = InFlight(stack_id, stack_name, started_at, status)
        self.modelChanged.emit()

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self, source: EventSource) -> None:
        """Subscribe now (so nothing published after this call is missed) and consume."""
        if self.running:
            raise RuntimeError("EngineBridge already started")
        self._subscription = source.subscribe()
        self._task = _running_loop().create_task(self._consume(self._subscription))

    def stop(self) -> None:
        """Stop consuming; safe to call twice. The task is cancelled on the next loop turn."""
        if self._subscription is not None:
            self._subscription.close()
        if self._task is not None and not self._task.done():
            self._task.cancel()

    async def aclose(self) -> None:
        """``stop()`` and wait for the consumer task to end."""
        task = self._task
        self.stop()
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _consume(self, subscription: AsyncIterator[object]) -> None:
        try:
            async for item in subscription:
                try:
                    self.dispatch(item)
                except Exception:  # a broken slot must not end the stream
                    log.exception("error while dispatching %r", type(item).__name__)
        finally:
            self._subscription = None
            self.stopped.emit()

    # -- dispatch --------------------------------------------------------------------------

    def dispatch(self, item: object) -> None:
        """Update the model, then emit the typed signal and ``event``. Public for tests."""
        changed = self._apply(item)
        if isinstance(item, StackLaunched):
            self.stackLaunched.emit(item)
        elif isinstance(item, StackStatusChanged):
            self.stackStatusChanged.emit(item)
        elif isinstance(item, StackFinished):
            self.stackFinished.emit(item)
        elif isinstance(item, CallbackReceived):
            self.callbackReceived.emit(item)
        elif isinstance(item, EngineWarning):
            self.warning.emit(item)
        elif is_tunnel_state(item):
            self.tunnelState.emit(item)
        self.event.emit(item)
        if changed:
            self.modelChanged.emit()

    def _apply(self, item: object) -> bool:
        if isinstance(item, StackLaunched):
            status = f"{item.operation}_IN_PROGRESS"
            self._in_flight[item.stack_id] = InFlight(
                item.stack_id, item.stack_name, item.at, status, item.sandbox
            )
            return True
        if isinstance(item, StackStatusChanged):
            known = self._in_flight.get(item.stack_id)
            if known is None:
                known = InFlight(item.stack_id, item.stack_name, item.at, item.status)
            self._in_flight[item.stack_id] = replace(known, status=item.status)
            return True
        if isinstance(item, StackFinished):
            self._in_flight.pop(item.stack_id, None)
            self._recent.append(item)
            return True
        if is_tunnel_state(item):
            self._tunnel = item
            return True
        return False


def _running_loop() -> asyncio.AbstractEventLoop:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:  # a plain Qt slot while qasync runs: the loop is set, not "running"
        return asyncio.get_event_loop()
