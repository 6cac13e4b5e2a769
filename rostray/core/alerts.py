"""What a desktop alert says about a finished stack: a pure function of the event.

Kept apart from any toolkit so the tray app, headless mode and tests agree on the words, and
so the "never render payload text as markup" rule lives in one place. The words are
translatable: pass ``translate`` (``QCoreApplication.translate`` in the GUI, a
``rostray.core.i18n.translator`` elsewhere); status codes such as CREATE_COMPLETE stay as
they are and get a friendly word beside them.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass

from rostray.core.events import StackFinished
from rostray.core.i18n import QT_TRANSLATE_NOOP, Translate, english
from rostray.core.text import inert as plain

CONTEXT = "Alerts"
# English source words; shown through friendly() so they are translated.
FRIENDLY = {
    "CREATE_COMPLETE": QT_TRANSLATE_NOOP("Alerts", "created"),
    "UPDATE_COMPLETE": QT_TRANSLATE_NOOP("Alerts", "updated"),
    "DELETE_COMPLETE": QT_TRANSLATE_NOOP("Alerts", "deleted"),
    "CREATE_FAILED": QT_TRANSLATE_NOOP("Alerts", "creation failed"),
    "UPDATE_FAILED": QT_TRANSLATE_NOOP("Alerts", "update failed"),
    "DELETE_FAILED": QT_TRANSLATE_NOOP("Alerts", "deletion failed"),
    "CREATE_ROLLBACK_COMPLETE": QT_TRANSLATE_NOOP("Alerts", "creation failed, rolled back"),
    "CREATE_ROLLBACK_FAILED": QT_TRANSLATE_NOOP("Alerts", "creation failed, rollback failed"),
    "ROLLBACK_COMPLETE": QT_TRANSLATE_NOOP("Alerts", "update failed, rolled back"),
    "ROLLBACK_FAILED": QT_TRANSLATE_NOOP("Alerts", "update failed, rollback failed"),
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


def friendly(status: str, translate: Translate = english) -> str:
    """The word for a terminal status ("" for codes without one)."""
    word = FRIENDLY.get(status)
    return translate(CONTEXT, word) if word else ""


def compose(event: StackFinished, max_outputs: int = 3, translate: Translate = english) -> Alert:
    word = friendly(event.status, translate)
    name = plain(event.stack_name, 80)
    if word:
        title = translate("Alerts", "{name} {word} — {status}").format(
            name=name, word=word, status=event.status
        )
    else:
        title = translate("Alerts", "{name}: {status}").format(name=name, status=event.status)
    if event.sandbox:
        title = translate("Alerts", "{title} (sandbox)").format(title=title)
    lines: list[str] = []
    if not event.succeeded and event.status_reason:
        lines.append(plain(event.status_reason, REASON_LIMIT))
    shown = event.outputs[: max(max_outputs, 0)]
    for output in shown:
        lines.append(f"{plain(output.key, 40)}: {plain(output.value, VALUE_LIMIT)}")
    hidden = len(event.outputs) - len(shown)
    if hidden == 1:
        lines.append(translate("Alerts", "+1 more output"))
    elif hidden > 1:
        lines.append(translate("Alerts", "+{count} more outputs").format(count=hidden))
    if not lines:
        lines.append(translate("Alerts", "No outputs."))
    first = event.outputs[0] if event.outputs else None
    return Alert(
        title=title,
        body="\n".join(lines),
        urgent=not event.succeeded,
        copy_text=(first.value if isinstance(first.value, str) else json.dumps(first.value))
        if first
        else None,
        copy_label=translate("Alerts", "Copy {key}").format(key=plain(first.key, 30))
        if first
        else None,
        console_url=None if event.sandbox else event.console_url,
    )


def summarize(events: list[StackFinished], translate: Translate = english) -> Alert:
    """One alert for a burst of results instead of a flood."""
    failed = [e for e in events if not e.succeeded]
    if failed:
        title = translate("Alerts", "{count} stacks finished, {failed} failed").format(
            count=len(events), failed=len(failed)
        )
    else:
        title = translate("Alerts", "{count} stacks finished").format(count=len(events))
    names = [
        f"{plain(e.stack_name, 40)}: {e.status}"
        for e in (failed + [e for e in events if e.succeeded])[:6]
    ]
    if len(events) > 6:
        names.append(translate("Alerts", "+{count} more").format(count=len(events) - 6))
    return Alert(title, "\n".join(names), bool(failed), None, None, None)
