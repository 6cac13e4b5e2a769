"""JSON decoding hooks shared by every parser of untrusted JSON (callbacks, templates):
a document with a key twice means two things, and NaN/Infinity are not JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def strict_hooks(
    error: type[Exception], show_key: Callable[[str], str] = repr
) -> dict[str, Callable[..., Any]]:
    """``json.loads(text, **strict_hooks(MyError))`` refuses duplicate keys and constants."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        # Built in C; only a shorter dict than the list of pairs means a key came twice, and
        # only then is the first repeated key looked for, one pair at a time.
        result = dict(items)
        if len(result) != len(items):
            seen: set[str] = set()
            for key, _ in items:
                if key in seen:
                    raise error(f"duplicate key {show_key(key)}")
                seen.add(key)
        return result

    def constant(name: str) -> Any:
        raise error(f"{name} is not valid JSON")

    return {"object_pairs_hook": pairs, "parse_constant": constant}
