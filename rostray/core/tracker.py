"""Stack lifecycle and delivery guarantees.

A callback is a hint: it names a token and claims a status, and nothing signs it. The
tracker records it, checks the claim with an authenticated GetStack, and announces what
GetStack says, once per terminal status and operation (the store's gate makes that hold across
processes). Stacks whose callback never comes are found by polling with backoff, and on start
every unfinished stack is reconciled.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import heapq
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rostray.core.events import (
    CallbackReceived,
    EngineWarning,
    EventBus,
    StackFinished,
    StackStatusChanged,
)
from rostray.core.i18n import deferred
from rostray.core.payload import CallbackPayload, Output
from rostray.core.receiver import IncomingCallback
from rostray.core.ros import RosClient, RosError, StackInfo
from rostray.core.store import AsyncStore, KnownLaunch, Launch, StoreError
from rostray.core.verdicts import Verdict, VerdictBook

log = logging.getLogger(__name__)
REGISTRATION_WAIT = 60.0  # seconds a callback may wait for its CreateStack to return

OPERATION_OUTCOMES = {
    "CREATE": frozenset(
        {"CREATE_COMPLETE", "CREATE_FAILED", "CREATE_ROLLBACK_COMPLETE", "CREATE_ROLLBACK_FAILED"}
    ),
    "UPDATE": frozenset(
        {"UPDATE_COMPLETE", "UPDATE_FAILED", "ROLLBACK_COMPLETE", "ROLLBACK_FAILED"}
    ),
    "DELETE": frozenset({"DELETE_COMPLETE", "DELETE_FAILED"}),
}
GONE_REASON = "The stack no longer exists"


def ends_operation(operation: str, status: str) -> bool:
    """A terminal status counts only for the operation being tracked (not a stale one)."""
    return status in OPERATION_OUTCOMES.get(operation, frozenset())


def redact(token: str) -> str:
    return f"{token[:4]}…" if token else ""


@dataclass(frozen=True)
class PollPolicy:
    grace: float = 60.0  # first GetStack for a stack whose callback has not come
    max_interval: float = 300.0
    verify_retries: int = 3  # GetStack may lag the callback briefly
    verify_delay: float = 0.5
    # A verdict is reused for the same (stack, claimed status) this long: a token holder's
    # flood of one claim costs one verification, not one per POST.
    verify_debounce: float = 10.0


@dataclass(frozen=True)
class CheckResult:
    status: str
    announced: bool


def outputs_to_dicts(outputs: tuple[Output, ...]) -> list[dict[str, Any]]:
    return [
        {"OutputKey": o.key, "OutputValue": o.value, "Description": o.description} for o in outputs
    ]


def outputs_from_dicts(items: list[dict[str, Any]]) -> tuple[Output, ...]:
    return tuple(
        Output(
            key=str(i.get("OutputKey", "")),
            value=i.get("OutputValue"),
            description=str(i.get("Description") or "No description given"),
        )
        for i in items
    )


def _settle(target: asyncio.Future[Any], source: asyncio.Future[Any]) -> None:
    """Copy a finished future's outcome into ``target`` (unless it was cancelled meanwhile)."""
    if target.done():
        return
    if source.cancelled():
        target.cancel()
    elif (exc := source.exception()) is not None:
        target.set_exception(exc)
    else:
        target.set_result(source.result())


