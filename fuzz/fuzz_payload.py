"""atheris: the callback payload parser. Any bytes → CallbackPayload or PayloadError."""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["rostray"]):
    from rostray.core.payload import PayloadError, parse_payload


def test_one_input(data: bytes) -> None:
    try:
        payload = parse_payload(data)
    except PayloadError as exc:
        message = str(exc)
        assert message and "\n" not in message and len(message) < 300, message
        return
    assert payload.stack_id and payload.status
    for output in payload.outputs:
        str(output.value).encode("utf-8")  # no lone surrogates survive into an Output


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
