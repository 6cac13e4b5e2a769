"""The supervisor against fake tunnel tools that replay recorded real output (tests/fakes):
URL discovery from output and from local APIs, restarts, URL changes, crash loops with
backoff in virtual time, fatal errors, a tool that never names a URL, probing, cleanup."""

from __future__ import annotations

import asyncio
import os
import signal
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from fakes import BIN, Scenario, ScriptedProber
from fakes.tunnel_rig import FAST, ScaledTime, States, probe_receiver, supervisor

from rostray.config import TunnelSettings
from rostray.core.tunnels import Prober, SupervisorPolicy, TunnelError, TunnelSupervisor

CF_URL = "https://four-dashed-word-url.trycloudflare.com"


def gone(pid: int) -> bool:
    """Exited (a zombie waiting for a reaper counts: it runs nothing)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


async def wait_gone(pid: int, timeout: float = 5) -> bool:
    for _ in range(int(timeout / 0.02)):
        if gone(pid):
            return True
        await asyncio.sleep(0.02)
    return False


def scenario(tmp_path: Path, *runs: dict, **kw) -> Scenario:
    return Scenario(tmp_path / "fake", list(runs), **kw)


async def test_cloudflared_url_from_output_is_verified(tmp_path: Path) -> None:
    sc = scenario(tmp_path, {"lines": "cloudflared-quick.jsonl"})
    prober, states = ScriptedProber(), States()
    async with supervisor(
        TunnelSettings(mode="cloudflared"), 8123, prober, states, env=sc.env()
    ) as sup:
        state = await states.until(lambda s: s.phase == "verified")
        assert (state.url, state.rtt_ms, state.preset, state.restarts) == (
            CF_URL,
            12.5,
            "cloudflared",
            0,
        )
        assert sup.verified_url == CF_URL
        assert states.phases() == ["starting", "verified"]
        [call] = sc.calls()
        assert call[:4] == ["cloudflared", "tunnel", "--no-autoupdate", "--metrics"]
        assert call[-2:] == ["--url", "http://127.0.0.1:8123"]
        assert prober.probed == [CF_URL]
        pid = sup.pid
    assert sup.state.phase == "off" and sup.verified_url is None
    assert await wait_gone(pid)


async def test_cloudflared_url_from_its_metrics_api(tmp_path: Path) -> None:
    sc = scenario(
        tmp_path,
        {
            "lines": "cloudflared-api-only.jsonl",
            "api": {
                "path": "/quicktunnel",
                "body": {"hostname": "from-api-{run}.trycloudflare.com"},
            },
        },
    )
    states = States()
    async with supervisor(
        TunnelSettings(mode="cloudflared"), 8123, ScriptedProber(), states, env=sc.env()
    ):
        state = await states.until(lambda s: s.phase == "verified")
        assert state.url == "https://from-api-0.trycloudflare.com"


async def test_ngrok_api_address_comes_from_its_log(tmp_path: Path) -> None:
    """No ``started tunnel`` line: the URL must come from the agent API at the address the
    ``starting web service`` line named (a free port, not 4040)."""
    body = {
        "tunnels": [
            {"proto": "http", "public_url": "http://0c7b0c0e.ngrok-free.app"},
            {"proto": "https", "public_url": "https://0c7b0c0e.ngrok-free.app"},
        ]
    }
    sc = scenario(
        tmp_path,
        {
            "lines": [
                ["stdout", '{"lvl":"info","msg":"no configuration paths supplied"}'],
                ["stdout", '{"msg":"starting web service","obj":"web","addr":"127.0.0.1:{aport}"}'],
            ],
            "api": {"path": "/api/tunnels", "body": body, "port": "auto"},
        },
    )
    states = States()
    async with supervisor(
        TunnelSettings(mode="ngrok"), 8123, ScriptedProber(), states, env=sc.env()
    ):
        state = await states.until(lambda s: s.phase == "verified")
        assert state.url == "https://0c7b0c0e.ngrok-free.app"
    assert "--inspect=false" in sc.calls()[0]


async def test_tailscale_url_from_status_command(tmp_path: Path) -> None:
    sc = scenario(
        tmp_path,
        {"lines": [["stdout", "Press Ctrl+C to exit."]]},
        status={"BackendState": "Running", "Self": {"DNSName": "amelie.tail1234.ts.net."}},
    )
    states = States()
    policy = replace(FAST, api_poll_interval=20.0)
    async with supervisor(
        TunnelSettings(mode="tailscale"),
        8123,
        ScriptedProber(),
        states,
        env=sc.env(),
        policy=policy,
    ):
        state = await states.until(lambda s: s.phase == "verified")
        assert state.url == "https://amelie.tail1234.ts.net"
        for _ in range(250):  # the status command may answer before funnel logged its start
            if ["tailscale", "funnel", "8123"] in sc.calls():
                break
            await asyncio.sleep(0.02)
    assert ["tailscale", "funnel", "8123"] in sc.calls()
    assert ["tailscale", "status", "--json"] in sc.calls()


async def test_pinggy_over_fake_ssh(tmp_path: Path) -> None:
    sc = scenario(tmp_path, {"lines": "pinggy.jsonl"})
    states = States()
    async with supervisor(
        TunnelSettings(mode="pinggy"), 8123, ScriptedProber(), states, env=sc.env()
    ):
        state = await states.until(lambda s: s.phase == "verified")
        assert state.url == "https://yqycl-98-162-69-48.a.free.pinggy.link"
    call = sc.calls()[0]
    assert call[:4] == ["ssh", "-T", "-p", "443"] and call[-1] == "a.pinggy.io"


async def test_restart_with_a_new_url_reports_the_change_once(tmp_path: Path) -> None:
    sc = scenario(
        tmp_path,
        {"lines": "cloudflared-quick.jsonl", "replace": [["word-url", "word-{run}"]]},
    )
    prober, states, scaled = ScriptedProber(), States(), ScaledTime()
    async with supervisor(
        TunnelSettings(mode="cloudflared"), 8123, prober, states, env=sc.env(), scaled=scaled
    ) as sup:
        first = await states.until(lambda s: s.phase == "verified")
        assert first.url == "https://four-dashed-word-0.trycloudflare.com"
        os.kill(sup.pid, signal.SIGKILL)
        down = await states.until(lambda s: s.phase == "down")
        assert "cloudflared was killed by signal 9" in down.reason
        assert "restarting in 1.0 s" in down.reason and not down.final
        assert sup.verified_url is None
        second = await states.until(lambda s: s.phase == "verified" and s.restarts == 1)
        assert second.url == "https://four-dashed-word-1.trycloudflare.com"
        assert states.changes == [(first.url, second.url)]
        assert sup.url_changes == 1
        assert scaled.sleeps.count(1.0) >= 1


async def test_stable_url_restart_is_not_a_change(tmp_path: Path) -> None:
    sc = scenario(tmp_path, {"lines": "tailscale.jsonl"})
    states = States()
    async with supervisor(
        TunnelSettings(mode="tailscale"), 8123, ScriptedProber(), states, env=sc.env()
    ) as sup:
        await states.until(lambda s: s.phase == "verified")
        os.kill(sup.pid, signal.SIGTERM)
        await states.until(lambda s: s.phase == "verified" and s.restarts == 1)
        assert states.changes == []


async def test_crash_loop_backs_off_exponentially(tmp_path: Path) -> None:
    sc = scenario(tmp_path, {"lines": "localtunnel-refused.jsonl", "then": "exit", "code": 1})
    states, scaled = States(), ScaledTime()
    sup = supervisor(
        TunnelSettings(mode="localtunnel"),
        8123,
        ScriptedProber(),
        states,
        env=sc.env(),
        scaled=scaled,
    )
    async with sup:
        await states.until(lambda s: s.phase == "starting" and s.restarts == 5, timeout=15)
    backoffs = [d for d in scaled.sleeps if d in (1.0, 2.0, 4.0, 8.0, 16.0, 32.0)]
    assert backoffs[:5] == [1.0, 2.0, 4.0, 8.0, 16.0]
    down = [s for s in states.seen if s.phase == "down"]
    assert "localtunnel exited (1)" in down[0].reason
    assert (
        "connection refused: localtunnel.me:39745 (check your firewall settings)" in down[0].reason
    )
    assert sc.calls()[0][:3] == ["npx", "--yes", "localtunnel@2.0.2"]


async def test_backoff_is_capped_and_jittered() -> None:
    from rostray.core.tunnels.supervisor import Backoff

    policy = SupervisorPolicy(backoff_initial=1, backoff_max=10, jitter=0.1)
    draws = iter([0.0, 1.0] * 10)
    backoff = Backoff(policy, rng=lambda: next(draws))
    delays = [backoff.next() for _ in range(8)]
    assert delays[:2] == [0.9, 2.2]
    assert all(9.0 <= d <= 11.0 for d in delays[4:])
    backoff.reset()
    assert backoff.next(at_least=300) == 300


async def test_rate_limit_waits_at_least_what_cloudflare_asks(tmp_path: Path) -> None:
    sc = scenario(tmp_path, {"lines": "cloudflared-ratelimit.jsonl", "then": "exit", "code": 1})
    states, scaled = States(), ScaledTime(scale=0.0001)
    policy = replace(FAST, discovery_timeout=1e6)
    async with supervisor(
        TunnelSettings(mode="cloudflared"),
        8123,
        ScriptedProber(),
        states,
        env=sc.env(),
        scaled=scaled,
        policy=policy,
    ):
        down = await states.until(lambda s: s.phase == "down")
    assert "restarting in 300 s" in down.reason
    assert "429 Too Many Requests" in down.reason or "unmarshal" in down.reason
    assert 300.0 in scaled.sleeps


async def test_missing_authtoken_is_final_and_not_retried(tmp_path: Path) -> None:
    sc = scenario(tmp_path, {"lines": "ngrok-authtoken.jsonl", "then": "exit", "code": 1})
    states = States()
    sup = supervisor(TunnelSettings(mode="ngrok"), 8123, ScriptedProber(), states, env=sc.env())
    async with sup:
        with pytest.raises(TunnelError, match="ngrok config add-authtoken"):
            await sup.wait_verified(timeout=10)
        assert sup.state.final and sup.state.phase == "down"
        await asyncio.sleep(0.1)
    assert sc.starts() == 1


async def test_a_tool_that_never_names_a_url_times_out_clearly(tmp_path: Path) -> None:
    sc = scenario(tmp_path, {"lines": "bore.jsonl", "replace": [["listening at", "waiting on"]]})
    states = States()
    policy = replace(FAST, discovery_timeout=45.0)
    scaled = ScaledTime(scale=0.05)  # 45 s are 2.25 s: room for a slow start under load
    async with supervisor(
        TunnelSettings(mode="bore"),
        8123,
        ScriptedProber(),
        states,
        env=sc.env(),
        policy=policy,
        scaled=scaled,
    ):
        down = await states.until(lambda s: s.phase == "down")
        assert down.reason.startswith("bore announced no public URL within 45 s")
        assert "waiting on bore.pub:43521" in down.reason  # ANSI stripped
        assert "\x1b" not in down.reason
        await states.until(lambda s: s.phase == "starting" and s.restarts == 1)


async def test_missing_executable_is_final(tmp_path: Path) -> None:
    states = States()
    settings = TunnelSettings(mode="bore", command=[str(tmp_path / "no-such-bore"), "{port}"])
    sup = supervisor(settings, 8123, ScriptedProber(), states)
    async with sup:
        with pytest.raises(TunnelError, match="was not found: install bore"):
            await sup.wait_verified(timeout=5)


async def test_mode_none_is_off() -> None:
    states = States()
    async with supervisor(TunnelSettings(), 8123, ScriptedProber(), states) as sup:
        state = await states.until(lambda s: s.phase == "off")
        assert state.final and sup.verified_url is None


async def test_probe_failures_degrade_then_restart(tmp_path: Path) -> None:
    sc = scenario(tmp_path, {"lines": "cloudflared-quick.jsonl"})
    prober, states = ScriptedProber(), States()
    policy = replace(FAST, probe_interval=20.0)
    async with supervisor(
        TunnelSettings(mode="cloudflared"), 8123, prober, states, env=sc.env(), policy=policy
    ) as sup:
        await states.until(lambda s: s.phase == "verified")
        prober.dead.add(CF_URL)
        degraded = await states.until(lambda s: s.phase == "degraded")
        assert "self-probe through https://four-dashed-word-url.trycloudflare.com failed" in (
            degraded.reason
        )
        assert sup.verified_url is None
        down = await states.until(lambda s: s.phase == "down")
        assert "3 self-probes" in down.reason
        prober.dead.clear()
        back = await states.until(lambda s: s.phase == "verified" and s.restarts == 1)
        assert back.url == CF_URL and states.changes == []


async def test_first_probe_is_retried_while_dns_catches_up(tmp_path: Path) -> None:
    sc = scenario(tmp_path, {"lines": "cloudflared-quick.jsonl"})
    prober, states = ScriptedProber(), States()
    prober.flaky[CF_URL] = 3
    async with supervisor(TunnelSettings(mode="cloudflared"), 8123, prober, states, env=sc.env()):
        await states.until(lambda s: s.phase == "verified")
    assert prober.probed == [CF_URL] * 4
    assert "degraded" not in states.phases()


async def test_reprobe_now(tmp_path: Path) -> None:
    sc = scenario(tmp_path, {"lines": "cloudflared-quick.jsonl"})
    prober, states = ScriptedProber(), States()
    async with supervisor(
        TunnelSettings(mode="cloudflared"), 8123, prober, states, env=sc.env()
    ) as sup:
        await states.until(lambda s: s.phase == "verified")
        count = len(states.seen)
        sup.reprobe()
        await states.until(lambda s: s.phase == "verified", start=count)
    assert len(prober.probed) == 2


async def test_a_new_url_printed_mid_run_is_verified_and_reported(tmp_path: Path) -> None:
    """Agents that reconnect on their own print the URL again, possibly a different one."""
    sc = scenario(
        tmp_path,
        {
            "lines": [
                ["stdout", "your url is: https://first-owl.loca.lt"],
                ["stdout", "your url is: https://second-owl.loca.lt"],
            ],
            "delay": 0.3,
        },
    )
    states = States()
    async with supervisor(
        TunnelSettings(mode="localtunnel"), 8123, ScriptedProber(), states, env=sc.env()
    ):
        await states.until(lambda s: s.url == "https://second-owl.loca.lt" and s.verified)
    assert states.changes == [("https://first-owl.loca.lt", "https://second-owl.loca.lt")]


# --- real probes through a fake tunnel that really forwards --------------------------------


async def test_bore_fake_forwarding_tunnel_is_probed_for_real(tmp_path: Path) -> None:
    sc = scenario(
        tmp_path,
        {
            "lines": "bore.jsonl",
            "replace": [["bore.pub:43521", "127.0.0.1:{fport}"]],
            "forward": True,
        },
    )
    prober, states = Prober(timeout=5), States()
    async with probe_receiver(prober) as receiver:
        sup = supervisor(TunnelSettings(mode="bore"), receiver.port, prober, states, env=sc.env())
        async with sup:
            state = await sup.wait_verified(timeout=10)
            assert state.url.startswith("http://127.0.0.1:") and state.rtt_ms > 0
            assert receiver.stats.probe_ok == 1
            # a probe for someone else's nonce, through the same tunnel, is refused
            async with aiohttp.ClientSession() as session:
                url = f"{state.url}/hooks/{prober.token}/probe?n=forged"
                async with session.get(url) as response:
                    assert response.status == 404


async def test_static_url_is_probed_and_a_foreign_server_is_not_trusted(tmp_path: Path) -> None:
    prober, states = Prober(timeout=5), States()
    async with probe_receiver(prober) as receiver:
        settings = TunnelSettings(mode="static", public_url=receiver.local_base_url)
        async with supervisor(settings, receiver.port, prober, states) as sup:
            state = await sup.wait_verified(timeout=10)
            assert state.url == receiver.local_base_url and state.preset == "static"

    # a server that answers 200 to anything is not this rostray
    async def anything(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_get("/{tail:.*}", anything)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        states = States()
        policy = replace(FAST, verify_timeout=0.0)
        settings = TunnelSettings(mode="static", public_url=f"http://127.0.0.1:{port}")
        async with supervisor(settings, 1, Prober(timeout=5), states, policy=policy) as sup:
            state = await states.until(lambda s: s.phase == "degraded")
            assert "never reached this rostray" in state.reason
            assert sup.verified_url is None
    finally:
        await runner.cleanup()


async def test_stop_kills_the_whole_process_group(tmp_path: Path) -> None:
    """npx starts node: stopping must not leave the grandchild running."""
    child_pid = tmp_path / "child.pid"
    script = tmp_path / "wrapper.sh"
    script.write_text(
        "#!/bin/sh\n"
        f"sleep 300 & echo $! > {child_pid}\n"
        "echo 'your url is: https://wrapped.loca.lt'\n"
        "wait\n"
    )
    script.chmod(0o755)
    states = States()
    settings = TunnelSettings(mode="localtunnel", command=[str(script), "{port}"])
    sup = supervisor(settings, 8123, ScriptedProber(), states)
    async with sup:
        await states.until(lambda s: s.phase == "verified")
        pid = sup.pid
    grandchild = int(child_pid.read_text())
    assert await wait_gone(pid) and await wait_gone(grandchild)


def test_fakes_are_executable() -> None:
    for tool in ("ngrok", "cloudflared", "bore", "tailscale", "npx", "ssh"):
        assert os.access(BIN / tool, os.X_OK), tool


async def test_supervisor_rejects_a_second_start() -> None:
    sup = TunnelSupervisor(TunnelSettings(), 1, probe=Prober())
    await sup.start()
    with pytest.raises(RuntimeError):
        await sup.start()
    await sup.stop()


async def test_custom_command_with_a_configured_url(tmp_path: Path) -> None:
    """A tool rostray cannot parse (a VPN, a reverse proxy agent): the user names the URL,
    and the probe alone decides."""
    prober, states = Prober(timeout=5), States()
    async with probe_receiver(prober) as receiver:
        settings = TunnelSettings(
            mode="custom",
            command=["sh", "-c", "exec sleep 300"],
            public_url=receiver.local_base_url,
        )
        async with supervisor(settings, receiver.port, prober, states) as sup:
            state = await sup.wait_verified(timeout=10)
            assert state.url == receiver.local_base_url and state.preset == "custom"
            assert sup.pid is not None
