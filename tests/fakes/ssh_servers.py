"""Real SSH servers on loopback for the tunnel tests.

``AsyncsshTunnelServer`` lives in the test's event loop and behaves like serveo/sish: it
accepts ``-R 80:…`` without authentication, binds an ephemeral loopback port for it and
prints ``Forwarding HTTP traffic from http://127.0.0.1:N`` as session data. ``DebianSshd``
is the distribution's OpenSSH server on 127.0.0.1 with throwaway keys (the own-host preset).
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import os
import shutil
import signal
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncssh
import pytest

from rostray.config import TunnelSettings
from rostray.core.tunnels.presets import preset_for, render

SSHD = Path("/usr/sbin/sshd")
NO_SSHD = (
    "the OpenSSH server is missing (/usr/sbin/sshd): run scripts/system-deps.sh "
    "(it installs openssh-server without starting it on :22)"
)
# Test-only client options, placed before the preset's: for ssh the first value wins.
TEST_SSH_OPTIONS = (
    "-F",
    "/dev/null",
    "-o",
    "UserKnownHostsFile=/dev/null",
    "-o",
    "StrictHostKeyChecking=no",
    "-o",
    "ServerAliveInterval=5",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def require_ssh_client() -> str:
    path = shutil.which("ssh")
    if path is None:
        pytest.fail("the OpenSSH client is missing: run scripts/system-deps.sh")
    return path


def with_test_options(settings: TunnelSettings, *extra: str) -> TunnelSettings:
    """The preset's own argv (placeholders but {port} filled) with test options in front."""
    preset = preset_for(settings)
    assert preset is not None
    argv = [a for a in (render(x, preset.values) for x in preset.argv) if a]
    settings.command = [argv[0], *TEST_SSH_OPTIONS, *extra, *argv[1:]]
    return settings


@dataclass
class AsyncsshTunnelServer:
    """serveo-like: ``vhost`` mode maps ``-R 80:…`` to a fresh loopback port per session."""

    vhost: bool = True
    urls: list[str] = field(default_factory=list)
    sessions: int = 0
    port: int = 0
    _acceptor: Any = None
    _pending: dict[Any, asyncio.Future[str]] = field(default_factory=dict)

    async def __aenter__(self) -> AsyncsshTunnelServer:
        key = asyncssh.generate_private_key("ssh-ed25519")
        outer = self

        class Server(asyncssh.SSHServer):
            def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
                self._conn = conn
                outer._pending[conn] = asyncio.get_running_loop().create_future()

            def connection_lost(self, exc: Exception | None) -> None:
                outer._pending.pop(self._conn, None)

            def begin_auth(self, username: str) -> bool:
                return False  # like nokey@: no authentication at all

            def server_requested(self, listen_host: str, listen_port: int) -> Any:
                conn = self._conn

                async def bind() -> Any:
                    port = 0 if outer.vhost else listen_port
                    listener = await conn.forward_local_port(
                        "127.0.0.1", port, listen_host, listen_port
                    )
                    url = f"http://127.0.0.1:{listener.get_port()}"
                    outer.urls.append(url)
                    future = outer._pending.get(conn)
                    if future is not None and not future.done():
                        future.set_result(url)
                    return listener

                return bind()

        async def session(process: asyncssh.SSHServerProcess) -> None:
            outer.sessions += 1
            future = outer._pending.get(process.get_extra_info("connection"))
            if future is not None:
                with contextlib.suppress(TimeoutError):
                    url = await asyncio.wait_for(asyncio.shield(future), 10)
                    process.stdout.write(f"Forwarding HTTP traffic from {url}\r\n")
            await process.wait_closed()

        self._acceptor = await asyncssh.listen(
            "127.0.0.1",
            0,
            server_factory=Server,
            server_host_keys=[key],
            process_factory=session,
            allow_pty=False,
            keepalive_interval=5,
        )
        self.port = self._acceptor.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._acceptor.close()
        await self._acceptor.wait_closed()

    def settings(self, **kw: Any) -> TunnelSettings:
        """serveo-style settings pointed at this server, test options in front."""
        return with_test_options(
            TunnelSettings(mode="ssh", ssh_host=f"127.0.0.1:{self.port}", ssh_user="nokey", **kw)
        )


@dataclass
class DebianSshd:
    """/usr/sbin/sshd on 127.0.0.1 with a temp host key, client key and config (§7.2)."""

    directory: Path
    port: int = 0
    user: str = ""
    key: Path = Path()
    pid: int | None = None

    def start(self) -> DebianSshd:
        if not SSHD.exists():
            pytest.fail(NO_SSHD)
        require_ssh_client()
        d = self.directory
        d.mkdir(parents=True, exist_ok=True)
        self.user = getpass.getuser()
        self.key = d / "client_key"
        for path in (d / "host_key", self.key):
            subprocess.run(
                ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True
            )
        (d / "authorized_keys").write_text((d / "client_key.pub").read_text())
        self.port = free_port()
        config = d / "sshd_config"
        config.write_text(
            "\n".join(
                [
                    f"Port {self.port}",
                    "ListenAddress 127.0.0.1",
                    f"HostKey {d / 'host_key'}",
                    f"PidFile {d / 'sshd.pid'}",
                    f"AuthorizedKeysFile {d / 'authorized_keys'}",
                    "StrictModes no",
                    "UsePAM no",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "PermitRootLogin prohibit-password",
                    "AllowTcpForwarding remote",
                    "GatewayPorts no",
                    "PermitTTY no",
                    "ClientAliveInterval 10",
                    "ClientAliveCountMax 3",
                    "LogLevel VERBOSE",
                ]
            )
            + "\n"
        )
        if os.geteuid() == 0:
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # privilege separation dir
        check = subprocess.run([str(SSHD), "-t", "-f", str(config)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        subprocess.run([str(SSHD), "-f", str(config), "-E", str(d / "sshd.log")], check=True)
        pidfile = d / "sshd.pid"
        for _ in range(200):
            if pidfile.exists() and pidfile.read_text().strip():
                self.pid = int(pidfile.read_text())
                break
            subprocess.run(["sleep", "0.02"])
        assert self.pid, f"sshd did not start: {self.log()}"
        return self

    def stop(self) -> None:
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)
            self.pid = None

    def log(self) -> str:
        path = self.directory / "sshd.log"
        return path.read_text() if path.exists() else ""

    def settings(self, remote_port: int, **kw: Any) -> TunnelSettings:
        """The own-host preset against this sshd, with the test key."""
        settings = TunnelSettings(
            mode="ssh",
            ssh_host=f"127.0.0.1:{self.port}",
            ssh_user=self.user,
            ssh_remote_port=remote_port,
            public_url="http://127.0.0.1:{rport}",
            **kw,
        )
        return with_test_options(settings, "-i", str(self.key), "-o", "IdentitiesOnly=yes")
