"""Secrets never leak: a full flow through the real CLI (launch --wait, a NoEcho parameter, a
launch killed mid-stack, headless reconcile, history, status), every process at DEBUG (-vv).
Every line printed and every file written under the temporary HOME/XDG directories is scanned
for the AccessKey secret, the NoEcho value and the callback tokens. The history database is the
one place that holds tokens by design (it must route callbacks after a restart): it is
excluded from the scan and checked to be owner-only instead."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sqlite3
import stat
import sys
from pathlib import Path

import pytest

from rostray.config import data_dir
from rostray.sandbox import Sandbox, SandboxConfig

SECRET = "Sx9DISTINCTaccessKEYsecret7Q"
KEY_ID = "LTAI5tDistinctKeyId42"
PASSWORD = "Pw0rdNOECHOdistinct9"
NOECHO_TEMPLATE = json.dumps(
    {
        "ROSTemplateFormatVersion": "2015-09-01",
        "Parameters": {"DbPassword": {"Type": "String", "NoEcho": True}},
        "Resources": {},
        "Outputs": {"Note": {"Value": "created"}},
    }
)
WAIT_TEMPLATE = json.dumps(
    {
        "ROSTemplateFormatVersion": "2015-09-01",
        "Resources": {
            "Handle": {"Type": "ALIYUN::ROS::WaitConditionHandle"},
            "Wait": {
                "Type": "ALIYUN::ROS::WaitCondition",
                "Properties": {"Handle": {"Ref": "Handle"}, "Timeout": 3000},
            },
        },
    }
)
DB_FILES = ("history.sqlite3", "history.sqlite3-wal", "history.sqlite3-shm")


@pytest.fixture
async def sandbox_with_secret() -> Sandbox:
    config = SandboxConfig(
        access_key_id=KEY_ID, access_key_secret=SECRET, time_scale=0.01, simulated_delay=0.01
    )
    async with Sandbox(config) as sb:
        yield sb


class Flow:
    def __init__(self, sandbox: Sandbox, config: Path) -> None:
        self.sandbox = sandbox
        self.config = config
        self.transcript: list[bytes] = []
        self.env = {
            **os.environ,
            "ALIBABA_CLOUD_ACCESS_KEY_ID": KEY_ID,
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET": SECRET,
            "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/bus",
        }

    def argv(self, *args: str) -> list[str]:
        common = ["--endpoint", self.sandbox.endpoint, "--config", str(self.config)]
        return [sys.executable, "-m", "rostray", "-vv", *args, *common]

    async def start(self, *args: str) -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            *self.argv(*args), env=self.env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip

    async def run(self, *args: str) -> tuple[int, str]:
        proc = await self.start(*args)
        out, err = await asyncio.wait_for(proc.communicate(), 60)
        self.transcript += [out, err]
        assert proc.returncode == 0, err.decode(errors="replace")[-2000:]
        return proc.returncode, out.decode()


def tokens_in(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute("SELECT token FROM launches")]


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and p.name not in DB_FILES]


async def test_no_secret_or_token_leaves_the_database(
    sandbox_with_secret: Sandbox, tmp_path: Path
) -> None:
    sandbox = sandbox_with_secret
    config = tmp_path / "home" / ".config" / "rostray" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[tracker]\npoll_grace_seconds = 1.0\n", encoding="utf-8")
    noecho = tmp_path / "home" / "noecho.json"
    noecho.write_text(NOECHO_TEMPLATE, encoding="utf-8")
    waiting = tmp_path / "home" / "wait.json"
    waiting.write_text(WAIT_TEMPLATE, encoding="utf-8")
    flow = Flow(sandbox, config)

    await flow.run("launch", "seed-webhook", "-n", "sec-seed", "--wait")
    await flow.run("launch", str(noecho), "-n", "sec-noecho", "-p", f"DbPassword={PASSWORD}",
                   "--wait", "--json")  # fmt: skip

    killed = await flow.start("launch", str(waiting), "-n", "sec-killed", "--wait")
    while not sandbox.engine.find(names=["sec-killed"]):
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)
    killed.kill()
    out, err = await killed.communicate()
    flow.transcript += [out, err]
    [stack] = sandbox.engine.find(names=["sec-killed"])
    while "Handle" not in stack.wait_tokens:
        await asyncio.sleep(0.02)
    sandbox.engine.signal(stack, "Handle", {"status": "SUCCESS", "data": "ok"})
    await sandbox.engine.settle()

    headless = await flow.start("--headless")
    assert headless.stdout is not None
    lines = [await asyncio.wait_for(headless.stdout.readline(), 30) for _ in range(2)]
    headless.send_signal(signal.SIGTERM)
    out, err = await asyncio.wait_for(headless.communicate(), 30)
    flow.transcript += [*lines, out, err]
    assert json.loads(lines[1])["StackName"] == "sec-killed"

    await flow.run("history", "--json")
    await flow.run("history")
    await flow.run("status", "sec-noecho", "--json")

    db = data_dir() / "history.sqlite3"
    tokens = tokens_in(db)
    assert len(tokens) == 3
    needles = {"AccessKey secret": SECRET, "NoEcho value": PASSWORD}
    for token in tokens:
        needles[f"token {token[:4]}…"] = token
        needles[f"token prefix {token[:4]}…"] = token[:8]  # logs keep 4 characters, no more
    transcript = b"\n".join(flow.transcript)
    assert b"DEBUG" in transcript and b"aliyunsdkcore" in transcript  # really at DEBUG
    for what, needle in needles.items():
        assert needle.encode() not in transcript, f"{what} in the output"
    written = files_under(tmp_path / "home") + files_under(tmp_path / "run")
    assert config in written
    for path in written:
        data = path.read_bytes()
        for what, needle in needles.items():
            assert needle.encode() not in data, f"{what} in {path}"

    for name in DB_FILES:
        path = db.parent / name
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
    assert stat.S_IMODE(db.parent.stat().st_mode) & 0o077 == 0


# --- every logger is scrubbed, and the SDK is quiet below -vv (security.md §5, C1) -----------

LEAKY_LOG = """
import logging, sys
from rostray.cli import main
main(sys.argv[1:])
# A logger rostray never listed (a dependency, a future module) logs a callback URL.
logging.getLogger("some.dependency").warning(
    "POST http://127.0.0.1:9/hooks/%s?ParameterValue=%s", "TokAAAAbbbbCCCCdddd", "Pw0rdNOECHO"
)
"""


@pytest.mark.parametrize("verbosity", [[], ["-vv"]])
async def test_every_logger_is_scrubbed(verbosity: list[str]) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", LEAKY_LOG, *verbosity, "history",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    assert b"some.dependency" in err and b"/hooks/TokA" in err  # logged, but scrubbed
    assert b"TokAAAAb" not in err and b"Pw0rdNOECHO" not in err


async def test_sdk_errors_stay_quiet_below_vv(sandbox: Sandbox, tmp_path: Path) -> None:
    """Deleting a stack twice: the second is an expected StackNotFound, which the SDK logs as
    "ERROR … ServerException occurred" before rostray prints its own one clear line."""
    config = tmp_path / "config.toml"
    config.write_text("[sandbox]\ntime_scale = 0.01\n", encoding="utf-8")
    flow = Flow(sandbox, config)
    flow.env.update(ALIBABA_CLOUD_ACCESS_KEY_ID=sandbox.access_key_id,
                    ALIBABA_CLOUD_ACCESS_KEY_SECRET=sandbox.access_key_secret)  # fmt: skip
    await flow.run("launch", "seed-webhook", "-n", "twice", "--wait")
    [stack] = sandbox.engine.find(names=["twice"])
    await flow.run("delete", stack.id)
    await sandbox.engine.settle()
    errors = {}
    for verbosity in ("", "-v", "-vv"):
        argv = flow.argv("delete", stack.id)
        argv.remove("-vv")
        if verbosity:
            argv.insert(3, verbosity)
        proc = await asyncio.create_subprocess_exec(
            *argv, env=flow.env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        _, err = await asyncio.wait_for(proc.communicate(), 60)
        assert proc.returncode == 3, err.decode()
        errors[verbosity] = err.decode()
    for verbosity in ("", "-v"):
        assert "ServerException" not in errors[verbosity], errors[verbosity]
        assert "rostray: ROS error StackNotFound" in errors[verbosity]
    assert "ServerException occurred" in errors["-vv"]  # still there when asked for


async def test_transport_errors_do_not_quote_the_signed_request(tmp_path: Path) -> None:
    """The SDK's HttpError quotes the whole signed CreateStack URL: the callback URL with its
    token and every ParameterValue. rostray prints the error, never the query string."""
    template = tmp_path / "noecho.json"
    template.write_text(NOECHO_TEMPLATE, encoding="utf-8")
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"127.0.0.1:{probe.getsockname()[1]}"
    env = {**os.environ, "ALIBABA_CLOUD_ACCESS_KEY_ID": KEY_ID,
           "ALIBABA_CLOUD_ACCESS_KEY_SECRET": SECRET}  # fmt: skip
    for verbosity in ([], ["-v"]):
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "rostray", *verbosity, "launch", str(template),
            "-p", f"DbPassword={PASSWORD}", "--endpoint", dead, "--no-handover",
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(proc.communicate(), 120)
        text = (out + err).decode(errors="replace")
        assert proc.returncode != 0, text
        assert "SDK.HttpError" in text and "?…" in text, text  # the error itself still shows
        assert PASSWORD not in text and "NotificationURLs" not in text, text
        assert "Signature=" not in text and "%2Fhooks%2F" not in text, text
