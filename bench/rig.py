"""An Engine against an in-process Sandbox with explicit credentials (as in
tests/integration/test_engine.py), plus the instruments the benchmarks read: GetStack calls
reaching the sandbox, when the sandbox finished each stack and when it POSTed, and when each
StackFinished reached a subscriber."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from rostray.config import Settings
from rostray.core import engine as engine_module
from rostray.core.credentials import Credentials
from rostray.core.engine import Engine, LaunchRequest
from rostray.core.events import CallbackReceived, EngineEvent, StackFinished
from rostray.core.heap import freeze_startup_heap, pace_full_collections
from rostray.core.receiver import DEFAULT_RATE, Receiver
from rostray.core.store import Launch
from rostray.core.tracker import PollPolicy
from rostray.sandbox import Sandbox, SandboxConfig

WAIT_TEMPLATE = """{"ROSTemplateFormatVersion": "2015-09-01",
 "Resources": {
  "Handle": {"Type": "ALIYUN::ROS::WaitConditionHandle"},
  "Wait": {"Type": "ALIYUN::ROS::WaitCondition",
           "Properties": {"Handle": {"Ref": "Handle"}, "Timeout": 3600}}},
 "Outputs": {"Data": {"Value": {"Fn::GetAtt": ["Wait", "Data"]}}}}"""
# The same stack from a template the size of a real one (40 KB): the padding is a Mappings
# entry, which GetStack does not return, so only rostray's own handling of the template shows.
LARGE_WAIT_TEMPLATE = json.dumps(
    {
        **json.loads(WAIT_TEMPLATE),
        "Mappings": {"Padding": {"Text": {"Value": "rostray benchmark padding. " * 1_500}}},
    }
)
SHIPPED = object()  # "leave the receiver's rate limit as shipped"


@dataclass
class Instruments:
    """Timestamps (time.perf_counter) and counters, filled by wrappers around the sandbox."""

    get_stack_calls: Counter[str] = field(default_factory=Counter)
    get_stack_at: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    finished_at: dict[str, float] = field(default_factory=dict)  # sandbox reached terminal
    posted_at: dict[str, float] = field(default_factory=dict)  # sandbox POST left
    handled_at: dict[str, float] = field(default_factory=dict)  # receiver handed it over
    announced_at: dict[str, float] = field(default_factory=dict)  # subscriber saw it
    announcements: Counter[str] = field(default_factory=Counter)
    verdicts: Counter[str] = field(default_factory=Counter)
    published: Counter[str] = field(default_factory=Counter)
    received: Counter[str] = field(default_factory=Counter)
    on_finished: list[Callable[[StackFinished, float], None]] = field(default_factory=list)

    @property
    def total_get_stack(self) -> int:
        return sum(self.get_stack_calls.values())


@dataclass
class Rig:
    engine: Engine
    sandbox: Sandbox
    instruments: Instruments
    root: Path

    @property
    def base_url(self) -> str:
        assert self.engine.receiver is not None
        return self.engine.receiver.local_base_url

    async def launch(self, name: str, body: str) -> Launch:
        return await self.engine.launch(LaunchRequest(template_body=body, stack_name=name))

    async def launch_many(self, names: list[str], body: str, parallel: int = 8) -> list[Launch]:
        gate = asyncio.Semaphore(parallel)

        async def one(name: str) -> Launch:
            async with gate:
                return await self.launch(name, body)

        return list(await asyncio.gather(*(one(n) for n in names)))

    async def wait_tokens_ready(self, launches: list[Launch], handle: str = "Handle") -> None:
        """Until every wait-condition stack hands out its signal URL (it is waiting then)."""
        for launch in launches:
            stack = self.sandbox.engine.get(launch.stack_id)
            while handle not in stack.wait_tokens:
                await asyncio.sleep(0.002)

    def signal(self, launch: Launch, data: str = "done") -> None:
        stack = self.sandbox.engine.get(launch.stack_id)
        self.sandbox.engine.signal(stack, "Handle", {"status": "SUCCESS", "data": data})

    async def settle(self) -> None:
        await self.sandbox.engine.settle()
        assert self.engine.tracker is not None
        await self.engine.tracker.settle()

    def disable_sandbox_notifications(self) -> None:
        """The sandbox stops POSTing (the burst benchmark sends callbacks itself)."""
        self.sandbox.engine.sender.send = lambda *args, **kwargs: None  # type: ignore[method-assign]


def _instrument_sandbox(sandbox: Sandbox, inst: Instruments) -> None:
    api = sandbox.api
    get_stack = api._actions["GetStack"]

    def counted(params: Any) -> dict[str, Any]:
        stack_id = str(params.get("StackId", ""))
        inst.get_stack_calls[stack_id] += 1
        inst.get_stack_at[stack_id].append(time.perf_counter())
        return get_stack(params)

    api._actions["GetStack"] = counted

    engine = sandbox.engine
    finish = engine._finish

    def timed_finish(stack: Any, status: str, reason: str) -> None:
        inst.finished_at.setdefault(stack.id, time.perf_counter())
        finish(stack, status, reason)

    engine._finish = timed_finish  # type: ignore[method-assign]

    sender = engine.sender
    post = sender._post

    async def timed_post(url: str, payload: bytes, status: str) -> None:
        inst.posted_at.setdefault(url.rsplit("/", 1)[-1], time.perf_counter())
        await post(url, payload, status)

    sender._post = timed_post  # type: ignore[method-assign]


def _instrument_engine(engine: Engine, inst: Instruments) -> None:
    receiver = engine.receiver
    assert receiver is not None
    on_callback = receiver._on_callback

    async def timed(incoming: Any) -> None:
        inst.handled_at.setdefault(incoming.token, time.perf_counter())
        await on_callback(incoming)

    receiver._on_callback = timed
    bus = engine.bus
    publish = bus.publish

    def counted_publish(event: EngineEvent) -> None:
        inst.published[type(event).__name__] += 1
        publish(event)

    bus.publish = counted_publish  # type: ignore[method-assign]


async def _watch(engine: Engine, inst: Instruments) -> None:
    """The 'notifier': timestamps each StackFinished the moment a subscriber gets it."""
    async for event in engine.subscribe():
        now = time.perf_counter()
        inst.received[type(event).__name__] += 1
        if isinstance(event, StackFinished):
            inst.announcements[event.stack_id] += 1
            inst.announced_at.setdefault(event.stack_id, now)
            for callback in inst.on_finished:
                callback(event, now)
        elif isinstance(event, CallbackReceived):
            inst.verdicts[event.verdict] += 1


@contextlib.asynccontextmanager
async def engine_rig(
    root: Path,
    *,
    rate_limit: Any = SHIPPED,
    time_scale: float = 0.01,
    simulated_delay: float = 0.0,
    policy: PollPolicy | None = None,
) -> AsyncIterator[Rig]:
    """Sandbox + Engine in this event loop, the engine's own policy unless one is given.

    ``rate_limit=None`` builds the engine's Receiver without its rate limit (the Engine has
    no setting for it, so the constructor is patched for the duration of ``start``).
    """
    root.mkdir(parents=True, exist_ok=True)
    inst = Instruments()
    sandbox = Sandbox(SandboxConfig(time_scale=time_scale, simulated_delay=simulated_delay))
    await sandbox.start()
    _instrument_sandbox(sandbox, inst)
    creds = Credentials(sandbox.access_key_id, sandbox.access_key_secret, source="bench")
    engine = Engine(
        Settings(),
        credentials=creds,
        endpoint=sandbox.endpoint,
        store_path=root / "history.sqlite3",
        poll_policy=policy,
    )
    receiver_cls: Any = Receiver
    if rate_limit is not SHIPPED:
        receiver_cls = functools.partial(Receiver, rate_limit=rate_limit)
    with mock.patch.object(engine_module, "Receiver", receiver_cls):
        await engine.start()
    freeze_startup_heap()  # as rostray's headless and tray entry points do after start-up
    pacer = pace_full_collections(engine.bus)
    _instrument_engine(engine, inst)
    watcher = asyncio.get_running_loop().create_task(_watch(engine, inst))
    try:
        yield Rig(engine, sandbox, inst, root)
    finally:
        pacer.stop()
        await engine.stop()
        with contextlib.suppress(asyncio.CancelledError):
            watcher.cancel()
            await watcher
        await sandbox.stop()


def shipped_rate_limit() -> float:
    return DEFAULT_RATE
