"""atheris: the receiver over real HTTP (aiohttp's test server, one loop for the whole run).
Fuzzed method, token, content type, content encoding and body; never a 5xx, and a delivery to
the known token always reaches the app with either a payload or an error verdict."""

from __future__ import annotations

import asyncio
import logging
import sys

import atheris

with atheris.instrument_imports(include=["rostray"]):
    from rostray.core.receiver import IncomingCallback, Receiver

from aiohttp import ClientError, ClientSession
from aiohttp.test_utils import TestServer

logging.disable(logging.CRITICAL)  # aiohttp logs every refused request; the verdicts are ours

TOKEN = "fuzzTOKEN_0123456789abcdefghijklmnopqrstuvw"
METHODS = ["POST", "POST", "POST", "GET", "PUT", "HEAD", "OPTIONS"]
TYPES = [
    "application/json", "text/plain", "", "application/x-www-form-urlencoded",
    "application/vnd.x+json", "multipart/form-data; boundary=z", "text/html",
]  # fmt: skip
ENCODINGS = ["", "", "gzip", "deflate", "identity", "x-unknown"]
calls: list[IncomingCallback] = []


async def on_callback(incoming: IncomingCallback) -> None:
    calls.append(incoming)
    del calls[:-10]


receiver = Receiver(
    is_known_token=lambda token: token == TOKEN,
    on_callback=on_callback,
    max_body_bytes=16_384,
    rate_limit=None,
    read_timeout=1.0,
)
loop = asyncio.new_event_loop()
server = TestServer(receiver._make_app(), loop=loop)
loop.run_until_complete(server.start_server())


async def _session() -> ClientSession:
    return ClientSession(str(server.make_url("")))  # not TestClient: it keeps every response


session = loop.run_until_complete(_session())


async def send(method: str, path: str, body: bytes, headers: dict[str, str]) -> int:
    """The status, or 0 when the server hung up or garbled the answer: for a broken deflate
    body aiohttp answers twice on a closing connection (ours, then its own text)."""
    try:
        async with session.request(method, path, data=body, headers=headers) as response:
            await response.read()
            return response.status
    except ClientError:
        return 0


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    method = METHODS[fdp.ConsumeIntInRange(0, len(METHODS) - 1)]
    token = TOKEN if fdp.ConsumeBool() else fdp.ConsumeUnicodeNoSurrogates(8) or "x"
    content_type = TYPES[fdp.ConsumeIntInRange(0, len(TYPES) - 1)]
    encoding = ENCODINGS[fdp.ConsumeIntInRange(0, len(ENCODINGS) - 1)]
    body = fdp.ConsumeBytes(fdp.remaining_bytes())
    headers = {"Content-Type": content_type} if content_type else {}
    if encoding:
        headers["Content-Encoding"] = encoding
    path = "/hooks/" + "".join(ch for ch in token if ch.isalnum() or ch in "-_") or "/hooks/x"
    before = len(calls)
    status = loop.run_until_complete(send(method, path, body, headers))
    assert status < 500, status
    if method == "POST" and token == TOKEN and status not in (0, 429):
        reached = calls[before:] if len(calls) > before else calls[-1:]
        assert status == 400 or reached, status  # aiohttp may refuse broken encodings itself
        if status == 200:
            assert reached[-1].payload is not None


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
