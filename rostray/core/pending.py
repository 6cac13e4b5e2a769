"""Launches whose CreateStack answer never arrived.

A launch is written down (``pending_launches``) before CreateStack is sent, and the stack is
tagged ``rostray-launch=<ClientToken>``. If the process dies before the StackId comes back,
a later start of the tray app or headless mode finds the stack with ListStacks (its name and
that tag), binds it and tracks it like any unfinished stack. A launch with no such stack long
after it was sent never made one, and goes into the history as NEVER_CREATED.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from rostray.core.events import EventBus, StackLaunched
from rostray.core.ros import RosClient, RosError
from rostray.core.store import AsyncStore, PendingLaunch, StoreError
from rostray.core.tracker import Tracker

log = logging.getLogger(__name__)

LAUNCH_TAG = "rostray-launch"
NEVER_CREATED_REASON = (
    "The launch was interrupted before ROS answered, and no stack with its name and "
    f"{LAUNCH_TAG} tag exists: CreateStack never made one."
)


@dataclass(frozen=True)
class PendingPolicy:
    # CreateStack is retried for well under a minute; a stack not found this long after its
    # launch was written down was never made.
    give_up_after: float = 600.0
    retry_every: float = 60.0  # a younger launch not found yet is looked for again


class PendingResolver:
    def __init__(
        self,
        store: AsyncStore,
        bus: EventBus,
        tracker: Tracker,
        ros_for: Callable[[PendingLaunch], RosClient | None],
        policy: PendingPolicy | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._bus = bus
        self._tracker = tracker
        self._ros_for = ros_for
        self.policy = policy or PendingPolicy()
        self._clock = clock  # wall time, as the store's created_at
        self._own: set[str] = set()  # client tokens whose CreateStack this process awaits
        self._task: asyncio.Task[None] | None = None
        self._running = False

    @contextlib.contextmanager
    def launching(self, client_token: str) -> Iterator[None]:
        """This process is sending that CreateStack itself: do not resolve it meanwhile."""
        self._own.add(client_token)
        try:
            yield
        finally:
            self._own.discard(client_token)

    def start(self) -> None:
        """Resolve what earlier runs left pending, now and then every ``retry_every``."""
        self._running = True
        self.kick()

    def kick(self) -> None:
        """Look again (a CreateStack of ours failed without a clear answer)."""
        if self._running and (self._task is None or self._task.done()):
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        self._running = False
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while await self.resolve_all():
            await asyncio.sleep(self.policy.retry_every)

    async def resolve_all(self) -> int:
        """One pass; returns how many launches are left to look for later."""
        try:
            rows = await self._store.pending_launches()
        except StoreError as exc:
            log.warning("cannot read pending launches: %s", exc)
            return 1
        left = 0
        for row in rows:
            if row.client_token not in self._own and not await self.resolve(row):
                left += 1
        return left

    async def resolve(self, row: PendingLaunch) -> bool:
        """True when the launch is settled (bound, never created, or not ours to ask about)."""
        ros = self._ros_for(row)
        if ros is None:  # launched on the other backend (sandbox vs cloud): left for it
            return True
        try:
            found = await ros.list_stacks(
                names=[row.stack_name], tags={LAUNCH_TAG: row.client_token}, region=row.region
            )
        except RosError as exc:
            log.info("cannot look for pending launch %s yet: %s", row.stack_name, exc)
            return False
        match = [s for s in found if s.stack_name == row.stack_name]
        try:
            if match:
                launch = await self._store.bind_pending(row.client_token, match[0].stack_id)
                log.info("found %s (%s), launched before a stop", row.stack_name, launch.stack_id)
                if launch.finished_at is None:
                    self._tracker.track(launch, first_check_in=0.0, via="reconcile")
                    self._bus.publish(
                        StackLaunched(
                            launch.stack_id,
                            launch.stack_name,
                            launch.region,
                            "CREATE",
                            launch.sandbox,
                            at=launch.created_at,
                        )
                    )
                return True
            if self._clock() - row.created_at < self.policy.give_up_after:
                return False  # CreateStack may still be on its way (another process)
            await self._store.mark_never_created(row.client_token, NEVER_CREATED_REASON)
        except StoreError as exc:
            log.warning("cannot settle pending launch %s: %s", row.stack_name, exc)
            return False
        log.warning("launch of %s was never created on ROS", row.stack_name)
        return True
