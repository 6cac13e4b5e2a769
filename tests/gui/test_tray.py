"""TrayController offscreen: menu, signals, icon states, tooltip, both tray seams."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QSystemTrayIcon

from rostray.core.events import StackFinished, StackLaunched
from rostray.gui.bridge import EngineBridge
from rostray.gui.icons import TrayState
from rostray.gui.tray import (
    TrayController,
    markup_inert,
    menu_text,
    pause_deadline,
    tray_state,
)

NOW = 1_700_000_000.0
EVIL = "<b>web</b>&amp;\x1b[31m\u202eevil\nline\u200b"


@dataclass(frozen=True)
class TunnelState:
    phase: str
    url: str | None = None
    rtt_ms: float | None = None
    reason: str | None = None
    preset: str = "cloudflared"
    restarts: int = 0
    at: float = 0.0


def launched(stack_id: str, name: str = "web", at: float = NOW - 125) -> StackLaunched:
    return StackLaunched(stack_id, name, "cn-hangzhou", "CREATE", sandbox=False, at=at)


def finished(stack_id: str, name: str = "web", status: str = "CREATE_COMPLETE"):
    return StackFinished(
        stack_id, name, "cn-hangzhou", "CREATE", status, "", (), "callback", NOW - 200, False
    )


class Clock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def bridge(qapp) -> EngineBridge:
    return EngineBridge()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def tray(bridge: EngineBridge, clock: Clock):
    controller = TrayController(bridge, tray_available=lambda: True, clock=clock, variant=None)
    yield controller
    controller.icon.hide()
    controller.deleteLater()


def opened(tray: TrayController) -> list[str]:
    tray.menu.aboutToShow.emit()
    return tray.action_texts()


def spy(signal) -> list[tuple]:
    calls: list[tuple] = []
    signal.connect(lambda *args: calls.append(args))
    return calls


# -- menu ---------------------------------------------------------------------------------------


def test_menu_when_nothing_happened(tray: TrayController) -> None:
    assert opened(tray) == [
        "Show rostray",
        "Launch stack…",
        "",
        "No stacks yet",
        "",
        "Tunnel: not in use",
        "",
        "Settings…",
        "Pause notifications",
        "Send test notification",
        "",
        "Quit",
    ]
    assert not tray.find_action("No stacks yet").isEnabled()
    assert not tray.find_action("Tunnel: not in use").isEnabled()
    assert tray.action_texts(tray.pause_menu) == [
        "For 15 minutes",
        "For 1 hour",
        "Until tomorrow morning",
        "",
        "Resume notifications",
    ]
    assert not tray.find_action("Resume notifications", tray.pause_menu).isEnabled()


def test_menu_lists_in_flight_and_recent_stacks_and_is_rebuilt_on_open(
    tray: TrayController, bridge: EngineBridge
) -> None:
    bridge.dispatch(launched("s-1", "web"))
    bridge.dispatch(finished("s-0", "db", "CREATE_FAILED"))
    bridge.dispatch(TunnelState("verified", "https://a.trycloudflare.com", 41.6))
    texts = opened(tray)
    assert texts[3:6] == [
        "web — CREATE_IN_PROGRESS, 2 min",
        "✗ db creation failed",
        "",
    ]
    assert "Tunnel: verified · 42 ms · https://a.trycloudflare.com" in texts
    shown = spy(tray.showStack)
    tray.find_action("web — CREATE_IN_PROGRESS, 2 min").trigger()
    tray.find_action("✗ db creation failed").trigger()
    assert shown == [("s-1",), ("s-0",)]
    bridge.dispatch(finished("s-1", "web"))
    assert opened(tray)[3:5] == ["✓ web created", "✗ db creation failed"]


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("Show rostray", "showMainWindow"),
        ("Launch stack…", "launchRequested"),
        ("Settings…", "settingsRequested"),
        ("Send test notification", "testNotificationRequested"),
        ("Quit", "quitRequested"),
    ],
)
def test_actions_emit_their_signals(tray: TrayController, text: str, signal: str) -> None:
    opened(tray)
    calls = spy(getattr(tray, signal))
    tray.find_action(text).trigger()
    assert calls == [()]


def test_untrusted_names_in_menu_are_inert_and_ampersands_literal(
    tray: TrayController, bridge: EngineBridge
) -> None:
    bridge.dispatch(launched("s-1", "a&b " + EVIL))
    text = opened(tray)[3]
    assert text.startswith("a&&b <b>web</b>&&amp;")  # '&&' renders as a literal '&'
    assert not any(ch in text for ch in "\x1b\u202e\n\u200b")
    assert menu_text("R&D") == "R&&D"


# -- pause --------------------------------------------------------------------------------------


def test_pause_and_resume(tray: TrayController, clock: Clock) -> None:
    changes = spy(tray.pauseChanged)
    opened(tray)
    tray.find_action("For 15 minutes", tray.pause_menu).trigger()
    assert changes == [(NOW + 900,)]
    assert tray.paused()
    texts = opened(tray)
    assert "Pause notifications" in texts
    sub = tray.action_texts(tray.pause_menu)
    assert sub[0].startswith("Paused until ")
    assert tray.find_action("Resume notifications", tray.pause_menu).isEnabled()
    assert "Notifications paused until" in tray.tooltip()
    tray.find_action("For 1 hour", tray.pause_menu).trigger()
    assert changes[-1] == (NOW + 3600,)
    tray.find_action("Resume notifications", tray.pause_menu).trigger()
    assert changes[-1] == (None,)
    assert not tray.paused()
    tray.set_paused_until(NOW - 1)  # expired pauses count as not paused
    assert not tray.paused()


def test_pause_until_tomorrow_morning() -> None:
    evening = datetime(2025, 3, 10, 21, 30).timestamp()
    night = datetime(2025, 3, 11, 2, 0).timestamp()
    assert datetime.fromtimestamp(pause_deadline("tomorrow", evening)) == datetime(
        2025, 3, 11, 8, 0
    )
    assert datetime.fromtimestamp(pause_deadline("tomorrow", night)) == datetime(2025, 3, 11, 8, 0)
    with pytest.raises(ValueError):
        pause_deadline("forever", NOW)


# -- icon ---------------------------------------------------------------------------------------


def test_icon_state_transitions(tray: TrayController, bridge: EngineBridge) -> None:
    keys = [tray.current_icon().cacheKey()]
    assert (tray.state, tray.icon_name) == (TrayState.IDLE, "tray-idle-dark.svg")
    bridge.dispatch(launched("s-1"))
    bridge.dispatch(launched("s-2"))
    assert (tray.state, tray.busy_count) == (TrayState.BUSY, 2)
    assert tray.icon_name == "tray-busy-2-dark.svg"
    keys.append(tray.current_icon().cacheKey())
    bridge.dispatch(finished("s-1"))
    assert tray.icon_name == "tray-busy-1-dark.svg"
    bridge.dispatch(finished("s-2"))
    assert (tray.state, tray.icon_name) == (TrayState.SUCCEEDED, "tray-succeeded-dark.svg")
    keys.append(tray.current_icon().cacheKey())
    bridge.dispatch(launched("s-3"))
    bridge.dispatch(finished("s-3", status="CREATE_ROLLBACK_COMPLETE"))
    assert (tray.state, tray.icon_name) == (TrayState.FAILED, "tray-failed-dark.svg")
    keys.append(tray.current_icon().cacheKey())
    bridge.dispatch(TunnelState("down", reason="exit status 1"))
    assert (tray.state, tray.icon_name) == (TrayState.TUNNEL_DOWN, "tray-tunnel-down-dark.svg")
    keys.append(tray.current_icon().cacheKey())
    assert len(set(keys)) == 5
    bridge.dispatch(TunnelState("verified", "https://x.example"))
    assert tray.state is TrayState.FAILED


def test_many_stacks_show_nine_plus(tray: TrayController, bridge: EngineBridge) -> None:
    for n in range(12):
        bridge.dispatch(launched(f"s-{n}"))
    assert (tray.busy_count, tray.icon_name) == (12, "tray-busy-9plus-dark.svg")


def test_state_precedence() -> None:
    assert tray_state(0, None, False) is TrayState.IDLE
    assert tray_state(2, False, False) is TrayState.BUSY
    assert tray_state(0, True, False) is TrayState.SUCCEEDED
    assert tray_state(0, False, False) is TrayState.FAILED
    assert tray_state(3, True, True) is TrayState.TUNNEL_DOWN


def test_icon_follows_the_colour_scheme(tray: TrayController, bridge: EngineBridge) -> None:
    bridge.dispatch(launched("s-1"))
    QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert tray.icon_name == "tray-busy-1-light.svg"
    QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert tray.icon_name == "tray-busy-1-dark.svg"


def test_a_user_override_beats_the_scheme(bridge: EngineBridge) -> None:
    tray = TrayController(bridge, tray_available=lambda: True, variant="light")
    QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert tray.icon_name == "tray-idle-light.svg"


# -- tooltip ------------------------------------------------------------------------------------


def test_tooltip_lists_stacks_with_elapsed_time_and_tunnel(
    tray: TrayController, bridge: EngineBridge, clock: Clock
) -> None:
    bridge.dispatch(launched("s-1", "web", at=NOW - 42))
    bridge.dispatch(launched("s-2", "db", at=NOW - 3 * 3600 - 5 * 60))
    bridge.dispatch(TunnelState("degraded", reason="connection refused"))
    assert tray.tooltip().splitlines() == [
        "rostray",
        "2 stack(s) in progress",
        "db: CREATE_IN_PROGRESS, 3 h 5 min",
        "web: CREATE_IN_PROGRESS, 42 s",
        "Tunnel: degraded · connection refused",
    ]
    assert tray.icon.toolTip() == tray.tooltip()
    for n in range(3, 6):
        bridge.dispatch(launched(f"s-{n}", f"n{n}"))
    assert "+2 more" in tray.tooltip()


def test_tooltip_after_results(tray: TrayController, bridge: EngineBridge) -> None:
    assert tray.tooltip().splitlines()[1] == "No stacks in progress"
    bridge.dispatch(finished("s-1", "web", "UPDATE_COMPLETE"))
    assert tray.tooltip().splitlines()[1] == "Last: web updated"


def test_tooltip_makes_markup_bidi_and_ansi_inert(
    tray: TrayController, bridge: EngineBridge
) -> None:
    bridge.dispatch(launched("s-1", EVIL))
    bridge.dispatch(TunnelState("down", reason="<i>boom</i>\x1b[2J"))
    shown = tray.icon.toolTip()
    lines = shown.splitlines()
    assert len(lines) == 4  # the newline in the name did not add a line
    assert not any(ch in shown for ch in "<>&\x1b\u202e\u200b")
    assert "‹b›web‹/b›＆amp;[31mevil line" in lines[2]
    assert "‹i›boom‹/i›[2J" in lines[3]


def test_markup_inert() -> None:
    assert markup_inert("<a href='x'>&</a>", risky=True) == "‹a href='x'›＆‹/a›"
    assert markup_inert("<a>", risky=False) == "<a>"


def test_elapsed_ticker_runs_only_while_busy(tray: TrayController, bridge: EngineBridge) -> None:
    assert not tray._ticker.isActive()
    bridge.dispatch(launched("s-1"))
    assert tray._ticker.isActive()
    bridge.dispatch(finished("s-1"))
    assert not tray._ticker.isActive()


# -- clicks and messages ------------------------------------------------------------------------


def test_left_click_and_double_click_show_the_window(tray: TrayController) -> None:
    calls = spy(tray.showMainWindow)
    reason = QSystemTrayIcon.ActivationReason
    tray.icon.activated.emit(reason.Trigger)
    tray.icon.activated.emit(reason.DoubleClick)
    tray.icon.activated.emit(reason.Context)
    tray.icon.activated.emit(reason.MiddleClick)
    assert len(calls) == 2


def test_show_message_is_markup_inert(tray: TrayController, monkeypatch) -> None:
    sent: list[tuple] = []
    monkeypatch.setattr(tray.icon, "showMessage", lambda *args: sent.append(args))
    tray.show_message("web <b>", "Url: https://x/?a=1&b=<2>", urgent=True)
    assert sent == [
        (
            "web ‹b›",
            "Url: https://x/?a=1＆b=‹2›",
            QSystemTrayIcon.MessageIcon.Critical,
            10_000,
        )
    ]


# -- availability seams -------------------------------------------------------------------------


def test_with_a_tray_the_icon_shows_and_nothing_polls(tray: TrayController) -> None:
    tray.start()
    assert tray.available
    assert tray.icon.isVisible()
    assert not tray.polling


def test_without_a_tray_it_says_so_and_polls(bridge: EngineBridge, qtbot) -> None:
    answers = iter([False, False, False, True])
    tray = TrayController(
        bridge, tray_available=lambda: next(answers), poll_interval_ms=10, poll_limit_ms=5000
    )
    assert not tray.available
    tray.start()
    assert not tray.icon.isVisible()
    assert tray.polling
    with qtbot.waitSignal(tray.trayAvailabilityChanged, timeout=2000) as blocker:
        pass
    assert blocker.args == [True]
    assert tray.available and tray.icon.isVisible()
    assert not tray.polling  # found: no more polling


def test_polling_gives_up_after_the_limit(bridge: EngineBridge, qtbot) -> None:
    calls: list[None] = []

    def never() -> bool:
        calls.append(None)
        return False

    tray = TrayController(bridge, tray_available=never, poll_interval_ms=10, poll_limit_ms=50)
    tray.start()
    qtbot.waitUntil(lambda: not tray.polling, timeout=2000)
    assert len(calls) == 1 + 5  # the first check plus 50 ms / 10 ms polls
    assert not tray.available
    qtbot.wait(50)
    assert len(calls) == 6  # idle afterwards


def test_recheck_reports_a_tray_that_went_away(tray: TrayController) -> None:
    changes = spy(tray.trayAvailabilityChanged)
    tray.start()
    tray._tray_available = lambda: False
    assert tray.recheck() is False
    assert changes == [(False,)]
    assert not tray.icon.isVisible()
