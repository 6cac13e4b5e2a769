"""The event loop the Qt-free entry points (headless, sandbox, CLI) run on.

uvloop when it is installed: the headless receiver spends a fifth fewer instructions per
callback on it and answers about a tenth more callbacks per second (bench/fixes.md, session
8), and nothing in the core depends on the loop's implementation.
``ROSTRAY_EVENT_LOOP=asyncio`` picks the standard loop (for a suspected loop bug, or to
compare); ``uvloop`` insists on it. The tray app runs on Qt's loop (qasync) whatever this says.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, TypeVar

ENV_VAR = "ROSTRAY_EVENT_LOOP"
CHOICES = ("auto", "uvloop", "asyncio")

T = TypeVar("T")
LoopFactory = Callable[[], asyncio.AbstractEventLoop]


class EventLoopError(RuntimeError):
    """The loop asked for cannot run here; the message says what to change."""


def loop_factory(environ: Mapping[str, str] | None = None) -> LoopFactory | None:
    """The factory for ``asyncio.Runner``; ``None`` is asyncio's own loop."""
    env = os.environ if environ is None else environ
    choice = env.get(ENV_VAR, "").strip().lower() or "auto"
    if choice not in CHOICES:
        raise EventLoopError(
            f"{ENV_VAR}={env.get(ENV_VAR)!r} is not one of {', '.join(CHOICES)}; "
            "unset it to use the fastest loop installed"
        )
    if choice == "asyncio":
        return None
    try:
        import uvloop
    except ImportError:
        if choice == "uvloop":
            raise EventLoopError(
                f"{ENV_VAR}=uvloop but uvloop is not installed here (it has no Windows build); "
                "install it or unset the variable"
            ) from None
        return None
    return uvloop.new_event_loop


def loop_name(loop: asyncio.AbstractEventLoop) -> str:
    """``uvloop`` or ``asyncio``: what ``Started`` reports, so a bug report says which ran."""
    return "uvloop" if type(loop).__module__.startswith("uvloop") else "asyncio"


def run(main: Coroutine[Any, Any, T], environ: Mapping[str, str] | None = None) -> T:
    """``asyncio.run`` on the loop chosen above."""
    try:
        factory = loop_factory(environ)
    except EventLoopError:
        main.close()  # never awaited: close it so no "was never awaited" warning follows
        raise
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(main)
