"""What a desktop alert says about a finished stack: a pure function of the event.

Kept apart from any toolkit so the tray app, headless mode and tests agree on the words, and
so the "never render payload text as markup" rule lives in one place.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass

from rostray.core.events import StackFinished
from rostray.core.text import inert as plain

FRIENDLY = {
    "CREATE_COMPLETE": "created",
    "UPDATE_COMPLETE": "updated",
    "DELETE_COMPLETE": "deleted",
    "CREATE_FAILED": "creation failed",
    "UPDATE_FAILED": "update failed",
    "DELETE_FAILED": "deletion failed",
    "CREATE_ROLLBACK_COMPLETE": "creation failed, rolled back",
    "CREATE_ROLLBACK_FAILED": "creation failed, rollback failed",
    "ROLLBACK_COMPLETE": "update failed, rolled back",
    "ROLLBACK_FAILED": "update failed, rollback failed",
}
VALUE_LIMIT = 120
REASON_LIMIT = 300


@dataclass(frozen=True)
class Alert:
    title: str
    body: str  # plain text; escape with as_markup() only for servers that render markup
    urgent: bool
    copy_text: str | None  # the first output's value, for a "Copy" button
    copy_label: str | None
    console_url: str | None

    def body_markup(self) -> str:
        return html.escape(self.body, quote=False)


def compose(event: StackFinished, max_outputs: int = 3) -> Alert:
    friendly = FRIENDLY.get(event.status, "")
    suffix = " (sandbox)" if event.sandbox else ""
    title = f"{plain(event.stack_name, 80)}: {event.status}{suffix}"
    if friendly:
        title = f"{plain(event.stack_name, 80)} {friendly} — {event.status}{suffix}"
    lines: list[str] = []
    if not event.succeeded and event.status_reason:
        lines.append(plain(event.status_reason, REASON_LIMIT))
    shown = event.outputs[: max(max_outputs, 0)]
    for output in shown:
        lines.append(f"{plain(output.key, 40)}: {plain(output.value, VALUE_LIMIT)}")
    hidden = len(event.outputs) - len(shown)
    if hidden > 0:
        lines.append(f"+{hidden} more output{'s' if hidden > 1 else ''}")
    if not lines:
        lines.append("No outputs.")
    first = event.outputs[0] if event.outputs else None
    return Alert(
        title=title,
        body="\n".join(lines),
        urgent=not event.succeeded,
        copy_text=(first.value if isinstance(first.value, str) else json.dumps(first.value))
        if first
        else None,
        copy_label=f"Copy {plain(first.key, 30)}" if first else None,
        console_url=None if event.sandbox else event.console_url,
    )


def summarize(events: list[StackFinished]) -> Alert:
    """One alert for a burst of results instead of a flood."""
    failed = [e for e in events if not e.succeeded]
    title = f"{len(events)} stacks finished"
    if failed:
        title += f", {len(failed)} failed"
    names = [
        f"{plain(e.stack_name, 40)}: {e.status}"
        for e in (failed + [e for e in events if e.succeeded])[:6]
    ]
    if len(events) > 6:
        names.append(f"+{len(events) - 6} more")
    return Alert(title, "\n".join(names), bool(failed), None, None, None)
