"""The callback receiver as a real server on 127.0.0.1:0, driven by aiohttp and raw sockets."""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import random
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from yarl import URL

from rostray.core.receiver import IncomingCallback, Receiver, TokenBucket, redact_token

ROS_SAMPLE = (
    b'{"Outputs": [{"Description": "No description given", "OutputKey": "Url", '
    b'"OutputValue": "http://203.0.113.9"}], '
    b'"StackId": "6f3c2b1e-0000-4000-8000-2c1a9d0e7b55", "StackName": "demo", '
    b'"Status": "CREATE_COMPLETE"}'
)
JSON = {"Content-Type": "application/json; charset=utf-8"}


@dataclass
class App:
    """Stands in for the tracker: a token table, a callback log and probe nonces."""

    tokens: set[str] = field(default_factory=set)
    calls: list[IncomingCallback] = field(default_factory=list)
    probes: set[tuple[str, str]] = field(default_factory=set)
    fail: bool = False
    lookups: int = 0

    def is_known_token(self, token: str) -> bool:
        self.lookups += 1
        return token in self.tokens

    async def on_callback(self, incoming: IncomingCallback) -> None:
        self.calls.append(incoming)
        if self.fail:
            raise RuntimeError("database is locked")

    def on_probe(self, token: str, nonce: str) -> bool:
        return (token, nonce) in self.probes


@pytest.fixture
def app() -> App:
    return App()


@pytest.fixture
def token(app: App) -> str:
    value = secrets.token_urlsafe(32)
    app.tokens.add(value)
    return value


MakeReceiver = Callable[..., Awaitable[Receiver]]


@pytest.fixture
async def make_receiver(app: App) -> AsyncIterator[MakeReceiver]:
    started: list[Receiver] = []

    async def make(**overrides: Any) -> Receiver:
        options: dict[str, Any] = {
            "is_known_token": app.is_known_token,
            "on_callback": app.on_callback,
            "on_probe": app.on_probe,
        }
        options.update(overrides)
        receiver = Receiver(**options)
        await receiver.start()
        started.append(receiver)
        return receiver

    yield make
    for receiver in started:
        await receiver.stop()


@pytest.fixture
async def receiver(make_receiver: MakeReceiver) -> Receiver:
    return await make_receiver()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


