"""Prototype: GetStack natively async (aiohttp on the event loop) instead of the blocking SDK on
an 8-thread executor. Stands in for a change to ``RosClient.get_stack`` in
``rostray/core/ros.py``; every other action keeps using the SDK.

The request is the SDK's: RPC signature v1.0 (HMAC-SHA1 over the sorted, percent-encoded
parameters, the scheme ``rostray/sandbox/signing.py`` verifies), POSTed as a form. Nothing
runs on another thread, so a burst of verifications no longer has Python threads competing
with the event loop for the GIL.
"""

from __future__ import annotations

import datetime
import json
import uuid
from typing import Any

import aiohttp

from rostray.core.ros import RosClient, RosError, StackInfo
from rostray.sandbox.signing import sign, string_to_sign

API_VERSION = "2019-09-10"


class AsyncGetStackClient(RosClient):
    def __init__(self, credentials: Any, **kwargs: Any) -> None:
        super().__init__(credentials, **kwargs)
        self._credentials = credentials
        self._session: aiohttp.ClientSession | None = None
        self.native_calls = 0

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                trust_env=not self.local,  # the SDK sends loopback around any proxy too
                timeout=aiohttp.ClientTimeout(total=15),
            )
        return self._session

    def _signed(self, action: str, region: str, extra: dict[str, str]) -> dict[str, str]:
        params = {
            "Action": action,
            "Format": "JSON",
            "Version": API_VERSION,
            "AccessKeyId": self._credentials.access_key_id,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureVersion": "1.0",
            "SignatureNonce": uuid.uuid4().hex,
            "Timestamp": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "RegionId": region,
            **extra,
        }
        if self._credentials.security_token:
            params["SecurityToken"] = self._credentials.security_token
        params["Signature"] = sign(
            string_to_sign("POST", params), self._credentials.access_key_secret
        )
        return params

    async def get_stack(
        self, stack_id: str, *, region: str | None = None, progress: bool = False
    ) -> StackInfo:
        extra = {"StackId": stack_id}
        if progress:
            extra["ShowResourceProgress"] = "EnabledIfCreateStack"
        form = self._signed("GetStack", region or self.region, extra)
        scheme = "http" if self.local else "https"
        self.native_calls += 1
        try:
            async with self._http().post(f"{scheme}://{self.endpoint}/", data=form) as response:
                text = await response.text()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RosError("SDK.HttpError", f"{type(exc).__name__}: {exc}") from None
        try:
            data = json.loads(text)
        except ValueError:
            raise RosError("SDK.InvalidResponse", "not JSON", http_status=status) from None
        if status >= 400 or ("Code" in data and "StackId" not in data):
            raise RosError(
                str(data.get("Code", "SDK.HttpError")),
                str(data.get("Message", "")),
                data.get("RequestId"),
                status,
            )
        return StackInfo.from_api(data)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
        await super().close()
