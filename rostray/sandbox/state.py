"""Save and restore sandbox stacks (``rostray sandbox --state FILE``).

Written atomically after every change, so a killed sandbox restarts with what it had. An
operation that was running when the sandbox stopped cannot resume; it ends as FAILED.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from rostray.core.templates import TemplateError, load_template
from rostray.sandbox.model import Event, Resource, Stack, WaitSignal, bump_event_sequence

log = logging.getLogger(__name__)
FORMAT = 1
_SKIP = {"template", "resources", "events", "wait_signals"}


def stack_to_dict(stack: Stack) -> dict[str, Any]:
    data = {k: v for k, v in vars(stack).items() if k not in _SKIP}
    data["resources"] = [asdict(r) for r in stack.resources.values()]
    data["events"] = [asdict(e) for e in stack.events]
    data["wait_signals"] = {h: [asdict(s) for s in sigs] for h, sigs in stack.wait_signals.items()}
    return data


def stack_from_dict(data: dict[str, Any]) -> Stack:
    fields = {k: v for k, v in data.items() if k not in _SKIP}
    stack = Stack(template=load_template(data["template_body"]), **fields)
    stack.resources = {r["logical_id"]: Resource(**r) for r in data.get("resources", [])}
    stack.events = [Event(**e) for e in data.get("events", [])]
    stack.wait_signals = {
        h: [WaitSignal(**s) for s in sigs] for h, sigs in data.get("wait_signals", {}).items()
    }
    if stack.in_progress:
        _fail_interrupted(stack)
    return stack


def _fail_interrupted(stack: Stack) -> None:
    """An operation cut off by a stop cannot resume: its running resources and the stack fail."""
    reason = "The sandbox stopped while this operation was running"
    for res in stack.resources.values():
        if res.status.endswith("_IN_PROGRESS"):
            res.status, res.status_reason = f"{res.status.rsplit('_', 2)[0]}_FAILED", reason
            stack.add_event(res.status, reason, resource=res)
    stack.set_status(f"{stack.action}_FAILED", reason)


def _max_sequence(items: list[Any]) -> int:
    sequences = [
        event.get("sequence")
        for item in items
        if isinstance(item, dict) and isinstance(item.get("events"), list)
        for event in item["events"]
        if isinstance(event, dict)
    ]
    return max((n for n in sequences if isinstance(n, int)), default=0)


class StateFile:
    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, Stack]:
        if not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"{self.path}: cannot read sandbox state ({exc})") from None
        items = data.get("stacks", []) if isinstance(data, dict) else None
        if not isinstance(items, list) or data.get("format") != FORMAT:
            raise ValueError(f"{self.path}: not a rostray sandbox state file (format {FORMAT})")
        # New events (an interrupted operation's FAILED rows) must sort after the saved ones,
        # so move the sequence past them before any stack is rebuilt.
        bump_event_sequence(_max_sequence(items))
        stacks: dict[str, Stack] = {}
        for item in items:
            try:
                stack = stack_from_dict(item)
            except (TemplateError, TypeError, KeyError, AttributeError) as exc:
                log.warning("skipping unreadable stack in %s: %s", self.path, exc)
                continue
            stacks[stack.id] = stack
        return stacks

    def save(self, stacks: dict[str, Stack]) -> None:
        data = {"format": FORMAT, "stacks": [stack_to_dict(s) for s in stacks.values()]}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".state-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                # ASCII escapes: a signal's data may hold lone surrogates, not encodable as UTF-8
                json.dump(data, handle)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
