"""A 10 ms asyncio ticker in an otherwise idle process, for as long as its stdin stays open.

How late its ticks wake is the machine's own scheduling noise (other processes, other
sessions on a shared machine): the floor under every loop-lag number measured in the engine.
Prints the lag distribution as one JSON line when stdin closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from typing import Any

from bench.common import PYTHON, REPO, LoopLag


async def main() -> None:
    lag = LoopLag().start()
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    print(json.dumps(await lag.stop()), flush=True)


class ControlTicker:
    """``async with ControlTicker() as control: ...``; then ``control.result``."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.result: dict[str, Any] = {}
        self._proc: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> ControlTicker:
        self._proc = await asyncio.create_subprocess_exec(
            PYTHON, "-m", "bench.ticker", cwd=REPO, env=self.env,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        await asyncio.sleep(0.3)  # interpreter start-up is not part of the window
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        proc = self._proc
        if proc is None or proc.stdin is None or proc.stdout is None:
            return
        proc.stdin.close()
        try:
            line = await asyncio.wait_for(proc.stdout.readline(), 10)
            self.result = json.loads(line) if line.strip() else {}
        finally:
            if proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
            await proc.wait()


if __name__ == "__main__":
    asyncio.run(main())
