"""The self-probe's nonce bookkeeping, its errors (never a token in them), proxy choice, and
the supervisor's line reader."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from rostray.core.receiver import Receiver
from rostray.core.tunnels import ProbeError, Prober, TunnelState
from rostray.core.tunnels.probe import is_loopback_url
from rostray.core.tunnels.supervisor import MAX_LINE, read_lines


async def no_callbacks(_incoming: Any) -> None:
    return None


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_handle_probe_needs_our_token_and_a_pending_nonce() -> None:
    prober = Prober(token="t" * 43)
    assert not prober.handle_probe("t" * 43, "nonce")  # nothing pending
    prober._waiting["n1"] = asyncio.Event()
    assert not prober.handle_probe("u" * 43, "n1")
    assert not prober.handle_probe("t", "n1")
    assert prober.handle_probe("t" * 43, "n1")
    assert prober.is_probe_token("t" * 43) and not prober.is_probe_token("x")


async def test_probe_round_trips_through_a_real_receiver() -> None:
    prober = Prober(timeout=5)
    receiver = Receiver(
        is_known_token=lambda _t: False, on_callback=no_callbacks, on_probe=prober.handle_probe
    )
    async with receiver:
        rtt = await prober.probe(receiver.local_base_url + "/")
        assert 0 < rtt < 5000
        assert receiver.stats.probe_ok == 1 and prober.arrived == 1
        assert prober._waiting == {}  # nonces are single-use
        # the same nonce replayed later is refused
        url = prober.probe_url(receiver.local_base_url, "replayed")
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            assert response.status == 404


async def test_probe_errors_name_the_host_but_never_the_token() -> None:
    prober = Prober(timeout=2)
    port = closed_port()
    with pytest.raises(ProbeError) as info:
        await prober.probe(f"http://127.0.0.1:{port}")
    assert f"127.0.0.1:{port}" in str(info.value)
    assert prober.token not in str(info.value)

    app = web.Application()

    async def anything(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app.router.add_get("/{tail:.*}", anything)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        base = f"http://127.0.0.1:{runner.addresses[0][1]}"
        with pytest.raises(ProbeError, match="never reached this rostray") as info:
            await prober.probe(base)
        assert prober.token not in str(info.value)
    finally:
        await runner.cleanup()


async def test_probe_uses_the_proxy_only_for_public_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    real = aiohttp.ClientSession

    def spy(*args: Any, **kwargs: Any) -> aiohttp.ClientSession:
        seen.append(kwargs["trust_env"])
        return real(*args, **kwargs)

    monkeypatch.setattr("rostray.core.tunnels.probe.aiohttp.ClientSession", spy)
    prober = Prober(timeout=1)
    for url in (f"http://127.0.0.1:{closed_port()}", "http://[::1]:1", "http://x.localhost:1"):
        with pytest.raises(ProbeError):
            await prober.probe(url)
    assert seen == [False, False, False]
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{closed_port()}")
    with pytest.raises(ProbeError):
        await prober.probe("https://abc.trycloudflare.com")
    assert seen[-1] is True


def test_is_loopback_url() -> None:
    assert is_loopback_url("http://127.0.0.2:80")
    assert is_loopback_url("http://localhost")
    assert not is_loopback_url("https://a.lhr.life")
    assert not is_loopback_url("http://10.0.0.1")


async def test_read_lines_splits_cr_and_lf_and_caps_long_lines() -> None:
    reader = asyncio.StreamReader()
    reader.feed_data(b"one\r\ntwo\rthree\n" + b"x" * (MAX_LINE * 3) + b"\nlast \xff")
    reader.feed_eof()
    lines = [line async for line in read_lines(reader)]
    assert lines[:3] == ["one", "two", "three"]
    assert all(len(line) <= MAX_LINE for line in lines)
    assert lines[-1] == "last \ufffd"


def test_tunnel_state_is_frozen_and_says_verified() -> None:
    state = TunnelState("verified", "https://a.example", 12.0, "ok", "static", 0, 1.0)
    assert state.verified and not state.final
    with pytest.raises(AttributeError):
        state.phase = "down"  # type: ignore[misc]
