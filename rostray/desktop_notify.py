"""Freedesktop notifications without Qt: the server's capabilities, and text that no markup
renderer can misread. Shared by the tray app's notifier and headless mode."""

from __future__ import annotations

import platform
import sys

NOTIFICATIONS_BUS_NAME = "org.freedesktop.Notifications"
NOTIFICATIONS_PATH = "/org/freedesktop/Notifications"
# Where text may reach something that renders markup (freedesktop servers, Qt's tray).
MARKUP_RISK = sys.platform not in ("win32", "darwin")
LOOKALIKES = str.maketrans({"<": "‹", ">": "›", "&": "＆"})


def markup_inert(text: str, risky: bool = MARKUP_RISK) -> str:
    """Text that no markup renderer can read as tags or entities.

    Escaping (``&lt;``) would show literally on servers that do not render markup, and some
    paths cannot tell which kind they talk to; look-alike characters read the same
    everywhere. The exact text stays available in the app (history, copy buttons).
    """
    return text.translate(LOOKALIKES) if risky else text


async def query_server_capabilities() -> frozenset[str]:
    """The notification server's own GetCapabilities list (desktop-notifier does not expose
    "body-markup"). Empty where no freedesktop server is used."""
    if platform.system() != "Linux":
        return frozenset()
    from dbus_fast import Message, MessageType
    from dbus_fast.aio import MessageBus
    from dbus_fast.errors import DBusError

    bus = await MessageBus().connect()
    try:
        reply = await bus.call(
            Message(
                destination=NOTIFICATIONS_BUS_NAME,
                path=NOTIFICATIONS_PATH,
                interface=NOTIFICATIONS_BUS_NAME,
                member="GetCapabilities",
            )
        )
    finally:
        bus.disconnect()
    if reply is None or reply.message_type == MessageType.ERROR:
        name = reply.error_name if reply is not None else "org.freedesktop.DBus.Error.Failed"
        detail = str(reply.body[0]) if reply is not None and reply.body else ""
        raise DBusError(name or "org.freedesktop.DBus.Error.Failed", detail)
    return frozenset(str(item) for item in reply.body[0])
