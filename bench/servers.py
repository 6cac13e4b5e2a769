"""Servers under test for the throughput benchmark, one process each:
``python -m bench.servers KIND PORT [--db FILE] [--tokens FILE]``.

* ``bare``: an aiohttp handler that reads the body and answers 200 (the ceiling).
* ``receiver``: rostray's ``Receiver`` as shipped, ``rate_limit=None``; every valid callback is
  persisted with ``AsyncStore.record_callback`` (the tracker's first step) before the reply.
  The heap is handled as rostray's entry points do: start-up frozen, full collections paced
  (each callback counts as activity, as its engine event does in the app).
* ``receiver-nostore``: the same receiver whose callback handler does nothing (decomposition).

``--loop`` picks the event loop as ``ROSTRAY_EVENT_LOOP`` does for rostray's entry points:
``uvloop`` (what the headless mode runs on where it is installed) or ``asyncio``.

The web.py baseline is ``bench/website.py``, started as the tutorial did.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
from pathlib import Path

from aiohttp import web

from bench.common import HOST
from rostray.core.heap import FullCollectionPacer, freeze_startup_heap
from rostray.core.receiver import IncomingCallback, Receiver
from rostray.core.store import AsyncStore

KINDS = ("bare", "receiver", "receiver-nostore")


async def _serve_forever() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()


def bare_under_test() -> web.AppRunner:
    """The ceiling: an aiohttp application whose one route reads the body and answers."""

    async def handler(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hooks/{token}", handler)
    return web.AppRunner(app, access_log=None, handle_signals=False)


async def bare(port: int) -> None:
    runner = bare_under_test()
    await runner.setup()
    await web.TCPSite(runner, HOST, port).start()
    freeze_startup_heap()  # the same start for the ceiling as for the receiver
    try:
        await _serve_forever()
    finally:
        await runner.cleanup()


def receiver_under_test(
    kind: str, port: int, store: AsyncStore, tokens: set[str], pacer: FullCollectionPacer
) -> Receiver:
    """The receiver as the benchmarks run it: ``receiver`` persists every callback as
    ``Tracker.on_callback`` does before the receiver may answer; ``receiver-nostore`` does
    nothing with it."""
    record = store.record_callback

    async def persist(incoming: IncomingCallback) -> None:
        pacer.touch()
        claimed = incoming.payload.stack_id if incoming.payload else None
        verdict = "pending" if incoming.payload else "invalid"
        await record(
            incoming.token,
            claimed,
            incoming.remote,
            incoming.headers,
            incoming.body,
            verdict,
            incoming.error or "",
        )

    async def nothing(incoming: IncomingCallback) -> None:
        pacer.touch()

    return Receiver(
        host=HOST,
        port=port,
        is_known_token=tokens.__contains__,
        on_callback=nothing if kind == "receiver-nostore" else persist,
        rate_limit=None,  # the default 20/s would answer 429 to nearly all of the load
    )


async def receiver(kind: str, port: int, db: Path, tokens: set[str]) -> None:
    store = await AsyncStore.open(db)
    pacer = FullCollectionPacer()
    server = receiver_under_test(kind, port, store, tokens, pacer)
    await server.start()
    freeze_startup_heap()
    pacer.start()
    try:
        await _serve_forever()
    finally:
        pacer.stop()
        await server.stop()
        await store.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("port", type=int)
    parser.add_argument("--loop", choices=("uvloop", "asyncio"), default="uvloop")
    parser.add_argument("--db", type=Path)
    parser.add_argument("--tokens", type=Path)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    # Imported here: the A/B tools import this module with older builds of rostray too.
    from rostray.core import eventloop

    choice = {eventloop.ENV_VAR: args.loop}  # the headless mode's own way of choosing
    if args.kind == "bare":
        eventloop.run(bare(args.port), choice)
    else:
        tokens = set(json.loads(args.tokens.read_text()))
        eventloop.run(receiver(args.kind, args.port, args.db, tokens), choice)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
