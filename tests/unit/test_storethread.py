"""StoreThread: the history database's one worker thread (rostray/core/storethread.py)."""

from __future__ import annotations

import asyncio
import threading

import pytest

from rostray.core.eventloop import loop_name
from rostray.core.storethread import StoreThread


async def test_jobs_run_in_order_on_one_thread_that_is_not_the_loops() -> None:
    thread = StoreThread()
    seen: list[tuple[int, int]] = []

    def job(n: int) -> int:
        seen.append((n, threading.get_ident()))
        return n

    try:
        answers = await asyncio.gather(*(thread.run(lambda n=n: job(n)) for n in range(20)))
    finally:
        thread.stop()
    assert answers == list(range(20))
    assert [n for n, _ in seen] == list(range(20))
    assert len({ident for _, ident in seen}) == 1
    assert seen[0][1] != threading.get_ident()


async def test_a_failing_job_reaches_its_caller_and_the_thread_carries_on() -> None:
    thread = StoreThread()
    try:
        with pytest.raises(ZeroDivisionError):
            await thread.run(lambda: 1 / 0)
        assert await thread.run(lambda: "still here") == "still here"
    finally:
        thread.stop()


async def test_answers_come_back_on_the_loop_and_stop_ends_the_thread() -> None:
    loop = asyncio.get_running_loop()
    thread = StoreThread(name="rostray-store-test")
    answered = loop.create_future()

    def answer(outcome: tuple[bool, object]) -> None:
        answered.set_result((outcome, threading.get_ident()))

    thread.call(loop, lambda: 42, answer)
    outcome, ident = await asyncio.wait_for(answered, 5)
    assert outcome == (True, 42) and ident == threading.get_ident()
    thread.stop()
    workers = [t for t in threading.enumerate() if t.name == "rostray-store-test"]
    for worker in workers:
        worker.join(5)
    assert not any(t.is_alive() for t in workers)


async def test_a_cancelled_caller_does_not_break_the_answer() -> None:
    loop = asyncio.get_running_loop()
    errors: list[dict[str, object]] = []
    loop.set_exception_handler(lambda _loop, context: errors.append(context))
    thread = StoreThread()
    release = threading.Event()
    try:
        waiting = asyncio.ensure_future(thread.run(release.wait))
        await asyncio.sleep(0)
        waiting.cancel()
        release.set()
        assert await thread.run(lambda: "next") == "next"  # the cancelled job's answer passed
    finally:
        thread.stop()
        loop.set_exception_handler(None)
    assert waiting.cancelled()
    assert errors == []  # no InvalidStateError from answering a cancelled future


async def test_this_module_runs_on_each_loop_the_engine_may_run_on(
    request: pytest.FixtureRequest,
) -> None:
    """tests/conftest.py runs this module once per loop (asyncio's, and uvloop, which the
    headless mode and the CLI run on): each run is on the loop its id names."""
    assert loop_name(asyncio.get_running_loop()) == request.node.callspec.id