async def post(
    session: aiohttp.ClientSession, url: str, data: Any, headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    async with session.post(url, data=data, headers=headers) as response:
        return response.status, await response.json(content_type=None)


async def raw_http(port: int, request: bytes) -> int:
    """Send bytes as they are; return the answer's status (0: the server just hung up)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        data = await asyncio.wait_for(reader.readline(), 10)
    except ConnectionError:
        return 0
    finally:
        writer.close()
    if not data.startswith(b"HTTP/1."):
        return 0
    return int(data.split(b" ", 2)[1])


# --- accepted ---------------------------------------------------------------------------------


async def test_valid_callback_reaches_the_app(
    receiver: Receiver, session: aiohttp.ClientSession, app: App, token: str
) -> None:
    before = time.time()
    url = receiver.hook_url(token) + "?via=tunnel&x=%2F"
    status, answer = await post(session, url, ROS_SAMPLE, JSON)
    assert (status, answer) == (200, {"ok": True})
    (incoming,) = app.calls
    assert incoming.token == token
    assert incoming.body == ROS_SAMPLE  # raw bytes, not a re-serialisation
    assert incoming.error is None
    assert incoming.payload is not None
    assert incoming.payload.stack_id == "6f3c2b1e-0000-4000-8000-2c1a9d0e7b55"
    assert incoming.payload.outputs[0].value == "http://203.0.113.9"
    assert incoming.remote == "127.0.0.1"
    assert incoming.headers["Content-Type"] == "application/json; charset=utf-8"
    assert before <= incoming.received_at <= time.time()
    assert receiver.stats.accepted == 1


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "Application/JSON; charset=UTF-8",
        "text/json",
        "application/vnd.ros.notification+json",
        "text/plain; charset=utf-8",
    ],
)
async def test_json_ish_content_types(
    receiver: Receiver, session: aiohttp.ClientSession, app: App, token: str, content_type: str
) -> None:
    status, _ = await post(
        session, receiver.hook_url(token), ROS_SAMPLE, {"Content-Type": content_type}
    )
    assert status == 200
    assert app.calls[0].payload is not None


async def test_missing_content_type_is_decided_by_the_body(
    receiver: Receiver, app: App, token: str
) -> None:
    head = f"POST /hooks/{token} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n".encode()
    good = head + f"Content-Length: {len(ROS_SAMPLE)}\r\n\r\n".encode() + ROS_SAMPLE
    bad = head + b"Content-Length: 5\r\n\r\nhello"
    assert await raw_http(receiver.port, good) == 200
    assert await raw_http(receiver.port, bad) == 400
    assert "Content-Type" not in app.calls[0].headers
    assert app.calls[0].payload is not None
    assert app.calls[1].payload is None
    assert app.calls[1].body == b"hello"


async def test_body_of_exactly_the_limit_is_accepted(
    make_receiver: MakeReceiver, session: aiohttp.ClientSession, token: str
) -> None:
    receiver = await make_receiver(max_body_bytes=1024)
    padded = ROS_SAMPLE + b" " * (1024 - len(ROS_SAMPLE))
    assert (await post(session, receiver.hook_url(token), padded, JSON))[0] == 200


async def test_gzip_body_is_decoded(
    receiver: Receiver, session: aiohttp.ClientSession, app: App, token: str
) -> None:
    headers = {**JSON, "Content-Encoding": "gzip"}
    status, _ = await post(session, receiver.hook_url(token), gzip.compress(ROS_SAMPLE), headers)
    assert status == 200
    assert app.calls[0].body == ROS_SAMPLE


# --- refused ----------------------------------------------------------------------------------


async def test_unknown_token_is_404_and_silent(
    receiver: Receiver, session: aiohttp.ClientSession, app: App, token: str
) -> None:
    for other in (secrets.token_urlsafe(32), token[:-1], token.upper(), "x" * 500, "a.b"):
        status, answer = await post(session, receiver.hook_url(other), ROS_SAMPLE, JSON)
        assert (status, answer) == (404, {"error": "not found"})
    assert app.calls == []
    assert receiver.stats.unknown_token == 5


async def test_unknown_token_wins_over_size(
    make_receiver: MakeReceiver, session: aiohttp.ClientSession, app: App
) -> None:
    receiver = await make_receiver(max_body_bytes=1024)
    status, _ = await post(session, receiver.hook_url("nope"), b"x" * 5000, JSON)
    assert status == 404
    assert app.calls == []


async def test_too_large_by_content_length(
    make_receiver: MakeReceiver, session: aiohttp.ClientSession, app: App, token: str
) -> None:
    receiver = await make_receiver(max_body_bytes=1024)
    status, answer = await post(session, receiver.hook_url(token), b" " * 1025 + ROS_SAMPLE, JSON)
    assert (status, answer) == (413, {"error": "too large"})
    (incoming,) = app.calls
    assert (incoming.body, incoming.payload, incoming.error) == (b"", None, "too large")
    assert receiver.stats.too_large == 1


async def test_too_large_is_refused_before_the_body_arrives(
    receiver: Receiver, app: App, token: str
) -> None:
    request = (
        f"POST /hooks/{token} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 1000000000\r\n\r\n"
    ).encode()
    status = await asyncio.wait_for(raw_http(receiver.port, request), 5)
    assert status == 413
    assert app.calls[0].error == "too large"


async def test_too_large_chunked(
    make_receiver: MakeReceiver, session: aiohttp.ClientSession, app: App, token: str
) -> None:
    receiver = await make_receiver(max_body_bytes=1024)

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(50):
            yield b" " * 100

    status, answer = await post(session, receiver.hook_url(token), chunks(), JSON)
    assert (status, answer) == (413, {"error": "too large"})
    assert app.calls[0].error == "too large"
    assert app.calls[0].body == b""


async def test_a_whole_chunked_body_over_the_cap_is_too_large(
    make_receiver: MakeReceiver, app: App, token: str
) -> None:
    """The body arrives in one write with its headers, so the receiver takes it as buffered
    rather than through read(): the cap still holds."""
    receiver = await make_receiver(max_body_bytes=1024)
    chunk = b" " * 100
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(50)) + b"0\r\n\r\n"
    head = f"POST /hooks/{token} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    request = (head + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode()
    assert await raw_http(receiver.port, request + body) == 413
    assert app.calls[0].error == "too large"
    assert receiver.stats.too_large == 1 and receiver.stats.accepted == 0


async def test_a_whole_gzip_body_is_read_decompressed(
    receiver: Receiver, session: aiohttp.ClientSession, app: App, token: str
) -> None:
    headers = {**JSON, "Content-Encoding": "gzip"}
    assert (await post(session, receiver.hook_url(token), gzip.compress(ROS_SAMPLE), headers))[
        0
    ] == 200
    assert app.calls[0].body == ROS_SAMPLE and app.calls[0].payload is not None


async def test_small_chunked_body_is_fine(
    receiver: Receiver, session: aiohttp.ClientSession, app: App, token: str
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(ROS_SAMPLE), 16):
            yield ROS_SAMPLE[start : start + 16]

    assert (await post(session, receiver.hook_url(token), chunks(), JSON))[0] == 200
    assert app.calls[0].body == ROS_SAMPLE


async def test_gzip_bomb_is_too_large(
    receiver: Receiver, session: aiohttp.ClientSession, app: App, token: str
) -> None:
    bomb = gzip.compress(b" " * 20_000_000)
    assert len(bomb) < 65_536
    headers = {**JSON, "Content-Encoding": "gzip"}
    assert (await post(session, receiver.hook_url(token), bomb, headers))[0] == 413
    assert app.calls[0].error == "too large"


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz",
        "application/octet-stream",
        "application/xml",
    ],
)
async def test_non_json_content_type_is_415(
    receiver: Receiver, session: aiohttp.ClientSession, app: App, token: str, content_type: str
) -> None:
    status, answer = await post(
        session, receiver.hook_url(token), ROS_SAMPLE, {"Content-Type": content_type}
    )
    assert (status, answer) == (415, {"error": "unsupported content type"})
    (incoming,) = app.calls
    assert incoming.payload is None
    assert incoming.body == ROS_SAMPLE
    media = content_type.split(";")[0]
    # The verdict says the body was fine, which is how a form-typed ROS sender would show up.
    assert incoming.error == (
        f"unsupported content type {media!r} (the body is a valid ROS notification)"
    )
    assert receiver.stats.bad_type == 1


async def test_bad_json_is_400_and_reported(
    receiver: Receiver, session: aiohttp.ClientSession, app: App, token: str
) -> None:
    status, answer = await post(session, receiver.hook_url(token), b'{"StackId": ', JSON)
    assert status == 400
    assert answer["error"].startswith("invalid JSON at line 1")
    (incoming,) = app.calls
    assert (incoming.body, incoming.payload) == (b'{"StackId": ', None)
    assert incoming.error == answer["error"]
    assert receiver.stats.bad_json == 1


async def test_cloudmonitor_body_is_400_with_a_clear_reason(
    receiver: Receiver, session: aiohttp.ClientSession, app: App, token: str
) -> None:
    event = json.dumps({"content": {"stackId": "abc", "status": "CREATE_COMPLETE"}})
    status, answer = await post(session, receiver.hook_url(token), event, JSON)
    assert status == 400
    assert "CloudMonitor" in answer["error"]


async def test_broken_gzip_is_400(
    receiver: Receiver, session: aiohttp.ClientSession, app: App, token: str
) -> None:
    headers = {**JSON, "Content-Encoding": "gzip"}
    status, _ = await post(session, receiver.hook_url(token), b"not gzip at all", headers)
    assert status == 400
    assert app.calls[0].error == "malformed request body (ContentEncodingError)"


async def test_slow_body_times_out(make_receiver: MakeReceiver, app: App, token: str) -> None:
    receiver = await make_receiver(read_timeout=0.3)
    request = (
        f"POST /hooks/{token} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" + "{" * 10
    ).encode()
    assert await raw_http(receiver.port, request) == 408
    assert app.calls[0].error == "body not received in time"
    assert receiver.stats.timed_out == 1


# --- the app failing --------------------------------------------------------------------------


async def test_app_failure_is_503_without_details(
    receiver: Receiver, session: aiohttp.ClientSession, app: App, token: str
) -> None:
    app.fail = True
    async with session.post(receiver.hook_url(token), data=ROS_SAMPLE, headers=JSON) as response:
        assert response.status == 503
        text = await response.text()
    assert json.loads(text) == {"error": "unavailable"}
    assert "database" not in text
    assert receiver.stats.handler_failed == 1
    assert receiver.stats.accepted == 0


async def test_app_failure_never_turns_bad_input_into_5xx(
    make_receiver: MakeReceiver, session: aiohttp.ClientSession, app: App, token: str
) -> None:
    receiver = await make_receiver(max_body_bytes=1024)
    app.fail = True
    url = receiver.hook_url(token)
    assert (await post(session, url, b"[]", JSON))[0] == 400
    assert (await post(session, url, ROS_SAMPLE, {"Content-Type": "text/html"}))[0] == 415
    assert (await post(session, url, b" " * 2000, JSON))[0] == 413
    assert len(app.calls) == 3


async def test_token_lookup_failure_is_503(
    make_receiver: MakeReceiver, session: aiohttp.ClientSession
) -> None:
    def broken(token: str) -> bool:
        raise KeyError(token)

    receiver = await make_receiver(is_known_token=broken)
    assert (await post(session, receiver.hook_url("abcd"), ROS_SAMPLE, JSON))[0] == 503


# --- other routes -----------------------------------------------------------------------------


async def test_healthz(receiver: Receiver, session: aiohttp.ClientSession) -> None:
    async with session.get(receiver.local_base_url + "/healthz") as response:
        assert response.status == 200
        assert await response.json() == {"status": "ok"}


async def test_probe_round_trip(
    receiver: Receiver, session: aiohttp.ClientSession, app: App, token: str
) -> None:
    nonce = secrets.token_urlsafe(16)
    app.probes.add((token, nonce))
    probe = receiver.hook_url(token) + "/probe"
    async with session.get(probe, params={"n": nonce}) as response:
        assert (response.status, await response.json()) == (200, {"ok": True})
    for params in ({"n": "other"}, {}, {"n": nonce * 20}, {"m": nonce}):
        async with session.get(probe, params=params) as response:
            assert response.status == 404
    async with session.post(probe, params={"n": nonce}) as response:
        assert response.status == 405
    assert (receiver.stats.probe_ok, receiver.stats.probe_rejected) == (1, 4)
    assert app.calls == []


async def test_probe_without_handler_is_404(
    make_receiver: MakeReceiver, session: aiohttp.ClientSession, token: str
) -> None:
    receiver = await make_receiver(on_probe=None)
    async with session.get(receiver.hook_url(token) + "/probe?n=abc") as response:
        assert response.status == 404


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/", 404),
        ("GET", "/hooks", 404),
        ("POST", "/hooks/", 404),
        ("POST", "/hooks/{token}/", 404),
        ("POST", "/hooks/{token}/extra", 404),
        ("GET", "/hooks/{token}", 405),
        ("PUT", "/hooks/{token}", 405),
        ("DELETE", "/hooks/{token}", 405),
        ("POST", "/healthz", 405),
        ("GET", "/waitcondition", 404),
    ],
)
async def test_everything_else(
    receiver: Receiver,
    session: aiohttp.ClientSession,
    token: str,
    method: str,
    path: str,
    expected: int,
) -> None:
    url = receiver.local_base_url + path.format(token=token)
    async with session.request(method, url, data=ROS_SAMPLE, headers=JSON) as response:
        assert response.status == expected
        assert (await response.json())["error"]


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("GET", "/hooks/{token}", "POST"),
        ("HEAD", "/hooks/{token}/probe?n=x", "GET"),
        ("POST", "/healthz", "GET,HEAD"),
        ("OPTIONS", "/healthz", "GET,HEAD"),
    ],
)
async def test_405_names_the_allowed_methods(
    receiver: Receiver,
    session: aiohttp.ClientSession,
    token: str,
    method: str,
    path: str,
    allow: str,
) -> None:
    """The routes are matched by hand; the answers are still what aiohttp's router gave."""
    url = receiver.local_base_url + path.format(token=token)
    async with session.request(method, url) as response:
        assert (response.status, response.headers["Allow"]) == (405, allow)


async def test_healthz_answers_head_without_a_body(
    receiver: Receiver, session: aiohttp.ClientSession
) -> None:
    async with session.head(receiver.local_base_url + "/healthz") as response:
        assert response.status == 200
        assert await response.read() == b""


async def test_a_percent_encoded_token_is_decoded_as_the_router_did(
    receiver: Receiver, session: aiohttp.ClientSession, app: App, token: str
) -> None:
    quoted = "".join(f"%{ord(c):02X}" for c in token[:3]) + token[3:]
    url = receiver.local_base_url + "/hooks/" + quoted
    async with session.post(URL(url, encoded=True), data=ROS_SAMPLE, headers=JSON) as response:
        assert response.status == 200
    assert [call.token for call in app.calls] == [token]


async def expect(port: int, token: str, value: str, body: bytes) -> bytes:
    """One POST with an Expect header; everything the server wrote until it closed."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = (
        f"POST /hooks/{token} HTTP/1.1\r\nHost: x\r\nExpect: {value}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    writer.write(head.encode())
    await writer.drain()
    first = await asyncio.wait_for(reader.readline(), 10)
    if first.startswith(b"HTTP/1.1 100"):
        writer.write(body)  # as a client does: the body only after "100 Continue"
    try:
        return first + await asyncio.wait_for(reader.read(), 10)
    finally:
        writer.close()


async def test_expect_100_continue(receiver: Receiver, app: App, token: str) -> None:
    answer = await expect(receiver.port, token, "100-continue", ROS_SAMPLE)
    assert answer.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n")
    assert len(app.calls) == 1 and app.calls[0].payload is not None


async def test_unknown_expectation_is_417(receiver: Receiver, app: App, token: str) -> None:
    answer = await expect(receiver.port, token, "something-else", b"")
    assert answer.startswith(b"HTTP/1.1 417 ")
    assert app.calls == []


# --- rate limit -------------------------------------------------------------------------------


async def test_a_flood_of_guesses_does_not_starve_a_known_token(
    make_receiver: MakeReceiver, session: aiohttp.ClientSession, app: App, token: str
) -> None:
    receiver = await make_receiver(rate_limit=0.5, rate_burst=3)
    statuses = [(await post(session, receiver.hook_url("guess"), b"{}", JSON))[0] for _ in range(6)]
    assert statuses == [404, 404, 404, 429, 429, 429]
    assert receiver.stats.rate_limited == 3
    async with session.post(receiver.hook_url(token), data=ROS_SAMPLE, headers=JSON) as response:
        assert response.status == 200  # its own bucket, untouched by the guesses
    async with session.get(receiver.local_base_url + "/healthz") as response:
        assert response.status == 200  # the app's own health check is never starved
    assert len(app.calls) == 1


async def test_a_known_token_has_its_own_limit(
    make_receiver: MakeReceiver, session: aiohttp.ClientSession, app: App, token: str
) -> None:
    receiver = await make_receiver(rate_limit=0.5, rate_burst=2)
    url = receiver.hook_url(token)
    statuses = [(await post(session, url, ROS_SAMPLE, JSON))[0] for _ in range(3)]
    assert statuses == [200, 200, 429]
    async with session.post(url, data=ROS_SAMPLE, headers=JSON) as response:
        assert response.headers["Retry-After"] == "1"
    assert (await post(session, receiver.hook_url("guess"), b"{}", JSON))[0] == 404
    assert len(app.calls) == 2


async def test_rate_limit_refills(
    make_receiver: MakeReceiver, session: aiohttp.ClientSession, token: str
) -> None:
    receiver = await make_receiver(rate_limit=20.0, rate_burst=1)
    url = receiver.hook_url(token)
    assert (await post(session, url, ROS_SAMPLE, JSON))[0] == 200
    assert (await post(session, url, ROS_SAMPLE, JSON))[0] == 429
    await asyncio.sleep(0.1)
    assert (await post(session, url, ROS_SAMPLE, JSON))[0] == 200


def test_token_bucket_arithmetic() -> None:
    now = [100.0]
    bucket = TokenBucket(rate=2.0, burst=3, clock=lambda: now[0])
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    now[0] += 0.5  # one token back
    assert [bucket.take(), bucket.take()] == [True, False]
    now[0] += 3600  # never more than the burst
    assert sum(bucket.take() for _ in range(10)) == 3


# --- logging and secrecy ----------------------------------------------------------------------


async def test_logs_never_contain_the_token(
    make_receiver: MakeReceiver,
    session: aiohttp.ClientSession,
    app: App,
    token: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    receiver = await make_receiver(max_body_bytes=1024)
    url = receiver.hook_url(token)
    app.probes.add((token, "nonce1"))
    await post(session, url + "?q=1", ROS_SAMPLE, JSON)
    await post(session, url, b"garbage", JSON)
    await post(session, url, ROS_SAMPLE, {"Content-Type": "application/x-www-form-urlencoded"})
    await post(session, url, b" " * 2000, JSON)
    await post(session, url, b"x", {**JSON, "Content-Encoding": "gzip"})
    await post(session, receiver.hook_url(token + "x"), ROS_SAMPLE, JSON)
    async with session.get(url + "/probe?n=nonce1") as response:
        assert response.status == 200
    async with session.get(url) as response:
        assert response.status == 405
    app.fail = True
    await post(session, url, ROS_SAMPLE, JSON)
    # aiohttp's own protocol errors quote the raw request line (path and all)
    path = f"/hooks/{token}"
    for request in (
        f"POST {path}{'a' * 9000} HTTP/1.1\r\nHost: x\r\n\r\n",
        f"POST {path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        f"P\x00ST {path} HTTP/1.1\r\n\r\n",
        f"POST {path}\r\n\r\n",
    ):
        assert await raw_http(receiver.port, request.encode()) in (0, 400)
    await receiver.stop()

    assert len(app.calls) == 7  # the broken chunking reached a known token too
    assert redact_token(token) in caplog.text  # it does log, just never the whole token
    for record in caplog.records:
        text = record.getMessage() + (record.exc_text or "") + repr(record.__dict__)
        assert token not in text
        assert token[:12] not in text
    assert not [r for r in caplog.records if r.name == "aiohttp.access"]
    assert token not in repr(app.calls)


def test_incoming_repr_redacts() -> None:
    incoming = IncomingCallback(
        token="SECRETtokenVALUE",
        body=b"x" * 100_000,
        headers={"Authorization": "Bearer abc"},
        remote="127.0.0.1",
        received_at=0.0,
        payload=None,
        error="too large",
    )
    text = repr(incoming)
    assert "SECRETtokenVALUE" not in text and "SECR…" in text
    assert "Bearer" not in text
    assert len(text) < 300


# --- hostile input in bulk --------------------------------------------------------------------


async def test_garbage_never_gets_a_5xx(
    make_receiver: MakeReceiver, session: aiohttp.ClientSession, app: App, token: str
) -> None:
    receiver = await make_receiver(max_body_bytes=4096, rate_limit=None, read_timeout=0.5)
    url = receiver.hook_url(token)
    rng = random.Random(20240601)
    statuses: list[int] = []
    bodies: list[bytes] = [
        b"",
        b"null",
        b"{}",
        b"[]" * 100,
        b"\xff\xfe\x00",
        b'{"StackId": "a", "Status": NaN}',
        b"[" * 3000,
        b'{"a":' * 1000,
        b'{"StackId": "a", "StackId": "b", "Status": "CREATE_COMPLETE"}',
        b'{"StackId": "../../etc", "Status": "CREATE_COMPLETE"}',
        b'{"StackId": "a", "Status": "CREATE_COMPLETE", "Outputs": ' + b"[{}]," * 10 + b"}",
        b'{"StackId": "a", "Status": "X", "Outputs": 1e999}',
        b'{"StackId": "\\ud800", "Status": "CREATE_COMPLETE"}',
        b"1" * 4000,
    ]
    bodies += [rng.randbytes(rng.randrange(1, 3000)) for _ in range(40)]
    content_types = ["application/json", "text/plain", "application/x-www-form-urlencoded"]
    for index, body in enumerate(bodies):
        headers = {"Content-Type": content_types[index % len(content_types)]}
        async with session.post(url, data=body, headers=headers) as response:
            statuses.append(response.status)
    for path in ("/hooks/%00", "/hooks/" + "a" * 4000, "/hooks/..%2F..%2Fetc", "/%ff%fe"):
        async with session.post(receiver.local_base_url + path, data=b"{}") as response:
            statuses.append(response.status)

    head = f"POST /hooks/{token} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
    raw_requests = [
        b"GARBAGE\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + rng.randbytes(64),
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * 20_000 + b"\r\n\r\n",
        b"GET /" + b"a" * 20_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        (head + "Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n").encode(),
        (head + "Transfer-Encoding: chunked\r\n\r\n5\r\n{}").encode(),
        (head + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").encode(),
        (head + "Content-Length: -1\r\n\r\n").encode(),
        (head + "Content-Length: 50\r\n\r\n{}").encode(),
        (head + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}").encode(),
        (head + "Content-Encoding: br\r\nContent-Length: 4\r\n\r\nabcd").encode(),
        (head + "Content-Encoding: deflate\r\nContent-Length: 4\r\n\r\nabcd").encode(),
        f"POST /hooks/{token} HTTP/1.0\r\n\r\n{{}}".encode(),
        f"POST /hooks/{token}\r\n\r\n".encode(),
    ]
    for request in raw_requests:
        statuses.append(await raw_http(receiver.port, request))

    assert all(status < 500 for status in statuses), statuses
    assert receiver.stats.accepted == 0
    assert receiver.stats.handler_failed == 0
    assert (await post(session, url, ROS_SAMPLE, JSON))[0] == 200  # still serving


# --- binding and URLs -------------------------------------------------------------------------


async def test_binds_loopback_only_and_builds_urls(receiver: Receiver) -> None:
    assert receiver._runner is not None
    assert [a[0] for a in receiver._runner.addresses] == ["127.0.0.1"]
    assert receiver.port > 0
    assert receiver.local_base_url == f"http://127.0.0.1:{receiver.port}"
    assert receiver.hook_url("tok") == f"http://127.0.0.1:{receiver.port}/hooks/tok"
    assert receiver.hook_url("tok", "https://a.trycloudflare.com/") == (
        "https://a.trycloudflare.com/hooks/tok"
    )


async def test_stop_is_idempotent_and_frees_the_port(app: App) -> None:
    receiver = Receiver(is_known_token=app.is_known_token, on_callback=app.on_callback)
    async with receiver:
        port = receiver.port
        with pytest.raises(RuntimeError):
            await receiver.start()
    await receiver.stop()
    with pytest.raises(OSError):
        await asyncio.open_connection("127.0.0.1", port)
