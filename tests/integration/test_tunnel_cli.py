"""``rostray tunnel check`` against a real ssh tunnel (once as a real subprocess) and failing
setups (in-process, for speed)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path

import pytest
from fakes.ssh_servers import AsyncsshTunnelServer, require_ssh_client

from rostray.commands import tunnel as tunnel_command

pytestmark = pytest.mark.timeout(60)


def toml_list(items: list[str]) -> str:
    return "[" + ", ".join(json.dumps(i) for i in items) + "]"


async def run_check(config: Path, *extra: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "rostray.commands.tunnel",
        "check",
        "--config",
        str(config),
        *extra,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=dict(os.environ),
    )
    out, err = await asyncio.wait_for(proc.communicate(), 45)
    return proc.returncode, out.decode(), err.decode()


async def check_here(
    config: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, str, str]:
    """The command's coroutine in this process (a subprocess start costs seconds)."""
    timeout = float(extra[extra.index("--timeout") + 1]) if "--timeout" in extra else 30.0
    code = await tunnel_command.check(config, timeout, "--json" in extra)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


async def test_check_prints_the_verified_url_and_round_trip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    require_ssh_client()
    async with AsyncsshTunnelServer() as server:
        settings = server.settings()
        config = tmp_path / "config.toml"
        config.write_text(
            "[tunnel]\n"
            'mode = "ssh"\n'
            f'ssh_host = "{settings.ssh_host}"\n'
            f'ssh_user = "{settings.ssh_user}"\n'
            f"command = {toml_list(settings.command)}\n"
        )
        code, out, err = await run_check(config)
        assert code == 0, err
        assert f"public URL: {server.urls[0]}\n" in out
        assert "probe round trip:" in out and " ms" in out
        assert "tunnel verified" in err

        code, out, _ = await check_here(config, capsys, "--json")
        summary = json.loads(out)
        assert code == 0 and summary["verified"] and summary["url"] == server.urls[1]
        assert summary["rtt_ms"] > 0 and summary["preset"] == "ssh"


async def test_check_fails_with_the_reason_and_the_tool_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[tunnel]\nmode = "custom"\n'
        'command = ["sh", "-c", "echo starting up; echo ERROR: no route to relay >&2; exit 3"]\n'
        'url_regex = "url: (\\\\S+)"\n'
    )
    code, _, err = await check_here(config, capsys, "--timeout", "1.5")
    assert code == 1
    assert "not verified" in err
    assert "[stderr] ERROR: no route to relay" in err


async def test_check_without_a_tunnel_or_with_a_bad_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[tunnel]\nmode = "none"\n')
    code, _, err = await check_here(config, capsys)
    assert code == 1 and 'tunnel.mode is "none"' in err
    config.write_text('[tunnel]\nmode = "warp"\n')
    code, _, err = await check_here(config, capsys)
    assert code == 2 and "tunnel.mode" in err


async def test_check_speaks_the_configured_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ui.language in the checked config file decides, even under LANG=C."""
    from rostray.core.i18n import translator

    zh = translator("zh_CN")
    config = tmp_path / "config.toml"
    config.write_text(
        f'[ui]\nlanguage = "zh_CN"\n\n[tunnel]\nmode = "bore"\n'
        f'command = ["{tmp_path}/nope", "{{port}}"]\n'
    )
    code, out, err = await check_here(config, capsys, "--timeout", "10")
    assert code == 1 and out == ""
    prefix = zh("Cli", "rostray tunnel check: not verified: {reason}").split("{")[0]
    assert prefix != "rostray tunnel check: not verified: " and prefix in err
    assert f"{zh('Cli', 'tunnel {phase}: {reason}').split('{')[0]}{zh('Cli', 'down')}" in err
    assert "was not found" in err  # the tunnel's own reason is not translated


async def test_check_reports_a_missing_tool_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[tunnel]\nmode = "bore"\ncommand = ["{tmp_path}/nope", "{{port}}"]\n')
    code, out, _ = await check_here(config, capsys, "--json")
    summary = json.loads(out)
    assert code == 1 and not summary["verified"]
    assert "was not found" in summary["reason"]


def test_run_alone_a_wrong_event_loop_is_one_clear_line(tmp_path: Path) -> None:
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "rostray.commands.tunnel", "check"],
        env={**os.environ, "ROSTRAY_EVENT_LOOP": "x", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [
        "rostray: ROSTRAY_EVENT_LOOP='x' is not one of auto, uvloop, asyncio; "
        "unset it to use the fastest loop installed"
    ]


def test_parser_keeps_a_global_config_option() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", type=Path)
    tunnel_command.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["--config", "a.toml", "tunnel", "check"])
    assert args.config == Path("a.toml") and args.func is tunnel_command.run_check
    args = parser.parse_args(["tunnel", "check", "--config", "b.toml", "--timeout", "5"])
    assert args.config == Path("b.toml") and args.timeout == 5
