"""Notifier: decision table, coalescing, fallback chain, pause, buttons, in-app history."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import replace

import pytest
from PySide6.QtGui import QGuiApplication
from qt_helpers import wait_signal
from shared import FIXED_NOW, stack_finished

from rostray.config import NotificationSettings
from rostray.core.alerts import Alert, compose, summarize
from rostray.core.events import StackFinished
from rostray.core.i18n import translator
from rostray.core.payload import Output
from rostray.gui.bridge import EngineBridge
from rostray.gui.notifier import (
    IN_APP,
    BackendUnavailable,
    Notifier,
    StackAlert,
    TrayMessageBackend,
    clipboard_text,
    should_notify,
)
from rostray.gui.tray import TrayController

NOW = FIXED_NOW
CJK = re.compile(r"[\u4e00-\u9fff]")
FAST = {"window": 0.05, "min_interval": 0.05}


def finished(
    stack_id: str = "s-1",
    status: str = "CREATE_COMPLETE",
    outputs: tuple[Output, ...] = (Output("Url", "https://web.example/?a=1&b=2", ""),),
    sandbox: bool = False,
    reason: str = "",
) -> StackFinished:
    return stack_finished(
        stack_id, status, outputs, stack_name=f"stack-{stack_id}", reason=reason, sandbox=sandbox
    )


class FakeBackend:
    def __init__(self, name: str = "fake", error: Exception | None = None) -> None:
        self.name = name
        self.error = error
        self.sent: list[Alert] = []
        self.times: list[float] = []

    async def send(self, alert: Alert) -> None:
        if self.error is not None:
            raise self.error
        self.sent.append(alert)
        self.times.append(time.monotonic())


def spy(signal) -> list[tuple]:
    calls: list[tuple] = []
    signal.connect(lambda *args: calls.append(args))
    return calls


@pytest.fixture
def settings() -> NotificationSettings:
    return NotificationSettings()


# -- decision -----------------------------------------------------------------------------------

OK = finished()
FAILED = finished(status="CREATE_FAILED")


@pytest.mark.parametrize(
    ("event", "on_success", "on_failure", "paused_until", "expected"),
    [
        (OK, True, True, None, True),
        (FAILED, True, True, None, True),
        (OK, False, True, None, False),
        (FAILED, False, True, None, True),
        (FAILED, True, False, None, False),
        (OK, True, False, None, True),
        (OK, True, True, NOW + 60, False),
        (FAILED, True, True, NOW + 60, False),
        (OK, True, True, NOW - 1, True),  # an expired pause
        (OK, True, True, NOW, True),  # ends at that instant
    ],
)
def test_should_notify(event, on_success, on_failure, paused_until, expected) -> None:
    settings = NotificationSettings(on_success, on_failure, 3, paused_until)
    assert should_notify(event, settings, NOW) is expected


def test_clipboard_text_drops_control_and_format_characters() -> None:
    assert clipboard_text("\x1b[31mred\u202e\u200b\tok\nnext\n") == "[31mred\tok\nnext"


# -- alerts and buttons -------------------------------------------------------------------------


async def test_alert_content_and_buttons(settings, qapp, monkeypatch) -> None:
    notifier = Notifier(settings, [FakeBackend()])
    alert = notifier.alert_for(finished("s-7"))
    assert alert.stack_id == "s-7" and not alert.urgent
    assert alert.title == "stack-s-7 created — CREATE_COMPLETE"
    assert alert.body == "Url: https://web.example/?a=1&b=2"  # plain: no escaping here
    buttons = notifier.buttons(alert)
    assert [b.title for b in buttons] == ["Show details", "Copy Url", "Open in ROS console"]

    shown = spy(notifier.showStack)
    buttons[0].invoke()
    notifier.clicked(alert)
    assert shown == [("s-7",), ("s-7",)]

    buttons[1].invoke()
    assert QGuiApplication.clipboard().text() == "https://web.example/?a=1&b=2"

    opened: list[str] = []
    monkeypatch.setattr(
        "rostray.gui.notifier.QDesktopServices.openUrl",
        lambda url: opened.append(url.toString()) or True,
    )
    buttons[2].invoke()
    assert opened == ["https://ros.console.aliyun.com/cn-hangzhou/stacks/s-7"]
    assert notifier.open_console("javascript:alert(1)") is False
    assert len(opened) == 1


async def test_sandbox_failure_without_outputs(settings, qapp) -> None:
    notifier = Notifier(replace(settings, max_outputs=1), [FakeBackend()])
    event = finished(
        "s-2", "CREATE_ROLLBACK_COMPLETE", outputs=(), sandbox=True, reason="<b>quota</b>"
    )
    alert = notifier.alert_for(event)
    assert alert.urgent
    assert alert.body == "<b>quota</b>"  # plain text; each backend escapes as it must
    assert [b.title for b in notifier.buttons(alert)] == ["Show details"]  # no console link


async def test_summary_buttons_open_the_app(settings, qapp) -> None:
    notifier = Notifier(settings, [FakeBackend()])
    summary = StackAlert.from_alert(Alert("5 stacks finished", "", False, None, None, None))
    buttons = notifier.buttons(summary)
    assert [b.title for b in buttons] == ["Show rostray"]
    calls = spy(notifier.showMainWindow)
    buttons[0].invoke()
    notifier.clicked(summary)
    assert len(calls) == 2


async def test_alerts_in_chinese_match_the_headless_words(settings, chinese) -> None:
    """The GUI translates the core's alert text through Qt; headless mode reads the same
    catalogue without Qt: the words must agree, and status codes stay visible."""
    backend = FakeBackend()
    notifier = Notifier(settings, [backend], **FAST)
    event = finished("s-7", outputs=tuple(Output(f"K{n}", "<b>v</b>", "") for n in range(5)))
    alert = notifier.alert_for(event)
    headless = compose(event, settings.max_outputs, translator("zh_CN"))
    assert (alert.title, alert.body) == (headless.title, headless.body)
    assert CJK.search(alert.title) and "CREATE_COMPLETE" in alert.title
    assert "stack-s-7" in alert.title and "created" not in alert.title
    assert alert.body.splitlines()[0] == "K0: <b>v</b>"  # payload text untouched, never markup
    assert CJK.search(alert.body.splitlines()[-1])  # "+2 more outputs"
    assert all(CJK.search(b.title) for b in notifier.buttons(alert))

    for n in range(5):
        notifier.result(finished(f"s-{n}", "CREATE_FAILED" if n == 2 else "CREATE_COMPLETE"))
    await notifier.idle()
    [popup] = backend.sent
    events = [
        finished(f"s-{n}", "CREATE_FAILED" if n == 2 else "CREATE_COMPLETE") for n in range(5)
    ]
    assert popup.title == summarize(events, translator("zh_CN")).title
    assert CJK.search(popup.title) and "5" in popup.title


# -- coalescing ---------------------------------------------------------------------------------


async def test_a_burst_becomes_one_summary(settings) -> None:
    backend = FakeBackend()
    notifier = Notifier(settings, [backend], **FAST)
    for n in range(5):
        notifier.result(finished(f"s-{n}", "CREATE_FAILED" if n == 2 else "CREATE_COMPLETE"))
    await notifier.idle()
    assert [a.title for a in backend.sent] == ["5 stacks finished, 1 failed"]
    assert backend.sent[0].urgent
    assert len(notifier.alerts) == 5
    assert all(r.summarized and r.via == "fake" for r in notifier.alerts)
    assert [r.alert.stack_id for r in notifier.alerts] == [f"s-{n}" for n in range(5)]


async def test_spaced_results_pop_up_one_by_one(settings) -> None:
    backend = FakeBackend()
    notifier = Notifier(settings, [backend], **FAST)
    for n in range(3):
        notifier.result(finished(f"s-{n}"))
        await notifier.idle()
    assert [a.stack_id for a in backend.sent] == ["s-0", "s-1", "s-2"]
    assert not any(r.summarized for r in notifier.alerts)


async def test_a_small_burst_is_rate_limited(settings) -> None:
    backend = FakeBackend()
    notifier = Notifier(settings, [backend], window=0.05, min_interval=0.2)
    for n in range(3):
        notifier.result(finished(f"s-{n}"))
    await notifier.idle()
    assert [a.stack_id for a in backend.sent] == ["s-0", "s-1", "s-2"]
    gaps = [b - a for a, b in zip(backend.times, backend.times[1:], strict=False)]
    assert min(gaps) >= 0.18


async def test_results_arriving_while_rate_limited_join_a_summary(settings) -> None:
    backend = FakeBackend()
    notifier = Notifier(settings, [backend], window=0.05, min_interval=0.2)
    for n in range(2):
        notifier.result(finished(f"s-{n}"))
    await wait_signal(notifier.alertDelivered)
    for n in range(2, 6):
        notifier.result(finished(f"s-{n}"))
    await notifier.idle()
    assert [a.stack_id or a.title for a in backend.sent] == ["s-0", "5 stacks finished"]


async def test_the_bridge_feeds_the_notifier(settings) -> None:
    backend = FakeBackend()
    notifier = Notifier(settings, [backend], **FAST)
    bridge = EngineBridge()
    bridge.stackFinished.connect(notifier.handle_event)
    bridge.event.connect(notifier.handle_event)  # duplicates would show; only one is wired
    bridge.event.disconnect(notifier.handle_event)
    bridge.dispatch(finished("s-1"))
    await notifier.idle()
    assert [a.stack_id for a in backend.sent] == ["s-1"]


# -- pause and settings -------------------------------------------------------------------------


async def test_pause_records_without_popping_up(settings) -> None:
    backend = FakeBackend()
    notifier = Notifier(settings, [backend], clock=lambda: NOW, **FAST)
    tray_pause = NOW + 900
    notifier.set_paused_until(tray_pause)
    assert settings.paused_until == tray_pause
    recorded = spy(notifier.alertRecorded)
    notifier.result(finished("s-1", "CREATE_FAILED"))
    await notifier.idle()
    assert backend.sent == []
    assert [r[0].via for r in recorded] == ["paused"]
    notifier.set_paused_until(None)
    settings.on_success = False
    notifier.result(finished("s-2"))
    notifier.result(finished("s-3", "CREATE_FAILED"))
    await notifier.idle()
    assert [r.via for r in notifier.alerts] == ["paused", "muted", "fake"]
    assert [a.stack_id for a in backend.sent] == ["s-3"]


async def test_tray_pause_menu_drives_the_notifier(settings, qapp) -> None:
    notifier = Notifier(settings, [FakeBackend()], clock=lambda: NOW)
    tray = TrayController(EngineBridge(), tray_available=lambda: False, clock=lambda: NOW)
    tray.pauseChanged.connect(notifier.set_paused_until)
    tray.pause("1h")
    assert settings.paused_until == NOW + 3600 and notifier.paused()
    tray.resume()
    assert settings.paused_until is None


# -- fallback chain -----------------------------------------------------------------------------


async def test_a_failing_primary_falls_back_and_is_reported_once(settings) -> None:
    primary = FakeBackend("primary", BackendUnavailable("no server"))
    secondary = FakeBackend("secondary")
    notifier = Notifier(settings, [primary, secondary], **FAST)
    changes = spy(notifier.backendChanged)
    assert notifier.backend_name == "primary"
    notifier.result(finished("s-1"))
    await notifier.idle()
    notifier.result(finished("s-2"))
    await notifier.idle()
    assert [a.stack_id for a in secondary.sent] == ["s-1", "s-2"]
    assert changes == [("secondary",)]
    assert [r.via for r in notifier.alerts] == ["secondary", "secondary"]


async def test_when_every_backend_fails_the_in_app_list_remains(settings) -> None:
    notifier = Notifier(
        settings,
        [FakeBackend("a", RuntimeError("x")), FakeBackend("b", OSError("y"))],
        **FAST,
    )
    changes = spy(notifier.backendChanged)
    notifier.result(finished("s-1"))
    await notifier.idle()
    notifier.result(finished("s-2"))
    await notifier.idle()
    assert changes == [("b",), (IN_APP,)]
    assert notifier.backend_name == IN_APP
    assert [r.via for r in notifier.alerts] == [IN_APP, IN_APP]


async def test_a_hanging_backend_times_out(settings) -> None:
    class Hanging(FakeBackend):
        async def send(self, alert: Alert) -> None:
            await asyncio.sleep(60)

    fallback = FakeBackend("fallback")
    notifier = Notifier(settings, [Hanging("hang"), fallback], send_timeout=0.05, **FAST)
    notifier.result(finished("s-1"))
    await notifier.idle()
    assert [a.stack_id for a in fallback.sent] == ["s-1"]


async def test_test_notification_retries_the_primary(settings) -> None:
    primary = FakeBackend("primary", BackendUnavailable("down"))
    notifier = Notifier(settings, [primary, FakeBackend("tray")], **FAST)
    notifier.set_paused_until(time.time() + 3600)  # a test ignores the pause
    notifier.send_test()
    await notifier.idle()
    assert notifier.backend_name == "tray"
    primary.error = None
    changes = spy(notifier.backendChanged)
    notifier.send_test()
    await notifier.idle()
    assert changes == [("primary",)]
    assert [a.title for a in primary.sent] == ["rostray test notification"]
    assert [r.via for r in notifier.alerts] == ["tray", "primary"]


async def test_tray_fallback_uses_show_message_only_when_a_tray_exists(
    settings, qapp, monkeypatch
) -> None:
    available = False
    tray = TrayController(EngineBridge(), tray_available=lambda: available)
    shown: list[tuple] = []
    monkeypatch.setattr(tray.icon, "showMessage", lambda *args: shown.append(args))
    primary = FakeBackend("desktop-notifier", BackendUnavailable("no bus"))
    notifier = Notifier(settings, [primary, TrayMessageBackend(tray)], tray=tray, **FAST)
    notifier.result(finished("s-1", outputs=(Output("Html", "<a href='x'>hi</a>", ""),)))
    await notifier.idle()
    assert shown == [] and notifier.backend_name == IN_APP
    available = True
    changes = spy(notifier.backendChanged)
    tray.recheck()  # a tray appeared: the notifier starts over
    assert changes == [("desktop-notifier",)]
    primary.error = None
    notifier.result(finished("s-2"))
    await notifier.idle()
    assert [a.stack_id for a in primary.sent] == ["s-2"]
    primary.error = BackendUnavailable("gone again")
    notifier.result(finished("s-3", outputs=(Output("Html", "<a href='x'>hi</a>", ""),)))
    await notifier.idle()
    assert shown[0][1] == "Html: ‹a href='x'›hi‹/a›"  # no live link in a markup server


async def test_without_a_session_bus_the_default_chain_falls_back(
    settings, qapp, monkeypatch
) -> None:
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    notifier = Notifier(settings, tray=None, **FAST)
    assert [b.name for b in notifier.backends] == ["desktop-notifier"]
    changes = spy(notifier.backendChanged)
    notifier.result(finished("s-1"))
    await notifier.idle()
    assert changes == [(IN_APP,)]
    assert notifier.alerts[0].via == IN_APP


async def test_history_is_capped(settings) -> None:
    notifier = Notifier(settings, [FakeBackend()], history=3, clock=lambda: NOW)
    notifier.set_paused_until(NOW + 60)
    for n in range(5):
        notifier.result(finished(f"s-{n}"))
    assert [r.alert.stack_id for r in notifier.alerts] == ["s-2", "s-3", "s-4"]
    await notifier.aclose()