class Tracker:
    def __init__(
        self,
        store: AsyncStore,
        bus: EventBus,
        ros_for: Callable[[Launch], RosClient | None],
        policy: PollPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._bus = bus
        self._ros_for = ros_for
        self.policy = policy or PollPolicy()
        self._clock = clock
        self._tokens: dict[str, str] = {}  # token -> stack id ("" until CreateStack returns)
        self._pending: dict[str, asyncio.Event] = {}
        # Polls booked: a heap of (time, stack), and each stack's earliest booking; an entry
        # that is not its stack's earliest is stale and skipped when it comes up.
        self._due: list[tuple[float, str]] = []
        self._next_due: dict[str, float] = {}
        self._interval: dict[str, float] = {}
        self._checks: dict[str, asyncio.Future[CheckResult | None]] = {}
        self._last_status: dict[str, str] = {}
        self._via: dict[str, str] = {}  # how the next poll's result counts: poll | reconcile
        self._announced: dict[str, set[str]] = {}  # statuses announced for the current operation
        self._verdicts = VerdictBook()
        # Rows of callbacks claiming a stack that are not committed yet: its announcement waits
        # for them, and may then pass other stacks' rows queued at the store.
        self._unwritten: dict[str, set[asyncio.Future[int]]] = {}
        # Results shown while the store could not take the gate: (stack, operation seq, status).
        self._shown_ungated: set[tuple[str, int, str]] = set()
        self._wakeup = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._poller: asyncio.Task[None] | None = None
        self._closed = False

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self, known: list[KnownLaunch], unfinished: list[Launch]) -> None:
        for launch in known:
            self._tokens[launch.token] = launch.stack_id
            if launch.finished_at is not None:
                self._announced[launch.stack_id] = {launch.status}
        for launch in unfinished:
            self.track(launch, first_check_in=0.0, via="reconcile")
        self._poller = asyncio.get_running_loop().create_task(self._poll_loop())

    async def stop(self) -> None:
        self._closed = True
        tasks = [*self._tasks, *([self._poller] if self._poller else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def settle(self) -> None:
        """Wait for in-flight verifications (tests and clean shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _spawn(self, coro: Any) -> asyncio.Task[Any] | None:
        if self._closed:  # stopping: a callback in flight is recorded, reconciled next start
            coro.close()
            return None
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # --- tracking ---------------------------------------------------------------------------

    def is_known_token(self, token: str) -> bool:
        return token in self._tokens

    def expect(self, token: str) -> None:
        """Accept callbacks for a token before CreateStack returns (fast stacks race it)."""
        self._tokens[token] = ""
        self._pending[token] = asyncio.Event()

    def hold(self, token: str) -> None:
        """Hold this token's callbacks until ``release`` or ``track`` (an update or delete whose
        API call is in flight: its result must not be judged, or shown, before it is begun)."""
        self._pending[token] = asyncio.Event()

    def release(self, token: str) -> None:
        if event := self._pending.pop(token, None):
            event.set()

    def forget(self, token: str) -> None:
        """CreateStack failed: the token will never have a stack."""
        if self._tokens.get(token) == "":
            del self._tokens[token]
        if event := self._pending.pop(token, None):
            event.set()

    def track(
        self, launch: Launch, *, first_check_in: float | None = None, via: str = "poll"
    ) -> None:
        self._tokens[launch.token] = launch.stack_id
        self._announced.pop(launch.stack_id, None)  # a new operation starts
        self._verdicts.forget_settled(launch.stack_id)
        if event := self._pending.pop(launch.token, None):
            event.set()
        delay = self.policy.grace if first_check_in is None else first_check_in
        self._interval[launch.stack_id] = max(self.policy.grace, 0.05)
        self._via[launch.stack_id] = via
        self._schedule(launch.stack_id, delay)

    def poll_soon(self, stack_id: str) -> None:
        """Check a tracked stack now (URL changed, wake from sleep, user asked)."""
        if stack_id in self._interval:
            self._schedule(stack_id, 0.0)

    def tracked(self) -> list[str]:
        return list(self._interval)

    def _schedule(self, stack_id: str, delay: float) -> None:
        """Book a poll; the earliest booking of a stack wins, and the poll books the next.
        (Skipping an entry while a later one of its stack stayed booked made ``poll_soon``
        wait for the stack's next regular poll, up to ``max_interval``.)"""
        due = self._clock() + delay
        if due >= self._next_due.get(stack_id, float("inf")):
            return
        self._next_due[stack_id] = due
        heapq.heappush(self._due, (due, stack_id))
        self._wakeup.set()

    def _untrack(self, stack_id: str) -> None:
        self._interval.pop(stack_id, None)
        self._next_due.pop(stack_id, None)

    async def _poll_loop(self) -> None:
        """Sleeps until the next stack is due; with nothing in flight it never wakes."""
        while True:
            self._wakeup.clear()
            while self._due and self._next_due.get(self._due[0][1]) != self._due[0][0]:
                heapq.heappop(self._due)  # stale: untracked, or booked earlier since
            if not self._due:
                await self._wakeup.wait()
                continue
            due, stack_id = self._due[0]
            delay = due - self._clock()
            if delay > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), delay)
                continue
            heapq.heappop(self._due)
            del self._next_due[stack_id]
            self._spawn(self._poll_once(stack_id))

    async def _poll_once(self, stack_id: str) -> None:
        via = self._via.pop(stack_id, "poll")
        try:
            result = await self.check(stack_id, via=via)
        except StoreError as exc:  # the history cannot be read now: try again later
            log.warning("checking %s: %s", stack_id, exc)
            self._via.setdefault(stack_id, via)
            result = None
        if stack_id in self._interval and (result is None or not result.announced):
            interval = self._interval[stack_id]
            self._interval[stack_id] = min(interval * 2, self.policy.max_interval)
            self._schedule(stack_id, interval)

    # --- callbacks --------------------------------------------------------------------------

    async def on_callback(self, incoming: IncomingCallback) -> None:
        """Persist (the receiver answers only after this returns) and verify at once: the row
        is queued first, so it is committed before any announcement the check makes, and
        GetStack no longer waits for the commit."""
        payload = incoming.payload
        claimed_id = payload.stack_id if payload else None
        verdict = "pending" if payload else "invalid"
        recorded: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        if payload is not None:
            # Spawned first, so its first step (up to GetStack on the wire) runs before the
            # store's worker wakes: on one core the two fought over the GIL for 0.7 ms.
            self._spawn(self._route(incoming.token, recorded, payload))
        try:
            write = self._store.record_callback(
                incoming.token,
                claimed_id,
                incoming.remote,
                incoming.headers,
                incoming.body,
                verdict,
                incoming.error or "",
            )
        except Exception as exc:  # the store is closed: the route still verifies, no verdict
            if payload is not None:
                recorded.set_exception(exc)
            raise
        write.add_done_callback(functools.partial(_settle, recorded))
        if claimed_id is not None:
            self._hold_announcement(claimed_id, write)
        await asyncio.shield(recorded)  # a failed write: the receiver answers 503
        if payload is None:
            self._bus.publish(CallbackReceived(None, None, "invalid", incoming.error or ""))

    def _hold_announcement(self, stack_id: str, write: asyncio.Future[int]) -> None:
        rows = self._unwritten.setdefault(stack_id, set())
        rows.add(write)

        def written(done: asyncio.Future[int]) -> None:
            rows.discard(done)
            if not rows and self._unwritten.get(stack_id) is rows:
                del self._unwritten[stack_id]

        write.add_done_callback(written)

    async def _route(
        self, token: str, recorded: asyncio.Future[int], payload: CallbackPayload
    ) -> None:
        """Match the body to the token's stack, then verify; a stack that finishes very fast
        can call back before CreateStack has even returned its id to us. A POST whose row
        could not be written is still verified (and announced): it only gets no verdict."""
        try:
            await self._route_recorded(token, recorded, payload)
        finally:
            if recorded.done() and not recorded.cancelled():
                recorded.exception()  # on_callback reported it; not "never retrieved"

    async def _route_recorded(
        self, token: str, recorded: asyncio.Future[int], payload: CallbackPayload
    ) -> None:
        registered = self._pending.get(token)
        if registered is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(registered.wait(), REGISTRATION_WAIT)
        expected = self._tokens.get(token)
        if expected != payload.stack_id:
            detail = "the body names a stack this token was not issued for"
            await self._set_verdict(recorded, "mismatch", detail)
            log.warning("callback for token %s names another stack", redact(token))
            self._bus.publish(
                CallbackReceived(payload.stack_id, payload.status, "mismatch", detail)
            )
            return
        if payload.status in self._announced.get(payload.stack_id, ()):
            # Already announced for this operation: a duplicate can only be declined, so it
            # costs no GetStack (a flood of replays cannot burn the API quota).
            await self._set_verdict(recorded, "duplicate", "already announced")
            self._bus.publish(CallbackReceived(payload.stack_id, payload.status, "duplicate"))
            return
        stack_id, status = payload.stack_id, payload.status
        now, window = self._clock(), self.policy.verify_debounce
        self._verdicts.expire(now, window)
        shared = self._verdicts.get(stack_id, status)
        if shared is not None and now - shared.started < window:
            await self._reuse(shared, stack_id, recorded, status)
            return
        mine = Verdict(now, asyncio.get_running_loop().create_future())
        self._verdicts.add(stack_id, status, mine)
        self._bus.publish(CallbackReceived(stack_id, status, "pending"))
        try:
            outcome = await self._verify(stack_id, recorded, status)
        except BaseException:
            self._verdicts.discard(stack_id, status, mine)
            mine.outcome.cancel()  # callbacks waiting for it verify for themselves
            raise
        mine.outcome.set_result(outcome)

    async def _reuse(
        self, shared: Verdict, stack_id: str, recorded: asyncio.Future[int], claimed: str
    ) -> None:
        """The same claim was just verified (or is being verified): take that verdict."""
        try:
            verdict, detail = await asyncio.shield(shared.outcome)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if not shared.outcome.cancelled() or (task is not None and task.cancelling()):
                raise
            await self._verify(stack_id, recorded, claimed)
            return
        if verdict == "confirmed":
            verdict, detail = "duplicate", "already announced"
        elif verdict == "unconfirmed" and not shared.recheck and stack_id in self._interval:
            # The claim may come true within the window (a forged early copy of a real
            # callback): check once when it ends rather than wait for the next poll.
            shared.recheck = True
            remaining = self.policy.verify_debounce - (self._clock() - shared.started)
            self._schedule(stack_id, max(remaining, 0.0))
        await self._set_verdict(recorded, verdict, detail)
        self._bus.publish(CallbackReceived(stack_id, claimed, verdict, detail))

    async def _set_verdict(self, recorded: asyncio.Future[int], verdict: str, detail: str) -> None:
        try:
            callback_id = await asyncio.shield(recorded)
        except Exception:  # never written: on_callback has reported it (the receiver's 503)
            return
        await self._store.set_verdict(callback_id, verdict, detail)

    async def _verify(
        self, stack_id: str, recorded: asyncio.Future[int], claimed: str
    ) -> tuple[str, str]:
        result: CheckResult | None = None
        for attempt in range(self.policy.verify_retries + 1):
            result = await self.check(stack_id, via="callback")
            if result is not None and (
                result.status == claimed or result.status.endswith(("_COMPLETE", "_FAILED"))
            ):
                break
            await asyncio.sleep(self.policy.verify_delay * 2**attempt)
        if result is not None and result.status == claimed:
            verdict = "confirmed" if result.announced else "duplicate"
            detail = "" if result.announced else "already announced"
        else:
            seen = result.status if result else "no answer"
            verdict, detail = "unconfirmed", f"claimed {claimed}, GetStack says {seen}"
            log.warning("callback for %s not confirmed: %s", stack_id, detail)
        await self._set_verdict(recorded, verdict, detail)
        self._bus.publish(CallbackReceived(stack_id, claimed, verdict, detail))
        return verdict, detail

    # --- the one place that announces -------------------------------------------------------

    async def check(self, stack_id: str, *, via: str) -> CheckResult | None:
        """GetStack and announce a terminal status; concurrent checks of a stack share one."""
        running = self._checks.get(stack_id)
        if running is not None:  # joined someone else's check: the announcement is theirs
            shared = await asyncio.shield(running)
            return CheckResult(shared.status, False) if shared is not None else None
        future: asyncio.Future[CheckResult | None] = asyncio.get_running_loop().create_future()
        self._checks[stack_id] = future
        try:
            result = await self._check(stack_id, via)
            future.set_result(result)
            return result
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved
            raise
        finally:
            del self._checks[stack_id]

    async def _check(self, stack_id: str, via: str) -> CheckResult | None:
        launch = await self._store.get_by_stack(stack_id, with_request=False)
        if launch is None:
            self._untrack(stack_id)
            return None
        ros = self._ros_for(launch)
        if ros is None:
            return None
        try:
            info = await ros.get_stack(stack_id, region=launch.region)
        except RosError as exc:
            if exc.code != "StackNotFound":
                log.info("GetStack %s failed: %s", stack_id, exc)
                return None
            info = StackInfo(
                stack_id, launch.stack_name, "DELETE_COMPLETE", GONE_REASON, launch.region
            )
        if info.terminal and ends_operation(launch.operation, info.status):
            return await self._announce(launch, info, ros, via)
        if info.terminal and info.status == launch.status:
            return CheckResult(info.status, False)
        if self._last_status.get(stack_id) != info.status:
            self._verdicts.forget_settled(stack_id)
            with contextlib.suppress(StoreError):  # progress only; the next change writes it
                await self._store.update_status(stack_id, info.status, info.status_reason)
                self._last_status[stack_id] = info.status
            self._bus.publish(StackStatusChanged(stack_id, launch.stack_name, info.status))
        return CheckResult(info.status, False)

    async def _announce(
        self, launch: Launch, info: StackInfo, ros: RosClient, via: str
    ) -> CheckResult:
        reason = info.status_reason
        if not info.status.endswith("COMPLETE") or "ROLLBACK" in info.status:
            reason = await failure_reason(ros, launch, info)
        shown = (launch.stack_id, launch.operation_seq, info.status)
        try:
            # This stack's callbacks are committed before its announcement. A write that is
            # done may still be listed (its callback runs in the next loop iteration), and
            # waiting on it cost that iteration: ~0.2 ms in 2 of 5 idle callbacks.
            unwritten = [row for row in self._unwritten.get(launch.stack_id, ()) if not row.done()]
            if unwritten:
                await asyncio.wait(unwritten)
            announced = await self._store.announce_past_rows(
                launch.stack_id, info.status, reason, outputs_to_dicts(info.outputs)
            )
        except StoreError as exc:
            return self._announce_ungated(launch, info, reason, via, exc)
        self._untrack(launch.stack_id)
        self._last_status.pop(launch.stack_id, None)
        self._verdicts.forget_settled(launch.stack_id)
        self._announced.setdefault(launch.stack_id, set()).add(info.status)
        if shown in self._shown_ungated:  # shown while the store failed; now it is recorded
            self._shown_ungated.discard(shown)
            return CheckResult(info.status, False)
        if announced:
            self._publish_finished(launch, info, reason, via)
        return CheckResult(info.status, announced)

    def _announce_ungated(
        self, launch: Launch, info: StackInfo, reason: str, via: str, exc: StoreError
    ) -> CheckResult:
        """The history cannot be written (disk full, database locked): show the result anyway,
        keep the stack tracked and take the gate on a later poll (E3). Shown once per run; a
        restart before the gate is taken may show it again, which beats never showing it."""
        shown = (launch.stack_id, launch.operation_seq, info.status)
        self._announced.setdefault(launch.stack_id, set()).add(info.status)
        if shown in self._shown_ungated:
            log.warning("history still not written for %s: %s", launch.stack_id, exc)
            return CheckResult(info.status, False)  # the poll backs off and tries again
        log.warning(
            "history not written for %s (%s); showing the result anyway", launch.stack_id, exc
        )
        self._shown_ungated.add(shown)
        self._publish_finished(launch, info, reason, via)
        self._bus.publish(
            EngineWarning(
                deferred.translate("Engine", "History not written: {error}").format(error=str(exc)),
                deferred.translate(
                    "Engine",
                    "The result was shown anyway; rostray records it when the history can be "
                    "written again.",
                ),
            )
        )
        if launch.stack_id in self._interval:  # make sure a poll comes to take the gate
            self._schedule(launch.stack_id, self._interval[launch.stack_id])
        return CheckResult(info.status, True)

    def _publish_finished(self, launch: Launch, info: StackInfo, reason: str, via: str) -> None:
        self._bus.publish(
            StackFinished(
                stack_id=launch.stack_id,
                stack_name=launch.stack_name,
                region=launch.region,
                operation=launch.operation,
                status=info.status,
                status_reason=reason,
                outputs=info.outputs,
                via=via,
                launched_at=launch.created_at,
                sandbox=launch.sandbox,
            )
        )


async def failure_reason(ros: RosClient, launch: Launch, info: StackInfo) -> str:
    """The reason a user wants on failure: after a rollback GetStack only says the rollback
    finished, so look for the event that started it or the resource that failed."""
    try:
        events = await ros.list_stack_events(launch.stack_id, region=launch.region)
    except RosError:
        return info.status_reason
    for event in events:  # newest first
        if event.is_stack and event.status.endswith("ROLLBACK_IN_PROGRESS") and event.status_reason:
            return event.status_reason
        if event.is_stack and event.status.endswith("_IN_PROGRESS"):
            break  # the start of this operation: stop looking further back
    for event in events:
        if not event.is_stack and event.status.endswith("_FAILED") and event.status_reason:
            return f"{event.logical_id}: {event.status_reason}"
    return info.status_reason
