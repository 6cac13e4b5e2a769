"""An in-process org.freedesktop.Notifications server (dbus-fast) for notification tests.

It records every Notify call, answers GetCapabilities with what the test chose, and can emit
ActionInvoked / NotificationClosed as if the user pressed a button or closed the popup.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from dbus_fast import RequestNameReply, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusInt32, DBusSignature, DBusStr, DBusUInt32
from dbus_fast.service import ServiceInterface, dbus_method, dbus_signal

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"

StrList = Annotated[list[str], DBusSignature("as")]
Hints = Annotated[dict[str, Variant], DBusSignature("a{sv}")]
ServerInfo = Annotated[list[str], DBusSignature("ssss")]
ActionSignal = Annotated[list[Any], DBusSignature("us")]
ClosedSignal = Annotated[list[int], DBusSignature("uu")]


@dataclass
class NotifyCall:
    id: int
    app_name: str
    replaces_id: int
    app_icon: str
    summary: str
    body: str
    actions: list[str]
    hints: dict[str, Any]
    expire_timeout: int

    @property
    def buttons(self) -> dict[str, str]:
        """title → action key, without the body-click "default" action."""
        pairs = zip(self.actions[::2], self.actions[1::2], strict=True)
        return {title: key for key, title in pairs if key != "default"}

    @property
    def keys(self) -> list[str]:
        return self.actions[::2]


class FakeNotifications(ServiceInterface):
    def __init__(self, capabilities: list[str]) -> None:
        super().__init__(NAME)
        self.capabilities = capabilities
        self.calls: list[NotifyCall] = []
        self.closed: list[int] = []
        self._next_id = 1
        self._changed = asyncio.Condition()

    @dbus_method()
    def GetCapabilities(self) -> StrList:
        return list(self.capabilities)

    @dbus_method()
    def GetServerInformation(self) -> ServerInfo:
        return ["rostray-fake", "rostray tests", "1.0", "1.2"]

    @dbus_method()
    async def Notify(
        self,
        app_name: DBusStr,
        replaces_id: DBusUInt32,
        app_icon: DBusStr,
        summary: DBusStr,
        body: DBusStr,
        actions: StrList,
        hints: Hints,
        expire_timeout: DBusInt32,
    ) -> DBusUInt32:
        nid = self._next_id
        self._next_id += 1
        values = {key: variant.value for key, variant in hints.items()}
        self.calls.append(
            NotifyCall(
                nid, app_name, replaces_id, app_icon, summary, body, actions, values, expire_timeout
            )
        )
        async with self._changed:
            self._changed.notify_all()
        return nid

    @dbus_method()
    def CloseNotification(self, id: DBusUInt32):  # no return annotation: an empty reply
        self.closed.append(id)

    @dbus_signal()
    def ActionInvoked(self, id: int, action_key: str) -> ActionSignal:
        return [id, action_key]

    @dbus_signal()
    def NotificationClosed(self, id: int, reason: int) -> ClosedSignal:
        return [id, reason]

    async def wait_calls(self, count: int, timeout: float = 5.0) -> list[NotifyCall]:
        async def enough() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.calls) >= count)

        await asyncio.wait_for(enough(), timeout)
        return self.calls

    def press(self, call: NotifyCall, title: str) -> None:
        """The user presses the button with this title."""
        self.ActionInvoked(call.id, call.buttons[title])

    def click(self, call: NotifyCall) -> None:
        """The user clicks the popup's body."""
        self.ActionInvoked(call.id, "default")


@contextlib.asynccontextmanager
async def serve(capabilities: Iterable[str]) -> AsyncIterator[FakeNotifications]:
    """Own org.freedesktop.Notifications on the session bus for the duration."""
    bus = await MessageBus().connect()
    server = FakeNotifications(list(capabilities))
    bus.export(PATH, server)
    reply = await bus.request_name(NAME)
    if reply is not RequestNameReply.PRIMARY_OWNER:
        bus.disconnect()
        raise RuntimeError(f"could not own {NAME} on the test bus: {reply}")
    try:
        yield server
    finally:
        bus.disconnect()
