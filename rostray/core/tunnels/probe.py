"""Self-probe: a public URL counts only after a request through it reaches this very process.

A running tunnel process proves nothing (a stale URL, a DNS delay, another agent on the same
API port, a reverse proxy pointing elsewhere). So the prober sends
``GET {public}/hooks/{token}/probe?n={nonce}`` and succeeds only when the receiver hands that
exact nonce back through :meth:`Prober.handle_probe` and the answer is 200.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import secrets
import time
from urllib.parse import urlsplit

import aiohttp

USER_AGENT = "rostray-tunnel-probe/1"
# Free tunnels put interstitial pages in front of browsers; these ask them not to (harmless
# elsewhere). A server-to-server POST from ROS never sees those pages either.
PROBE_HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept": "application/json",
    "ngrok-skip-browser-warning": "1",
    "bypass-tunnel-reminder": "1",
}
MAX_ANSWER = 4096  # bytes of a probe answer we read; the receiver's is ~15


class ProbeError(Exception):
    """The probe did not round-trip; the message is fit for the user (no token in it)."""


def is_loopback_url(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Prober:
    """Owns the probe token and the nonces in flight.

    Wire :meth:`handle_probe` into the receiver's ``on_probe``. The token lives as long as this
    object and is never logged; nonces are single-use.
    """

    def __init__(self, *, timeout: float = 10.0, token: str | None = None) -> None:
        self.timeout = timeout
        self._token = token or secrets.token_urlsafe(32)
        self._waiting: dict[str, asyncio.Event] = {}
        self.sent = 0
        self.arrived = 0

    @property
    def token(self) -> str:
        return self._token

    def is_probe_token(self, token: str) -> bool:
        return hmac.compare_digest(token.encode(), self._token.encode())

    def handle_probe(self, token: str, nonce: str) -> bool:
        """The receiver's ``on_probe``: True only for our token and a nonce we are awaiting."""
        if not self.is_probe_token(token):
            return False
        event = self._waiting.get(nonce)
        if event is None:
            return False
        event.set()
        self.arrived += 1
        return True

    def probe_url(self, public_url: str, nonce: str) -> str:
        return f"{public_url.rstrip('/')}/hooks/{self._token}/probe?n={nonce}"

    async def probe(self, public_url: str) -> float:
        """Round-trip time in milliseconds; raises ProbeError with the reason otherwise.

        A loopback URL is fetched directly; a public one honours the user's proxy settings,
        which may be the only way out of their network.
        """
        nonce = secrets.token_urlsafe(16)
        arrived = asyncio.Event()
        self._waiting[nonce] = arrived
        self.sent += 1
        started = time.perf_counter()
        try:
            status = await self._get(self.probe_url(public_url, nonce), public_url)
        finally:
            self._waiting.pop(nonce, None)
        rtt_ms = (time.perf_counter() - started) * 1000.0
        if not arrived.is_set():
            raise ProbeError(
                f"{_origin(public_url)} answered HTTP {status}, but the probe never reached "
                "this rostray (a stale URL, or the tunnel points elsewhere)"
            )
        if status != 200:
            raise ProbeError(f"the probe arrived, but {_origin(public_url)} answered HTTP {status}")
        return rtt_ms

    async def _get(self, url: str, public_url: str) -> int:
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        try:
            async with (
                aiohttp.ClientSession(
                    trust_env=not is_loopback_url(public_url), timeout=timeout
                ) as session,
                session.get(
                    url,
                    headers=PROBE_HEADERS,
                    max_redirects=3,
                ) as response,
            ):
                await response.content.read(MAX_ANSWER)
                return response.status
        except TimeoutError:
            raise ProbeError(
                f"no answer from {_origin(public_url)} within {self.timeout:g} s"
            ) from None
        except aiohttp.ClientError as exc:
            raise ProbeError(f"{_origin(public_url)}: {self._describe(exc)}") from None
        except ValueError as exc:  # a malformed URL
            raise ProbeError(f"not a usable URL: {self._redact(str(exc))}") from None

    def _describe(self, exc: BaseException) -> str:
        text = str(exc) or type(exc).__name__
        return self._redact(f"{type(exc).__name__}: {text}" if str(exc) else text)

    def _redact(self, text: str) -> str:
        return text.replace(self._token, self._token[:4] + "…")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else "the URL"
