"""Test helpers shared across folders (imported as ``shared``; conftest modules are not
importable by name when several folders have one)."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from aiohttp import web

from rostray.config import Settings
from rostray.core.credentials import Credentials
from rostray.core.engine import Engine
from rostray.core.events import StackFinished
from rostray.core.payload import Output
from rostray.core.tracker import PollPolicy

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = REPO / "resources" / "templates"


def template_text(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


@dataclass
class Ros:
    """The real SDK (AcsClient + ROS request classes) against a sandbox, called off-loop."""

    client: Any

    async def __call__(self, request_cls: type, **fields: Any) -> dict[str, Any]:
        request = request_cls()
        for key, value in fields.items():
            setter = getattr(request, f"set_{key}", None) or getattr(request, f"set_{key}s")
            setter(value)
        raw = await asyncio.to_thread(self.client.do_action_with_exception, request)
        return json.loads(raw)


class Endpoint(Protocol):
    """What a client needs to reach a sandbox: in-process ``Sandbox`` or a CLI subprocess."""

    @property
    def endpoint(self) -> str: ...

    @property
    def access_key_id(self) -> str: ...

    @property
    def access_key_secret(self) -> str: ...


def make_client(sb: Endpoint, *, secret: str | None = None, key_id: str | None = None) -> Any:
    from aliyunsdkcore.client import AcsClient

    client = AcsClient(
        key_id or sb.access_key_id,
        secret or sb.access_key_secret,
        "cn-hangzhou",
        proxy={"http": "", "https": ""},
    )
    client.add_endpoint("cn-hangzhou", "ROS", sb.endpoint)
    return client


@dataclass
class Recorder:
    """An HTTP endpoint that records every POST, like a user's webhook receiver."""

    url: str = ""
    posts: list[dict[str, Any]] = field(default_factory=list)
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.posts.append(
            {
                "path": request.path_qs,
                "headers": dict(request.headers),
                "body": body,
                "json": json.loads(body) if body else None,
            }
        )
        self._arrived.set()
        return web.Response(status=204)

    async def wait_for(
        self, predicate: Callable[[list[dict[str, Any]]], bool], timeout: float = 10
    ) -> list[dict[str, Any]]:
        async def until() -> None:
            while not predicate(self.posts):
                self._arrived.clear()
                await self._arrived.wait()

        await asyncio.wait_for(until(), timeout)
        return self.posts

    def statuses(self) -> list[str]:
        return [p["json"]["Status"] for p in self.posts]


FAST_POLL = PollPolicy(grace=0.3, max_interval=1.0, verify_retries=2, verify_delay=0.05)


def template_json(document: dict[str, Any]) -> str:
    return json.dumps({"ROSTemplateFormatVersion": "2015-09-01", **document})


# A stack that waits for a signal on its handle (or times out after ``Timeout`` seconds).
WAIT_TEMPLATE = template_json(
    {
        "Parameters": {"Timeout": {"Type": "Number", "Default": 3000}},
        "Resources": {
            "Handle": {"Type": "ALIYUN::ROS::WaitConditionHandle"},
            "Wait": {
                "Type": "ALIYUN::ROS::WaitCondition",
                "Properties": {"Handle": {"Ref": "Handle"}, "Timeout": {"Ref": "Timeout"}},
            },
        },
        "Outputs": {
            "Data": {"Value": {"Fn::GetAtt": ["Wait", "Data"]}},
            "CurlCli": {"Value": {"Fn::GetAtt": ["Handle", "CurlCli"]}},
        },
    }
)


def sandbox_engine(
    sandbox: Endpoint, store_path: Path, *, policy: PollPolicy = FAST_POLL, **kwargs: Any
) -> Engine:
    """An engine that treats a test sandbox as its ROS endpoint (credentials given)."""
    creds = Credentials(sandbox.access_key_id, sandbox.access_key_secret, source="test")
    return Engine(
        Settings(),
        credentials=creds,
        endpoint=sandbox.endpoint,
        store_path=store_path,
        poll_policy=policy,
        **kwargs,
    )


async def wait_signal(signal: Any, timeout: float = 5.0) -> tuple:
    """Await a Qt signal from inside a coroutine (qtbot.waitSignal would nest a loop)."""
    future: asyncio.Future[tuple] = asyncio.get_running_loop().create_future()

    def handler(*args: object) -> None:
        if not future.done():
            future.set_result(args)

    signal.connect(handler)
    try:
        return await asyncio.wait_for(future, timeout)
    finally:
        signal.disconnect(handler)


FIXED_NOW = 1_700_000_000.0


def stack_finished(
    stack_id: str,
    status: str,
    outputs: tuple[Output, ...],
    *,
    stack_name: str,
    reason: str = "",
    sandbox: bool = False,
) -> StackFinished:
    """An announced result at a fixed time, launched a minute earlier (notifier tests)."""
    return StackFinished(
        stack_id=stack_id,
        stack_name=stack_name,
        region="cn-hangzhou",
        operation="CREATE",
        status=status,
        status_reason=reason,
        outputs=outputs,
        via="callback",
        launched_at=FIXED_NOW - 60,
        sandbox=sandbox,
        at=FIXED_NOW,
    )


class HeldReply:
    """A proxy in front of a sandbox: forwards every call, but the answer to ``action`` waits
    until ``release`` is set (never, unless a test sets it). That is the window between a call
    reaching ROS and its answer reaching the client, where a kill or a fast callback lands."""

    def __init__(self, upstream: str, action: str) -> None:
        self.upstream = upstream
        self.action = action
        self.reached = asyncio.Event()  # the held call has been done upstream
        self.release = asyncio.Event()
        self.endpoint = ""
        self._runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        from aiohttp import ClientSession

        body = await request.read()
        url = f"http://{self.upstream}{request.path_qs}"
        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        async with (
            ClientSession() as session,
            session.request(request.method, url, data=body, headers=headers) as answer,
        ):
            data = await answer.read()
            status, content_type = answer.status, answer.content_type
        action = f"Action={self.action}".encode()
        if request.query.get("Action") == self.action or action in body.split(b"&"):
            self.reached.set()
            await self.release.wait()
        return web.Response(status=status, body=data, content_type=content_type)

    async def __aenter__(self) -> HeldReply:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.endpoint = f"127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.release.set()
        assert self._runner is not None
        await self._runner.cleanup()


async def start_cli(*args: str, env: dict[str, str] | None = None) -> asyncio.subprocess.Process:
    """``python -m rostray ARGS`` with pipes, this environment plus ``env``."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "rostray",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
