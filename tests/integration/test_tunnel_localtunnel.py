"""The real npm ``localtunnel@2.0.2`` client (installed by scripts/system-deps.sh) against a
small loopback server speaking its protocol (tunnels.md §7.3):

* ``GET /?new`` answers ``{id, ip, port, max_conn_count, url}``;
* the client opens up to ``max_conn_count`` agent sockets to ``ip:port`` and connects each to
  the local app;
* the server splices each public connection onto one idle agent socket, used once; the client
  then opens a new one. When the server goes away the client throws ``connection refused``
  and exits 1, which the supervisor must survive.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from fakes.tunnel_rig import ScaledTime, States, supervisor

from rostray.config import TunnelSettings
from rostray.core.receiver import IncomingCallback, Receiver
from rostray.core.tunnels import Prober

REPO = Path(__file__).resolve().parents[2]
LT = REPO / "build" / "test-tools" / "localtunnel" / "node_modules" / ".bin" / "lt"

pytestmark = pytest.mark.timeout(60)


class FakeLocaltunnelServer:
    """Just enough of localtunnel's server for the 2.0.2 client, on 127.0.0.1."""

    def __init__(self, control_port: int = 0, max_conn: int = 4) -> None:
        self.control_port = control_port
        self.max_conn = max_conn
        self.url = ""
        self.served = 0
        self._idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = (
            asyncio.Queue()
        )
        self._agents: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> FakeLocaltunnelServer:
        self._agent_server = await asyncio.start_server(self._agent, "127.0.0.1", 0)
        self._public_server = await asyncio.start_server(self._public, "127.0.0.1", 0)
        agent_port = self._agent_server.sockets[0].getsockname()[1]
        public_port = self._public_server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{public_port}"
        client_id = secrets.token_hex(4)

        async def new(request: web.Request) -> web.Response:
            if "new" not in request.query:
                return web.json_response({"message": "unknown"}, status=404)
            return web.json_response(
                {
                    "id": client_id,
                    "ip": "127.0.0.1",
                    "port": agent_port,
                    "max_conn_count": self.max_conn,
                    "url": self.url,
                }
            )

        app = web.Application()
        app.router.add_get("/", new)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.control_port, reuse_address=True)
        await site.start()
        self.control_port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        """Go away entirely: listeners closed and every agent socket dropped."""
        for server in (self._agent_server, self._public_server):
            server.close()
        for writer in list(self._agents):
            writer.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._runner.cleanup()

    async def _agent(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._agents.add(writer)
        await self._idle.put((reader, writer))

    async def _public(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            agent_reader, agent_writer = await asyncio.wait_for(self._idle.get(), 10)
            self.served += 1
            await asyncio.gather(
                _pipe(reader, agent_writer), _pipe(agent_reader, writer), return_exceptions=True
            )
        except TimeoutError:
            writer.write(b"HTTP/1.1 504 Gateway Timeout\r\nContent-Length: 0\r\n\r\n")
        finally:
            writer.close()
            self._tasks.discard(task)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """One direction; when it ends, both ends close (each agent socket is used once)."""
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


@pytest.fixture
def lt() -> Path:
    if not LT.exists():
        pytest.fail(
            f"the localtunnel client is missing ({LT.relative_to(REPO)}): "
            "run scripts/system-deps.sh (it runs npm install localtunnel@2.0.2)"
        )
    return LT


async def post(url: str, body: bytes) -> int:
    async with (
        aiohttp.ClientSession(trust_env=False) as session,
        session.post(url, data=body, headers={"Content-Type": "application/json"}) as response,
    ):
        return response.status


async def test_localtunnel_client_carries_probes_and_callbacks_and_is_restarted(lt: Path) -> None:
    prober, states, scaled = Prober(timeout=5), States(), ScaledTime()
    token = secrets.token_urlsafe(32)
    calls: list[IncomingCallback] = []

    async def on_callback(incoming: IncomingCallback) -> None:
        calls.append(incoming)

    receiver = Receiver(
        is_known_token=lambda t: t == token, on_callback=on_callback, on_probe=prober.handle_probe
    )
    server = await FakeLocaltunnelServer().start()
    try:
        async with receiver:
            settings = TunnelSettings(
                mode="localtunnel",
                command=[
                    str(lt),
                    "--port",
                    "{port}",
                    "--local-host",
                    "127.0.0.1",
                    "--host",
                    f"http://127.0.0.1:{server.control_port}",
                ],
            )
            async with supervisor(settings, receiver.port, prober, states, scaled=scaled) as sup:
                first = await sup.wait_verified(timeout=20)
                assert first.url == server.url
                print(f"\nlocaltunnel 2.0.2 client: probe round trip {first.rtt_ms:.1f} ms")
                for n in range(3):
                    body = b'{"StackId": "s-%d", "StackName": "n", "Status": "CREATE_COMPLETE"}' % n
                    assert await post(f"{first.url}/hooks/{token}?n={n}", body) == 200
                assert [c.payload.stack_id for c in calls] == ["s-0", "s-1", "s-2"]

                await server.stop()  # the tunnel server vanishes: lt throws and exits 1
                down = await states.until(lambda s: s.phase == "down", timeout=20)
                assert "localtunnel exited (1)" in down.reason
                assert "connection refused" in down.reason

                server = await FakeLocaltunnelServer(server.control_port).start()
                second = await states.until(lambda s: s.verified and s.restarts >= 1, timeout=20)
                assert second.url == server.url != first.url
                assert states.changes == [(first.url, second.url)]
                assert await post(f"{second.url}/hooks/{token}", body) == 200
                assert len(calls) == 4
    finally:
        with contextlib.suppress(Exception):
            await server.stop()
