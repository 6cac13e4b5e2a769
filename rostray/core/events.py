"""What the engine tells its front ends, and the fan-out that delivers it.

Every front end (tray, headless, CLI) subscribes to the same stream, so what one shows the
others can show too.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from rostray.core.i18n import Text
from rostray.core.payload import Output
from rostray.core.tunnels import TunnelState

SUCCESS_STATUSES = frozenset({"CREATE_COMPLETE", "UPDATE_COMPLETE", "DELETE_COMPLETE"})


def console_url(region: str, stack_id: str) -> str:
    from urllib.parse import quote

    return (
        f"https://ros.console.aliyun.com/{quote(region, safe='')}/stacks/{quote(stack_id, safe='')}"
    )


@dataclass(frozen=True)
class StackLaunched:
    stack_id: str
    stack_name: str
    region: str
    operation: str  # CREATE | UPDATE | DELETE
    sandbox: bool
    at: float = field(default_factory=time.time)


@dataclass(frozen=True)
class CallbackReceived:
    stack_id: str | None
    claimed_status: str | None
    verdict: str  # pending | confirmed | unconfirmed | duplicate | mismatch | invalid
    detail: str = ""
    at: float = field(default_factory=time.time)


@dataclass(frozen=True)
class StackStatusChanged:
    """A non-terminal status seen while polling (progress for front ends)."""

    stack_id: str
    stack_name: str
    status: str
    at: float = field(default_factory=time.time)


@dataclass(frozen=True)
class StackFinished:
    stack_id: str
    stack_name: str
    region: str
    operation: str
    status: str
    status_reason: str
    outputs: tuple[Output, ...]
    via: str  # callback | poll | reconcile
    launched_at: float
    sandbox: bool
    at: float = field(default_factory=time.time)

    @property
    def succeeded(self) -> bool:
        return self.status in SUCCESS_STATUSES

    @property
    def console_url(self) -> str:
        return console_url(self.region, self.stack_id)

    @property
    def elapsed(self) -> float:
        return max(self.at - self.launched_at, 0.0)


@dataclass(frozen=True)
class EngineWarning:
    """``message``/``detail`` may be ``i18n.Text``: ``str()`` is English (logs, JSON), each
    front end shows ``localized(message, translate)``."""

    message: str | Text
    detail: str | Text = ""
    at: float = field(default_factory=time.time)


EngineEvent = (
    StackLaunched
    | CallbackReceived
    | StackStatusChanged
    | StackFinished
    | EngineWarning
    | TunnelState
)


class EventBus:
    """Fan-out to any number of subscribers; a slow subscriber loses its oldest events."""

    def __init__(self, queue_size: int = 10_000) -> None:
        self._subscribers: set[asyncio.Queue[EngineEvent | None]] = set()
        self._queue_size = queue_size
        self._watchers: list[Callable[[EngineEvent], None]] = []

    def watch(self, watcher: Callable[[EngineEvent], None]) -> None:
        """Call ``watcher`` synchronously on every event (cheap observers: no queue, no task)."""
        self._watchers.append(watcher)

    def publish(self, event: EngineEvent) -> None:
        for watcher in self._watchers:
            watcher(event)
        for queue in list(self._subscribers):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(event)

    def close(self) -> None:
        for queue in list(self._subscribers):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(None)

    def subscribe(self) -> Subscription:
        """Subscribe now (so no event is missed) and iterate later."""
        return Subscription(self)


class Subscription:
    def __init__(self, bus: EventBus) -> None:
        self._queue: asyncio.Queue[EngineEvent | None] = asyncio.Queue(bus._queue_size)
        self._bus = bus
        bus._subscribers.add(self._queue)

    def close(self) -> None:
        self._bus._subscribers.discard(self._queue)

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> EngineEvent:
        event = await self._queue.get()
        if event is None:
            self.close()
            raise StopAsyncIteration
        return event

    async def next(self, timeout: float | None = None) -> EngineEvent:
        return await asyncio.wait_for(self.__anext__(), timeout)
