"""``rostray --headless``: the engine with no GUI.

Every announced result is one JSON line on stdout, and a desktop notification when a
notification service exists (D-Bus on Linux). Without a GUI toolkit, plain ``rostray`` runs
this mode too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Any

from rostray.commands.lang import translate
from rostray.commands.output import result_json
from rostray.config import ConfigError, Settings, load_settings
from rostray.core import eventloop
from rostray.core.alerts import compose
from rostray.core.events import EngineWarning, StackFinished
from rostray.core.heap import freeze_startup_heap, pace_full_collections
from rostray.core.i18n import Translate, english, translator_for
from rostray.core.tunnels import TunnelState
from rostray.desktop_notify import markup_inert, query_server_capabilities

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--headless", action="store_true", help="run without a GUI: results as JSON lines on stdout"
    )
    parser.add_argument("--config", type=Path, help="use this config file")
    parser.add_argument("--sandbox", action="store_true", help="use the embedded ROS sandbox")
    parser.add_argument("--endpoint", help="ROS endpoint (default ros.aliyuncs.com)")
    parser.add_argument(
        "--hidden", action="store_true", help="start without showing a window (used at login)"
    )
    parser.add_argument(
        "--no-desktop-notifications",
        action="store_true",
        help="headless: only print results, never pop up notifications",
    )


class DesktopAlerts:
    """desktop-notifier when it is installed and a notification server answers.

    ``translate`` puts the alert in the user's language (``ui.language``, else the locale).
    """

    def __init__(self, translate: Translate = english) -> None:
        self._translate = translate
        self._notifier: Any = None
        self._failed = False
        self._markup: bool | None = None

    async def send(self, event: StackFinished, max_outputs: int) -> bool:
        if self._failed:
            return False
        try:
            if self._notifier is None:
                from desktop_notifier import DesktopNotifier

                self._notifier = DesktopNotifier(app_name="rostray")
            from desktop_notifier import Urgency

            if self._markup is None:
                self._markup = "body-markup" in await query_server_capabilities()
            alert = compose(event, max_outputs, self._translate)
            dispatched = asyncio.Event()  # desktop-notifier logs send errors and returns
            await asyncio.wait_for(
                self._notifier.send(
                    # Payload text must never render as markup: escape it for servers that
                    # render body markup, look-alikes in the summary (some render it too).
                    title=markup_inert(alert.title, self._markup),
                    message=alert.body_markup() if self._markup else alert.body,
                    urgency=Urgency.Critical if alert.urgent else Urgency.Normal,
                    on_dispatched=dispatched.set,
                ),
                10,
            )
            if not dispatched.is_set():
                raise RuntimeError("no notification server accepted the notification")
            return True
        except Exception as exc:  # no D-Bus, no server, no package: print-only mode
            self._failed = True
            log.warning("desktop notifications unavailable (%s); results are printed only", exc)
            return False


def settings_or_defaults(path: Path | None) -> Settings:
    """Headless is what runs at login on a server: a broken config file must not stop it.
    It runs on the defaults and says so in one line (CLI commands keep refusing)."""
    try:
        return load_settings(path)
    except ConfigError as exc:
        line = translate("Cli", "{error} — using default settings until it is fixed")
        print("rostray: " + line.format(error=exc), file=sys.stderr)
        return Settings()


async def headless(args: argparse.Namespace) -> int:
    from rostray.commands.stacks import make_engine

    engine = make_engine(args, settings_or_defaults(args.config))
    alerts = (
        None
        if args.no_desktop_notifications
        else DesktopAlerts(translator_for(engine.settings.ui.language))
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with engine:
        freeze_startup_heap()
        pacer = pace_full_collections(engine.bus)
        sub = engine.subscribe()
        print(
            json.dumps(
                {
                    "Event": "Started",
                    "Mode": engine.mode,
                    "Backend": engine.mode_description,
                    "Receiver": engine.receiver.local_base_url if engine.receiver else None,
                    "EventLoop": eventloop.loop_name(loop),
                }
            ),
            flush=True,
        )
        stopper = asyncio.create_task(stop.wait())
        try:
            while not stop.is_set():
                nxt = asyncio.create_task(sub.next())
                done, _ = await asyncio.wait({nxt, stopper}, return_when=asyncio.FIRST_COMPLETED)
                if nxt not in done:
                    nxt.cancel()
                    break
                event = nxt.result()
                if isinstance(event, StackFinished):
                    print(
                        json.dumps(
                            {"Event": "StackFinished", **result_json(event)}, ensure_ascii=False
                        ),
                        flush=True,
                    )
                    if alerts is not None:
                        await alerts.send(event, engine.settings.notifications.max_outputs)
                elif isinstance(event, EngineWarning):
                    print(
                        json.dumps({"Event": "Warning", "Message": str(event.message)}), flush=True
                    )
                elif isinstance(event, TunnelState):
                    print(
                        json.dumps(
                            {
                                "Event": "Tunnel",
                                "Phase": event.phase,
                                "Url": event.url,
                                "RttMs": event.rtt_ms,
                                "Reason": event.reason,
                            }
                        ),
                        flush=True,
                    )
        finally:
            stopper.cancel()
            sub.close()
            pacer.stop()
    return 0


def run_headless(args: argparse.Namespace) -> int:
    from rostray.commands.stacks import UsageError
    from rostray.core.credentials import CredentialError
    from rostray.core.receiver import ReceiverError
    from rostray.core.store import StoreError

    try:
        return eventloop.run(headless(args))
    except (UsageError, CredentialError, StoreError, ReceiverError) as exc:
        print(f"rostray: {exc}", file=sys.stderr)
        return 2


def has_display(environ: dict[str, str] | None = None) -> bool:
    """Whether a GUI can open here (on Linux Qt aborts the process without a display)."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return True
    return any(env.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def run_default(args: argparse.Namespace) -> int:
    """The tray app when Qt is installed and a display exists; headless otherwise."""
    if not has_display():
        print(
            translate(
                "Cli", "rostray: no display found; running headless (results print as JSON lines)."
            ),
            file=sys.stderr,
        )
        return run_headless(args)
    try:
        from rostray.gui.app import run_gui  # type: ignore[attr-defined]
    except ImportError:
        print(
            translate(
                "Cli",
                "rostray: the GUI is not available here; running headless "
                "(results print as JSON lines).",
            ),
            file=sys.stderr,
        )
        return run_headless(args)
    return int(run_gui(args))
