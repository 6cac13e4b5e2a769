"""Real ``ssh -R`` tunnels on loopback, started by the supervisor and verified by self-probe:
the system OpenSSH client against an in-process asyncssh server (serveo-like and plain), and
against Debian's sshd (the own-host preset)."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from fakes.ssh_servers import AsyncsshTunnelServer, DebianSshd, free_port, require_ssh_client
from fakes.tunnel_rig import ScaledTime, States, supervisor

from rostray.core.receiver import IncomingCallback, Receiver
from rostray.core.tunnels import Prober

pytestmark = pytest.mark.timeout(60)


@asynccontextmanager
async def app_receiver(
    prober: Prober,
) -> AsyncIterator[tuple[Receiver, str, list[IncomingCallback]]]:
    """A receiver with one known hook token and a probe hook: what the engine runs."""
    token = secrets.token_urlsafe(32)
    calls: list[IncomingCallback] = []

    async def on_callback(incoming: IncomingCallback) -> None:
        calls.append(incoming)

    receiver = Receiver(
        is_known_token=lambda t: t == token, on_callback=on_callback, on_probe=prober.handle_probe
    )
    async with receiver:
        yield receiver, token, calls


async def post(url: str, body: bytes) -> int:
    async with (
        aiohttp.ClientSession(trust_env=False) as session,
        session.post(url, data=body, headers={"Content-Type": "application/json"}) as response,
    ):
        return response.status


async def unreachable(url: str) -> bool:
    try:
        async with (
            aiohttp.ClientSession(trust_env=False, timeout=aiohttp.ClientTimeout(total=2)) as s,
            s.get(f"{url}/healthz") as response,
        ):
            return response.status >= 500
    except (aiohttp.ClientError, TimeoutError):
        return True


BODY = b'{"StackId": "s-1", "StackName": "demo", "Status": "CREATE_COMPLETE", "Outputs": []}'


@pytest.fixture(autouse=True)
def _ssh_client() -> None:
    require_ssh_client()


async def test_ssh_banner_url_is_verified_and_carries_callbacks(tmp_path: Path) -> None:
    prober, states = Prober(timeout=5), States()
    async with AsyncsshTunnelServer() as server, app_receiver(prober) as (receiver, token, calls):
        sup = supervisor(server.settings(), receiver.port, prober, states)
        async with sup:
            state = await sup.wait_verified(timeout=20)
            assert state.url == server.urls[0] and state.preset == "ssh"
            assert state.rtt_ms is not None and state.rtt_ms > 0
            assert receiver.stats.probe_ok >= 1
            hook = f"{state.url}/hooks/{token}?a=b"
            assert await post(hook, BODY) == 200
            [call] = calls
            assert call.body == BODY and call.payload.status == "CREATE_COMPLETE"
            print(f"\nssh -R via asyncssh: probe round trip {state.rtt_ms:.1f} ms")


async def test_ssh_restart_gives_a_new_url_and_the_old_one_dies(tmp_path: Path) -> None:
    prober, states, scaled = Prober(timeout=5), States(), ScaledTime()
    async with AsyncsshTunnelServer() as server, app_receiver(prober) as (receiver, _token, _calls):
        sup = supervisor(server.settings(), receiver.port, prober, states, scaled=scaled)
        async with sup:
            first = await sup.wait_verified(timeout=20)
            os.kill(sup.pid, signal.SIGKILL)
            await states.until(lambda s: s.phase == "down")
            second = await states.until(lambda s: s.verified and s.restarts == 1, timeout=20)
            assert second.url != first.url
            assert states.changes == [(first.url, second.url)]
            assert await unreachable(first.url)
            assert server.sessions == 2


async def test_plain_remote_forward_allocated_port_is_the_url() -> None:
    """``-N -v -R 127.0.0.1:0:…`` (own-host preset, dynamic port): the URL is the configured
    template with the port ssh reports in ``Allocated port N``."""
    prober, states = Prober(timeout=5), States()
    async with (
        AsyncsshTunnelServer(vhost=False) as server,
        app_receiver(prober) as (
            receiver,
            _token,
            _calls,
        ),
    ):
        settings = server.settings(public_url="http://127.0.0.1:{rport}")
        async with supervisor(settings, receiver.port, prober, states) as sup:
            state = await sup.wait_verified(timeout=20)
            assert state.url == server.urls[0]
            assert any("Allocated port" in text for _, text in sup.recent_output())
            argv = settings.command
            assert "-N" in argv and "127.0.0.1:{rport}:127.0.0.1:{port}" not in argv


async def test_a_taken_remote_port_exits_255_and_is_retried() -> None:
    prober, states, scaled = Prober(timeout=5), States(), ScaledTime()
    async with (
        AsyncsshTunnelServer(vhost=False) as server,
        app_receiver(prober) as (
            receiver,
            _token,
            _calls,
        ),
    ):
        with __import__("socket").socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            busy = taken.getsockname()[1]
            settings = server.settings(public_url="http://127.0.0.1:{rport}", ssh_remote_port=busy)
            async with supervisor(settings, receiver.port, prober, states, scaled=scaled):
                down = await states.until(lambda s: s.phase == "down", timeout=20)
                assert "ssh exited (255)" in down.reason
                assert f"remote port forwarding failed for listen port {busy}" in down.reason
                assert not down.final  # sshd may still hold a dead client's port: retry
                await states.until(lambda s: s.phase == "starting" and s.restarts >= 1)


# --- Debian's sshd on loopback ----------------------------------------------------------------


@pytest.fixture
def sshd(tmp_path: Path) -> Iterator[DebianSshd]:
    server = DebianSshd(tmp_path / "sshd").start()
    try:
        yield server
    finally:
        server.stop()


async def test_own_host_preset_against_debian_sshd(sshd: DebianSshd) -> None:
    prober, states = Prober(timeout=5), States()
    async with app_receiver(prober) as (receiver, token, calls):
        remote = free_port()
        settings = sshd.settings(remote)
        async with supervisor(settings, receiver.port, prober, states) as sup:
            try:
                state = await sup.wait_verified(timeout=20)
            except Exception:
                print(sshd.log())
                raise
            assert state.url == f"http://127.0.0.1:{remote}"
            assert any("remote forward success" in t for _, t in sup.recent_output())
            assert await post(f"{state.url}/hooks/{token}?x=1", BODY) == 200
            assert calls[0].body == BODY
            print(f"\nssh -R via Debian sshd: probe round trip {state.rtt_ms:.1f} ms")
            # the same remote port again after a restart: a stable URL, no change reported
            os.kill(sup.pid, signal.SIGKILL)
            again = await states.until(lambda s: s.verified and s.restarts == 1, timeout=30)
            assert again.url == state.url and states.changes == []


async def test_refused_key_is_final(sshd: DebianSshd, tmp_path: Path) -> None:
    stranger = tmp_path / "stranger"
    proc = await asyncio.create_subprocess_exec(
        "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(stranger)
    )
    assert await proc.wait() == 0
    sshd.key = stranger
    prober, states = Prober(timeout=5), States()
    settings = sshd.settings(free_port())
    async with supervisor(settings, 1, prober, states) as sup:
        state = await states.until(lambda s: s.final, timeout=20)
        assert state.phase == "down" and "refused to log in" in state.reason
        assert sup.restarts == 0
