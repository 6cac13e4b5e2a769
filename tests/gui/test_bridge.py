"""EngineBridge: a real EventBus in, Qt signals and the tray's model out."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest
from qt_helpers import wait_signal

from rostray.core.events import (
    CallbackReceived,
    EngineWarning,
    EventBus,
    StackFinished,
    StackLaunched,
    StackStatusChanged,
)
from rostray.core.payload import Output
from rostray.gui.bridge import RECENT_LIMIT, EngineBridge, is_tunnel_state


@dataclass(frozen=True)
class TunnelState:  # the tunnel helper's shape; the bridge only duck-types it
    phase: str
    url: str | None = None
    rtt_ms: float | None = None
    reason: str | None = None
    preset: str = "cloudflared"
    restarts: int = 0
    at: float = 0.0


def launched(stack_id: str = "s-1", name: str = "web", at: float = 100.0) -> StackLaunched:
    return StackLaunched(stack_id, name, "cn-hangzhou", "CREATE", sandbox=False, at=at)


def finished(stack_id: str = "s-1", name: str = "web", status: str = "CREATE_COMPLETE"):
    return StackFinished(
        stack_id=stack_id,
        stack_name=name,
        region="cn-hangzhou",
        operation="CREATE",
        status=status,
        status_reason="",
        outputs=(Output("Url", "https://example.test", ""),),
        via="callback",
        launched_at=100.0,
        sandbox=False,
        at=160.0,
    )


@pytest.fixture
async def wired():
    bus = EventBus()
    bridge = EngineBridge()
    bridge.start(bus)
    yield bus, bridge
    await bridge.aclose()


async def test_each_event_type_becomes_its_signal_and_the_generic_one(wired) -> None:
    bus, bridge = wired
    seen: list[object] = []
    bridge.event.connect(seen.append)
    cases = [
        (bridge.stackLaunched, launched()),
        (bridge.stackStatusChanged, StackStatusChanged("s-1", "web", "CREATE_IN_PROGRESS")),
        (bridge.callbackReceived, CallbackReceived("s-1", "CREATE_COMPLETE", "pending")),
        (bridge.stackFinished, finished()),
        (bridge.warning, EngineWarning("tunnel restarted")),
        (bridge.tunnelState, TunnelState("live", "https://t.example", 42.0)),
    ]
    for signal, event in cases:
        pending = asyncio.ensure_future(wait_signal(signal))
        await asyncio.sleep(0)  # connected before publishing
        bus.publish(event)
        assert await pending == (event,)
    assert seen == [event for _, event in cases]


async def test_model_tracks_in_flight_recent_and_tunnel(wired) -> None:
    bus, bridge = wired
    changes: list[None] = []
    bridge.modelChanged.connect(lambda: changes.append(None))
    bus.publish(launched("s-1", "web", at=100.0))
    bus.publish(launched("s-2", "db", at=50.0))
    bus.publish(StackStatusChanged("s-2", "db", "CREATE_ROLLBACK_IN_PROGRESS"))
    await wait_signal(bridge.stackStatusChanged)
    assert [(s.stack_id, s.status) for s in bridge.in_flight] == [
        ("s-2", "CREATE_ROLLBACK_IN_PROGRESS"),  # oldest first
        ("s-1", "CREATE_IN_PROGRESS"),
    ]
    assert bridge.in_flight[0].started_at == 50.0
    bus.publish(finished("s-1"))
    await wait_signal(bridge.stackFinished)
    assert [s.stack_id for s in bridge.in_flight] == ["s-2"]
    assert [e.stack_id for e in bridge.recent] == ["s-1"]
    assert bridge.last_result is not None and bridge.last_result.stack_id == "s-1"
    state = TunnelState("reconnecting", reason="exit 1")
    bus.publish(state)
    await wait_signal(bridge.tunnelState)
    assert bridge.tunnel is state
    assert len(changes) == 5


async def test_status_change_for_an_unknown_stack_adds_it(wired) -> None:
    bus, bridge = wired
    bus.publish(StackStatusChanged("s-9", "old", "UPDATE_IN_PROGRESS", at=5.0))
    await wait_signal(bridge.stackStatusChanged)
    assert [(s.stack_id, s.started_at) for s in bridge.in_flight] == [("s-9", 5.0)]


async def test_recent_keeps_the_last_twenty_newest_first() -> None:
    bridge = EngineBridge()
    for n in range(RECENT_LIMIT + 5):
        bridge.dispatch(finished(f"s-{n}"))
    assert len(bridge.recent) == RECENT_LIMIT
    assert bridge.recent[0].stack_id == f"s-{RECENT_LIMIT + 4}"
    assert bridge.recent[-1].stack_id == "s-5"


async def test_an_engine_like_source_and_stopping() -> None:
    bus = EventBus()

    class FakeEngine:
        def subscribe(self):
            return bus.subscribe()

    bridge = EngineBridge()
    bridge.start(FakeEngine())
    with pytest.raises(RuntimeError):
        bridge.start(bus)
    assert bridge.running
    stopped = asyncio.ensure_future(wait_signal(bridge.stopped))
    await asyncio.sleep(0)
    bus.close()  # the engine stopping ends the stream
    await stopped
    assert not bridge.running
    bridge.start(bus)  # may be started again
    await bridge.aclose()
    assert not bridge.running
    bridge.stop()  # idempotent


async def test_a_failing_slot_does_not_end_the_stream(wired, qtbot) -> None:
    bus, bridge = wired

    def broken(_event: object) -> None:
        raise ValueError("slot bug")

    bridge.stackLaunched.connect(broken)
    with qtbot.capture_exceptions() as exceptions:
        bus.publish(launched("s-1"))
        bus.publish(launched("s-2"))
        bus.publish(finished("s-2"))
        await wait_signal(bridge.stackFinished)
    assert [type(e[1]) for e in exceptions] == [ValueError, ValueError]
    assert [s.stack_id for s in bridge.in_flight] == ["s-1"]


def test_tunnel_state_is_duck_typed() -> None:
    assert is_tunnel_state(TunnelState("live"))
    assert not is_tunnel_state(finished())
    assert not is_tunnel_state(object())


def test_the_event_signal_does_not_break_qt_event_dispatch(qtbot) -> None:
    bridge = EngineBridge()
    with qtbot.waitSignal(bridge.destroyed, timeout=2000):
        bridge.deleteLater()  # needs QObject::event(); the Python-level name is a signal
