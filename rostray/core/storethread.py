"""The one thread the history database's calls run on, and the way their answers come back.

``loop.run_in_executor`` on a one-thread executor did the same through a concurrent Future
(with its own lock and condition), the executor's work item and idle semaphore, and an asyncio
Future chained to the concurrent one, which answered one loop iteration later. Here a trip is
one queue entry there and one ``call_soon_threadsafe`` back: a trip with one callback's row
went from 362,000 instructions to 244,000 (bench/fixes.md, session 7).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
Outcome = tuple[bool, Any]  # (True, result) or (False, the exception raised)
_Job = tuple[asyncio.AbstractEventLoop, Callable[[], Any], Callable[[Outcome], None]]


class StoreThread:
    """Runs jobs one at a time, in submission order, on a thread of its own.

    A daemon thread: a process that exits without ``stop`` (a crash, a kill) must not hang on
    it, and SQLite rolls back a transaction the exit cuts short.
    """

    def __init__(self, name: str = "rostray-store") -> None:
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    def call(
        self,
        loop: asyncio.AbstractEventLoop,
        job: Callable[[], Any],
        answer: Callable[[Outcome], None],
    ) -> None:
        """``job()`` on the thread after the jobs before it, then ``answer(outcome)`` on
        ``loop``. Nothing is answered if the loop has closed meanwhile."""
        self._jobs.put((loop, job, answer))

    async def run(self, job: Callable[[], T]) -> T:
        """``job()`` on the thread, awaited."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self.call(loop, job, functools.partial(settle, future))
        return await future

    def stop(self) -> None:
        """End the thread after the jobs already submitted. Idempotent."""
        self._jobs.put(None)

    def _serve(self) -> None:
        while (item := self._jobs.get()) is not None:
            loop, job, answer = item
            try:
                outcome: Outcome = (True, job())
            except BaseException as exc:  # the caller decides; the thread carries on
                outcome = (False, exc)
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits for it
                loop.call_soon_threadsafe(answer, outcome)


def settle(future: asyncio.Future[Any], outcome: Outcome) -> None:
    """Give ``future`` the outcome of its job, unless its caller gave up on it."""
    if future.done():  # the caller was cancelled; the job ran anyway
        return
    ok, value = outcome
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)
