"""Shared verifications (E5): identical callbacks within a window share one GetStack.

Kept per stack and in the order they started, so dropping the expired ones and forgetting a
stack's settled ones cost only what they remove. Both were scans of every verdict in the
window: under a burst for 1,000 stacks, each verification and each announcement stepped
through ~1,000 others (bench/fixes.md, session 5).
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass


@dataclass
class Verdict:
    """A verification of one claim (stack, status), shared by identical callbacks."""

    started: float
    outcome: asyncio.Future[tuple[str, str]]
    recheck: bool = False  # a poll is booked for the end of the window


class VerdictBook:
    """The verdicts of the current window, by stack and status."""

    def __init__(self) -> None:
        self._by_stack: dict[str, dict[str, Verdict]] = {}
        # (stack, status, verdict) in the order added; ``started`` never decreases along it.
        self._in_order: deque[tuple[str, str, Verdict]] = deque()

    def __len__(self) -> int:
        return sum(len(statuses) for statuses in self._by_stack.values())

    def get(self, stack_id: str, status: str) -> Verdict | None:
        statuses = self._by_stack.get(stack_id)
        return None if statuses is None else statuses.get(status)

    def add(self, stack_id: str, status: str, verdict: Verdict) -> None:
        """``verdict.started`` must not be earlier than that of any verdict added before."""
        self._by_stack.setdefault(stack_id, {})[status] = verdict
        self._in_order.append((stack_id, status, verdict))

    def discard(self, stack_id: str, status: str, verdict: Verdict) -> None:
        """Drop ``verdict`` if it is still the one held for (stack, status)."""
        statuses = self._by_stack.get(stack_id)
        if statuses is not None and statuses.get(status) is verdict:
            del statuses[status]
            if not statuses:
                del self._by_stack[stack_id]

    def expire(self, now: float, window: float) -> None:
        """Drop every verdict that started ``window`` seconds or more before ``now``."""
        in_order = self._in_order
        while in_order and now - in_order[0][2].started >= window:
            stack_id, status, verdict = in_order.popleft()
            self.discard(stack_id, status, verdict)

    def forget_settled(self, stack_id: str) -> None:
        """The stack moved on: its finished verdicts no longer hold (one still running does;
        it is judged on what GetStack says now)."""
        statuses = self._by_stack.get(stack_id)
        if statuses is None:
            return
        for status, verdict in list(statuses.items()):
            if verdict.outcome.done():
                self.discard(stack_id, status, verdict)
