"""GetStack from the event loop sends what the SDK's own ``do_action`` sends.

``RosClient`` composes and signs GetStack itself (``core/rpcsign.py``), borrows the SDK's
user agent and error judge (private methods), and sends it with aiohttp; these tests hold the
signature to the SDK's for the same request, compare both wire requests, and catch an SDK
release that moves what is borrowed."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp import web
from aliyunsdkcore.client import AcsClient

from rostray.core import ros as ros_module
from rostray.core.credentials import Credentials
from rostray.core.ros import RosClient
from rostray.core.rpcsign import sign, string_to_sign

SECRET = "the-secret"
VARYING = {"Signature", "SignatureNonce", "Timestamp"}


def test_the_sdk_still_has_what_the_native_transport_uses() -> None:
    from aliyunsdkcore.vendored.requests.utils import DEFAULT_CA_BUNDLE_PATH

    for name in ("_get_server_exception", "user_agent_header", "default_user_agent"):
        assert callable(getattr(AcsClient, name)), name
    for name in ("merge_user_agent", "handle_extra_agent"):
        assert callable(getattr(AcsClient, name)), name
    assert Path(DEFAULT_CA_BUNDLE_PATH).is_file()


@pytest.mark.parametrize("token", [None, "sts-token"])
def test_the_signature_is_the_sdks_for_the_same_request(
    monkeypatch: pytest.MonkeyPatch, token: str | None
) -> None:
    """Same nonce and timestamp: the SDK's composer and ours produce the same query and
    Signature, byte for byte (the SDK is the oracle; the sandbox only verifies)."""
    from aliyunsdkcore.utils import parameter_helper
    from aliyunsdkros.request.v20190910.GetStackRequest import GetStackRequest

    monkeypatch.setattr(parameter_helper, "get_uuid", lambda: "0123456789abcdef")
    monkeypatch.setattr(parameter_helper, "get_iso_8061_date", lambda: "2026-11-29T10:00:00Z")
    monkeypatch.setattr(ros_module.uuid, "uuid4", lambda: SimpleNamespace(hex="0123456789abcdef"))
    monkeypatch.setattr(ros_module, "_utc_timestamp", lambda: "2026-11-29T10:00:00Z")
    ros = RosClient(
        Credentials("the-id", "a secret/with+odd*chars~", security_token=token),
        region="cn-hangzhou",
        endpoint="127.0.0.1:9",
    )

    def request() -> Any:
        r = GetStackRequest()
        r.set_StackId("s-1 ü/+*")
        r.add_query_param("ShowResourceProgress", "EnabledIfCreateStack")
        return ros._prepare(r, "cn-hangzhou")

    sdk = request()
    sdk.add_header("Accept-Encoding", "identity")
    theirs = ros._sdk()._make_http_response(ros.endpoint, sdk, 1, 1)
    path, headers, signed = ros._native.compose(request())
    assert parse_qs(urlsplit(path).query) == parse_qs(urlsplit(theirs.get_url()).query)
    assert signed == sdk.string_to_sign
    assert headers == theirs.get_headers()


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
        ros._sdk()._verify = False  # what AcsClient(verify=False) sets
        assert ros._native._tls() is False
    finally:
        await ros.close()
    await asyncio.sleep(0)


async def test_the_sdk_client_is_made_after_start_up_on_a_thread() -> None:
    """Importing the SDK and loading its endpoint tables cost every start-up 0.15-0.25 s;
    the client is made later, once, whoever asks first."""
    ros = RosClient(Credentials("id", SECRET), region="cn-hangzhou", endpoint="127.0.0.1:9")
    try:
        assert ros._sdk_client is None
        ros.warm_up_soon(delay=0)
        for _ in range(500):
            if ros._sdk_client is not None:
                break
            await asyncio.sleep(0.01)
        made = ros._sdk_client
        assert made is not None and ros._sdk() is made
        assert made.get_region_id() == "cn-hangzhou"
    finally:
        await ros.close()
