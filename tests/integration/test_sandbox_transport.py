"""The sandbox transport against the real aliyunsdkcore client and ROS request classes.

The server runs on the test's event loop; the SDK is blocking, so it is called from a worker
thread. ``RecordingApi`` stands in for the ROS layer above the transport.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import aiohttp
import aiohttp.http_parser
import aiohttp.web_protocol
import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.auth.composer import rpc_signature_composer as composer
from aliyunsdkcore.client import AcsClient
from aliyunsdkcore.request import AcsRequest, RpcRequest
from aliyunsdkcore.utils import parameter_helper
from aliyunsdkros.request.v20190910.CreateStackRequest import CreateStackRequest
from aliyunsdkros.request.v20190910.GetStackRequest import GetStackRequest
from aliyunsdkros.request.v20190910.GetTemplateSummaryRequest import GetTemplateSummaryRequest

from rostray.core.rpcsign import (
    canonical_query,
    percent_encode,
    sign,
    signing_text,
    string_to_sign,
)
from rostray.sandbox import errors
from rostray.sandbox.server import (
    MAX_SIGNAL_BODY,
    NonceCache,
    SandboxServer,
    parse_timestamp,
)

AK = "LTAIsandboxKey0001"
SECRET = "sandbox-secret-0001"
REGION = "cn-hangzhou"
UPPER_UUID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$")
STACK_ID = "6f3c2b1e-0000-4000-8000-2c1a9d0e7b55"
# Every character class the encoders treat differently, plus a colon for the SDK's split(':').
TRICKY = "a b+c*d~e/f&g=h%i:j\n模板 ü 'q' \"dq\" $ !"

Behaviour = Callable[[dict[str, str]], dict[str, Any]]


class RecordingApi:
    """Test double for the ROS layer: records calls, answers from a per-action table."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, str]]] = []
        self.signals: list[tuple[str, str, str, bytes]] = []
        self.behaviours: dict[str, Behaviour] = {
            "CreateStack": lambda params: {"StackId": STACK_ID},
            "GetTemplateSummary": lambda params: {"Version": "2015-09-01"},
        }

    async def call(self, action: str, params: dict[str, str]) -> dict[str, Any]:
        self.calls.append((action, params))
        behaviour = self.behaviours.get(action)
        if behaviour is None:
            raise errors.action_not_found()
        return behaviour(params)

    async def signal_wait_condition(
        self, stack_id: str, handle: str, token: str, body: bytes
    ) -> dict[str, Any]:
        if token != "good-token":
            raise errors.RosApiError("InvalidToken", "The token is not valid.", 403)
        self.signals.append((stack_id, handle, token, body))
        return {"Accepted": True}


