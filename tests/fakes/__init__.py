"""Tunnel-test support: recorded real output, fake tool runners, a scripted prober; the
loopback SSH servers (ssh_servers) and the state/time rig (tunnel_rig) live beside this."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rostray.core.tunnels.probe import ProbeError, Prober

FAKES = Path(__file__).resolve().parent
RECORDED = FAKES / "recorded"
BIN = FAKES / "bin"


def recorded(name: str) -> list[tuple[str, str]]:
    """A recording as (stream, text) pairs."""
    return [tuple(json.loads(x)) for x in (RECORDED / name).read_text().splitlines() if x]


@dataclass
class Scenario:
    """Writes a scenario for ``fake_tunnel.py`` and gives the env that puts the fakes first
    on PATH; ``calls()`` lists every invocation's argv."""

    directory: Path
    runs: list[dict[str, Any]]
    status: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / "scenario.json"
        self.counter = self.directory / "runs"
        self.calls_file = self.directory / "calls.jsonl"
        self.write()

    def write(self) -> None:
        self.path.write_text(
            json.dumps(
                {
                    "counter": str(self.counter),
                    "calls": str(self.calls_file),
                    "runs": self.runs,
                    "status": self.status,
                }
            )
        )

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
        env["FAKE_TUNNEL_SCENARIO"] = str(self.path)
        env["FAKE_TUNNEL_PYTHON"] = sys.executable  # a fast interpreter, not a pyenv shim
        return env

    def calls(self) -> list[list[str]]:
        if not self.calls_file.exists():
            return []
        return [json.loads(x) for x in self.calls_file.read_text().splitlines() if x]

    def starts(self) -> int:
        return int(self.counter.read_text()) if self.counter.exists() else 0


class ScriptedProber(Prober):
    """A prober for URLs nobody can reach from here: answers from a table instead of HTTP.

    ``dead`` URLs always fail; ``flaky`` maps a URL to how many probes fail before it works.
    """

    def __init__(self, rtt_ms: float = 12.5) -> None:
        super().__init__()
        self.rtt_ms = rtt_ms
        self.dead: set[str] = set()
        self.flaky: dict[str, int] = {}
        self.probed: list[str] = []

    async def probe(self, public_url: str) -> float:
        self.probed.append(public_url)
        if public_url in self.dead:
            raise ProbeError(f"{public_url} answered HTTP 502, but the probe never arrived")
        if self.flaky.get(public_url, 0) > 0:
            self.flaky[public_url] -= 1
            raise ProbeError(f"cannot resolve {public_url} yet")
        return self.rtt_ms
