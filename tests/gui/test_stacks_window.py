"""The stacks window against a real Engine and the sandbox, wired through the EngineBridge.

Stacks are launched through the engine (so ROS really calls back), the window reads the
store, and every action goes through the engine. No nested event loops: the delete
confirmation is clicked while the test coroutine keeps running.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QMenu, QMessageBox
from shared import FAST_POLL, WAIT_TEMPLATE, sandbox_engine, template_json

from rostray.config import SandboxSettings, Settings
from rostray.core import i18n as core_i18n
from rostray.core.credentials import legacy_env_warning
from rostray.core.engine import Engine, LaunchRequest
from rostray.core.events import EngineWarning, StackFinished, Subscription
from rostray.gui.bridge import EngineBridge
from rostray.gui.models import (
    ALL,
    FAILED,
    IN_PROGRESS,
    SUCCEEDED,
    HistoryModel,
    plain_tooltip,
)
from rostray.gui.stacks_window import StacksWindow
from rostray.sandbox import Sandbox

FAST = FAST_POLL
MARKUP = "<b>bold</b><a href='x'>link</a>"
REPO = Path(__file__).resolve().parents[2]


OUTPUTS_TEMPLATE = template_json(
    {
        "Parameters": {
            "Password": {"Type": "String", "NoEcho": True},
            "Env": {"Type": "String", "Default": "dev"},
        },
        "Resources": {"Handle": {"Type": "ALIYUN::ROS::WaitConditionHandle"}},
        "Outputs": {
            "Markup": {"Value": MARKUP},
            "Count": {"Value": 3, "Description": "a number"},
            "Config": {"Value": {"a": [1, 2]}, "Description": "an object"},
        },
    }
)


# -- fixtures and helpers ---------------------------------------------------------------------


@dataclass
class App:
    engine: Engine
    window: StacksWindow


@asynccontextmanager
async def opened_window(engine: Engine) -> AsyncIterator[StacksWindow]:
    """The window wired to the engine through the real EngineBridge, as the app does it."""
    bridge = EngineBridge()
    bridge.start(engine)
    window = StacksWindow(engine, events_interval_ms=100)
    window.connect_bridge(bridge)
    window.show()
    try:
        await window.reload()
        yield window
    finally:
        await bridge.aclose()
        window.close()
        await settle(window)
        window.deleteLater()


@asynccontextmanager
async def running(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[App]:
    """Engine and window, torn down inside the test's coroutine.

    After a test body returns, pytest-qt still processes Qt events while the qasync loop is
    not running; a task resumed then has no running loop. So nothing outlives the body.
    """
    engine = sandbox_engine(sandbox, tmp_path / "history.sqlite3", policy=FAST)
    async with engine, opened_window(engine) as window:
        yield App(engine, window)


async def settle(window: StacksWindow) -> None:
    """Let every pending load finish (loads can start further loads)."""
    for _ in range(3):
        await window.tasks.idle()
        await window.details.tasks.idle()
        await asyncio.sleep(0)


async def until(predicate: Callable[[], bool], timeout: float = 10) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def finished(sub: Subscription, stack_id: str, timeout: float = 15) -> StackFinished:
    async def loop() -> StackFinished:
        async for event in sub:
            if isinstance(event, StackFinished) and event.stack_id == stack_id:
                return event
        raise AssertionError("event stream ended")

    return await asyncio.wait_for(loop(), timeout)


async def launch(engine: Engine, name: str, body: str, **params: str) -> StackFinished:
    sub = engine.subscribe()
    try:
        result = await engine.launch(
            LaunchRequest(template_body=body, stack_name=name, parameters=params)
        )
        return await finished(sub, result.stack_id)
    finally:
        sub.close()


async def two_stacks(engine: Engine) -> tuple[StackFinished, StackFinished]:
    """One stack with outputs (and a NoEcho parameter), then one that fails and rolls back."""
    ok = await launch(engine, "web-alpha", OUTPUTS_TEMPLATE, Password="hunter22-secret")
    failed = await launch(engine, "batch-beta", WAIT_TEMPLATE, Timeout="5")
    assert ok.status == "CREATE_COMPLETE"
    assert failed.status == "CREATE_ROLLBACK_COMPLETE"
    return ok, failed


def row_texts(window: StacksWindow) -> list[list[str]]:
    proxy = window.proxy
    return [
        [proxy.index(r, c).data() for c in range(proxy.columnCount())]
        for r in range(proxy.rowCount())
    ]


async def select(window: StacksWindow, stack_id: str) -> None:
    window.show_stack(stack_id)
    await settle(window)
    assert window.details.stack_id == stack_id
    assert window.details.launch is not None


def outputs_row(window: StacksWindow, key: str) -> int:
    records = window.details.outputs.records()
    return next(i for i, o in enumerate(records) if o["OutputKey"] == key)


# -- the history table --------------------------------------------------------------------------


async def test_window_lists_launched_stacks_with_columns(sandbox: Sandbox, tmp_path: Path) -> None:
    async with running(sandbox, tmp_path) as app:
        window, engine = app.window, app.engine
        await two_stacks(engine)
        await window.reload()
        model = window.model
        headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(5)]
        assert headers == ["Name", "Region", "Status", "Started", "Duration"]
        rows = row_texts(window)
        assert [r[0] for r in rows] == ["batch-beta", "web-alpha"]  # newest first
        for name, status in (
            ("web-alpha", "CREATE_COMPLETE"),
            ("batch-beta", "CREATE_ROLLBACK_COMPLETE"),
        ):
            row = next(r for r in rows if r[0] == name)
            assert row[1] == "cn-hangzhou"
            assert row[2] == status
            assert re.fullmatch(r"\d\d:\d\d:\d\d", row[3])
            assert row[4] == "< 1 s" or re.fullmatch(r"\d+ s", row[4])
        assert "2 stacks" in window.count_label.text()
        # The list leaves every launch's template out; the details pane reads its own.
        assert [x.request_json for x in model.launches()] == [None, None]


async def test_banner_shows_the_backend_and_warnings(sandbox: Sandbox, tmp_path: Path) -> None:
    async with running(sandbox, tmp_path) as app:
        window, engine = app.window, app.engine
        text = window.banner.mode_label.text()
        assert "Alibaba Cloud ROS" in text and engine.ros.endpoint in text
        assert not window.banner.warnings_label.isVisible()
        window.on_event(EngineWarning("Tunnel is down", "cloudflared exited <b>1</b>"))
        assert window.banner.warnings_label.isVisible()
        assert "Tunnel is down (cloudflared exited <b>1</b>)" in window.banner.warnings_label.text()
        assert window.banner.warnings_label.textFormat() == Qt.TextFormat.PlainText


async def test_banner_shows_engine_warnings_in_the_ui_language(
    chinese: None, sandbox: Sandbox, tmp_path: Path
) -> None:
    """Engine warnings are made before the language is known; the banner renders them."""
    legacy = legacy_env_warning({"ALIYUN_ACCESS_KEY_ID": "x", "ALIYUN_ACCESS_KEY_SECRET": "y"})
    assert legacy is not None
    history = core_i18n.deferred.translate("Engine", "History not written: {error}")
    event = EngineWarning(history.format(error="disk full: /tmp/x/history.sqlite3"))
    zh = core_i18n.translator("zh_CN")
    engine = sandbox_engine(sandbox, tmp_path / "history.sqlite3", policy=FAST)
    async with engine:
        engine.warnings.append(legacy)
        async with opened_window(engine) as window:
            window.on_event(event)
            shown = window.banner.warnings
    assert shown == [legacy.render(zh), event.message.render(zh)]
    assert "ALIYUN_ACCESS_KEY_ID" in shown[0] and "请取消设置" in shown[0]
    assert shown[1] == "历史记录未写入：disk full: /tmp/x/history.sqlite3"
    assert str(event.message).startswith("History not written")  # logs stay English


async def test_filter_by_status_group_and_search(sandbox: Sandbox, tmp_path: Path) -> None:
    async with running(sandbox, tmp_path) as app:
        window, engine = app.window, app.engine
        _, failed = await two_stacks(engine)
        await window.reload()
        window.status_buttons[FAILED].click()
        assert [r[0] for r in row_texts(window)] == ["batch-beta"]
        window.status_buttons[SUCCEEDED].click()
        assert [r[0] for r in row_texts(window)] == ["web-alpha"]
        window.status_buttons[IN_PROGRESS].click()
        assert row_texts(window) == []
        assert window.empty_label.text() == "No stacks match the filter."
        window.status_buttons[ALL].click()
        window.search.setText("ALPHA")
        assert [r[0] for r in row_texts(window)] == ["web-alpha"]
        window.search.setText(failed.stack_id[:13])  # the stack id matches too
        assert [r[0] for r in row_texts(window)] == ["batch-beta"]
        window.search.setText("rollback")  # and the status
        assert [r[0] for r in row_texts(window)] == ["batch-beta"]
        window.search.setText("nothing-like-this")
        assert row_texts(window) == []
        assert "0 of 2 stacks" in window.count_label.text()
        window.search.clear()
        assert len(row_texts(window)) == 2


async def test_show_stack_clears_a_filter_that_hides_it(sandbox: Sandbox, tmp_path: Path) -> None:
    async with running(sandbox, tmp_path) as app:
        window, engine = app.window, app.engine
        ok, _ = await two_stacks(engine)
        await window.reload()
        window.status_buttons[FAILED].click()
        window.hide()
        await select(window, ok.stack_id)
        assert window.isVisible()
        assert window.proxy.group == ALL and window.status_buttons[ALL].isChecked()
        assert window.selected_stack() == ok.stack_id


# -- the details pane ---------------------------------------------------------------------------


async def test_details_show_outputs_parameters_events_and_callbacks(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    async with running(sandbox, tmp_path) as app:
        window, engine = app.window, app.engine
        ok, _ = await two_stacks(engine)
        await select(window, ok.stack_id)
        details = window.details
        assert details.name_label.text() == "web-alpha"
        assert details.status_label.text() == "CREATE_COMPLETE"
        assert details.meta["stack_id"].text() == ok.stack_id
        outputs = {o["OutputKey"]: o["OutputValue"] for o in details.outputs.records()}
        assert outputs == {"Markup": MARKUP, "Count": 3, "Config": {"a": [1, 2]}}
        assert details.tabs.tabText(0) == "Outputs (3)"
        assert dict(details.parameters.records()) == {"Password": "****", "Env": "dev"}
        shown = [
            details.parameters.index(r, 1).data() for r in range(details.parameters.rowCount())
        ]
        assert "hunter22-secret" not in json.dumps(shown)
        events = details.events.records()
        assert events, "ListStackEvents returned nothing"
        times = [e.create_time for e in events]
        assert times == sorted(times, reverse=True)
        assert events[0].status == "CREATE_COMPLETE" and events[0].is_stack
        [callback] = details.callbacks.records()
        assert callback.verdict == "confirmed"
        report = details.callback_text.toPlainText()
        assert "Body (" in report and '\n  "Status": "CREATE_COMPLETE"' in report
        assert "Content-Type: application/json" in report
        assert "Verdict:   confirmed" in report
        assert not details.console_button.isVisible()  # a loopback (sandbox) endpoint


async def test_failed_stack_shows_its_reason(sandbox: Sandbox, tmp_path: Path) -> None:
    async with running(sandbox, tmp_path) as app:
        window, engine = app.window, app.engine
        _, failed = await two_stacks(engine)
        await select(window, failed.stack_id)
        details = window.details
        assert details.reason_label.isVisible()
        assert "WaitConditionTimeout" in details.reason_label.text()
        assert details.tabs.tabText(0) == "Outputs (0)"
        assert not details.copy_all_button.isEnabled()


async def test_copy_value_and_copy_all_as_json(sandbox: Sandbox, tmp_path: Path) -> None:
    async with running(sandbox, tmp_path) as app:
        window, engine = app.window, app.engine
        ok, _ = await two_stacks(engine)
        await select(window, ok.stack_id)
        details = window.details
        clipboard = QGuiApplication.clipboard()
        details.outputs_view.selectRow(outputs_row(window, "Config"))
        details.copy_value_button.click()
        assert json.loads(clipboard.text()) == {"a": [1, 2]}
        details.outputs_view.selectRow(outputs_row(window, "Markup"))
        details.copy_value_button.click()
        assert clipboard.text() == MARKUP
        details.copy_all_button.click()
        assert json.loads(clipboard.text()) == {
            "Markup": MARKUP,
            "Count": 3,
            "Config": {"a": [1, 2]},
        }
        assert details.copy_note.text() == "Copied 3 outputs as JSON."
        # The context menu offers the same, per row.
        row = outputs_row(window, "Count")
        rect = details.outputs_view.visualRect(details.outputs.index(row, 1))
        details.outputs_view.customContextMenuRequested.emit(rect.center())
        menu = details.findChildren(QMenu)[-1]
        assert [a.text() for a in menu.actions()] == ["Copy value", "Copy key", "Copy all as JSON"]
        menu.actions()[0].trigger()
        assert clipboard.text() == "3"
        menu.close()


async def test_markup_in_outputs_is_shown_literally(sandbox: Sandbox, tmp_path: Path) -> None:
    async with running(sandbox, tmp_path) as app:
        window, engine = app.window, app.engine
        ok, _ = await two_stacks(engine)
        await select(window, ok.stack_id)
        details = window.details
        index = details.outputs.index(outputs_row(window, "Markup"), 1)
        assert index.data() == MARKUP  # a view item: plain text by default
        # Tooltips are sniffed for rich text, so long values are escaped before they get one.
        assert plain_tooltip(MARKUP * 2).count("&lt;b&gt;bold&lt;/b&gt;") == 2
        assert MARKUP in details.callback_text.toPlainText()  # a QPlainTextEdit: never HTML
        for label in details.findChildren(QLabel):
            if "<" in label.text() and label.objectName() != "placeholder":
                assert label.textFormat() == Qt.TextFormat.PlainText, label.text()


async def test_update_emits_update_requested(sandbox: Sandbox, tmp_path: Path) -> None:
    async with running(sandbox, tmp_path) as app:
        window, engine = app.window, app.engine
        ok, _ = await two_stacks(engine)
        await select(window, ok.stack_id)
        seen: list[str] = []
        window.updateRequested.connect(seen.append)
        assert window.details.update_button.isEnabled()
        window.details.update_button.click()
        assert seen == [ok.stack_id]


async def test_replay_emits_the_stored_result(sandbox: Sandbox, tmp_path: Path) -> None:
    async with running(sandbox, tmp_path) as app:
        window, engine = app.window, app.engine
        ok, failed = await two_stacks(engine)
        seen: list[StackFinished] = []
        window.replayRequested.connect(seen.append)
        await select(window, ok.stack_id)
        window.details.replay_button.click()
        await select(window, failed.stack_id)
        window.details.replay_button.click()
        replay_ok, replay_failed = seen
        assert isinstance(replay_ok, StackFinished)
        assert (replay_ok.stack_id, replay_ok.status, replay_ok.via) == (
            ok.stack_id,
            "CREATE_COMPLETE",
            "replay",
        )
        assert replay_ok.outputs == ok.outputs
        assert replay_ok.stack_name == "web-alpha" and replay_ok.succeeded
        assert replay_failed.status == "CREATE_ROLLBACK_COMPLETE" and not replay_failed.succeeded
        assert "WaitConditionTimeout" in replay_failed.status_reason


# -- delete ---------------------------------------------------------------------------------------


async def test_delete_through_the_confirmation(sandbox: Sandbox, tmp_path: Path) -> None:
    async with running(sandbox, tmp_path) as app:
        window, engine = app.window, app.engine
        ok, _ = await two_stacks(engine)
        await select(window, ok.stack_id)
        details = window.details
        details.delete_button.click()
        box = details.confirm_box
        assert isinstance(box, QMessageBox) and box.isVisible()
        assert box.textFormat() == Qt.TextFormat.PlainText
        assert "web-alpha" in box.text()
        sub = engine.subscribe()
        started: list[str] = []
        details.deleteStarted.connect(started.append)
        box.confirm_button.click()
        event = await finished(sub, ok.stack_id)
        sub.close()
        assert (event.operation, event.status) == ("DELETE", "DELETE_COMPLETE")
        assert started == [ok.stack_id]
        row = window.model.row_of(ok.stack_id)
        await until(
            lambda: window.model.index(row, HistoryModel.STATUS).data() == "DELETE_COMPLETE"
        )
        await until(lambda: details.status_label.text() == "DELETE_COMPLETE")
        await settle(window)
        assert not details.delete_button.isEnabled()
        assert not details.update_button.isEnabled()


async def test_cancelled_confirmation_deletes_nothing(sandbox: Sandbox, tmp_path: Path) -> None:
    async with running(sandbox, tmp_path) as app:
        window, engine = app.window, app.engine
        ok, _ = await two_stacks(engine)
        await select(window, ok.stack_id)
        window.details.delete_button.click()
        box = window.details.confirm_box
        box.button(QMessageBox.StandardButton.Cancel).click()
        await asyncio.sleep(0.3)
        await settle(window)
        assert (await engine.stack_info(ok.stack_id)).status == "CREATE_COMPLETE"
        assert window.details.confirm_box is None


async def test_delete_error_is_shown_with_its_code(sandbox: Sandbox, tmp_path: Path) -> None:
    async with running(sandbox, tmp_path) as app:
        window, engine = app.window, app.engine
        # A stack the history knows but ROS does not (deleted elsewhere, or another account).
        await engine.store.add_launch(
            stack_id="0f0f0f0f-0000-4000-8000-000000000000",
            stack_name="gone-elsewhere",
            region="cn-hangzhou",
            endpoint=engine.ros.endpoint,
            sandbox=False,
            token="t" * 43,
            notification_url="",
            status="CREATE_COMPLETE",
        )
        await window.reload()
        await select(window, "0f0f0f0f-0000-4000-8000-000000000000")
        details = window.details
        assert "StackNotFound" in details.events_note.text()
        details.delete_button.click()
        details.confirm_box.confirm_button.click()
        await until(details.error_label.isVisible)
        assert "StackNotFound" in details.error_label.text()
        assert details.error_label.text().startswith("Could not delete the stack: StackNotFound:")


async def test_a_stack_from_the_other_backend_is_not_polled(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    async with running(sandbox, tmp_path) as app:
        window, engine = app.window, app.engine
        await engine.store.add_launch(
            stack_id="1e1e1e1e-0000-4000-8000-000000000000",
            stack_name="from-the-sandbox",
            region="cn-hangzhou",
            endpoint="127.0.0.1:1",
            sandbox=True,  # this engine talks to "the cloud"
            token="u" * 43,
            notification_url="",
        )
        await window.reload()
        await select(window, "1e1e1e1e-0000-4000-8000-000000000000")
        details = window.details
        assert details.status_label.text() == "CREATE_IN_PROGRESS"
        assert "embedded sandbox, which is not running" in details.events_note.text()
        assert not details.polling
        assert not details.console_button.isVisible()


# -- live events ----------------------------------------------------------------------------------


async def test_events_refresh_only_while_in_progress_and_visible(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    async with running(sandbox, tmp_path) as app:
        window, engine = app.window, app.engine
        calls: list[str] = []
        original = engine.stack_events

        async def counting(stack: str):
            calls.append(stack)
            return await original(stack)

        engine.stack_events = counting  # type: ignore[method-assign]
        sub = engine.subscribe()
        slow = await engine.launch(
            LaunchRequest(
                template_body=WAIT_TEMPLATE, stack_name="slow", parameters={"Timeout": "150"}
            )
        )
        await window.reload()
        await select(window, slow.stack_id)
        details = window.details
        assert details.polling, "an in-progress stack in a visible window is refreshed"
        assert details.status_label.text() == "CREATE_IN_PROGRESS"
        assert details.progress.isVisible()
        assert "resources done" in details.progress.text()
        before = len(calls)
        await asyncio.sleep(0.35)
        assert len(calls) > before  # ticks every 100 ms in this test
        window.hide()
        assert not details.polling
        hidden_at = len(calls)
        await asyncio.sleep(0.3)
        await settle(window)
        assert len(calls) <= hidden_at + 1  # at most the refresh already in flight
        window.show()
        assert details.polling
        event = await finished(sub, slow.stack_id)
        sub.close()
        assert event.status == "CREATE_ROLLBACK_COMPLETE"
        await until(lambda: not details.polling)
        await settle(window)
        stopped_at = len(calls)
        await asyncio.sleep(0.4)
        assert len(calls) == stopped_at, "no refresh once the stack finished"
        assert details.status_label.text() == "CREATE_ROLLBACK_COMPLETE"
        assert not details.progress.isVisible()
        assert not window._duration_timer.isActive()


# -- screenshots ----------------------------------------------------------------------------------


def screenshot_dir(tmp_path: Path) -> Path:
    """docs/screenshots when ROSTRAY_SCREENSHOTS=1 (to refresh the docs), else a temp dir."""
    if os.environ.get("ROSTRAY_SCREENSHOTS") == "1":
        target = REPO / "docs" / "screenshots"
        target.mkdir(parents=True, exist_ok=True)
        return target
    return tmp_path


async def test_screenshot_stacks_window(tmp_path: Path) -> None:
    """A sandbox-mode window with a few stacks: one failed with a reason, one selected."""
    settings = Settings(sandbox=SandboxSettings(time_scale=0.01))
    engine = Engine(
        settings,
        force_sandbox=True,
        store_path=tmp_path / "history.sqlite3",
        sandbox_state=tmp_path / "sandbox.json",
        poll_policy=FAST,
    )
    async with engine:
        templates = REPO / "resources" / "templates"
        await launch(engine, "vpc-basic", (templates / "vpc-basic.json").read_text())
        failed = await launch(
            engine, "nightly-rollback", (templates / "rollback-demo.yaml").read_text(), Timeout="5"
        )
        web = await launch(
            engine,
            "web-frontend",
            (templates / "ecs-vpc-web.yaml").read_text(),
            InstancePassword="Sup3r-Secret-pw",
        )
        await launch(engine, "seed-webhook", (templates / "seed-webhook.json").read_text())
        await engine.launch(
            LaunchRequest(
                template_body=(templates / "wait-condition.yaml").read_text(),
                stack_name="release-gate",
                parameters={"Timeout": "3600"},
            )
        )
        async with opened_window(engine) as window:
            window.resize(1280, 780)
            await select(window, web.stack_id)
            assert window.banner.mode_label.text() == "Embedded ROS sandbox — no cloud account used"
            await asyncio.sleep(0.3)
            await settle(window)
            path = screenshot_dir(tmp_path) / "stacks-window.png"
            assert window.grab().save(str(path))
            assert path.stat().st_size > 10_000
            await select(window, failed.stack_id)
            window.details.tabs.setCurrentIndex(2)  # the events that explain the failure
            await settle(window)
            assert "WaitConditionTimeout" in window.details.reason_label.text()
            path = screenshot_dir(tmp_path) / "stacks-window-failed.png"
            assert window.grab().save(str(path))
