"""RosClient: an async facade over the blocking aliyun SDK.

The SDK blocks and never retries ROS; this runs it in an executor, retries only where it is
safe (reads, and CreateStack with the same ClientToken), and turns every failure into one
``RosError`` with the code, message, request id and HTTP status.

GetStack, the call every callback's verification and every poll makes, skips the thread:
``_NativeTransport`` sends the SDK's request (its parameters and headers, signed as its RPC
composer signs, an error answer judged by the SDK) with aiohttp on the event loop. A thread
hop each way and the vendored requests stack were 1.3 ms of a 7 ms callback-to-notification
path, and the SDK's signing 0.25 ms of what was left.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import json
import logging
import ssl
import threading
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from yarl import URL

from rostray.core import rpcsign
from rostray.core.credentials import Credentials
from rostray.core.payload import Output
from rostray.core.text import redact_query_strings

log = logging.getLogger(__name__)

REAL_ENDPOINT = "ros.aliyuncs.com"
MAX_CONNECTIONS = 8  # to ROS, per client, as the SDK's pool
TERMINAL_SUFFIXES = ("_COMPLETE", "_FAILED")
RETRYABLE_CODES = frozenset(
    {"SDK.HttpError", "InternalError", "ServiceUnavailable", "Throttling", "Throttling.User"}
)


@dataclass
class RosError(Exception):
    code: str
    message: str
    request_id: str | None = None
    http_status: int | None = None

    def __str__(self) -> str:
        status = f" (HTTP {self.http_status})" if self.http_status else ""
        return f"{self.code}: {self.message}{status}"

    @property
    def retryable(self) -> bool:
        return self.code in RETRYABLE_CODES or (self.http_status or 0) >= 500


@dataclass(frozen=True)
class ResourceProgress:
    total: int
    succeeded: int
    failed: int
    in_progress: int


@dataclass(frozen=True)
class StackInfo:
    stack_id: str
    stack_name: str
    status: str
    status_reason: str
    region: str
    outputs: tuple[Output, ...] = ()
    parameters: Mapping[str, str] = field(default_factory=dict)
    notification_urls: tuple[str, ...] = ()
    create_time: str = ""
    update_time: str = ""
    progress: ResourceProgress | None = None

    @property
    def terminal(self) -> bool:
        return self.status.endswith(TERMINAL_SUFFIXES)

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> StackInfo:
        progress = data.get("ResourceProgress")
        return cls(
            stack_id=str(data.get("StackId", "")),
            stack_name=str(data.get("StackName", "")),
            status=str(data.get("Status", "")),
            status_reason=str(data.get("StatusReason", "") or ""),
            region=str(data.get("RegionId", "")),
            outputs=tuple(
                Output(
                    key=str(o.get("OutputKey", "")),
                    value=o.get("OutputValue"),
                    description=str(o.get("Description") or "No description given"),
                )
                for o in data.get("Outputs") or []
                if isinstance(o, Mapping)
            ),
            parameters={
                str(p.get("ParameterKey")): str(p.get("ParameterValue"))
                for p in data.get("Parameters") or []
                if isinstance(p, Mapping)
            },
            notification_urls=tuple(str(u) for u in data.get("NotificationURLs") or []),
            create_time=str(data.get("CreateTime", "")),
            update_time=str(data.get("UpdateTime", "") or ""),
            progress=(
                ResourceProgress(
                    total=int(progress.get("TotalResourceCount", 0)),
                    succeeded=int(progress.get("SuccessResourceCount", 0)),
                    failed=int(progress.get("FailedResourceCount", 0)),
                    in_progress=int(progress.get("InProgressResourceCount", 0)),
                )
                if isinstance(progress, Mapping)
                else None
            ),
        )


@dataclass(frozen=True)
class StackEvent:
    event_id: str
    logical_id: str
    resource_type: str
    status: str
    status_reason: str
    create_time: str
    physical_id: str = ""

    @property
    def is_stack(self) -> bool:
        return self.resource_type == "ALIYUN::ROS::Stack"

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> StackEvent:
        return cls(
            event_id=str(data.get("EventId", "")),
            logical_id=str(data.get("LogicalResourceId", "")),
            resource_type=str(data.get("ResourceType", "")),
            status=str(data.get("Status", "")),
            status_reason=str(data.get("StatusReason", "") or ""),
            create_time=str(data.get("CreateTime", "")),
            physical_id=str(data.get("PhysicalResourceId", "") or ""),
        )


@dataclass(frozen=True)
class StackRequest:
    """What CreateStack needs; the template body is sent in the request body by the SDK."""

    stack_name: str
    template_body: str
    parameters: Mapping[str, str] = field(default_factory=dict)
    region: str | None = None
    timeout_minutes: int = 60
    disable_rollback: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)


def is_loopback_endpoint(endpoint: str) -> bool:
    """The embedded or a standalone sandbox: plain http, no proxy, no tunnel needed."""
    host = urlsplit(f"//{endpoint}").hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# Seconds after start-up before the SDK client is made on a thread (see RosClient._sdk).
SDK_WARM_UP_DELAY = 0.5


def _report_warm_up(made: asyncio.Future[Any]) -> None:
    if not made.cancelled() and (exc := made.exception()) is not None:
        log.warning("the Alibaba Cloud SDK could not be loaded: %s", exc)


class RosClient:
    def __init__(
        self,
        credentials: Credentials,
        *,
        region: str,
        endpoint: str | None = None,
        executor: ThreadPoolExecutor | None = None,
        connect_timeout: int = 5,
        read_timeout: int = 10,
        retries: int = 2,
        retry_delay: float = 0.5,
    ) -> None:
        self.region = region
        self.endpoint = endpoint or REAL_ENDPOINT
        self.local = is_loopback_endpoint(self.endpoint)
        self._retries = retries
        self._retry_delay = retry_delay
        self._owns_executor = executor is None
        self._executor = executor or ThreadPoolExecutor(max_workers=8, thread_name_prefix="ros")
        self._sdk_args = (credentials, region, self.local, connect_timeout, read_timeout)
        self._sdk_client: Any = None
        self._sdk_lock = threading.Lock()
        self._warm_up: asyncio.TimerHandle | None = None
        self._native = _NativeTransport(
            self._sdk, credentials, self.endpoint, self.local, connect_timeout, read_timeout
        )

    def _sdk(self) -> Any:
        """The SDK's AcsClient, made on first use: importing the SDK and loading its endpoint
        tables was 0.15-0.25 s of every start-up, before the tray could appear. The lock:
        ``warm_up_soon`` may be making it on a thread when the loop first needs it."""
        with self._sdk_lock:
            if self._sdk_client is None:
                self._sdk_client = _make_acs_client(*self._sdk_args)
            return self._sdk_client

    def warm_up_soon(self, delay: float = SDK_WARM_UP_DELAY) -> None:
        """Make the SDK client on a thread ``delay`` seconds from now, after start-up's own
        work (the tray's first paint), so the first API call does not pay for it."""
        loop = asyncio.get_running_loop()
        self._warm_up = loop.call_later(delay, self._warm_up_now, loop)

    def _warm_up_now(self, loop: asyncio.AbstractEventLoop) -> None:
        self._warm_up = None
        made = loop.run_in_executor(self._executor, self._sdk)
        made.add_done_callback(_report_warm_up)

    async def close(self) -> None:
        if self._warm_up is not None:
            self._warm_up.cancel()
        await self._native.close()
        if self._owns_executor:
            self._executor.shutdown(wait=False, cancel_futures=True)

    # --- plumbing ---------------------------------------------------------------------------

    def _prepare(self, request: Any, region: str | None) -> Any:
        request.set_endpoint(self.endpoint)
        request.set_protocol_type("http" if self.local else "https")
        request.set_accept_format("JSON")
        if region:
            request.add_query_param("RegionId", region)
        return request

    async def call(
        self, request: Any, *, region: str | None = None, retry: bool = True, native: bool = False
    ) -> dict[str, Any]:
        """One API call; transport errors and 5xx are retried when ``retry`` is set.
        ``native`` sends it from the event loop instead of an SDK thread."""
        self._prepare(request, region or self.region)
        loop = asyncio.get_running_loop()
        attempt = 0
        while True:
            try:
                if native:
                    raw = await self._native.send(request)
                else:
                    raw = await loop.run_in_executor(
                        self._executor, self._sdk().do_action_with_exception, request
                    )
                return _decode(raw)
            except RosError as exc:
                error = exc
            except Exception as exc:  # the SDK raises its own exception classes
                error = _to_ros_error(exc)
            attempt += 1
            if not (retry and error.retryable and attempt <= self._retries):
                raise error
            log.info("ROS call %s failed (%s); retry %d", type(request).__name__, error, attempt)
            await asyncio.sleep(self._retry_delay * 2 ** (attempt - 1))

    # --- actions ----------------------------------------------------------------------------

    async def create_stack(
        self, req: StackRequest, *, notification_urls: list[str], client_token: str
    ) -> str:
        from aliyunsdkros.request.v20190910.CreateStackRequest import CreateStackRequest

        r = CreateStackRequest()
        r.set_StackName(req.stack_name)
        r.set_TemplateBody(req.template_body)
        r.set_TimeoutInMinutes(req.timeout_minutes)
        r.set_DisableRollback(req.disable_rollback)
        r.set_ClientToken(client_token)
        if req.parameters:
            r.set_Parameterss(_parameter_list(req.parameters))
        if notification_urls:
            r.set_NotificationURLss(list(notification_urls))
        if req.tags:
            r.set_Tagss([{"Key": k, "Value": v} for k, v in req.tags.items()])
        # Safe to retry: ROS returns the same StackId for the same ClientToken.
        result = await self.call(r, region=req.region)
        return str(result["StackId"])

    async def get_stack(
        self, stack_id: str, *, region: str | None = None, progress: bool = False
    ) -> StackInfo:
        from aliyunsdkros.request.v20190910.GetStackRequest import GetStackRequest

        r = GetStackRequest()
        r.set_StackId(stack_id)
        if progress:
            r.add_query_param("ShowResourceProgress", "EnabledIfCreateStack")
        return StackInfo.from_api(await self.call(r, region=region, native=True))

    async def list_stacks(
        self,
        *,
        names: list[str] | None = None,
        tags: Mapping[str, str | None] | None = None,
        region: str | None = None,
        page_size: int = 50,
    ) -> list[StackInfo]:
        """The first page of ListStacks (no Outputs or Parameters); a tag valued None matches
        any value of its key."""
        from aliyunsdkros.request.v20190910.ListStacksRequest import ListStacksRequest

        r = ListStacksRequest()
        r.set_PageSize(page_size)
        if names:
            r.set_StackNames(list(names))
        if tags:
            r.set_Tags([{"Key": k, "Value": v} for k, v in tags.items()])
        result = await self.call(r, region=region)
        return [StackInfo.from_api(s) for s in result.get("Stacks") or [] if isinstance(s, Mapping)]

    async def update_stack(
        self,
        stack_id: str,
        *,
        template_body: str | None,
        parameters: Mapping[str, str],
        client_token: str,
        region: str | None = None,
        use_previous_parameters: bool = True,
    ) -> str:
        from aliyunsdkros.request.v20190910.UpdateStackRequest import UpdateStackRequest

        r = UpdateStackRequest()
        r.set_StackId(stack_id)
        if template_body is not None:
            r.set_TemplateBody(template_body)
        if parameters:
            r.set_Parameterss(_parameter_list(parameters))
        r.set_UsePreviousParameters(use_previous_parameters)
        r.set_ClientToken(client_token)
        return str((await self.call(r, region=region))["StackId"])

    async def delete_stack(self, stack_id: str, *, region: str | None = None) -> None:
        from aliyunsdkros.request.v20190910.DeleteStackRequest import DeleteStackRequest

        r = DeleteStackRequest()
        r.set_StackId(stack_id)
        await self.call(r, region=region)

    async def list_stack_events(
        self, stack_id: str, *, region: str | None = None, page_size: int = 50
    ) -> list[StackEvent]:
        from aliyunsdkros.request.v20190910.ListStackEventsRequest import ListStackEventsRequest

        r = ListStackEventsRequest()
        r.set_StackId(stack_id)
        r.set_PageSize(page_size)
        result = await self.call(r, region=region)
        return [StackEvent.from_api(e) for e in result.get("Events") or []]

    async def list_stack_resources(
        self, stack_id: str, *, region: str | None = None
    ) -> list[dict[str, Any]]:
        from aliyunsdkros.request.v20190910.ListStackResourcesRequest import (
            ListStackResourcesRequest,
        )

        r = ListStackResourcesRequest()
        r.set_StackId(stack_id)
        return list((await self.call(r, region=region)).get("Resources") or [])

    async def validate_template(self, template_body: str) -> dict[str, Any]:
        from aliyunsdkros.request.v20190910.ValidateTemplateRequest import (
            ValidateTemplateRequest,
        )

        r = ValidateTemplateRequest()
        r.set_TemplateBody(template_body)
        return await self.call(r)

    async def describe_regions(self, language: str = "en-US") -> list[tuple[str, str]]:
        from aliyunsdkros.request.v20190910.DescribeRegionsRequest import DescribeRegionsRequest

        r = DescribeRegionsRequest()
        r.set_AcceptLanguage(language)
        result = await self.call(r)
        return [
            (str(x["RegionId"]), str(x.get("LocalName", x["RegionId"])))
            for x in result.get("Regions") or []
        ]


class _NativeTransport:
    """Sends an RPC request of the SDK's with aiohttp: the parameters and headers the SDK puts
    on a request, signed as its RPC composer signs (``core/rpcsign.py``), and an error answer
    judged by the SDK's own ``_get_server_exception``. That method is private, as is the
    user-agent composition borrowed once; ``tests/unit/test_ros_native.py`` compares the
    whole wire request with the SDK's and fails if a release moves them."""

    def __init__(
        self,
        sdk: Callable[[], Any],
        credentials: Credentials,
        endpoint: str,
        local: bool,
        connect_timeout: int,
        read_timeout: int,
    ) -> None:
        self._sdk = sdk  # the SDK's AcsClient, made on first use
        self._credentials = credentials
        self._endpoint = endpoint
        self._local = local
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._session: aiohttp.ClientSession | None = None
        self._user_agent: str | None = None
        # As many requests in flight as connections (the SDK's pool had 8 too). Taken before
        # signing: 64 verifications started by one burst of callbacks otherwise all signed
        # and queued in a single loop iteration (the burst's longest stalls, 60-70 ms).
        self._slots = asyncio.Semaphore(MAX_CONNECTIONS)

    def _agent(self, request: Any) -> str:
        """The User-Agent ``_make_http_response`` writes, composed by the SDK (once)."""
        if self._user_agent is None:
            client = self._sdk()
            agents = client.merge_user_agent(
                client.default_user_agent(), client.handle_extra_agent(request)
            )
            self._user_agent = client.user_agent_header() + "".join(
                f" {key}/{value}" for key, value in agents.items()
            )
        return self._user_agent

    def compose(self, request: Any) -> tuple[str, dict[str, str], str]:
        """URL path with the signed query, headers, and the string that was signed."""
        creds = self._credentials
        params = {str(k): str(v) for k, v in request.get_query_params().items()}
        params["Version"] = request.get_version()
        params["Action"] = request.get_action_name()
        params["Format"] = request.get_accept_format() or "JSON"
        params["Timestamp"] = _utc_timestamp()
        params["SignatureMethod"] = "HMAC-SHA1"
        params["SignatureType"] = ""
        params["SignatureVersion"] = "1.0"
        params["SignatureNonce"] = uuid.uuid4().hex
        params["AccessKeyId"] = creds.access_key_id
        if creds.security_token:
            params["SecurityToken"] = creds.security_token
        # The query sent is the canonical one (sorted, encoded once) plus the signature.
        query = rpcsign.canonical_query(params)
        text = rpcsign.signing_text("POST", query)
        signature = rpcsign.percent_encode(rpcsign.sign(text, creds.access_key_secret))
        headers = {
            **request.get_headers(),
            "Accept-Encoding": "identity",
            "User-Agent": self._agent(request),
            "x-sdk-client": "python/2.0.0",
        }
        return f"/?{query}&Signature={signature}", headers, text

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                # The SDK sends loopback past any proxy and the rest through the environment's.
                trust_env=not self._local,
                connector=aiohttp.TCPConnector(limit=MAX_CONNECTIONS, ssl=self._tls()),
                timeout=aiohttp.ClientTimeout(
                    sock_connect=self._connect_timeout, sock_read=self._read_timeout
                ),
                auto_decompress=False,  # the SDK asks for identity
            )
        return self._session

    def _tls(self) -> ssl.SSLContext | bool:
        """The SDK's trust: its ``verify`` setting, else the CA bundle its requests ships."""
        if self._local:
            return True  # plain http; unused
        verify = self._sdk().get_verify()
        if verify is False:
            return False
        if not isinstance(verify, str):
            from aliyunsdkcore.vendored.requests.utils import DEFAULT_CA_BUNDLE_PATH

            verify = DEFAULT_CA_BUNDLE_PATH
        return ssl.create_default_context(cafile=verify)

    async def send(self, request: Any) -> bytes:
        async with self._slots:
            return await self._send(request)

    async def _send(self, request: Any) -> bytes:
        path, headers, signed = self.compose(request)
        scheme = "http" if self._local else "https"
        # encoded=True: the signature covers the query string exactly as written.
        url = URL(f"{scheme}://{self._endpoint}{path}", encoded=True)
        try:
            async with self._http().post(
                # requests sends no Content-Type without a body; aiohttp would add one.
                url,
                headers=headers,
                skip_auto_headers=("Content-Type",),
            ) as response:
                status, body = response.status, await response.read()
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            from aliyunsdkcore.acs_exception.exceptions import ClientException

            reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            raise ClientException("SDK.HttpError", reason) from None
        if 200 <= status < 300:
            return body  # the SDK's judge only parses it to find nothing wrong; _decode parses
        error = self._sdk()._get_server_exception(status, body, self._endpoint, signed)
        if error is not None:
            raise error
        return body

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _utc_timestamp() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parameter_list(parameters: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()]


