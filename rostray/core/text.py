"""Make untrusted text inert for display: one line, no control, bidi or zero-width tricks.

Stack names, outputs and reasons come from templates and the network. Every front end (the
terminal, notifications, tooltips, tables) shows them through ``inert`` so an ANSI escape,
a right-to-left override or a newline cannot rewrite what the user sees.

``redact_hook_tokens`` is the matching rule for logs: a callback URL's capability token is
cut to its first four characters wherever it appears (plain or percent-encoded).
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

REPLACEMENT = "\ufffd"
_SPACES = frozenset("\r\n\t\x0b\x0c\x1c\x1d\x1e\x1f\x85\u2028\u2029")
# Lone surrogates cannot be encoded (print() and UTF-8 files fail on them); show U+FFFD.
_SURROGATES = re.compile(r"[\ud800-\udfff]")
# /hooks/<token> as it appears in URLs, percent-encoded query values and JSON ("\/").
_HOOK_TOKEN = re.compile(r"(hooks(?:/|%2[Ff]|\\/))([A-Za-z0-9_-]{4})[A-Za-z0-9_-]+")


def _hidden(ch: str) -> bool:
    """Controls (Cc) and format characters (Cf): bidi marks, embeddings, overrides and
    isolates, zero-width characters, the BOM, invisible operators and tag characters."""
    return unicodedata.category(ch) in ("Cc", "Cf")


def _visible(ch: str) -> str:
    if ch in _SPACES:
        return " "
    if _hidden(ch):
        return ""
    return ch


def inert(value: Any, limit: int | None = None) -> str:
    """One line of plain text; non-strings are shown as JSON; truncated with an ellipsis."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = _SURROGATES.sub(REPLACEMENT, text)
    kept = "".join(_visible(ch) for ch in text) if not text.isprintable() else text
    result = " ".join(kept.split())
    if limit is not None and len(result) > limit:
        result = result[: max(limit - 1, 0)] + "…"
    return result


def scrub_surrogates(value: Any) -> Any:
    """The same JSON-like value with every lone surrogate replaced by U+FFFD (recursively).

    ``"\\ud800"`` is legal JSON but not Unicode: kept, it makes ``print``, UTF-8 files and
    ``json.dumps(ensure_ascii=False)`` consumers fail far from where the value came in.
    """
    if isinstance(value, str):
        if value.isascii():  # O(1) in CPython; the regex scan was 10 ns a character
            return value
        return _SURROGATES.sub(REPLACEMENT, value) if _SURROGATES.search(value) else value
    if isinstance(value, list):
        return [scrub_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {scrub_surrogates(k): scrub_surrogates(v) for k, v in value.items()}
    return value


_QUERY_STRING = re.compile(r"\?[^\s'\")]+")


def redact_query_strings(text: str) -> str:
    """``url: /?Action=…&NotificationURLs.1=…`` → ``url: /?…``: the SDK's transport errors
    quote the whole signed request, callback URLs and parameter values included."""
    return _QUERY_STRING.sub("?…", text)


def redact_hook_tokens(text: str) -> str:
    """``…/hooks/AbCdEfGh…`` → ``…/hooks/AbCd…``: the only form of a token fit for logs."""
    return _HOOK_TOKEN.sub(r"\1\2…", text)
