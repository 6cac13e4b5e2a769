"""A receiver in its own process, for resource tests: ``python receiver_proc.py DB TOKEN``.

It persists every delivery to a real history store (as the tracker does), prints one JSON line
``{"port": …, "pid": …}`` and serves until stdin closes. Default limits, as the app uses them.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from rostray.core.receiver import IncomingCallback, Receiver
from rostray.core.store import AsyncStore


async def main(db: Path, token: str) -> None:
    store = await AsyncStore.open(db)

    async def on_callback(incoming: IncomingCallback) -> None:
        payload = incoming.payload
        await store.record_callback(
            incoming.token,
            payload.stack_id if payload else None,
            incoming.remote,
            incoming.headers,
            incoming.body,
            "pending" if payload else "invalid",
            incoming.error or "",
        )

    receiver = Receiver(is_known_token=lambda t: t == token, on_callback=on_callback)
    await receiver.start()
    print(json.dumps({"port": receiver.port, "pid": os.getpid()}), flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # until the test closes our stdin
    await receiver.stop()
    await store.close()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), sys.argv[2]))
