"""Terminal output: result tables, JSON results and the live progress line.

Values come from stack outputs and the network, so everything printed to a terminal goes
through ``inert`` (rostray.core.text): control and bidi characters are dropped. Human text is
translated (``rostray.commands.lang``); JSON keys and values never are.
"""

from __future__ import annotations

import sys
import time
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from rostray.commands.lang import translate
from rostray.core.alerts import FRIENDLY, friendly
from rostray.core.events import StackFinished
from rostray.core.i18n import QT_TRANSLATE_NOOP
from rostray.core.payload import DEFAULT_DESCRIPTION, Output
from rostray.core.text import inert as printable

VIA = {
    "callback": QT_TRANSLATE_NOOP("Cli", "callback"),
    "poll": QT_TRANSLATE_NOOP("Cli", "poll"),
    "reconcile": QT_TRANSLATE_NOOP("Cli", "reconcile"),
}


def width(text: str) -> int:
    """Terminal columns: CJK (East Asian wide/fullwidth) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, columns: int) -> str:
    return text + " " * max(columns - width(text), 0)


def table(rows: Sequence[Sequence[str]], headers: Sequence[str]) -> str:
    widths = [width(h) for h in headers]
    for row in rows:
        widths = [max(w, width(c)) for w, c in zip(widths, row, strict=True)]
    lines = ["  ".join(pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    return "\n".join(lines)


def status_text(status: str) -> str:
    """The status code, plus its word when the language has one of its own.

    English keeps the bare code (CREATE_COMPLETE says it already); Chinese shows
    ``CREATE_COMPLETE（创建成功）``, so the code stays searchable and the word is readable.
    """
    word = friendly(status, translate)
    if not word or word == FRIENDLY.get(status):
        return status
    return translate("Cli", "{status} ({word})").format(status=status, word=word)


def outputs_text(outputs: Iterable[Output]) -> str:
    """Full values, one per line, so a value such as a curl command can be copied whole."""
    lines = []
    for o in outputs:
        lines.append(f"  {printable(o.key, 80)}: {printable(o.value)}")
        if o.description and o.description != DEFAULT_DESCRIPTION:
            lines.append(f"      {printable(o.description, 200)}")
    return "\n".join(lines) if lines else translate("Cli", "  (no outputs)")


def result_json(event: StackFinished) -> dict[str, Any]:
    return {
        "StackId": event.stack_id,
        "StackName": event.stack_name,
        "Region": event.region,
        "Operation": event.operation,
        "Status": event.status,
        "StatusReason": event.status_reason,
        "Outputs": [
            {"OutputKey": o.key, "OutputValue": o.value, "Description": o.description}
            for o in event.outputs
        ],
        "Succeeded": event.succeeded,
        "Via": event.via,
        "ElapsedSeconds": round(event.elapsed, 3),
        "ConsoleUrl": None if event.sandbox else event.console_url,
        "Sandbox": event.sandbox,
    }


def result_text(event: StackFinished) -> str:
    mark = "✔" if event.succeeded else "✘"
    via = VIA.get(event.via)
    lines = [
        translate("Cli", "{mark} {name}: {status} after {duration} (learned by {via})").format(
            mark=mark,
            name=printable(event.stack_name),
            status=status_text(event.status),
            duration=format_duration(event.elapsed),
            via=translate("Cli", via) if via else printable(event.via, 20),
        ),
        stack_line(event.stack_id, event.region),
    ]
    if not event.succeeded and event.status_reason:
        lines.append(reason_line(event.status_reason))
    if not event.sandbox:
        lines.append(translate("Cli", "  Console: {url}").format(url=event.console_url))
    lines.append(translate("Cli", "Outputs:"))
    lines.append(outputs_text(event.outputs))
    return "\n".join(lines)


def stack_line(stack_id: str, region: str) -> str:
    return translate("Cli", "  StackId: {stack_id}   Region: {region}").format(
        stack_id=stack_id, region=region
    )


def reason_line(reason: str) -> str:
    return translate("Cli", "  Reason: {reason}").format(reason=printable(reason))


def format_duration(seconds: float) -> str:
    seconds = max(int(seconds), 0)
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h{minutes:02d}m{secs:02d}s"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


class Progress:
    """A live status line on a terminal; plain log lines (only on change) elsewhere."""

    def __init__(self, stream: TextIO | None = None, *, live: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.started = time.monotonic()
        self._last_plain = ""
        self._width = 0

    def update(
        self, status: str, done: int | None = None, total: int | None = None, event: str = ""
    ) -> None:
        elapsed = format_duration(time.monotonic() - self.started)
        counts = (
            translate("Cli", " {done}/{total} resources").format(done=done, total=total)
            if total
            else ""
        )
        latest = f" | {printable(event, 60)}" if event else ""
        if self.live:
            line = f"\r[{elapsed}] {status}{counts}{latest}"
            pad = max(self._width - len(line), 0)
            self._width = len(line)
            self.stream.write(line + " " * pad)
            self.stream.flush()
            return
        plain = f"{status}{counts}{latest}"
        if plain != self._last_plain:
            self._last_plain = plain
            print(f"[{elapsed}] {plain}", file=self.stream, flush=True)

    def note(self, message: str) -> None:
        self.clear()
        print(message, file=self.stream, flush=True)

    def clear(self) -> None:
        if self.live and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0