def _decode(raw: bytes | str) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except ValueError:
        raise RosError(
            "SDK.InvalidResponse", "the endpoint answered with something not JSON"
        ) from None
    if not isinstance(data, dict):
        raise RosError("SDK.InvalidResponse", "the endpoint answered with a non-object")
    return data


def _to_ros_error(exc: Exception) -> RosError:
    from aliyunsdkcore.acs_exception.exceptions import ClientException, ServerException

    if isinstance(exc, ServerException):
        return RosError(
            exc.get_error_code(), exc.get_error_msg(), exc.get_request_id(), exc.get_http_status()
        )
    if isinstance(exc, ClientException):
        return RosError(exc.get_error_code(), redact_query_strings(exc.get_error_msg()))
    return RosError("SDK.Error", redact_query_strings(f"{type(exc).__name__}: {exc}"))


def _make_acs_client(
    creds: Credentials, region: str, local: bool, connect_timeout: int, read_timeout: int
) -> Any:
    from aliyunsdkcore.client import AcsClient

    kwargs: dict[str, Any] = {
        "region_id": region,
        "connect_timeout": connect_timeout,
        "timeout": read_timeout,
        "auto_retry": False,
        "pool_size": 8,
    }
    if local:
        # The SDK's vendored requests ignores NO_PROXY and would send 127.0.0.1 to a proxy.
        kwargs["proxy"] = {"http": "", "https": ""}
    if creds.security_token:
        from aliyunsdkcore.auth.credentials import StsTokenCredential

        return AcsClient(
            credential=StsTokenCredential(
                creds.access_key_id, creds.access_key_secret, creds.security_token
            ),
            **kwargs,
        )
    return AcsClient(creds.access_key_id, creds.access_key_secret, **kwargs)
