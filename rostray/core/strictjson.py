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
        result: dict[str, Any] = {}
        for key, value in items:
            if key in result:
                raise error(f"duplicate key {show_key(key)}")
            result[key] = value
        return result

    def constant(name: str) -> Any:
        raise error(f"{name} is not valid JSON")

    return {"object_pairs_hook": pairs, "parse_constant": constant}
