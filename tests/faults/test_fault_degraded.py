"""Environment faults, each with a clear message and a working degraded mode: the receiver's
port taken, a corrupt config file, a full disk under the history database, a locked or absent
keyring, no D-Bus. (The GUI's own handling of these is the GUI engineers' to test.)"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from shared import WAIT_TEMPLATE, sandbox_engine

from rostray.core.engine import LaunchRequest
from rostray.core.events import EngineWarning, StackFinished
from rostray.core.receiver import IncomingCallback, Receiver, ReceiverError
from rostray.core.store import Store, StoreError
from rostray.core.tracker import PollPolicy
from rostray.sandbox import Sandbox

HERE = Path(__file__).resolve().parent
SIMPLE = {"ROSTemplateFormatVersion": "2015-09-01", "Resources": {}}


async def cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "rostray", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode or 0, out.decode(), err.decode()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text("[sandbox]\ntime_scale = 0.01\n", encoding="utf-8")
    return path


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


async def nothing(incoming: IncomingCallback) -> None:
    return None


# --- the receiver's port is taken -------------------------------------------------------------


async def test_taken_port_falls_back_to_a_free_one(
    taken_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    receiver = Receiver(port=taken_port, is_known_token=lambda t: False, on_callback=nothing)
    async with receiver:
        assert receiver.port not in (0, taken_port)
        assert receiver.warning is not None
        warning = str(receiver.warning)
        assert f"port {taken_port}" in warning and "polling" in warning
    assert any(r.levelno == logging.WARNING for r in caplog.records)


async def test_taken_port_without_fallback_is_a_clear_error(taken_port: int) -> None:
    receiver = Receiver(
        port=taken_port, is_known_token=lambda t: False, on_callback=nothing, port_fallback=False
    )
    with pytest.raises(ReceiverError) as info:
        await receiver.start()
    message = str(info.value)
    assert f"cannot listen on 127.0.0.1:{taken_port}" in message
    assert "port = 0" in message and isinstance(info.value, OSError)


async def test_an_address_that_is_not_ours_is_a_clear_error() -> None:
    receiver = Receiver(host="192.0.2.1", is_known_token=lambda t: False, on_callback=nothing)
    with pytest.raises(ReceiverError, match=r"192\.0\.2\.1:0: .*host to 127\.0\.0\.1"):
        await receiver.start()


async def test_cli_works_when_the_configured_port_is_taken(taken_port: int, config: Path) -> None:
    config.write_text(config.read_text() + f"\n[receiver]\nport = {taken_port}\n", encoding="utf-8")
    code, out, err = await cli(
        "launch", "seed-webhook", "-n", "taken", "--sandbox", "--wait", "--config", str(config)
    )
    assert code == 0, err
    assert "CREATE_COMPLETE" in out and "learned by callback" in out
    assert f"receiver port {taken_port} on 127.0.0.1 is already in use" in err
    assert "Traceback" not in err


async def test_cli_shows_the_port_warning_in_the_users_language(
    taken_port: int, config: Path
) -> None:
    """The engine's warning is a deferred text: the CLI shows it in Chinese under zh_CN."""
    config.write_text(config.read_text() + f"\n[receiver]\nport = {taken_port}\n", encoding="utf-8")
    chinese = {"LANG": "zh_CN.UTF-8", "LC_ALL": "", "LC_MESSAGES": "", "LANGUAGE": ""}
    code, out, err = await cli(
        "launch", "seed-webhook", "-n", "taken-zh", "--sandbox", "--wait", "--config", str(config),
        env=chinese,
    )  # fmt: skip
    assert code == 0, err
    assert f"警告：127.0.0.1 上的接收端口 {taken_port} 已被占用" in err, err
    assert "Warning: receiver port" not in err and "CREATE_COMPLETE" in out  # the log stays English


# --- the config file is corrupt ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\x00\xff\xfe garbage", "not UTF-8 text"),
        (b"[receiver\nport = 1", "not valid TOML"),
        (b"[receiver]\nport = 'eighty'", "receiver.port: expected an integer"),
        (b"[receiver]\nport = 99999", "between 0 and 65535"),
        (b"[ros]\naccess_key_secret = 'x'", "credentials are never read from the config file"),
        (b"\xef\xbb\xbf[ros]\nregion = 'cn-beijing'\n" + b"x" * 10, "not valid TOML"),
    ],
)
async def test_corrupt_config_is_one_clear_line(
    config: Path, content: bytes, expected: str
) -> None:
    config.write_bytes(content)
    for args in (("history",), ("launch", "seed-webhook", "--sandbox", "--wait")):
        code, _, err = await cli(*args, "--config", str(config))
        assert code == 2, err
        assert str(config) in err and expected in err, err
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1


