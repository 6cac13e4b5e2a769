"""desktop-notifier against a fake org.freedesktop.Notifications on a private session bus."""

from __future__ import annotations

import asyncio
import html
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from fake_notifications import FakeNotifications, serve
from PySide6.QtGui import QGuiApplication
from shared import FIXED_NOW, stack_finished, wait_signal

from rostray.config import NotificationSettings
from rostray.core.alerts import Alert
from rostray.core.events import StackFinished
from rostray.core.payload import Output
from rostray.gui.notifier import DesktopNotifierBackend, Notifier

pytestmark = pytest.mark.dbus

NOW = FIXED_NOW
FULL = ["body", "body-markup", "actions"]
PLAIN = ["body", "actions"]


def finished(
    stack_id: str = "stack-1",
    status: str = "CREATE_COMPLETE",
    outputs: tuple[Output, ...] = (Output("Url", "https://web.example/?a=1&b=<2>", ""),),
    reason: str = "",
    sandbox: bool = False,
) -> StackFinished:
    return stack_finished(
        stack_id, status, outputs, stack_name="web", reason=reason, sandbox=sandbox
    )


class NoActions:
    def buttons(self, alert: Alert) -> list:
        return []

    def clicked(self, alert: Alert) -> None:
        pass


class Spy:
    name = "spy"

    def __init__(self) -> None:
        self.sent: list[Alert] = []

    async def send(self, alert: Alert) -> None:
        self.sent.append(alert)


async def until(predicate, timeout: float = 5.0) -> None:
    async def poll() -> None:
        while not predicate():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), timeout)


@pytest.fixture
async def notifier(session_bus: str, qapp) -> AsyncIterator[Notifier]:
    notifier = Notifier(NotificationSettings(), window=0.05, min_interval=0.05)
    yield notifier
    await notifier.aclose()


async def notify(notifier: Notifier, server: FakeNotifications, *events: StackFinished):
    for event in events:
        notifier.result(event)
    await notifier.idle()
    return await server.wait_calls(1)


async def test_markup_server_gets_an_escaped_body_buttons_and_urgency(notifier) -> None:
    event = finished(status="CREATE_FAILED", reason="<b>Quota</b> & more")
    async with serve(FULL) as server:
        [call] = await notify(notifier, server, event)
    alert = notifier.alert_for(event)
    assert call.app_name == "rostray"
    assert call.app_icon.startswith("file://") and call.app_icon.endswith("/rostray.svg")
    assert call.summary == alert.title == "web creation failed — CREATE_FAILED"
    assert call.body == html.escape(alert.body, quote=False)
    assert "&lt;b&gt;Quota&lt;/b&gt; &amp; more" in call.body
    assert "a=1&amp;b=&lt;2&gt;" in call.body
    assert list(call.buttons) == ["Show details", "Copy Url", "Open in ROS console"]
    assert "default" in call.keys  # clicking the body opens the stack too
    assert call.hints["urgency"] == 2  # critical
    assert notifier.backend_name == "desktop-notifier"
    assert [r.via for r in notifier.alerts] == ["desktop-notifier"]


async def test_plain_server_gets_the_raw_body(notifier) -> None:
    event = finished(reason="")
    async with serve(PLAIN) as server:
        [call] = await notify(notifier, server, event)
    assert call.body == "Url: https://web.example/?a=1&b=<2>"
    assert call.hints["urgency"] == 1  # normal
    assert "Show details" in call.buttons


async def test_summary_is_plain_and_markup_inert_where_markup_renders(notifier) -> None:
    event = replace(finished(), stack_name="<i>web</i>&co")
    async with serve(FULL) as server:
        [call] = await notify(notifier, server, event)
    assert call.summary == "‹i›web‹/i›＆co created — CREATE_COMPLETE"


async def test_summary_is_untouched_where_nothing_renders_markup(notifier) -> None:
    event = replace(finished(), stack_name="<i>web</i>&co")
    async with serve(PLAIN) as server:
        [call] = await notify(notifier, server, event)
    assert call.summary == "<i>web</i>&co created — CREATE_COMPLETE"


async def test_no_buttons_without_the_actions_capability(notifier) -> None:
    async with serve(["body"]) as server:
        [call] = await notify(notifier, server, finished())
    assert call.buttons == {}


async def test_sandbox_stacks_have_no_console_button(notifier) -> None:
    async with serve(FULL) as server:
        [call] = await notify(notifier, server, finished(sandbox=True))
    assert list(call.buttons) == ["Show details", "Copy Url"]
    assert call.summary.endswith("(sandbox)")


async def test_pressing_copy_puts_the_value_on_the_clipboard(notifier) -> None:
    QGuiApplication.clipboard().setText("before")
    async with serve(FULL) as server:
        [call] = await notify(notifier, server, finished())
        server.press(call, "Copy Url")
        await until(lambda: QGuiApplication.clipboard().text() != "before")
    assert QGuiApplication.clipboard().text() == "https://web.example/?a=1&b=<2>"


async def test_show_details_and_body_click_emit_show_stack(notifier) -> None:
    async with serve(FULL) as server:
        [first] = await notify(notifier, server, finished("stack-a"))
        pending = asyncio.ensure_future(wait_signal(notifier.showStack))
        await asyncio.sleep(0)
        server.press(first, "Show details")
        assert await pending == ("stack-a",)

        notifier.result(finished("stack-b"))
        await notifier.idle()
        second = (await server.wait_calls(2))[1]
        pending = asyncio.ensure_future(wait_signal(notifier.showStack))
        await asyncio.sleep(0)
        server.click(second)
        assert await pending == ("stack-b",)


async def test_other_apps_actions_are_ignored(notifier) -> None:
    shown: list[str] = []
    notifier.showStack.connect(shown.append)
    async with serve(FULL) as server:
        [call] = await notify(notifier, server, finished())
        server.ActionInvoked(call.id + 100, "default")  # someone else's popup
        await asyncio.sleep(0.2)
    assert shown == []


async def test_a_burst_is_one_notify_call(notifier) -> None:
    events = [finished(f"stack-{n}") for n in range(5)]
    async with serve(FULL) as server:
        await notify(notifier, server, *events)
        await asyncio.sleep(0.2)
    assert [c.summary for c in server.calls] == ["5 stacks finished"]
    assert list(server.calls[0].buttons) == ["Show rostray"]


async def test_no_notification_server_falls_back_once(session_bus: str, qapp) -> None:
    spy = Spy()
    notifier = Notifier(
        NotificationSettings(),
        [DesktopNotifierBackend(NoActions()), spy],
        window=0.05,
        min_interval=0.05,
    )
    changes: list[str] = []
    notifier.backendChanged.connect(changes.append)
    try:
        notifier.result(finished("stack-1"))
        await notifier.idle()
        notifier.result(finished("stack-2"))
        await notifier.idle()
        assert changes == ["spy"]
        assert [getattr(a, "stack_id", None) for a in spy.sent] == ["stack-1", "stack-2"]

        async with serve(PLAIN) as server:  # the server comes back; a test retries it
            notifier.send_test()
            await notifier.idle()
            [call] = await server.wait_calls(1)
        assert changes == ["spy", "desktop-notifier"]
        assert call.summary == "rostray test notification"
    finally:
        await notifier.aclose()
