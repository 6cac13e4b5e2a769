"""GetStack from the event loop sends what the SDK's own ``do_action`` sends.

``RosClient`` builds and signs GetStack with two private SDK methods and sends it with aiohttp;
these tests catch an SDK release that moves them, and compare both wire requests."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aliyunsdkcore.client import AcsClient

from rostray.core.credentials import Credentials
from rostray.core.ros import RosClient
from rostray.sandbox.signing import sign, string_to_sign

SECRET = "the-secret"
VARYING = {"Signature", "SignatureNonce", "Timestamp"}


def test_the_sdk_still_has_what_the_native_transport_uses() -> None:
    from aliyunsdkcore.vendored.requests.utils import DEFAULT_CA_BUNDLE_PATH

    assert callable(AcsClient._make_http_response)
    assert callable(AcsClient._get_server_exception)
    assert Path(DEFAULT_CA_BUNDLE_PATH).is_file()


@pytest.fixture
async def capture() -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    seen: list[dict[str, Any]] = []

    async def handle(request: web.Request) -> web.Response:
        form = {k: str(v) for k, v in (await request.post()).items()}
        seen.append(
            {
                "method": request.method,
                "path": request.path,
                "query": dict(request.query),
                "form": form,
                "headers": {k.lower(): v for k, v in request.headers.items()},
            }
        )
        return web.json_response({"StackId": "s-1", "StackName": "n", "Status": "CREATE_COMPLETE"})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"127.0.0.1:{runner.addresses[0][1]}", seen
    await runner.cleanup()


async def test_native_get_stack_is_the_sdk_request_on_the_wire(
    capture: tuple[str, list[dict[str, Any]]],
) -> None:
    endpoint, seen = capture
    ros = RosClient(Credentials("the-id", SECRET), region="cn-hangzhou", endpoint=endpoint)
    try:
        await ros.get_stack("s-1", progress=True)  # natively
        from aliyunsdkros.request.v20190910.GetStackRequest import GetStackRequest

        request = GetStackRequest()
        request.set_StackId("s-1")
        request.add_query_param("ShowResourceProgress", "EnabledIfCreateStack")
        await ros.call(request)  # the SDK's own do_action on a thread
    finally:
        await ros.close()
    native, sdk = seen
    for key in ("method", "path"):
        assert native[key] == sdk[key]
    assert native["query"].keys() == sdk["query"].keys()
    assert {k: v for k, v in native["query"].items() if k not in VARYING} == {
        k: v for k, v in sdk["query"].items() if k not in VARYING
    }
    assert native["form"] == sdk["form"]
    for header in ("user-agent", "x-sdk-client", "accept-encoding", "content-type"):
        assert native["headers"].get(header) == sdk["headers"].get(header), header
    # The signature is valid for the parameters that arrived (the sandbox's check).
    params = {**native["query"], **native["form"]}
    signature = params.pop("Signature")
    assert sign(string_to_sign(native["method"], params), SECRET) == signature


async def test_a_remote_endpoint_trusts_what_the_sdk_trusts() -> None:
    ros = RosClient(Credentials("id", SECRET), region="cn-hangzhou", endpoint="ros.example.com")
    try:
        context = ros._native._tls()
        assert isinstance(context, ssl.SSLContext)
        assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
        assert context.cert_store_stats()["x509_ca"] > 50  # the SDK's CA bundle was loaded
        ros._client._verify = False  # what AcsClient(verify=False) sets
        assert ros._native._tls() is False
    finally:
        await ros.close()
    await asyncio.sleep(0)
