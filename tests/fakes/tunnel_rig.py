"""Shared by the tunnel tests: state recording, scaled (virtual) time, a probe-only receiver."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from rostray.config import TunnelSettings
from rostray.core.receiver import Receiver
from rostray.core.tunnels import Prober, SupervisorPolicy, TunnelState, TunnelSupervisor


@dataclass
class States:
    """Records every TunnelState and URL change; ``until`` waits for a matching state."""

    seen: list[TunnelState] = field(default_factory=list)
    changes: list[tuple[str, str]] = field(default_factory=list)
    _event: asyncio.Event = field(default_factory=asyncio.Event)

    def __call__(self, state: TunnelState) -> None:
        self.seen.append(state)
        self._event.set()

    def url_changed(self, old: str, new: str) -> None:
        self.changes.append((old, new))

    async def until(
        self, predicate: Callable[[TunnelState], bool], timeout: float = 10, start: int = 0
    ) -> TunnelState:
        """The first state from index ``start`` on that matches."""

        async def scan() -> TunnelState:
            index = start
            while True:
                while index < len(self.seen):
                    if predicate(self.seen[index]):
                        return self.seen[index]
                    index += 1
                self._event.clear()
                await self._event.wait()

        try:
            return await asyncio.wait_for(scan(), timeout)
        except TimeoutError:
            trail = "\n".join(f"  {s.phase}: {s.reason}" for s in self.seen[-15:])
            raise AssertionError(
                f"no matching tunnel state in {timeout} s; last:\n{trail}"
            ) from None

    def phases(self) -> list[str]:
        out: list[str] = []
        for s in self.seen:
            if not out or out[-1] != s.phase:
                out.append(s.phase)
        return out


class ScaledTime:
    """A virtual clock running ``1/scale`` times faster than real time, and the matching
    sleep: a 60 s backoff takes 60 * scale real seconds. ``sleeps`` records each request."""

    def __init__(self, scale: float = 0.01) -> None:
        self.scale = scale
        self._t0 = time.monotonic()
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return (time.monotonic() - self._t0) / self.scale

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        await asyncio.sleep(seconds * self.scale)


# Virtual-time policy for fast tests: generous timeouts (a fake's start is ~50 ms real, which
# is seconds of virtual time), real backoff shape.
FAST = SupervisorPolicy(
    discovery_timeout=1000.0,
    verify_timeout=1000.0,
    probe_retry_first=0.5,
    probe_retry_max=2.0,
    degraded_interval=5.0,
    failed_probes_before_restart=3,
    backoff_initial=1.0,
    backoff_max=60.0,
    jitter=0.1,
    stable_after=1e9,
    api_poll_interval=5.0,
    stop_grace=2.0,
)


def supervisor(
    settings: TunnelSettings,
    port: int,
    prober: Prober,
    states: States,
    *,
    scaled: ScaledTime | None = None,
    policy: SupervisorPolicy = FAST,
    env: dict[str, str] | None = None,
) -> TunnelSupervisor:
    scaled = scaled or ScaledTime()
    return TunnelSupervisor(
        settings,
        port,
        probe=prober,
        on_state=states,
        on_url_changed=states.url_changed,
        policy=policy,
        clock=scaled.clock,
        sleep=scaled.sleep,
        rng=lambda: 0.5,  # no jitter: backoff delays are exact
        env=env,
    )


@asynccontextmanager
async def probe_receiver(prober: Prober) -> AsyncIterator[Receiver]:
    """A receiver on 127.0.0.1:0 that only answers the prober's probes."""

    async def no_callbacks(_incoming: object) -> None:
        raise AssertionError("no callback expected")

    receiver = Receiver(
        is_known_token=lambda _token: False,
        on_callback=no_callbacks,
        on_probe=prober.handle_probe,
    )
    async with receiver:
        yield receiver
