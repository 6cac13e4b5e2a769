"""A one-off tunnel check: start the tunnel against a probe-only receiver, wait for the
self-probe, stop. Shared by ``rostray tunnel check`` and the settings dialog's button."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rostray.config import TunnelSettings
from rostray.core.receiver import Receiver
from rostray.core.tunnels.probe import Prober
from rostray.core.tunnels.supervisor import TunnelError, TunnelState, TunnelSupervisor


async def _no_callbacks(_incoming: Any) -> None:
    return None


async def verify_tunnel(
    tunnel: TunnelSettings,
    timeout: float,
    on_state: Callable[[TunnelState], None] | None = None,
    on_failure: Callable[[TunnelSupervisor], None] | None = None,
) -> TunnelState:
    """The verified state; raises TunnelError (``on_failure`` sees the tool's output first)."""
    prober = Prober()
    receiver = Receiver(
        host="127.0.0.1",
        port=0,
        is_known_token=lambda _token: False,  # only the probe route answers
        on_callback=_no_callbacks,
        on_probe=prober.handle_probe,
    )
    async with receiver:
        supervisor = TunnelSupervisor(tunnel, receiver.port, probe=prober, on_state=on_state)
        async with supervisor:
            try:
                return await supervisor.wait_verified(timeout)
            except TunnelError:
                if on_failure is not None:
                    on_failure(supervisor)
                raise
