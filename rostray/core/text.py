"""Make untrusted text inert for display: one line, no control, bidi or zero-width tricks.

Stack names, outputs and reasons come from templates and the network. Every front end (the
terminal, notifications, tooltips, tables) shows them through ``inert`` so an ANSI escape,
a right-to-left override or a newline cannot rewrite what the user sees.
"""

from __future__ import annotations

import json
from typing import Any

_INVISIBLE = frozenset({0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF})


def _hidden(code: int) -> bool:
    return (
        code < 0x20
        or 0x7F <= code < 0xA0
        or 0x202A <= code <= 0x202E  # bidi embeddings and overrides
        or 0x2066 <= code <= 0x2069  # bidi isolates
        or code in _INVISIBLE
    )


def inert(value: Any, limit: int | None = None) -> str:
    """One line of plain text; non-strings are shown as JSON; truncated with an ellipsis."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    kept = "".join(
        " " if ch in "\r\n\t" else ch for ch in text if ch in "\r\n\t" or not _hidden(ord(ch))
    )
    result = " ".join(kept.split())
    if limit is not None and len(result) > limit:
        result = result[: max(limit - 1, 0)] + "…"
    return result
