"""Prototype: ``Tracker`` that does not spend a GetStack on a callback it can already judge.

Stands in for changes to ``rostray/core/tracker.py``:

* ``Tracker._verify``: a callback whose claimed status this tracker already announced for the
  stack's current operation is a duplicate; the store's gate would refuse a second
  announcement anyway, so the GetStack (an SDK call on a worker thread, competing with the
  event loop for the GIL) buys nothing. Verdict "duplicate" without the call.
* ``Tracker.check``: callers that joined a check already in flight report what they did
  (nothing), so ten concurrent copies of one callback yield one "confirmed" and nine
  "duplicate" instead of ten "confirmed".

Nothing is announced on less evidence than before: the short-cut only ever declines.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rostray.core.events import CallbackReceived
from rostray.core.ros import RosClient, StackInfo
from rostray.core.store import Launch
from rostray.core.tracker import CheckResult, Tracker


class DedupTracker(Tracker):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._settled: dict[str, str] = {}  # stack id -> status announced for this operation
        self.short_cuts = 0

    def track(
        self, launch: Launch, *, first_check_in: float | None = None, via: str = "poll"
    ) -> None:
        self._settled.pop(launch.stack_id, None)  # a new operation: nothing settled yet
        super().track(launch, first_check_in=first_check_in, via=via)

    async def _announce(
        self, launch: Launch, info: StackInfo, ros: RosClient, via: str
    ) -> CheckResult:
        result = await super()._announce(launch, info, ros, via)
        self._settled[launch.stack_id] = info.status
        return result

    async def _verify(self, stack_id: str, callback_id: int, claimed: str) -> None:
        if self._settled.get(stack_id) == claimed:
            self.short_cuts += 1
            detail = "already announced"
            await self._store.set_verdict(callback_id, "duplicate", detail)
            self._bus.publish(CallbackReceived(stack_id, claimed, "duplicate", detail))
            return
        await super()._verify(stack_id, callback_id, claimed)

    async def check(self, stack_id: str, *, via: str) -> CheckResult | None:
        running = self._checks.get(stack_id)
        if running is None:
            return await super().check(stack_id, via=via)
        result = await asyncio.shield(running)
        return None if result is None else CheckResult(result.status, False)
