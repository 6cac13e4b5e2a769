"""Shared fixtures: a clean environment, an in-process sandbox, the real SDK pointed at it,
and a recorder that stands where ROS's notification POSTs land."""

from __future__ import annotations

import asyncio
import gc
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiohttp import web
from shared import REPO, TEMPLATES, Recorder, Ros, make_client, template_text  # noqa: F401

from rostray.sandbox import Sandbox, SandboxConfig

LEAKY_ENV = (
    "ALIYUN_ACCESS_KEY_ID",
    "ALIYUN_ACCESS_KEY_SECRET",
    "ALIBABA_CLOUD_ACCESS_KEY_ID",
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
    "ALIBABA_CLOUD_SECURITY_TOKEN",
    "ALIBABA_CLOUD_PROFILE",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "http_proxy",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "ROSTRAY_EVENT_LOOP",
)

# The engine's I/O runs on the loop rostray.core.eventloop picks for the Qt-free entry points:
# uvloop where it is installed (a dependency everywhere but Windows). These modules run on
# both loops; the Qt tests (tests/gui, tests/dbus) on qasync; the rest on asyncio's own.
BOTH_LOOPS = {
    "test_engine.py",
    "test_receiver.py",
    "test_sec_receiver.py",
    "test_store.py",
    "test_storethread.py",
    "test_tunnel_supervisor.py",
}
LOOPS: dict = {"asyncio": asyncio.new_event_loop}
if sys.platform != "win32":
    import uvloop

    LOOPS["uvloop"] = uvloop.new_event_loop


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict:
    if item.path.name in BOTH_LOOPS:
        return LOOPS
    return {"asyncio": asyncio.new_event_loop}


@pytest.fixture(autouse=True)
def qt_objects_die_on_the_gui_thread() -> Iterator[None]:
    """Qt tests (tests/gui, tests/dbus) leave closed qasync loops and dead QObjects in
    reference cycles. Collected by chance in a worker thread (a later test's store or SDK
    thread), they are deleted there, and Qt cannot unregister their timers from another
    thread: pytest-qt's next event processing hits freed memory (a segfault seen after the
    dbus tests, in tests/faults). Collect them here, on the main thread, once Qt is loaded."""
    yield
    qt = sys.modules.get("PySide6.QtWidgets")
    if qt is not None and qt.QApplication.instance() is not None:
        gc.collect()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's credentials, proxies, locale or home directory."""
    for name in LEAKY_ENV:
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    # English output whatever the developer's locale (tests that want Chinese set LANG).
    monkeypatch.setenv("LANG", "C.UTF-8")
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("rostray.commands.lang._current", None)  # chosen again per test


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    """A sandbox where a template second lasts 10 ms and simulated resources take 10 ms."""
    config = SandboxConfig(time_scale=0.01, simulated_delay=0.01)
    async with Sandbox(config) as sb:
        yield sb


@pytest.fixture
def ros(sandbox: Sandbox) -> Ros:
    return Ros(make_client(sandbox))


@pytest.fixture
async def recorder() -> AsyncIterator[Recorder]:
    rec = Recorder()
    app = web.Application()
    app.router.add_post("/{tail:.*}", rec.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    rec.url = f"http://127.0.0.1:{port}/hooks/test-token"
    try:
        yield rec
    finally:
        await runner.cleanup()


def _skipped_e2e(config: pytest.Config) -> list:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    stats = reporter.stats if reporter is not None else {}
    return [r for r in stats.get("skipped", []) if "/e2e/" in getattr(r, "nodeid", "")]


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """A skipped end-to-end test must never pass for a green run (see .ci/run)."""
    if skipped := _skipped_e2e(config):
        terminalreporter.write_line(
            f"FAIL: {len(skipped)} real-desktop e2e test(s) skipped; they must run", red=True
        )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _skipped_e2e(session.config):
        session.exitstatus = 1
