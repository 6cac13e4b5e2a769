"""The engine, the sandbox and a real ``ssh -R`` tunnel together: a stack's notification
travels through the tunnel and is announced; killing the tunnel process again and again
while stacks run never loses or duplicates a terminal status (callback or polling).

The engine runs its own supervisor (``force_tunnel``, as ``--tunnel`` does), hands out only
the verified URL, and moves stacks launched with an old URL to polling when it changes.
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
from fakes.ssh_servers import AsyncsshTunnelServer, require_ssh_client
from fakes.tunnel_rig import FAST
from sandbox_helpers import template_json
from shared import template_text

from rostray.config import Settings
from rostray.core.credentials import Credentials
from rostray.core.engine import Engine, LaunchRequest
from rostray.core.events import StackFinished
from rostray.core.tracker import PollPolicy
from rostray.core.tunnels import TunnelSupervisor
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
    sandbox: Sandbox, tmp_path: Path, server: AsyncsshTunnelServer
) -> AsyncIterator[tuple[Engine, TunnelSupervisor]]:
    """The engine's own tunnel (``--tunnel``: forced even for the loopback sandbox)."""
    require_ssh_client()
    creds = Credentials(sandbox.access_key_id, sandbox.access_key_secret, source="test")
    settings = Settings()
    settings.tunnel = server.settings()
    engine = Engine(
        settings,
        credentials=creds,
        endpoint=sandbox.endpoint,
        store_path=tmp_path / "history.sqlite3",
        poll_policy=FAST_POLL,
        force_tunnel=True,
        tunnel_policy=FAST,
    )
    async with engine:
        assert engine.tunnel is not None
        yield engine, engine.tunnel


async def test_sandbox_notification_travels_through_the_tunnel(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    async with (
        AsyncsshTunnelServer() as server,
        tunnelled_engine(sandbox, tmp_path, server) as (engine, sup),
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
    stacks = 6
    async with (
        AsyncsshTunnelServer() as server,
        tunnelled_engine(sandbox, tmp_path, server) as (engine, sup),
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
            if n % 2 == 0:  # kill the tunnel under running stacks, three times; the last
                # stack runs on a tunnel that stays up, so its callback must get through
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
        assert sup.url_changes >= 3  # every restart gave a new URL
        assert via["callback"] >= 1  # some results still came through the tunnel
        print(f"\nannounced via: {dict(via)}; tunnel restarts: {sup.restarts}")
