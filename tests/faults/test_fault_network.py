"""The network to ROS failing: 503s, connections closed without an answer, timeouts, refused
connections. RosClient retries where that is safe (reads; CreateStack with the same
ClientToken, so ROS cannot create two stacks) with backoff, and otherwise fails with one clear
RosError; the CLI turns that into one line and exit code 3."""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web

from rostray.core.credentials import Credentials
from rostray.core.ros import RosClient, RosError, StackRequest

Behaviour = Callable[[int], str]  # attempt number (1-based) -> "ok" | "503" | "close" | ...


@dataclass
class FakeRos:
    """Speaks just enough of the RPC protocol: answers by Action, records every attempt."""

    behaviour: Behaviour = lambda attempt: "ok"
    calls: list[dict[str, str]] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    endpoint: str = ""

    async def handle(self, request: web.Request) -> web.StreamResponse:
        params = dict(request.query)
        if request.can_read_body:
            params.update({k: str(v) for k, v in (await request.post()).items()})
        self.calls.append(params)
        self.times.append(asyncio.get_running_loop().time())
        action = self.behaviour(len(self.calls))
        if action == "close":
            assert request.transport is not None
            request.transport.abort()  # no status line at all
            return web.Response()
        if action == "hang":
            await asyncio.sleep(2)
        if action == "503":
            return web.json_response(
                {"Code": "ServiceUnavailable", "Message": "busy", "RequestId": "R503"}, status=503
            )
        if action == "html503":
            return web.Response(status=503, text="<html>gateway</html>", content_type="text/html")
        if action == "400":
            return web.json_response(
                {"Code": "InvalidParameter", "Message": "bad StackName", "RequestId": "R400"},
                status=400,
            )
        name = params.get("Action")
        if name == "CreateStack":
            return web.json_response({"StackId": "stack-1", "RequestId": "R1"})
        return web.json_response(
            {"StackId": "stack-1", "StackName": "n", "Status": "CREATE_COMPLETE", "RequestId": "R"}
        )


@pytest.fixture
async def fake() -> AsyncIterator[FakeRos]:
    ros = FakeRos()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", ros.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    ros.endpoint = f"127.0.0.1:{runner.addresses[0][1]}"
    yield ros
    await runner.cleanup()


def client(endpoint: str, **kw: Any) -> RosClient:
    options: dict[str, Any] = {"read_timeout": 1, "connect_timeout": 1, "retry_delay": 0.05}
    options.update(kw)
    return RosClient(
        Credentials("id", "secret"), region="cn-hangzhou", endpoint=endpoint, **options
    )


async def create(ros: RosClient, token: str = "token-1") -> str:
    request = StackRequest(stack_name="n", template_body='{"ROSTemplateFormatVersion": "x"}')
    return await ros.create_stack(request, notification_urls=[], client_token=token)


async def after_two_failures(fake: FakeRos, failure: str, call: Callable[[RosClient], Any]) -> Any:
    """``call`` on a fresh client while the first two attempts fail with ``failure``."""
    fake.behaviour = lambda attempt: failure if attempt <= 2 else "ok"
    ros = client(fake.endpoint)
    try:
        return await call(ros)
    finally:
        await ros.close()


@pytest.mark.parametrize("failure", ["503", "html503", "close", "hang"])
async def test_create_stack_is_retried_with_the_same_client_token(
    fake: FakeRos, failure: str
) -> None:
    stack_id = await after_two_failures(fake, failure, lambda ros: create(ros, "the-one-token"))
    assert stack_id == "stack-1"
    assert len(fake.calls) == 3
    assert {call.get("ClientToken") for call in fake.calls} == {"the-one-token"}
    gaps = [b - a for a, b in zip(fake.times, fake.times[1:], strict=False)]
    if failure != "hang":  # backoff: the second wait is longer than the first
        assert gaps[1] > gaps[0] >= 0.05


@pytest.mark.parametrize("failure", ["503", "html503", "close", "hang"])
async def test_get_stack_from_the_event_loop_is_retried_over_every_failure(
    fake: FakeRos, failure: str
) -> None:
    """GetStack goes out on aiohttp, not an SDK thread: the same retries, the SDK's request."""
    info = await after_two_failures(fake, failure, lambda ros: ros.get_stack("stack-1"))
    assert (info.stack_id, info.status) == ("stack-1", "CREATE_COMPLETE")
    assert len(fake.calls) == 3
    assert {(c["Action"], c["StackId"], c["SignatureMethod"]) for c in fake.calls} == {
        ("GetStack", "stack-1", "HMAC-SHA1")
    }
    assert len({c["SignatureNonce"] for c in fake.calls}) == 3  # each attempt signed anew


async def test_retries_give_up_with_a_clear_error(fake: FakeRos) -> None:
    fake.behaviour = lambda attempt: "503"
    ros = client(fake.endpoint)
    try:
        with pytest.raises(RosError) as info:
            await ros.get_stack("stack-1")
    finally:
        await ros.close()
    assert len(fake.calls) == 3  # one try and two retries
    error = info.value
    assert (error.code, error.http_status, error.request_id) == ("ServiceUnavailable", 503, "R503")
    assert str(error) == "ServiceUnavailable: busy (HTTP 503)"


async def test_client_errors_are_not_retried(fake: FakeRos) -> None:
    fake.behaviour = lambda attempt: "400"
    ros = client(fake.endpoint)
    try:
        with pytest.raises(RosError) as info:
            await create(ros)
    finally:
        await ros.close()
    assert len(fake.calls) == 1
    assert info.value.code == "InvalidParameter"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_connection_refused_is_retried_then_reported() -> None:
    ros = client(f"127.0.0.1:{free_port()}")
    started = asyncio.get_running_loop().time()
    try:
        with pytest.raises(RosError) as info:
            await ros.get_stack("stack-1")
    finally:
        await ros.close()
    assert info.value.code == "SDK.HttpError"
    assert asyncio.get_running_loop().time() - started >= 0.05 + 0.1  # two backoff waits


async def test_cli_reports_an_unreachable_endpoint_in_one_line(monkeypatch) -> None:
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "id")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "secret")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "rostray", "launch", "seed-webhook", "--wait",
        "--endpoint", f"127.0.0.1:{free_port()}",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    text = err.decode()
    assert proc.returncode == 3, text
    assert "Traceback" not in text
    assert "rostray: ROS error SDK.HttpError" in text