async def test_headless_with_a_corrupt_config_runs_on_defaults(config: Path) -> None:
    """Headless is what starts at login: one warning line, then it runs (security.md §5, H2)."""
    config.write_bytes(b"[receiver\nport = 1")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "rostray", "--headless", "--sandbox", "--no-desktop-notifications",
        "--config", str(config),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None
    try:
        started = json.loads(await asyncio.wait_for(proc.stdout.readline(), 30) or b"null")
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err_bytes = await asyncio.wait_for(proc.communicate(), 30)
    err = err_bytes.decode()
    assert started is not None, err
    assert (started["Event"], started["Mode"]) == ("Started", "sandbox")
    assert proc.returncode == 0, err
    [line] = err.strip().splitlines()
    assert str(config) in line and "not valid TOML" in line and "default settings" in line


@pytest.mark.parametrize(
    "command", [("launch", "seed-webhook", "--sandbox", "--wait"), ("--headless", "--sandbox")]
)
async def test_receiver_that_cannot_listen_is_one_clear_line(
    config: Path, command: tuple[str, ...]
) -> None:
    """A receiver address that is not this machine's: ReceiverError, not a traceback (C2)."""
    config.write_text(config.read_text() + "\n[receiver]\nhost = '192.0.2.1'\n", "utf-8")
    code, out, err = await cli(*command, "--config", str(config))
    assert code == 2, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert "192.0.2.1" in err and "127.0.0.1" in err and out == ""


# --- the disk fills up under the history database ---------------------------------------------


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 512 KiB tmpfs (we run as root in CI); skipped where mounting is not allowed."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=512k,mode=0700", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(path: Path) -> Path:
    """Take every free byte of the filesystem; returns the filler to delete later."""
    filler = path / "filler"
    with contextlib.suppress(OSError), open(filler, "wb") as handle:
        while True:
            handle.write(b"\0" * 4096)
            handle.flush()
    return filler


def test_disk_full_is_a_store_error_and_the_database_survives(tiny_disk: Path) -> None:
    store = Store.open(tiny_disk / "history.sqlite3")
    store.add_launch(
        stack_id="s-1", stack_name="n", region="r", endpoint="e", sandbox=True,
        token="t" * 43, notification_url="u",
    )  # fmt: skip
    filler = fill(tiny_disk)
    with pytest.raises(StoreError) as info:
        for _ in range(200):
            store.record_callback("t" * 43, "s-1", "127.0.0.1", {}, os.urandom(16_384), "x")
    assert "history.sqlite3" in str(info.value)
    assert "full" in str(info.value) or "I/O" in str(info.value)
    filler.unlink()  # space again: the same open store goes on working
    assert store.announce("s-1", "CREATE_COMPLETE", "ok")
    store.close()
    with sqlite3.connect(tiny_disk / "history.sqlite3") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    reopened = Store.open(tiny_disk / "history.sqlite3")
    assert reopened.get_by_stack("s-1").announced == ["CREATE_COMPLETE"]
    reopened.close()


async def test_receiver_answers_503_while_the_disk_is_full(tiny_disk: Path) -> None:
    """ROS gets an honest 503 (the app failed, not the input); bad input still gets 4xx."""
    store = Store.open(tiny_disk / "history.sqlite3")

    async def persist(incoming: IncomingCallback) -> None:
        store.record_callback(incoming.token, None, incoming.remote, {}, incoming.body, "x")

    receiver = Receiver(is_known_token=lambda t: t == "tok12345", on_callback=persist)
    body = b'{"StackId": "s-1", "Status": "CREATE_COMPLETE", "Pad": "' + b"p" * 30_000 + b'"}'
    json_type = {"Content-Type": "application/json"}
    async with receiver, aiohttp.ClientSession(headers=json_type) as session:
        url = receiver.hook_url("tok12345")
        filler = fill(tiny_disk)
        statuses = []
        for _ in range(5):
            async with session.post(url, data=body) as response:
                statuses.append(response.status)
        async with session.post(url, data=b"not json") as response:
            assert response.status == 400
        filler.unlink()
        async with session.post(url, data=body) as response:
            assert response.status == 200
    store.close()
    assert 503 in statuses and set(statuses) <= {200, 503}


