"""The app's wiring (Controller) offscreen against a real engine on the sandbox: no-tray
fallback, hand-over requests, the update form prefilled from the stack, and launching
without a reachable callback URL when the user accepts polling."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from shared import sandbox_engine, template_text

from rostray.core.engine import Engine, LaunchRefused, LaunchRequest
from rostray.core.events import StackFinished
from rostray.gui.app import Controller
from rostray.sandbox import Sandbox

ARGS = argparse.Namespace(hidden=True, config=None, sandbox=False, endpoint=None)
BODY = template_text("parameters-showcase.yaml")


@asynccontextmanager
async def running(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[Controller]:
    """Engine and controller, torn down inside the test body: pytest-qt processes Qt events
    after the body returns, when no asyncio loop runs, so nothing may outlive the body."""
    engine = sandbox_engine(sandbox, tmp_path / "history.sqlite3")
    async with engine:
        ctl = Controller(QApplication.instance(), engine, ARGS)
        try:
            yield ctl
        finally:
            await ctl.aclose()
            ctl.window.close()
            await asyncio.sleep(0.3)  # let the window's coalesced refresh timer run out


async def finished(engine: Engine, stack_id: str) -> StackFinished:
    sub = engine.subscribe()
    async for event in sub:
        if isinstance(event, StackFinished) and event.stack_id == stack_id:
            return event
    raise AssertionError("stream ended")


async def test_without_a_tray_the_window_shows_even_when_hidden(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    async with running(sandbox, tmp_path) as controller:
        assert not controller.tray.available  # offscreen has no tray host
        assert controller.window.isVisible()
        assert any("No system tray" in w for w in controller.window.banner.warnings)


async def test_hand_over_launch_with_yes_launches_in_the_app(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    async with running(sandbox, tmp_path) as controller:
        reply = await controller.handle_request(
            {
                "command": "launch",
                "template_body": template_text("seed-webhook.json"),
                "template_name": "seed-webhook.json",
                "name": "handed",
                "parameters": {},
                "yes": True,
            }
        )
        assert reply["ok"], reply
        event = await asyncio.wait_for(finished(controller.engine, reply["stack_id"]), 15)
        assert event.status == "CREATE_COMPLETE"


async def test_hand_over_without_yes_opens_the_prefilled_form(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    async with running(sandbox, tmp_path) as controller:
        reply = await controller.handle_request(
            {
                "command": "launch",
                "template_body": BODY,
                "template_name": "showcase.yaml",
                "name": "from-cli",
                "parameters": {"Owner": "bob"},
            }
        )
        assert reply == {"ok": True, "form": True}
        [form] = controller.forms
        assert form.isVisible() and form.name_edit.text() == "from-cli"
        assert "bob" in [e.text() for e in form.findChildren(type(form.name_edit))]
        bad = await controller.handle_request({"command": "launch", "template_body": "{oops"})
        assert not bad["ok"] and "InvalidTemplate" in bad["error"]
        assert (await controller.handle_request({"command": "nope"}))["ok"] is False


async def test_update_form_starts_from_the_stacks_template_and_values(
    sandbox: Sandbox,
    tmp_path: Path,
) -> None:
    async with running(sandbox, tmp_path) as controller:
        launch = await controller.engine.launch(
            LaunchRequest(
                template_body=BODY,
                stack_name="to-update",
                template_name="s.yaml",
                parameters={"AdminPassword": "Secr3t!pass", "Owner": "carol"},
            )
        )
        form = controller.open_update_form(launch.stack_id)
        for _ in range(100):
            if form.template is not None:
                break
            await asyncio.sleep(0.02)
        assert form.template is not None and form.template_name == "s.yaml"
        texts = [e.text() for e in form.findChildren(type(form.name_edit))]
        assert "carol" in texts
        assert "Secr3t!pass" not in texts  # NoEcho values were never stored


async def test_launch_anyway_and_poll(sandbox: Sandbox, tmp_path: Path) -> None:
    """No reachable callback URL (a tunnel is forced but none is configured): refused,
    unless the user accepts polling; then polling finds the result."""
    engine = sandbox_engine(sandbox, tmp_path / "h.sqlite3", force_tunnel=True)
    async with engine:
        request = LaunchRequest(
            template_body=template_text("seed-webhook.json"), stack_name="polled"
        )
        with pytest.raises(LaunchRefused, match="no tunnel is configured"):
            await engine.launch(request)
        polled = LaunchRequest(
            template_body=request.template_body, stack_name="polled", allow_polling=True
        )
        sub = engine.subscribe()
        launch = await engine.launch(polled)
        assert launch.notification_url == ""
        async for event in sub:
            if isinstance(event, StackFinished):
                assert (event.stack_id, event.via) == (launch.stack_id, "poll")
                break


def test_only_the_tray_is_imported_at_start() -> None:
    """The windows are imported on first use: start-up to tray is a target (≤ 1.5 s)."""
    windows = tuple(
        f"rostray.gui.{name}" for name in ("stacks_window", "launch_form", "settings_dialog")
    )
    code = f"import sys, rostray.gui.app; print([m for m in {windows!r} if m in sys.modules])"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
