"""The embedded ROS sandbox: a local endpoint the real SDK cannot tell from ROS.

``async with Sandbox() as sb:`` starts it in-process (the engine does this when no
credentials exist); ``rostray sandbox`` runs it standalone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

DEFAULT_ACCESS_KEY_ID = "sandbox"
DEFAULT_ACCESS_KEY_SECRET = "sandbox-secret"  # well-known, local-only


@dataclass
class SandboxConfig:
    host: str = "127.0.0.1"
    port: int = 0
    access_key_id: str = DEFAULT_ACCESS_KEY_ID
    access_key_secret: str = DEFAULT_ACCESS_KEY_SECRET
    state_file: Path | None = None
    region: str = "cn-hangzhou"
    time_scale: float = 1.0
    simulated_delay: float = 0.2
    verify_signatures: bool = True


class Sandbox:
    """Server + API + engine (+ optional state file), started and stopped together."""

    def __init__(self, config: SandboxConfig | None = None) -> None:
        from rostray.sandbox.api import SandboxApi
        from rostray.sandbox.engine import SandboxEngine, SandboxOptions
        from rostray.sandbox.server import SandboxServer
        from rostray.sandbox.state import StateFile

        self.config = config or SandboxConfig()
        self._state = StateFile(self.config.state_file) if self.config.state_file else None
        options = SandboxOptions(
            region=self.config.region,
            time_scale=self.config.time_scale,
            simulated_delay=self.config.simulated_delay,
        )
        self.engine = SandboxEngine(options, on_change=self._save if self._state else None)
        if self._state is not None:
            self.engine.stacks.update(self._state.load())
        self.api = SandboxApi(self.engine)
        self.server = SandboxServer(
            self.api,
            {self.config.access_key_id: self.config.access_key_secret},
            host=self.config.host,
            port=self.config.port,
            verify_signatures=self.config.verify_signatures,
        )

    def _save(self, _stack: object) -> None:
        assert self._state is not None
        self._state.save(self.engine.stacks)

    @property
    def endpoint(self) -> str:
        return self.server.endpoint

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def access_key_id(self) -> str:
        return self.config.access_key_id

    @property
    def access_key_secret(self) -> str:
        return self.config.access_key_secret

    async def start(self) -> Sandbox:
        await self.server.start()
        self.engine.url_builder = self.server.wait_condition_url
        return self

    async def stop(self) -> None:
        await self.server.stop()
        await self.engine.close()
        if self._state is not None:
            self._state.save(self.engine.stacks)

    async def __aenter__(self) -> Sandbox:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
