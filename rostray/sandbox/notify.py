"""POST stack notifications to NotificationURLs the way ROS does.

One attempt per URL with a timeout, never through a proxy, in status order per stack, and
never blocking the stack's own lifecycle.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from rostray.core.text import redact_hook_tokens

log = logging.getLogger(__name__)

DEFAULT_DESCRIPTION = "No description given"


@dataclass
class Delivery:
    url: str
    status: str
    http_status: int | None
    error: str | None
    seconds: float


@dataclass
class NotificationSender:
    timeout: float = 5.0
    deliveries: list[Delivery] = field(default_factory=list)
    _session: aiohttp.ClientSession | None = None
    _chains: dict[str, asyncio.Task[None]] = field(default_factory=dict)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None

    def send(self, stack_id: str, urls: list[str], body: dict[str, Any]) -> None:
        """Queue a delivery behind earlier ones for the same stack, and return at once."""
        targets = [u for u in urls if u.lower().startswith(("http://", "https://"))]
        if not targets:
            return
        previous = self._chains.get(stack_id)
        task = asyncio.get_running_loop().create_task(self._deliver(previous, targets, body))
        self._chains[stack_id] = task
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def wait_idle(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _deliver(
        self, previous: asyncio.Task[None] | None, urls: list[str], body: dict[str, Any]
    ) -> None:
        if previous is not None:
            await asyncio.gather(previous, return_exceptions=True)
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8", "backslashreplace")
        await asyncio.gather(*(self._post(url, payload, body["Status"]) for url in urls))

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                trust_env=False,  # ROS's sender is not behind the user's proxy
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            )
        return self._session

    async def _post(self, url: str, payload: bytes, status: str) -> None:
        started = time.monotonic()
        http_status: int | None = None
        error: str | None = None
        try:
            async with self._client().post(
                url,
                data=payload,
                headers={"Content-Type": "application/json; charset=utf-8"},
                allow_redirects=False,
            ) as response:
                http_status = response.status
                await response.read()
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        elapsed = time.monotonic() - started
        self.deliveries.append(Delivery(url, status, http_status, error, elapsed))
        shown = redact_hook_tokens(url)  # the URL's token is the receiver's capability
        if error:
            log.info("notification %s to %s failed after %.2fs: %s", status, shown, elapsed, error)
        else:
            log.debug("notification %s to %s: HTTP %s", status, shown, http_status)


def notification_body(
    stack_id: str, stack_name: str, status: str, outputs: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "Outputs": [
            {
                "Description": item.get("Description") or DEFAULT_DESCRIPTION,
                "OutputKey": item["OutputKey"],
                "OutputValue": item.get("OutputValue"),
            }
            for item in outputs
        ],
        "StackId": stack_id,
        "StackName": stack_name,
        "Status": status,
    }
