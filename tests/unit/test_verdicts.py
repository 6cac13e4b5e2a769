"""The tracker's shared verifications: by stack and status, expiring in start order."""

from __future__ import annotations

import asyncio

from rostray.core.verdicts import Verdict, VerdictBook


def verdict(started: float, done: bool = False) -> Verdict:
    future: asyncio.Future[tuple[str, str]] = asyncio.get_running_loop().create_future()
    if done:
        future.set_result(("confirmed", ""))
    return Verdict(started, future)


async def test_expire_drops_what_started_a_window_ago_and_nothing_newer() -> None:
    book = VerdictBook()
    old, edge, new = verdict(0.0), verdict(5.0), verdict(9.0)
    book.add("s1", "CREATE_COMPLETE", old)
    book.add("s2", "CREATE_COMPLETE", edge)
    book.add("s1", "CREATE_FAILED", new)
    book.expire(now=14.9, window=10.0)
    assert book.get("s1", "CREATE_COMPLETE") is None
    assert (book.get("s2", "CREATE_COMPLETE"), book.get("s1", "CREATE_FAILED")) == (edge, new)
    book.expire(now=14.9, window=10.0)  # again: nothing more is due
    assert len(book) == 2
    book.expire(now=15.0, window=10.0)  # a window to the second: due
    assert len(book) == 1 and book.get("s2", "CREATE_COMPLETE") is None
    book.expire(now=19.0, window=10.0)
    assert len(book) == 0 and book.get("s1", "CREATE_FAILED") is None


async def test_a_replaced_verdict_outlives_the_expiry_of_the_one_it_replaced() -> None:
    book = VerdictBook()
    first, second = verdict(0.0), verdict(8.0)
    book.add("s1", "CREATE_COMPLETE", first)
    book.discard("s1", "CREATE_COMPLETE", first)
    book.add("s1", "CREATE_COMPLETE", second)
    book.discard("s1", "CREATE_COMPLETE", first)  # no longer held: a no-op
    book.expire(now=12.0, window=10.0)  # first's turn in the order: second stays
    assert book.get("s1", "CREATE_COMPLETE") is second


async def test_forgetting_a_stack_keeps_a_verification_still_running_and_other_stacks() -> None:
    book = VerdictBook()
    settled, running, other = verdict(1.0, done=True), verdict(2.0), verdict(3.0, done=True)
    book.add("s1", "UPDATE_COMPLETE", settled)
    book.add("s1", "UPDATE_FAILED", running)
    book.add("s2", "UPDATE_COMPLETE", other)
    book.forget_settled("s1")
    book.forget_settled("never-seen")
    assert book.get("s1", "UPDATE_COMPLETE") is None
    assert (book.get("s1", "UPDATE_FAILED"), book.get("s2", "UPDATE_COMPLETE")) == (running, other)
    assert len(book) == 2