async def test_a_full_disk_does_not_lose_a_result(sandbox: Sandbox, tiny_disk: Path) -> None:
    """The gate cannot be written (E3): the result is shown anyway with a warning, the stack
    stays tracked, and once there is space again a later poll takes the gate, showing
    nothing twice."""
    db = tiny_disk / "history.sqlite3"
    policy = PollPolicy(grace=0.3, max_interval=0.5, verify_retries=0, verify_delay=0.05)
    async with sandbox_engine(sandbox, db, policy=policy) as engine:
        sub = engine.subscribe()
        launch = await engine.launch(LaunchRequest(WAIT_TEMPLATE, "on-a-full-disk"))
        stack = sandbox.engine.get(launch.stack_id)
        while "Handle" not in stack.wait_tokens:
            await asyncio.sleep(0.01)
        with sqlite3.connect(db) as conn:  # an empty WAL: the next write needs new space
            while conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]:
                await asyncio.sleep(0.01)
        filler = fill(tiny_disk)
        sandbox.engine.signal(stack, "Handle", {"status": "SUCCESS", "data": "ok"})
        shown: list[StackFinished] = []
        warnings: list[EngineWarning] = []

        async def until_shown_and_warned() -> None:
            async for event in sub:
                if isinstance(event, StackFinished):
                    shown.append(event)
                elif isinstance(event, EngineWarning):
                    warnings.append(event)
                if shown and warnings:
                    return

        await asyncio.wait_for(until_shown_and_warned(), 15)
        assert (shown[0].stack_id, shown[0].status) == (launch.stack_id, "CREATE_COMPLETE")
        message = str(warnings[0].message)
        assert "History not written" in message and "history.sqlite3" in message
        assert launch.token not in message
        assert (await engine.store.get_by_stack(launch.stack_id)).announced == []
        assert launch.stack_id in engine.tracker.tracked()  # still tracked: the gate is open
        filler.unlink()
        while (await engine.store.get_by_stack(launch.stack_id)).announced == []:
            await asyncio.sleep(0.05)  # a later poll takes the gate
        await engine.tracker.settle()
        assert launch.stack_id not in engine.tracker.tracked()
        engine.bus.publish(EngineWarning("end of test"))
        later = []
        async for event in sub:
            if isinstance(event, EngineWarning) and event.message == "end of test":
                break
            later.append(event)
        assert not [e for e in later if isinstance(e, StackFinished)]  # shown once
    stored = Store.open(db)
    assert stored.get_by_stack(launch.stack_id).announced == ["CREATE_COMPLETE"]
    stored.close()


# --- keyring locked or absent -----------------------------------------------------------------


async def test_locked_keyring_warns_and_uses_the_sandbox(config: Path) -> None:
    env = {"PYTHON_KEYRING_BACKEND": "locked_keyring.Locked", "PYTHONPATH": str(HERE)}
    code, out, err = await cli(
        "launch", "seed-webhook", "-n", "kr", "--wait", "--config", str(config), env=env
    )
    assert code == 0, err
    assert "Warning: the system keyring is locked" in err
    assert "embedded ROS sandbox" in err and "CREATE_COMPLETE" in out
    assert "Traceback" not in err


async def test_absent_keyring_is_quiet_unless_asked_for(config: Path) -> None:
    env = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    code, _, err = await cli(
        "launch", "seed-webhook", "-n", "kr", "--wait", "--config", str(config), env=env
    )
    assert code == 0, err
    assert "embedded ROS sandbox" in err and "Warning" not in err
    config.write_text(config.read_text() + '\n[ros]\ncredentials = "keyring"\n', "utf-8")
    code, _, err = await cli("launch", "seed-webhook", "--wait", "--config", str(config), env=env)
    assert code == 2, err
    assert "no system keyring is available" in err and "Traceback" not in err


# --- no D-Bus session ------------------------------------------------------------------------


async def headless_without_dbus(sandbox: Sandbox, config: Path) -> tuple[dict, str]:
    """One result to announce (launched by a killed CLI), then headless with a dead bus."""
    env = {
        "ALIBABA_CLOUD_ACCESS_KEY_ID": sandbox.access_key_id,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": sandbox.access_key_secret,
    }
    endpoint = ("--endpoint", sandbox.endpoint, "--config", str(config))
    first, second = config.parent / "v1.json", config.parent / "v2.json"
    for path, said in ((first, "one"), (second, "two")):
        path.write_text(json.dumps({**SIMPLE, "Outputs": {"Said": {"Value": said}}}), "utf-8")
    code, _, err = await cli("launch", str(first), "-n", "bus", "--wait", *endpoint, env=env)
    assert code == 0, err
    code, _, err = await cli(
        "update", "bus", str(second), *endpoint, env=env
    )  # finishes while nobody listens: headless announces it
    assert code == 0, err
    await sandbox.engine.settle()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "rostray", "--headless", *endpoint,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **env, "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/bus"},
    )  # fmt: skip
    assert proc.stdout is not None
    try:
        await asyncio.wait_for(proc.stdout.readline(), 30)
        finished = json.loads(await asyncio.wait_for(proc.stdout.readline(), 30))
        await asyncio.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err_bytes = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0
    return finished, err_bytes.decode()


async def test_no_dbus_still_prints_results(sandbox: Sandbox, config: Path) -> None:
    finished, _ = await headless_without_dbus(sandbox, config)
    assert (finished["Event"], finished["Status"]) == ("StackFinished", "UPDATE_COMPLETE")


async def test_no_dbus_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from rostray.commands.headless import DesktopAlerts
    from rostray.core.events import StackFinished

    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
    event = StackFinished("s-1", "n", "cn-hangzhou", "CREATE", "CREATE_COMPLETE", "", (),
                          "callback", 0.0, True)  # fmt: skip
    alerts = DesktopAlerts()
    sent = [await alerts.send(event, 3) for _ in range(2)]
    assert sent == [False, False]  # print-only after the first failure
    assert "desktop notifications unavailable" in caplog.text
    assert not any(record.exc_info for record in caplog.records)  # no traceback
