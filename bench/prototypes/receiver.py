"""Prototype: the receiver hot path with the per-request overheads the profile showed removed,
and callbacks persisted by group commit. Stands in for changes to
``rostray/core/receiver.py`` (``Receiver._make_app``, ``Receiver._hook``, ``_Delivery.accept``),
``rostray/core/store.py``
(``AsyncStore.record_callback``).

Behaviour is unchanged: the same checks in the same order, the same answers, and every
callback committed to SQLite before its 200 goes out.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import hdrs, web
from aiohttp.http_exceptions import DecompressSizeError, HttpProcessingError

from rostray.core import receiver as receiver_module
from rostray.core import store as store_module
from rostray.core.payload import CallbackPayload, PayloadError, parse_payload
from rostray.core.receiver import Receiver, _Delivery
from rostray.core.store import AsyncStore, Store, _dump, redact_headers

Handler = Callable[[web.Request], Awaitable[Any]]
CallbackRow = tuple[str, str | None, str, dict[str, str], bytes, str, str]

# --- group commit ---------------------------------------------------------------------------


def insert_callbacks(store: Store, rows: list[CallbackRow]) -> list[int]:
    """``Store.record_callback`` for many rows in one transaction (a new Store method),
    pruning old rows on the same schedule as the shipped method."""
    ids = []
    every = getattr(store_module, "PRUNE_EVERY", 0)
    keep = getattr(store, "_max_callbacks", 0)
    with store._write() as conn:
        for token, stack_id, remote, headers, body, verdict, detail in rows:
            cursor = conn.execute(
                """INSERT INTO callbacks (token, stack_id, received_at, remote, headers, body,
                    verdict, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    token, stack_id, store._clock(), remote, _dump(redact_headers(headers)),
                    bytes(body), verdict, detail,
                ),
            )  # fmt: skip
            row_id = int(cursor.lastrowid or 0)
            ids.append(row_id)
            if every and keep and row_id % every == 0:
                conn.execute("DELETE FROM callbacks WHERE id <= ?", (row_id - keep,))
    return ids


class GroupCommit:
    """Callbacks that arrive while a write is on the store thread wait and go together: one
    thread hop and one COMMIT per batch instead of per callback. A lone callback is written
    at once (no timer), so an idle receiver answers as fast as before."""

    def __init__(self, store: AsyncStore, max_batch: int = 512) -> None:
        self._store = store
        self._max_batch = max_batch
        self._queue: list[tuple[CallbackRow, asyncio.Future[int]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self.batches: list[int] = []

    async def record_callback(
        self,
        token: str,
        stack_id: str | None,
        remote: str,
        headers: dict[str, str],
        body: bytes,
        verdict: str = "pending",
        detail: str = "",
    ) -> int:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int] = loop.create_future()
        self._queue.append(((token, stack_id, remote, headers, body, verdict, detail), future))
        if self._flusher is None:
            self._flusher = loop.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        try:
            while self._queue:
                batch = self._queue[: self._max_batch]
                del self._queue[: self._max_batch]
                self.batches.append(len(batch))
                try:
                    ids = await self._store.run(insert_callbacks, [row for row, _ in batch])
                except Exception as exc:
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for (_, future), row_id in zip(batch, ids, strict=True):
                    if not future.done():
                        future.set_result(row_id)
        finally:
            self._flusher = None


# --- receiver ----------------------------------------------------------------------------------

_OK_BODY = b'{"ok": true}'


@dataclass(frozen=True)
class Tuning:
    one_middleware: bool = True  # rate check + error mapping in one layer instead of two
    timeout_only_when_needed: bool = True  # no timer when the body is already buffered
    static_ok: bool = True  # the 200 body pre-encoded instead of json.dumps per request


class _TunedDelivery(_Delivery):
    async def accept(self, body: bytes, payload: CallbackPayload) -> web.Response:
        try:
            await self._receiver._on_callback(self._incoming(body, payload, None))
        except Exception:
            self._stats.handler_failed += 1
            receiver_module.log.exception("callback handler failed for %s", self.label)
            return receiver_module._reply(503, {"error": "unavailable"})
        self._stats.accepted += 1
        receiver_module.log.info(
            "callback for %s: %s %s", self.label, payload.stack_id, payload.status
        )
        return web.Response(body=_OK_BODY, content_type="application/json", charset="utf-8")


class TunedReceiver(Receiver):
    def __init__(self, *, tuning: Tuning | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tuning = tuning or Tuning()

    def _make_app(self) -> web.Application:
        if not self.tuning.one_middleware:
            return super()._make_app()
        app = web.Application(client_max_size=self.max_body_bytes, middlewares=[self._guard])
        app.router.add_get(receiver_module._HEALTH_PATH, self._healthz)
        app.router.add_post("/hooks/{token}", self._hook)
        app.router.add_get("/hooks/{token}/probe", self._probe, allow_head=False)
        return app

    @web.middleware
    async def _guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """``_errors_middleware`` around ``_rate_middleware``, as one layer."""
        try:
            return await self._rate_middleware(request, handler)
        except web.HTTPException as exc:
            headers = {k: v for k, v in exc.headers.items() if k.lower() == "allow"}
            return receiver_module._reply(exc.status, {"error": exc.reason.lower()}, headers)
        except Exception:
            self.stats.handler_failed += 1
            receiver_module.log.exception("receiver failed while handling a request")
            return receiver_module._reply(503, {"error": "unavailable"})

    async def _read_body(self, request: web.Request) -> bytes:
        if self.tuning.timeout_only_when_needed and request.content.is_eof():
            return await request.read()  # already buffered: nothing to wait for
        async with asyncio.timeout(self._read_timeout):
            return await request.read()

    async def _hook(self, request: web.Request) -> web.Response:
        """``Receiver._hook`` with ``_read_body`` and the tuned delivery."""
        received_at = time.time()
        token = request.match_info["token"]
        if not (receiver_module._TOKEN_SHAPE.fullmatch(token) and self._is_known_token(token)):
            self.stats.unknown_token += 1
            return receiver_module._not_found()
        delivery_cls = _TunedDelivery if self.tuning.static_ok else _Delivery
        delivery = delivery_cls(self, token, request, received_at)
        length = request.content_length
        if length is not None and length > self.max_body_bytes:
            return await delivery.too_large()
        try:
            body = await self._read_body(request)
        except web.HTTPRequestEntityTooLarge:
            return await delivery.too_large()
        except TimeoutError:
            return await delivery.timed_out()
        except (web.RequestPayloadError, HttpProcessingError) as exc:
            cause = exc.__cause__ or exc
            if isinstance(cause, DecompressSizeError):
                return await delivery.too_large()
            return await delivery.malformed(type(cause).__name__)
        except ConnectionError:
            return receiver_module._closing(400, {"error": "incomplete"})
        media = receiver_module._media_type(request.headers.get(hdrs.CONTENT_TYPE))
        if not receiver_module._is_json_ish(media):
            return await delivery.bad_type(body, media)
        try:
            payload = parse_payload(body)
        except PayloadError as exc:
            return await delivery.bad_json(body, str(exc))
        return await delivery.accept(body, payload)
