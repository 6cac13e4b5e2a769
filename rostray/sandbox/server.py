"""HTTP/RPC transport of the ROS sandbox: what the real ``aliyunsdkcore.AcsClient`` talks to.

This layer only speaks the wire protocol (parameter parsing, the POP gateway's checks, JSON
envelopes and error shapes); every ROS action is delegated to an :class:`ApiHandler`.

Decisions worth knowing:

* ``ApiHandler.call`` receives the full merged parameter dict (query + form body, blank values
  kept, body wins on a clash, as in the SDK's signing) minus ``Signature``. The gateway keys
  (``RegionId``, ``AccessKeyId``, ``Version``…) stay in, because the layer above needs some of
  them and can ignore the rest.
* Unknown actions are the handler's call: it owns the action table and raises
  ``errors.action_not_found()``. Unknown paths get the same error with status 404.
* ``verify_signatures=False`` skips what needs the secret: the ``Signature`` presence check,
  the AccessKeyId lookup and the HMAC comparison. Required parameters, ``Version``, the
  timestamp window and nonce replay are still enforced.
* Check order (first failure wins): missing parameters, ``Version``, AccessKeyId, timestamp,
  signature, nonce. A nonce is only remembered once the signature is good, so a forged request
  cannot burn a legitimate nonce.
* The aiohttp access log is off: request lines carry ``Signature`` and wait-condition tokens.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import time
import uuid
from collections import Counter, OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode

from aiohttp import web

from rostray.core.rpcsign import sign, string_to_sign
from rostray.sandbox import errors
from rostray.sandbox.errors import RosApiError

__all__ = ["API_VERSION", "ApiHandler", "SandboxServer"]

log = logging.getLogger(__name__)

API_VERSION = "2019-09-10"
TIMESTAMP_WINDOW = timedelta(minutes=15)
# A nonce must outlive every timestamp that could still pass the window: a request stamped up to
# 15 min in the future stays valid until 30 min after it arrived.
NONCE_TTL_SECONDS = 2 * TIMESTAMP_WINDOW.total_seconds()
NONCE_CAPACITY = 100_000
# TemplateBody may be 524,288 bytes; percent-encoded UTF-8 can triple that, and GetTemplateSummary
# and ContinueCreateStack put it in the request line.
MAX_LINE_SIZE = 4 * 1024 * 1024
MAX_FIELD_SIZE = 64 * 1024
MAX_BODY_SIZE = 4 * 1024 * 1024
MAX_SIGNAL_BODY = 64 * 1024
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
JSON_CONTENT_TYPE = "application/json;charset=utf-8"
_TIMESTAMP = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,6}))?Z"
)
SIGNATURE_METHOD = "HMAC-SHA1"
# Per-request values for the envelope; each aiohttp request runs in its own task (own context).
_request_id: ContextVar[str] = ContextVar("ros_request_id")
_action: ContextVar[str] = ContextVar("ros_action", default="-")


class ApiHandler(Protocol):
    """The ROS layer behind the transport. Both methods raise ``RosApiError`` for API errors."""

    async def call(self, action: str, params: dict[str, str]) -> dict[str, Any]: ...

    async def signal_wait_condition(
        self, stack_id: str, handle: str, token: str, body: bytes
    ) -> dict[str, Any]: ...


# Gateway errors that errors.py does not carry (texts as the POP gateway sends them).


def invalid_version() -> RosApiError:
    return RosApiError("InvalidVersion", "Specified parameter Version is not valid.")


def timestamp_malformed() -> RosApiError:
    return RosApiError(
        "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted."
    )


def signature_method_unsupported() -> RosApiError:
    return RosApiError("InvalidSignatureMethod", "Specified signature method is not supported.")


def internal_error() -> RosApiError:
    return RosApiError(
        "InternalError",
        "The request processing has failed due to some unknown error, exception or failure.",
        500,
    )


def body_too_large(limit: int) -> RosApiError:
    return RosApiError(
        "RequestEntityTooLarge", f"The request body exceeds the limit of {limit} bytes.", 413
    )


def new_request_id() -> str:
    """ROS request ids are uppercase uuid4 strings."""
    return str(uuid.uuid4()).upper()


class NonceCache:
    """Seen ``(AccessKeyId, SignatureNonce)`` pairs, expiring after a TTL and capped in size.

    Insertion order equals expiry order (one TTL for all), so pruning pops from the front. When
    the cap is hit the oldest entry goes early: bounded memory beats perfect replay detection in a
    sandbox.
    """

    def __init__(
        self,
        ttl: float = NONCE_TTL_SECONDS,
        capacity: int = NONCE_CAPACITY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl
        self._capacity = capacity
        self._clock = clock
        self._expiry: OrderedDict[tuple[str, str], float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._expiry)

    def add(self, key: tuple[str, str]) -> bool:
        """Remember ``key``; False if it is already remembered (a replay)."""
        now = self._clock()
        self._prune(now)
        if key in self._expiry:
            return False
        self._expiry[key] = now + self._ttl
        while len(self._expiry) > self._capacity:
            self._expiry.popitem(last=False)
        return True

    def _prune(self, now: float) -> None:
        while self._expiry:
            oldest, expiry = next(iter(self._expiry.items()))
            if expiry > now:
                return
            del self._expiry[oldest]


def parse_pairs(raw: str) -> dict[str, str]:
    """Form/query decoding with blank values kept: ``SignatureType=`` is signed, so it must stay."""
    return dict(parse_qsl(raw, keep_blank_values=True, encoding="utf-8", errors="replace"))


def parse_timestamp(value: str) -> datetime:
    """``YYYY-MM-DDThh:mm:ss[.ffffff]Z`` (UTC), as the SDK writes it; by hand, since
    ``strptime`` was the largest part of checking a request in profiles of a GetStack loop."""
    match = _TIMESTAMP.fullmatch(value)
    if match is None:
        raise timestamp_malformed()
    *fields, fraction = match.groups()
    try:
        return datetime(*map(int, fields), int((fraction or "0").ljust(6, "0")), tzinfo=UTC)
    except ValueError:  # e.g. month 13
        raise timestamp_malformed() from None


def redacted_keys(params: Mapping[str, str]) -> list[str]:
    """Parameter names only: values may hold NoEcho passwords, and Signature is never logged."""
    return sorted(key for key in params if key != "Signature")


class SandboxServer:
    """aiohttp server for the RPC endpoint (``/``) and wait-condition signals."""

    def __init__(
        self,
        api: ApiHandler,
        credentials: Mapping[str, str],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        verify_signatures: bool = True,
    ) -> None:
        self._api = api
        self._credentials = dict(credentials)
        self._host = host
        self._requested_port = port
        self._verify = verify_signatures
        self._nonces = NonceCache()
        self._runner: web.AppRunner | None = None
        self.port = 0
        # Authenticated calls per action, as a real account's API usage would count them.
        self.calls: Counter[str] = Counter()

    # -- lifecycle -----------------------------------------------------------------------------

    @property
    def endpoint(self) -> str:
        """``host:port``, what ``AcsClient.add_endpoint`` / ``req.set_endpoint`` want."""
        host = f"[{self._host}]" if ":" in self._host else self._host  # IPv6 literal
        return f"{host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"http://{self.endpoint}"

    def wait_condition_url(self, stack_name: str, stack_id: str, handle: str, token: str) -> str:
        """Shaped like ROS's own handle URL (seed.md): stack, resource and a signature."""
        query = urlencode(
            {"stackname": stack_name, "stackid": stack_id, "resource": handle, "signature": token}
        )
        return f"{self.base_url}/waitcondition?{query}"

    async def start(self) -> None:
        if self._runner is not None:
            raise RuntimeError("SandboxServer already started")
        runner = web.AppRunner(self._build_app(), access_log=None)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self._host, self._requested_port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = runner.addresses[0][1]
        log.info("ROS sandbox listening on %s", self.base_url)

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    def _build_app(self) -> web.Application:
        # The parser limits must go through Application(handler_args=...): AppRunner(
        # handler_args=...) is not a RequestHandler argument, and aiohttp then silently falls
        # back to its defaults (8190-byte request line) with only a warning.
        app = web.Application(
            client_max_size=MAX_BODY_SIZE,
            handler_args={"max_line_size": MAX_LINE_SIZE, "max_field_size": MAX_FIELD_SIZE},
            middlewares=[self._envelope],
        )
        app.router.add_post("/", self._rpc)
        app.router.add_get("/", self._rpc, allow_head=False)
        app.router.add_post("/waitcondition", self._signal)
        return app

    # -- envelope ------------------------------------------------------------------------------

    @web.middleware
    async def _envelope(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        """Turn every outcome into a ROS-shaped JSON response carrying the request id."""
        request_id = new_request_id()
        _request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = await handler(request)
        except RosApiError as exc:
            response = error_response(exc, request_id)
        except web.HTTPException as exc:
            response = error_response(http_exception_error(exc), request_id)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("ROS sandbox request %s failed", request_id)
            response = error_response(internal_error(), request_id)
        log.debug(
            "%s %s action=%s -> %d in %.1f ms (RequestId %s)",
            request.method,
            request.path,
            _action.get(),
            response.status,
            (time.perf_counter() - started) * 1000,
            request_id,
        )
        return response

    # -- RPC -----------------------------------------------------------------------------------

    async def _rpc(self, request: web.Request) -> web.Response:
        params = await read_rpc_params(request)
        _action.set(params.get("Action", "-"))
        log.debug(
            "RPC %s AccessKeyId=%s params=%s",
            _action.get(),
            params.get("AccessKeyId", "-"),
            redacted_keys(params),
        )
        self._authenticate(request.method, params)
        self.calls[params["Action"]] += 1
        forwarded = {key: value for key, value in params.items() if key != "Signature"}
        result = await self._api.call(params["Action"], forwarded)
        return success_response(result, _request_id.get())

    def _authenticate(self, method: str, params: Mapping[str, str]) -> None:
        """The POP gateway's checks, in its order; raises the first failure."""
        required = ["AccessKeyId", "Signature", "SignatureNonce", "Timestamp", "Version", "Action"]
        if not self._verify:
            required.remove("Signature")
        for name in required:
            if not params.get(name):
                raise errors.missing_parameter(name)
        if params["Version"] != API_VERSION:
            raise invalid_version()
        secret = self._secret_for(params["AccessKeyId"])
        check_timestamp(params["Timestamp"])
        if secret is not None:
            check_signature(method, params, secret)
        if not self._nonces.add((params["AccessKeyId"], params["SignatureNonce"])):
            raise errors.nonce_used()

    def _secret_for(self, access_key_id: str) -> str | None:
        """The secret to verify with; None when verification is off."""
        if not self._verify:
            return None
        secret = self._credentials.get(access_key_id)
        if secret is None:
            raise errors.access_key_not_found()
        return secret

    # -- wait conditions -----------------------------------------------------------------------

    async def _signal(self, request: web.Request) -> web.Response:
        stack_id = request.query.get("stackid", "")
        handle = request.query.get("resource", "")
        _action.set("SignalWaitCondition")
        body = await read_capped(request, MAX_SIGNAL_BODY)
        token = request.query.get("signature", "")
        result = await self._api.signal_wait_condition(stack_id, handle, token, body)
        return success_response(result, _request_id.get())


# -- request helpers ---------------------------------------------------------------------------


async def read_rpc_params(request: web.Request) -> dict[str, str]:
    """Query plus form body, body winning on a clash (the SDK signs ``dict(query) | body``).

    The raw request target is parsed rather than ``request.query``, so decoding is exactly
    ``parse_qsl`` with blank values kept, whatever yarl does to the URL.
    """
    _, _, raw_query = request.raw_path.partition("?")
    params = parse_pairs(raw_query)
    if request.content_type == FORM_CONTENT_TYPE and request.body_exists:
        try:
            raw_body = await request.read()
        except web.HTTPRequestEntityTooLarge as exc:
            raise body_too_large(MAX_BODY_SIZE) from exc
        params.update(parse_pairs(raw_body.decode("utf-8", errors="replace")))
    return params


async def read_capped(request: web.Request, limit: int) -> bytes:
    """The body, refusing (413) once it passes ``limit`` without buffering the rest."""
    if request.content_length is not None and request.content_length > limit:
        raise body_too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(16 * 1024):
        size += len(chunk)
        if size > limit:
            raise body_too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def check_timestamp(value: str) -> None:
    skew = abs(datetime.now(UTC) - parse_timestamp(value))
    if skew > TIMESTAMP_WINDOW:
        raise errors.timestamp_expired()


def check_signature(method: str, params: Mapping[str, str], secret: str) -> None:
    """Recompute over every parameter but ``Signature``; echo our string to sign on mismatch.

    The SDK compares the echoed string with its own and, when equal, renames the error
    ``InvalidAccessKeySecret``.
    """
    if params.get("SignatureMethod", SIGNATURE_METHOD) != SIGNATURE_METHOD:
        raise signature_method_unsupported()
    signed = {key: value for key, value in params.items() if key != "Signature"}
    expected_string = string_to_sign(method, signed)
    expected = sign(expected_string, secret)
    if not hmac_equal(expected, params["Signature"]):
        raise errors.signature_mismatch(expected_string)


def hmac_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


# -- response helpers --------------------------------------------------------------------------


def json_response(status: int, body: Mapping[str, Any], request_id: str) -> web.Response:
    # A signal's data may hold lone surrogates; like ROS, send them as \uXXXX escapes
    # instead of failing every later GetStack with a 500.
    payload = json.dumps(body, ensure_ascii=False).encode("utf-8", "backslashreplace")
    return web.Response(
        status=status,
        body=payload,
        headers={"Content-Type": JSON_CONTENT_TYPE, "x-acs-request-id": request_id},
    )


def success_response(result: Mapping[str, Any], request_id: str) -> web.Response:
    """The handler's dict plus ``RequestId``; a RequestId the handler set is kept."""
    if not isinstance(result, Mapping):
        raise TypeError(f"ApiHandler returned {type(result).__name__}, not a mapping")
    body = dict(result)
    body.setdefault("RequestId", request_id)
    return json_response(200, body, str(body["RequestId"]))


def error_response(error: RosApiError, request_id: str) -> web.Response:
    return json_response(error.status, error.body(request_id), request_id)


def http_exception_error(exc: web.HTTPException) -> RosApiError:
    """Router and size failures from aiohttp, reshaped as ROS errors."""
    if exc.status == 413:
        return body_too_large(MAX_BODY_SIZE)
    if exc.status in (404, 405):
        error = errors.action_not_found()
        error.status = exc.status
        return error
    return RosApiError(exc.reason.replace(" ", ""), exc.reason, exc.status)
