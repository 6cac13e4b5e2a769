"""Prototype: ``AsyncStore.run`` that batches trips to the store thread.

Stands in for a change to ``AsyncStore.run`` in ``rostray/core/store.py``. Today every store
call is one ``run_in_executor``: a thread hand-off and a self-pipe wake-up of the loop per
call, each also a chance for the GIL to bounce between the loop and the store thread. Here
calls queue up while a batch is on the worker and go together in the next trip, still one
transaction each and still in submission order; a lone call goes at once (no timer).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from rostray.core.store import AsyncStore, Store, StoreError

Call = Callable[[Store], Any]
Outcome = tuple[bool, Any]


def _run_all(store: Store, calls: list[Call]) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for call in calls:
        try:
            outcomes.append((True, call(store)))
        except Exception as exc:
            outcomes.append((False, exc))
    return outcomes


class BatchingAsyncStore(AsyncStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._queue: list[tuple[Call, asyncio.Future[Any]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self.trips: list[int] = []

    async def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self._closed:
            raise StoreError(f"history database {self._store.path} is closed")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()

        def call(store: Store) -> Any:
            return fn(store, *args, **kwargs)

        self._queue.append((call, future))
        if self._flusher is None:
            self._flusher = loop.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._queue:
                batch, self._queue = self._queue, []
                self.trips.append(len(batch))
                calls = [call for call, _ in batch]
                try:
                    outcomes = await loop.run_in_executor(
                        self._executor, _run_all, self._store, calls
                    )
                except BaseException as exc:  # the executor itself failed
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    raise
                for (_, future), (ok, value) in zip(batch, outcomes, strict=True):
                    if future.done():
                        continue
                    if ok:
                        future.set_result(value)
                    else:
                        future.set_exception(value)
        finally:
            self._flusher = None