# -- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Legacy SDK env credentials override ours, and proxies would swallow 127.0.0.1."""
    for name in (
        "ALIYUN_ACCESS_KEY_ID",
        "ALIYUN_ACCESS_KEY_SECRET",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "http_proxy",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def api() -> RecordingApi:
    return RecordingApi()


async def started(server: SandboxServer) -> AsyncIterator[SandboxServer]:
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def server(api: RecordingApi) -> AsyncIterator[SandboxServer]:
    async for running in started(SandboxServer(api, {AK: SECRET})):
        yield running


@pytest.fixture
async def lenient_server(api: RecordingApi) -> AsyncIterator[SandboxServer]:
    async for running in started(SandboxServer(api, {}, verify_signatures=False)):
        yield running


def make_client(server: SandboxServer, ak: str = AK, secret: str = SECRET) -> AcsClient:
    client = AcsClient(
        ak, secret, REGION, proxy={"http": "", "https": ""}, connect_timeout=5, timeout=20
    )
    client.add_endpoint(REGION, "ROS", server.endpoint)
    return client


@pytest.fixture
def client(server: SandboxServer) -> AcsClient:
    return make_client(server)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture(params=["c", "py"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run a test under aiohttp's C (llhttp) parser and under the pure-Python one."""
    c_parser = getattr(aiohttp.http_parser, "HttpRequestParserC", None)
    if request.param == "c":
        if c_parser is None:
            pytest.skip("aiohttp C extensions not available")
        assert aiohttp.web_protocol.HttpRequestParser is c_parser  # the default in production
    else:
        monkeypatch.setattr(
            aiohttp.web_protocol, "HttpRequestParser", aiohttp.http_parser.HttpRequestParserPy
        )
    yield request.param


async def do(client: AcsClient, request: AcsRequest) -> dict[str, Any]:
    raw = await asyncio.to_thread(client.do_action_with_exception, request)
    return json.loads(raw)


async def server_error(client: AcsClient, request: AcsRequest) -> ServerException:
    with pytest.raises(ServerException) as info:
        await do(client, request)
    return info.value


def signed_url(
    params: dict[str, str],
    *,
    secret: str = SECRET,
    body: dict[str, str] | None = None,
    method: str = "POST",
) -> str:
    """A path+query signed by the SDK's own composer, for hand-driven requests."""
    base = {"Version": "2019-09-10", "RegionId": REGION}
    url, _ = composer.get_signed_url(base | params, AK, secret, "JSON", method, body or {})
    return url


def big_template(size: int) -> str:
    """A template of exactly ``size`` UTF-8 bytes, mostly 3-byte CJK: the worst case to encode."""
    head = "ROSTemplateFormatVersion: '2015-09-01'\nDescription: "
    filler = "模" * ((size - len(head)) // 3)
    body = head + filler
    return body + "x" * (size - len(body.encode("utf-8")))


# -- signing -------------------------------------------------------------------------------------

SDK_COMPOSE = getattr(composer, "__compose_string_to_sign")
SDK_SIGN = getattr(composer, "__get_signature")


@pytest.mark.parametrize(
    "value", ["", "plain", " ", "+", "*", "~", "/", "%", ":", "a=b&c", "模板", "é\n\t", TRICKY]
)
def test_percent_encode_matches_sdk_urlencode(value: str) -> None:
    sdk = getattr(composer, "__pop_standard_urlencode")
    from urllib.parse import urlencode

    assert f"k={percent_encode(value)}" == sdk(urlencode({"k": value}))


def test_string_to_sign_and_signature_match_sdk_composer() -> None:
    params = {
        "Action": "CreateStack",
        "TemplateBody": TRICKY,
        "SignatureType": "",
        "Parameters.1.ParameterValue": "x y*z",
        "Zeta": "~",
        "alpha": "lower sorts after upper",
    }
    expected = SDK_COMPOSE("POST", params)
    assert string_to_sign("POST", params) == expected
    assert sign(expected, SECRET) == SDK_SIGN(expected, SECRET)


def test_signing_text_encodes_every_character_as_the_sdk_does() -> None:
    """``signing_text`` re-encodes the canonical query with three replacements, which is only
    right if ``percent_encode`` leaves nothing but unreserved characters and ``%XX`` behind:
    every ASCII character, and some beyond, in keys and values."""
    ascii_chars = "".join(map(chr, range(128)))
    params = {
        "All": ascii_chars,
        ascii_chars[32:]: "key of every printable",
        "Wide": "模板 é ~ \u2028 \U0001f600",
        "Safe": "A-Za-z0-9_.~",
    }
    expected = SDK_COMPOSE("GET", params)
    assert signing_text("GET", canonical_query(params)) == expected
    assert string_to_sign("GET", params) == expected


def test_known_vector() -> None:
    """Fixed vector, produced once by the SDK's composer (guards against both drifting)."""
    params = {
        "AccessKeyId": "testid",
        "Action": "DescribeRegions",
        "Format": "JSON",
        "RegionId": "cn-hangzhou",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "SignatureType": "",
        "SignatureVersion": "1.0",
        "Timestamp": "2016-02-23T12:46:24Z",
        "Version": "2019-09-10",
    }
    expected_sts = (
        "POST&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DJSON"
        "%26RegionId%3Dcn-hangzhou%26SignatureMethod%3DHMAC-SHA1"
        "%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureType%3D"
        "%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z"
        "%26Version%3D2019-09-10"
    )
    assert SDK_COMPOSE("POST", params) == expected_sts
    assert string_to_sign("POST", params) == expected_sts
    assert sign(expected_sts, "testsecret") == SDK_SIGN(expected_sts, "testsecret")
    assert sign(expected_sts, "testsecret") == "UHo7pEayiToyXki9QVCRdgrhB2Y="


def test_signature_of_sdk_signed_url_verifies() -> None:
    body = {"TemplateBody": TRICKY}
    url = signed_url({"Action": "CreateStack", "StackName": "s"}, body=body)
    params = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    signature = params.pop("Signature")
    assert params["SignatureType"] == ""
    assert sign(string_to_sign("POST", params | body), SECRET) == signature


def test_nonce_cache_expires_and_is_bounded() -> None:
    now = [0.0]
    cache = NonceCache(ttl=10, capacity=3, clock=lambda: now[0])
    assert cache.add(("ak", "n1"))
    assert not cache.add(("ak", "n1"))
    assert cache.add(("other", "n1"))  # nonces are per AccessKeyId
    now[0] = 10.5
    assert cache.add(("ak", "n1"))  # expired, so accepted again
    for n in range(10):
        cache.add(("ak", f"x{n}"))
    assert len(cache) == 3


# -- RPC: success paths --------------------------------------------------------------------------


@pytest.mark.parametrize("disable_rollback", [True, False])
async def test_create_stack_reaches_handler_with_exact_params(
    server: SandboxServer, client: AcsClient, api: RecordingApi, disable_rollback: bool
) -> None:
    request = CreateStackRequest()
    request.set_StackName("demo-stack")
    request.set_TemplateBody(TRICKY)
    request.set_Parameterss(
        [
            {"ParameterKey": "Name", "ParameterValue": "x y*z~"},
            {"ParameterKey": "Empty", "ParameterValue": ""},
        ]
    )
    request.set_DisableRollback(disable_rollback)
    request.set_TimeoutInMinutes(30)
    request.set_ClientToken("token-1")

    response = await do(client, request)

    assert "TemplateBody" in request.get_body_params()  # the SDK really sent it in the body
    assert "TemplateBody" not in request.get_query_params()
    assert response["StackId"] == STACK_ID
    assert UPPER_UUID.match(response["RequestId"])
    [(action, params)] = api.calls
    assert action == "CreateStack"
    assert "Signature" not in params
    expected = {
        "StackName": "demo-stack",
        "TemplateBody": TRICKY,
        "Parameters.1.ParameterKey": "Name",
        "Parameters.1.ParameterValue": "x y*z~",
        "Parameters.2.ParameterKey": "Empty",
        "Parameters.2.ParameterValue": "",
        "DisableRollback": "True" if disable_rollback else "False",
        "TimeoutInMinutes": "30",
        "ClientToken": "token-1",
        "Action": "CreateStack",
        "Version": "2019-09-10",
        "RegionId": REGION,
        "Format": "JSON",
        "AccessKeyId": AK,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureType": "",
        "SignatureVersion": "1.0",
    }
    assert {key: params[key] for key in expected} == expected
    assert set(params) - set(expected) == {"SignatureNonce", "Timestamp"}


async def test_set_endpoint_per_request_also_works(
    server: SandboxServer, api: RecordingApi
) -> None:
    client = AcsClient(AK, SECRET, REGION, proxy={"http": "", "https": ""})
    request = CreateStackRequest()
    request.set_StackName("s")
    request.set_TemplateBody("{}")
    request.set_endpoint(server.endpoint)
    assert (await do(client, request))["StackId"] == STACK_ID


async def test_get_template_summary_with_max_template_in_query(
    parser: str, server: SandboxServer, client: AcsClient, api: RecordingApi
) -> None:
    template = big_template(524_288)
    request = GetTemplateSummaryRequest()
    request.set_TemplateBody(template)

    response = await do(client, request)

    assert "TemplateBody" in request.get_query_params()
    assert len(percent_encode(template)) > 1_500_000  # far beyond aiohttp's default 8190
    assert response["Version"] == "2015-09-01"
    [(action, params)] = api.calls
    assert action == "GetTemplateSummary"
    assert params["TemplateBody"] == template


async def test_create_stack_with_max_template_in_body(
    parser: str, server: SandboxServer, client: AcsClient, api: RecordingApi
) -> None:
    template = big_template(524_288)
    request = CreateStackRequest()
    request.set_StackName("big")
    request.set_TemplateBody(template)

    await do(client, request)

    assert api.calls[0][1]["TemplateBody"] == template


async def test_handler_request_id_is_kept(
    server: SandboxServer, client: AcsClient, api: RecordingApi
) -> None:
    api.behaviours["CreateStack"] = lambda params: {"StackId": STACK_ID, "RequestId": "MINE"}
    request = CreateStackRequest()
    request.set_StackName("s")
    request.set_TemplateBody("{}")
    assert (await do(client, request))["RequestId"] == "MINE"


async def test_get_is_accepted_and_response_headers(
    server: SandboxServer, http: aiohttp.ClientSession, api: RecordingApi
) -> None:
    url = signed_url({"Action": "GetTemplateSummary", "TemplateBody": "{}"}, method="GET")
    async with http.get(server.base_url + url) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/json;charset=utf-8"
        body = await response.json()
    assert UPPER_UUID.match(body["RequestId"])
    assert response.headers["x-acs-request-id"] == body["RequestId"]
    assert api.calls[0][1]["TemplateBody"] == "{}"


# -- RPC: gateway errors -------------------------------------------------------------------------


async def test_wrong_secret_is_renamed_by_sdk(server: SandboxServer, api: RecordingApi) -> None:
    client = make_client(server, secret="not-the-secret")
    error = await server_error(client, GetStackRequest())
    assert error.get_error_code() == "InvalidAccessKeySecret"
    assert error.get_http_status() == 400
    assert UPPER_UUID.match(error.get_request_id())
    assert api.calls == []


async def test_signature_mismatch_echoes_server_string_to_sign(
    server: SandboxServer, http: aiohttp.ClientSession
) -> None:
    url = signed_url({"Action": "GetStack", "StackId": "x"}, secret="wrong")
    params = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    params.pop("Signature")
    async with http.post(server.base_url + url) as response:
        assert response.status == 400
        body = await response.json()
    assert body["Code"] == "SignatureDoesNotMatch"
    prefix = "Specified signature is not matched with our calculation. server string to sign is:"
    assert body["Message"] == prefix + string_to_sign("POST", params)


async def test_unknown_access_key(server: SandboxServer) -> None:
    client = make_client(server, ak="LTAIunknown")
    error = await server_error(client, GetStackRequest())
    assert error.get_error_code() == "InvalidAccessKeyId.NotFound"
    assert error.get_error_msg() == "Specified access key is not found."
    assert error.get_http_status() == 404


async def test_unknown_action(server: SandboxServer, client: AcsClient) -> None:
    request = RpcRequest("ROS", "2019-09-10", "NoSuchAction", "ros")
    request.set_method("POST")
    error = await server_error(client, request)
    assert error.get_error_code() == "InvalidAction.NotFound"
    assert error.get_http_status() == 404


async def test_wrong_version(server: SandboxServer, client: AcsClient, api: RecordingApi) -> None:
    request = RpcRequest("ROS", "2015-09-01", "CreateStack", "ros")
    request.set_method("POST")
    error = await server_error(client, request)
    assert error.get_error_code() == "InvalidVersion"
    assert error.get_error_msg() == "Specified parameter Version is not valid."
    assert error.get_http_status() == 400
    assert api.calls == []


@pytest.mark.parametrize("skew", [timedelta(minutes=-16), timedelta(minutes=16)])
async def test_timestamp_outside_window(
    server: SandboxServer, client: AcsClient, monkeypatch: pytest.MonkeyPatch, skew: timedelta
) -> None:
    stamp = (datetime.now(UTC) + skew).strftime("%Y-%m-%dT%H:%M:%SZ")
    monkeypatch.setattr(parameter_helper, "get_iso_8061_date", lambda: stamp)
    error = await server_error(client, GetStackRequest())
    assert error.get_error_code() == "InvalidTimeStamp.Expired"
    assert error.get_http_status() == 400


async def test_timestamp_inside_window_is_fine(
    server: SandboxServer, client: AcsClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    stamp = (datetime.now(UTC) - timedelta(minutes=14)).strftime("%Y-%m-%dT%H:%M:%SZ")
    monkeypatch.setattr(parameter_helper, "get_iso_8061_date", lambda: stamp)
    request = CreateStackRequest()
    request.set_StackName("s")
    request.set_TemplateBody("{}")
    assert (await do(client, request))["StackId"] == STACK_ID


async def test_malformed_timestamp(
    server: SandboxServer, client: AcsClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parameter_helper, "get_iso_8061_date", lambda: "yesterday")
    error = await server_error(client, GetStackRequest())
    assert error.get_error_code() == "InvalidTimeStamp.Format"


@pytest.mark.parametrize(
    "stamp", ["2026-11-29T11:07:09Z", "2026-11-29T11:07:09.5Z", "2024-02-29T23:59:59.123456Z"]
)
def test_timestamps_parse_as_strptime_did(stamp: str) -> None:
    fmt = "%Y-%m-%dT%H:%M:%S.%fZ" if "." in stamp else "%Y-%m-%dT%H:%M:%SZ"
    assert parse_timestamp(stamp) == datetime.strptime(stamp, fmt).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    "stamp",
    [
        "2026-13-01T00:00:00Z",  # no month 13
        "2025-02-29T00:00:00Z",  # not a leap year
        "2026-11-29 11:07:09Z",
        "2026-11-29T11:07:09",  # not UTC
        "2026-11-29T11:07:09.1234567Z",
        "\uff12\uff10\uff12\uff16-11-29T11:07:09Z",  # full-width digits
        "",
    ],
)
def test_malformed_timestamps_are_refused(stamp: str) -> None:
    with pytest.raises(errors.RosApiError) as caught:
        parse_timestamp(stamp)
    assert caught.value.code == "InvalidTimeStamp.Format"


async def test_nonce_reuse_is_refused(
    server: SandboxServer, http: aiohttp.ClientSession, api: RecordingApi
) -> None:
    url = server.base_url + signed_url({"Action": "CreateStack", "StackName": "s"})
    async with http.post(url) as first:
        assert first.status == 200
    async with http.post(url) as second:
        assert second.status == 400
        body = await second.json()
    assert body["Code"] == "SignatureNonceUsed"
    assert body["Message"] == "Specified signature nonce was used already."
    assert len(api.calls) == 1


async def test_bad_signature_does_not_burn_the_nonce(
    server: SandboxServer, http: aiohttp.ClientSession
) -> None:
    good = signed_url({"Action": "CreateStack", "StackName": "s"})
    forged = re.sub(r"Signature=[^&]+", "Signature=AAAA", good)
    async with http.post(server.base_url + forged) as response:
        assert (await response.json())["Code"] == "SignatureDoesNotMatch"
    async with http.post(server.base_url + good) as response:
        assert response.status == 200


@pytest.mark.parametrize(
    "missing", ["AccessKeyId", "Signature", "SignatureNonce", "Timestamp", "Version", "Action"]
)
async def test_missing_common_parameter(
    server: SandboxServer, http: aiohttp.ClientSession, missing: str
) -> None:
    url = signed_url({"Action": "CreateStack"})
    path, _, query = url.partition("?")
    kept = [pair for pair in query.split("&") if not pair.startswith(f"{missing}=")]
    async with http.post(server.base_url + path + "?" + "&".join(kept)) as response:
        assert response.status == 400
        body = await response.json()
    assert body["Code"] == f"Missing{missing}"
    assert body["Message"] == f"{missing} is mandatory for this action."


async def test_verification_off_accepts_any_key_but_still_checks_replay(
    lenient_server: SandboxServer, api: RecordingApi, http: aiohttp.ClientSession
) -> None:
    client = make_client(lenient_server, ak="anyone", secret="anything")
    request = CreateStackRequest()
    request.set_StackName("s")
    request.set_TemplateBody("{}")
    assert (await do(client, request))["StackId"] == STACK_ID

    url = lenient_server.base_url + signed_url({"Action": "CreateStack"})
    unsigned = re.sub(r"&?Signature=[^&]+", "", url)
    async with http.post(unsigned) as response:
        assert response.status == 200
    async with http.post(unsigned) as response:
        assert (await response.json())["Code"] == "SignatureNonceUsed"


# -- RPC: handler errors -------------------------------------------------------------------------


async def test_handler_ros_error_reaches_sdk(
    server: SandboxServer, client: AcsClient, api: RecordingApi
) -> None:
    def not_found(params: dict[str, str]) -> dict[str, Any]:
        raise errors.RosApiError(
            "StackNotFound", f"The Stack ({params['StackId']}) could not be found.", 404
        )

    api.behaviours["GetStack"] = not_found
    request = GetStackRequest()
    request.set_StackId("abc")
    error = await server_error(client, request)
    assert error.get_error_code() == "StackNotFound"
    assert error.get_error_msg() == "The Stack (abc) could not be found."
    assert error.get_http_status() == 404
    assert UPPER_UUID.match(error.get_request_id())
    assert api.calls[0][1]["StackId"] == "abc"


async def test_handler_crash_is_internal_error_without_leak(
    server: SandboxServer,
    client: AcsClient,
    api: RecordingApi,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def crash(params: dict[str, str]) -> dict[str, Any]:
        raise RuntimeError("secret internals")

    api.behaviours["GetStack"] = crash
    error = await server_error(client, GetStackRequest())
    assert error.get_error_code() == "InternalError"
    assert error.get_http_status() == 500
    assert "secret internals" not in error.get_error_msg()
    assert "Traceback" not in error.get_error_msg()
    assert any(
        record.exc_info and "secret internals" in str(record.exc_info[1])
        for record in caplog.records
    )


async def test_unserialisable_result_is_internal_error(
    server: SandboxServer, client: AcsClient, api: RecordingApi
) -> None:
    api.behaviours["GetStack"] = lambda params: {"When": object()}
    error = await server_error(client, GetStackRequest())
    assert error.get_error_code() == "InternalError"


async def test_logs_never_carry_signature_or_secret(
    server: SandboxServer, client: AcsClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    request = CreateStackRequest()
    request.set_StackName("s")
    request.set_TemplateBody("{}")
    request.set_Parameterss([{"ParameterKey": "Password", "ParameterValue": "hunter2-NoEcho"}])
    await do(client, request)
    ours = [r for r in caplog.records if r.name.startswith(("rostray", "aiohttp"))]
    text = "\n".join(record.getMessage() for record in ours)
    assert "CreateStack" in text  # the request was logged at all
    assert "Signature=" not in text
    assert "'Signature'" not in text
    assert SECRET not in text
    assert "hunter2-NoEcho" not in text


# -- other routes --------------------------------------------------------------------------------


async def test_unknown_path_is_json_404(server: SandboxServer, http: aiohttp.ClientSession) -> None:
    async with http.post(server.base_url + "/nope") as response:
        assert response.status == 404
        body = await response.json()
    assert body["Code"] == "InvalidAction.NotFound"
    assert UPPER_UUID.match(body["RequestId"])


async def test_oversized_form_body_is_json_413(
    server: SandboxServer, http: aiohttp.ClientSession
) -> None:
    url = server.base_url + signed_url({"Action": "CreateStack"})
    data = io.BytesIO(b"TemplateBody=" + b"x" * (5 * 1024 * 1024))
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    async with http.post(url, data=data, headers=headers) as response:
        assert response.status == 413
        assert (await response.json())["Code"] == "RequestEntityTooLarge"


async def test_signal_wait_condition(
    server: SandboxServer, http: aiohttp.ClientSession, api: RecordingApi
) -> None:
    url = server.wait_condition_url("demo", STACK_ID, "Handle", "good-token")
    assert url == (
        f"{server.base_url}/waitcondition?stackname=demo&stackid={STACK_ID}"
        "&resource=Handle&signature=good-token"
    )
    payload = json.dumps({"status": "SUCCESS", "data": "ok"}).encode()
    async with http.post(url, data=payload) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/json;charset=utf-8"
        body = await response.json()
    assert body["Accepted"] is True
    assert UPPER_UUID.match(body["RequestId"])
    assert api.signals == [(STACK_ID, "Handle", "good-token", payload)]


async def test_signal_with_bad_token_uses_handler_error(
    server: SandboxServer, http: aiohttp.ClientSession, api: RecordingApi
) -> None:
    async with http.post(
        server.wait_condition_url("demo", STACK_ID, "H", "bad"), data=b"{}"
    ) as response:
        assert response.status == 403
        assert (await response.json())["Code"] == "InvalidToken"
    assert api.signals == []


async def test_signal_body_limit(
    server: SandboxServer, http: aiohttp.ClientSession, api: RecordingApi
) -> None:
    url = server.wait_condition_url("demo", STACK_ID, "H", "good-token")
    async with http.post(url, data=b"x" * MAX_SIGNAL_BODY) as response:
        assert response.status == 200
    async with http.post(url, data=b"x" * (MAX_SIGNAL_BODY + 1)) as response:
        assert response.status == 413
        assert (await response.json())["Code"] == "RequestEntityTooLarge"

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length to check up front
        for _ in range(9):
            yield b"y" * 8192

    async with http.post(url, data=chunked()) as response:
        assert response.status == 413
    assert len(api.signals) == 1


async def test_binds_to_requested_host_and_restarts_cleanly(api: RecordingApi) -> None:
    server = SandboxServer(api, {AK: SECRET})
    await server.start()
    try:
        assert server.endpoint == f"127.0.0.1:{server.port}"
        assert server.port > 0
        with pytest.raises(RuntimeError):
            await server.start()
    finally:
        await server.stop()
    await server.stop()  # idempotent
