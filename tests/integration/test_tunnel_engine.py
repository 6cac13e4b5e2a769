"""The engine, the sandbox and a real ``ssh -R`` tunnel together: a stack's notification
travels through the tunnel and is announced; killing the tunnel process again and again
while stacks run never loses or duplicates a terminal status (callback or polling).

The engine does not own a tunnel yet, so these tests wire one in the way the engine will:
the prober on the receiver's ``on_probe``, ``callback_base_url`` = the verified URL, and a
URL change moving the stacks launched with the old URL to polling.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from conftest import template_text
from sandbox_helpers import template_json
from ssh_servers import AsyncsshTunnelServer, require_ssh_client
from tunnel_helpers import ScaledTime, States, supervisor

from rostray.config import Settings
from rostray.core.credentials import Credentials
from rostray.core.engine import Engine, LaunchRequest
from rostray.core.events import StackFinished
from rostray.core.tracker import PollPolicy
from rostray.core.tunnels import Prober, TunnelSupervisor
from rostray.sandbox import Sandbox

pytestmark = pytest.mark.timeout(60)

FAST_POLL = PollPolicy(grace=0.3, max_interval=1.0, verify_retries=2, verify_delay=0.05)
SLEEP_TEMPLATE = template_json(
    {
        "Parameters": {"Seconds": {"Type": "Number", "Default": 50}},
        "Resources": {
            "Nap": {
                "Type": "ALIYUN::ROS::Sleep",
                "Properties": {"CreateDuration": {"Ref": "Seconds"}},
            }
        },
        "Outputs": {"Slept": {"Value": {"Ref": "Seconds"}}},
    }
)


@asynccontextmanager
async def tunnelled_engine(
    sandbox: Sandbox, tmp_path: Path, server: AsyncsshTunnelServer, states: States
) -> AsyncIterator[tuple[Engine, TunnelSupervisor]]:
    require_ssh_client()
    creds = Credentials(sandbox.access_key_id, sandbox.access_key_secret, source="test")
    engine = Engine(
        Settings(),
        credentials=creds,
        endpoint=sandbox.endpoint,
        store_path=tmp_path / "history.sqlite3",
        poll_policy=FAST_POLL,
    )
    async with engine:
        prober = Prober(timeout=5)
        engine.receiver._on_probe = prober.handle_probe  # what Engine.start will pass

        def moved_to_polling(old: str, new: str) -> None:
            # what the engine will do on a URL change: poll every stack still tracked
            for stack_id in engine.tracker.tracked():
                engine.tracker.poll_soon(stack_id)

        sup = supervisor(
            server.settings(), engine.receiver.port, prober, states, scaled=ScaledTime()
        )
        sup._on_url_changed = lambda old, new: (
            states.url_changed(old, new),
            moved_to_polling(old, new),
        )
        engine.callback_base_url = lambda: sup.verified_url  # type: ignore[method-assign]
        async with sup:
            yield engine, sup


async def test_sandbox_notification_travels_through_the_tunnel(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    states = States()
    async with (
        AsyncsshTunnelServer() as server,
        tunnelled_engine(sandbox, tmp_path, server, states) as (engine, sup),
    ):
        state = await sup.wait_verified(timeout=20)
        sub = engine.subscribe()
        launch = await engine.launch(
            LaunchRequest(template_body=template_text("seed-webhook.json"), stack_name="tunnelled")
        )
        assert launch.notification_url.startswith(f"{state.url}/hooks/")
        assert launch.notification_url.startswith("http://127.0.0.1:")  # the tunnel's port
        assert not launch.notification_url.startswith(engine.receiver.local_base_url)

        async def finished() -> StackFinished:
            async for event in sub:
                if isinstance(event, StackFinished):
                    return event
            raise AssertionError("event stream ended")

        event = await asyncio.wait_for(finished(), 20)
        assert (event.stack_id, event.status, event.via) == (
            launch.stack_id,
            "CREATE_COMPLETE",
            "callback",
        )
        [callback] = await engine.store.callbacks_for(launch.stack_id)
        assert callback.verdict == "confirmed"


async def test_killing_the_tunnel_never_loses_or_repeats_a_result(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    states = States()
    stacks = 6
    async with (
        AsyncsshTunnelServer() as server,
        tunnelled_engine(sandbox, tmp_path, server, states) as (engine, sup),
    ):
        sub = engine.subscribe()
        launched: list[str] = []
        kills = 0
        for n in range(stacks):
            await sup.wait_verified(timeout=20)
            launch = await engine.launch(
                LaunchRequest(
                    template_body=SLEEP_TEMPLATE,
                    stack_name=f"kill-{n}",
                    parameters={"Seconds": str(20 + 15 * n)},  # 0.2 … 0.95 s real
                )
            )
            launched.append(launch.stack_id)
            if n % 2 == 1:  # kill the tunnel under running stacks, three times
                os.kill(sup.pid, signal.SIGKILL)
                kills += 1
                await asyncio.sleep(0.05)

        seen: Counter[str] = Counter()
        via: Counter[str] = Counter()

        async def collect() -> None:
            async for event in sub:
                if isinstance(event, StackFinished):
                    seen[event.stack_id] += 1
                    via[event.via] += 1
                    if len(seen) == stacks:
                        return

        await asyncio.wait_for(collect(), 30)
        await asyncio.sleep(1.5)  # room for a late duplicate (a callback after a poll)
        while True:  # drain what arrived meanwhile
            try:
                event = sub._queue.get_nowait()
            except asyncio.QueueEmpty:
                break
            if isinstance(event, StackFinished):
                seen[event.stack_id] += 1
        await engine.tracker.settle()

        assert set(seen) == set(launched)
        assert all(count == 1 for count in seen.values()), seen
        for stack_id in launched:
            stored = await engine.store.get_by_stack(stack_id)
            assert stored.announced == ["CREATE_COMPLETE"], stored
        assert kills == 3 and sup.restarts >= 3
        assert len(states.changes) >= 3  # every restart gave a new URL
        assert via["callback"] >= 1  # some results still came through the tunnel
        print(f"\nannounced via: {dict(via)}; tunnel restarts: {sup.restarts}")
