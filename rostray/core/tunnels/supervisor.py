"""Runs a tunnel tool as a child process and keeps an honest state for the front ends.

One attempt: start the tool (its own process group, stdin an open pipe so ssh sessions stay
up), read both streams line by line, take the public URL from the tool's local API or its
output (whichever speaks first), then self-probe it. The tunnel is "verified" only while
the latest probe round-tripped. An attempt ends when the tool exits, prints a fatal error,
announces no URL in time, or keeps failing its probes; the next one starts after an
exponential backoff with jitter (reset after a long verified run). A fatal error (missing
authtoken, refused key) stops the retries: the user has to act.

Every time and sleep goes through injectable callables, so tests of crash loops run fast.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import logging
import os
import random
import re
import signal
import socket
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from rostray.config import TunnelSettings
from rostray.core.tunnels.presets import (
    CommandApi,
    HttpApi,
    LineInfo,
    PresetError,
    TunnelPreset,
    clean_url,
    configured_url,
    parse_line,
    preset_for,
    render,
    render_argv,
)
from rostray.core.tunnels.probe import ProbeError, Prober

log = logging.getLogger(__name__)

PHASES = ("off", "starting", "verified", "degraded", "down")
READ_CHUNK = 4096
MAX_LINE = 8192
TAIL_LINES = 40
_HOOK_PATH = re.compile(r"(/hooks/[A-Za-z0-9_-]{4})[A-Za-z0-9_-]+")
_ERRORISH = re.compile(r"(?i)\b(err(or)?|eror|fail(ed|ure)?|refused|denied|fatal|unable|cannot)\b")

OnState = Callable[["TunnelState"], None]
OnUrlChanged = Callable[[str, str], "Awaitable[None] | None"]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class TunnelState:
    """What front ends show: ``phase`` is one of off|starting|verified|degraded|down.

    ``url`` is the verified URL when verified, else the URL being tried (if any). ``final``
    means no more retries: the user has to act (or the tunnel was stopped).
    """

    phase: str
    url: str | None
    rtt_ms: float | None
    reason: str
    preset: str
    restarts: int
    at: float
    final: bool = False

    @property
    def verified(self) -> bool:
        return self.phase == "verified"


@dataclass(frozen=True)
class SupervisorPolicy:
    discovery_timeout: float = 45.0  # the tool must announce a URL within this
    verify_timeout: float = 60.0  # keep retrying the first probe (cloudflared's DNS delay)
    probe_retry_first: float = 0.5
    probe_retry_max: float = 8.0
    probe_interval: float | None = None  # None: settings.probe_interval_seconds
    degraded_interval: float = 15.0  # re-probe this often while degraded
    failed_probes_before_restart: int = 4
    backoff_initial: float = 1.0
    backoff_max: float = 120.0
    backoff_factor: float = 2.0
    jitter: float = 0.1  # ± this fraction
    stable_after: float = 120.0  # a verified run this long resets the backoff
    api_poll_interval: float = 0.5
    api_timeout: float = 3.0
    stop_grace: float = 3.0  # SIGTERM, then SIGKILL


class TunnelError(Exception):
    """wait_verified gave up; the message is the tunnel's reason."""


class Backoff:
    """Exponential with jitter; ``at_least`` lets a tool's rate-limit message win."""

    def __init__(self, policy: SupervisorPolicy, rng: Callable[[], float] = random.random):
        self._policy = policy
        self._rng = rng
        self.failures = 0

    def next(self, at_least: float = 0.0) -> float:
        p = self._policy
        base = min(p.backoff_initial * p.backoff_factor**self.failures, p.backoff_max)
        self.failures += 1
        jittered = base * (1.0 + p.jitter * (2.0 * self._rng() - 1.0))
        return max(jittered, at_least)

    def reset(self) -> None:
        self.failures = 0


@dataclass
class _Outcome:
    reason: str
    final: bool = False
    wait_at_least: float = 0.0


@dataclass
class _Attempt:
    """The state of one run of the tool."""

    proc: asyncio.subprocess.Process
    values: dict[str, str]
    started: float
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    api_task: asyncio.Task[None] | None = None
    candidate: str | None = None
    verified: str | None = None
    verified_since: float | None = None
    candidate_verified: bool = False  # the candidate passed a probe at least once
    probe_task: asyncio.Task[None] | None = None
    probe_deadline: float = 0.0  # end of the first-verification window for the candidate
    probe_retry: float = 0.0
    next_probe_at: float | None = None
    failures: int = 0
    wait_at_least: float = 0.0
    rport: int | None = None


class TunnelSupervisor:
    def __init__(
        self,
        settings: TunnelSettings,
        local_port: int,
        *,
        probe: Prober,
        on_state: OnState | None = None,
        on_url_changed: OnUrlChanged | None = None,
        policy: SupervisorPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        sleep: Sleep = asyncio.sleep,
        rng: Callable[[], float] = random.random,
        env: dict[str, str] | None = None,
    ) -> None:
        self.settings = settings
        self.local_port = local_port
        self.prober = probe
        self._on_state = on_state
        self._on_url_changed = on_url_changed
        self.policy = policy or SupervisorPolicy()
        self._clock = clock
        self._wall = wall
        self._sleep = sleep
        self._env = env
        self._backoff = Backoff(self.policy, rng)
        self.preset: TunnelPreset | None = None
        self.restarts = 0
        self.url_changes = 0
        self._state = TunnelState("off", None, None, "not started", settings.mode, 0, wall())
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._events: asyncio.Queue[tuple[Any, ...]] | None = None
        self._attempt: _Attempt | None = None
        self._last_verified: str | None = None
        self._wake = asyncio.Event()
        self._tail: deque[tuple[str, str]] = deque(maxlen=TAIL_LINES)

    # --- public ---------------------------------------------------------------------------

    @property
    def state(self) -> TunnelState:
        return self._state

    @property
    def verified_url(self) -> str | None:
        """The public base URL to hand out, only while the latest self-probe succeeded."""
        return self._state.url if self._state.phase == "verified" else None

    @property
    def pid(self) -> int | None:
        """The running tool's process id (tests kill it; the UI may show it)."""
        attempt = self._attempt
        return attempt.proc.pid if attempt and attempt.proc.returncode is None else None

    def recent_output(self) -> list[tuple[str, str]]:
        """The tool's last lines as (stream, text), tokens redacted: for error reports."""
        return list(self._tail)

    async def start(self) -> None:
        if self._task is not None:
            raise RuntimeError("tunnel supervisor already started")
        self._task = asyncio.get_running_loop().create_task(self._main(), name="tunnel")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._attempt is not None:  # cancelled mid-attempt: make sure the tool is gone
            await self._end_attempt(self._attempt)
        if self._state.phase != "off" or not self._state.final:
            self._publish("off", None, None, "stopped", final=True)

    async def __aenter__(self) -> TunnelSupervisor:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def reprobe(self) -> None:
        """Probe again now (after a wake from sleep or a network change)."""
        self._wake.set()
        if self._events is not None:
            self._events.put_nowait(("probe_now",))

    async def wait_verified(self, timeout: float | None = None) -> TunnelState:
        """Until verified; raises TunnelError on a final failure or after ``timeout`` s."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    state = self._state
                    if state.phase == "verified":
                        return state
                    if state.final:
                        raise TunnelError(state.reason)
                    changed = self._changed
                    await changed.wait()
        except TimeoutError:
            state = self._state
            raise TunnelError(
                f"not verified within {timeout:g} s ({state.phase}: {state.reason})"
            ) from None

    # --- main loop ------------------------------------------------------------------------

    async def _main(self) -> None:
        try:
            self.preset = preset_for(self.settings)
        except PresetError as exc:
            self._publish("down", None, None, str(exc), final=True)
            return
        if self.preset is None:
            self._publish(
                "off", None, None, "no tunnel configured (tunnel.mode = none)", final=True
            )
            return
        try:
            if not self.preset.argv:
                await self._run_static(self.preset)
            else:
                await self._run_process(self.preset)
        except Exception:  # a bug here must not leave a silently dead tunnel
            log.exception("the tunnel supervisor failed")
            self._publish("down", None, None, "internal error in the tunnel supervisor", final=True)

    async def _run_process(self, preset: TunnelPreset) -> None:
        while True:
            outcome = await self._run_attempt(preset)
            if outcome.final:
                self._publish("down", None, None, outcome.reason, final=True)
                return
            delay = self._backoff.next(outcome.wait_at_least)
            self._publish("down", None, None, f"{outcome.reason}; restarting in {_secs(delay)}")
            await self._sleep(delay)
            self.restarts += 1

    async def _run_static(self, preset: TunnelPreset) -> None:
        """A URL the user routes to us: no process, only probes."""
        url = configured_url(preset)
        if url is None:
            self._publish("down", None, None, "tunnel.public_url is not a URL", final=True)
            return
        self._publish("starting", url, None, f"probing {url}")
        deadline = self._clock() + self.policy.verify_timeout
        retry = self.policy.probe_retry_first
        while True:
            self._wake.clear()  # a reprobe() asked for during this probe is not lost
            try:
                rtt = await self.prober.probe(url)
            except ProbeError as exc:
                if self._state.phase == "starting" and self._clock() < deadline:
                    delay, retry = retry, min(retry * 2, self.policy.probe_retry_max)
                    self._publish("starting", url, None, f"waiting for {url} to answer: {exc}")
                else:
                    self._publish("degraded", url, None, f"self-probe through {url} failed: {exc}")
                    delay = self.policy.degraded_interval
            else:
                await self._verified(url, rtt)
                delay = self._probe_interval()
            await self._wait_or_wake(delay)

    async def _wait_or_wake(self, delay: float) -> None:
        sleeper = asyncio.ensure_future(self._sleep(delay))
        waker = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, waker):
                task.cancel()

    # --- one attempt ----------------------------------------------------------------------

    async def _run_attempt(self, preset: TunnelPreset) -> _Outcome:
        values = {"port": str(self.local_port)}
        if preset.uses_mport:
            values["mport"] = str(free_port())
        argv = render_argv(preset, values)
        what = "restarting" if self.restarts else "starting"
        self._publish("starting", None, None, f"{what} {preset.name} ({argv[0]})")
        self._events = asyncio.Queue()
        try:
            proc = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                start_new_session=os.name == "posix",
                env=self._env,
            )
        except FileNotFoundError:
            hint = f": {preset.executable_hint}" if preset.executable_hint else ""
            return _Outcome(f"{argv[0]} was not found{hint}", final=True)
        except OSError as exc:
            return _Outcome(f"cannot start {argv[0]}: {exc.strerror or exc}", final=True)
        log.info("tunnel %s started (pid %s)", preset.name, proc.pid)
        attempt = _Attempt(proc=proc, values={**preset.values, **values}, started=self._clock())
        self._attempt = attempt
        try:
            self._watch(attempt, preset)
            if preset.url_source == "configured" and preset.ready is None:
                # nothing to wait for: probe the configured URL (retried while it comes up)
                url = configured_url(preset)
                if url is None:
                    return _Outcome("tunnel.public_url is not a URL", final=True)
                self._set_candidate(attempt, url)
            outcome = await self._drive(attempt, preset)
        finally:
            await self._end_attempt(attempt)
        since = attempt.verified_since
        if since is not None and self._clock() - since >= self.policy.stable_after:
            self._backoff.reset()
        outcome.wait_at_least = max(outcome.wait_at_least, attempt.wait_at_least)
        return outcome

    def _watch(self, attempt: _Attempt, preset: TunnelPreset) -> None:
        proc, loop = attempt.proc, asyncio.get_running_loop()
        assert proc.stdout is not None and proc.stderr is not None
        readers = [
            loop.create_task(self._pump(proc.stdout, "stdout", preset)),
            loop.create_task(self._pump(proc.stderr, "stderr", preset)),
        ]
        attempt.tasks += [*readers, loop.create_task(self._wait_exit(proc, readers))]
        if preset.api is not None and "{api_addr}" not in _api_template(preset.api):
            attempt.api_task = loop.create_task(self._poll_api(preset.api, attempt.values))

    async def _drive(self, attempt: _Attempt, preset: TunnelPreset) -> _Outcome:
        """The attempt's event loop: output lines, API answers, probe results, timers."""
        events = self._events
        assert events is not None
        discovery_deadline = attempt.started + self.policy.discovery_timeout
        getter: asyncio.Future[tuple[Any, ...]] | None = None
        try:
            while True:
                now = self._clock()
                if attempt.candidate is None and now >= discovery_deadline:
                    return _Outcome(self._no_url_reason(preset))
                if attempt.next_probe_at is not None and now >= attempt.next_probe_at:
                    self._start_probe(attempt)
                deadlines = [discovery_deadline] if attempt.candidate is None else []
                if attempt.next_probe_at is not None:
                    deadlines.append(attempt.next_probe_at)
                if getter is None:
                    getter = asyncio.ensure_future(events.get())
                timer = None
                if deadlines:
                    timer = asyncio.ensure_future(self._sleep(max(min(deadlines) - now, 0.0)))
                waiting = {getter} if timer is None else {getter, timer}
                try:
                    await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    if timer is not None:
                        timer.cancel()
                if not getter.done():
                    continue
                event, getter = getter.result(), None
                outcome = await self._handle(attempt, preset, event)
                if outcome is not None:
                    return outcome
        finally:
            if getter is not None:
                getter.cancel()

    async def _handle(
        self, attempt: _Attempt, preset: TunnelPreset, event: tuple[Any, ...]
    ) -> _Outcome | None:
        kind = event[0]
        if kind == "line":
            return self._on_line(attempt, preset, event[1], event[2])
        if kind == "api_url":
            self._set_candidate(attempt, event[1])
        elif kind == "exit":
            return _Outcome(self._exit_reason(preset, event[1]))
        elif kind == "probed":
            return await self._on_probed(attempt, event[1], event[2], event[3])
        elif kind == "probe_now" and attempt.candidate and attempt.probe_task is None:
            attempt.next_probe_at = self._clock()
        return None

    def _on_line(
        self, attempt: _Attempt, preset: TunnelPreset, stream: str, info: LineInfo
    ) -> _Outcome | None:
        if info.fatal:
            return _Outcome(f"{info.fatal} ({_short(self._redact(info.text))})", final=True)
        attempt.wait_at_least = max(attempt.wait_at_least, info.wait_at_least)
        if info.api_addr and preset.api is not None and attempt.api_task is None:
            attempt.values["api_addr"] = info.api_addr
            attempt.api_task = asyncio.get_running_loop().create_task(
                self._poll_api(preset.api, attempt.values)
            )
        if info.allocated_port:
            attempt.rport = info.allocated_port
        if preset.url_source == "configured" and info.ready:
            url = configured_url(preset, attempt.rport)
            if url:
                self._set_candidate(attempt, url)
        elif info.url:
            self._set_candidate(attempt, info.url)
        return None

    def _set_candidate(self, attempt: _Attempt, url: str) -> None:
        if url == attempt.candidate:
            return
        log.info("tunnel announced %s", url)
        attempt.candidate = url
        attempt.verified = None
        attempt.candidate_verified = False
        attempt.failures = 0
        if attempt.api_task is not None:  # the URL is known: stop asking
            attempt.api_task.cancel()
        attempt.probe_deadline = self._clock() + self.policy.verify_timeout
        attempt.probe_retry = self.policy.probe_retry_first
        if attempt.probe_task is not None:
            attempt.probe_task.cancel()
            attempt.probe_task = None
        attempt.next_probe_at = self._clock()
        self._publish("starting", url, None, f"verifying {url}")

    def _start_probe(self, attempt: _Attempt) -> None:
        attempt.next_probe_at = None
        if attempt.probe_task is not None or attempt.candidate is None:
            return
        url = attempt.candidate
        events = self._events
        assert events is not None

        async def run() -> None:
            try:
                rtt = await self.prober.probe(url)
            except ProbeError as exc:
                events.put_nowait(("probed", url, None, str(exc)))
            else:
                events.put_nowait(("probed", url, rtt, None))

        attempt.probe_task = asyncio.get_running_loop().create_task(run())

    async def _on_probed(
        self, attempt: _Attempt, url: str, rtt: float | None, error: str | None
    ) -> _Outcome | None:
        attempt.probe_task = None
        if url != attempt.candidate:
            return None  # a stale result for a URL the tool has since replaced
        now = self._clock()
        if rtt is not None:
            attempt.failures = 0
            attempt.verified = url
            attempt.candidate_verified = True
            if attempt.verified_since is None:
                attempt.verified_since = now
            attempt.next_probe_at = now + self._probe_interval()
            await self._verified(url, rtt)
            return None
        if not attempt.candidate_verified and now < attempt.probe_deadline:
            attempt.next_probe_at = now + attempt.probe_retry
            attempt.probe_retry = min(attempt.probe_retry * 2, self.policy.probe_retry_max)
            self._publish("starting", url, None, f"waiting for {url} to answer: {error}")
            return None
        attempt.failures += 1
        attempt.verified = None
        attempt.verified_since = None
        self._publish("degraded", url, None, f"self-probe through {url} failed: {error}")
        if attempt.failures >= self.policy.failed_probes_before_restart:
            return _Outcome(f"{attempt.failures} self-probes through {url} failed ({error})")
        attempt.next_probe_at = now + self.policy.degraded_interval
        return None

    async def _verified(self, url: str, rtt: float) -> None:
        old, self._last_verified = self._last_verified, url
        if old is not None and old != url:
            self.url_changes += 1
            log.warning("tunnel URL changed from %s to %s", old, url)
            await self._notify_url_changed(old, url)
        if self._state.phase != "verified" or self._state.url != url:
            log.info("tunnel verified: %s (probe %.0f ms)", url, rtt)
        self._publish("verified", url, rtt, f"self-probe round trip {rtt:.0f} ms")

    async def _notify_url_changed(self, old: str, new: str) -> None:
        if self._on_url_changed is None:
            return
        try:
            result = self._on_url_changed(old, new)
            if inspect.isawaitable(result):
                await result
        except Exception:
            log.exception("the tunnel URL-change handler failed")

    # --- child process I/O -----------------------------------------------------------------

    async def _pump(self, stream: asyncio.StreamReader, name: str, preset: TunnelPreset) -> None:
        events = self._events
        assert events is not None
        async for line in read_lines(stream):
            info = parse_line(preset, line)
            if not info.text:
                continue
            shown = self._redact(info.text)
            self._tail.append((name, shown))
            log.debug("%s %s: %s", preset.name, name, shown)
            events.put_nowait(("line", name, info))

    async def _wait_exit(
        self, proc: asyncio.subprocess.Process, readers: list[asyncio.Task[None]]
    ) -> None:
        returncode = await proc.wait()
        # Let the readers drain first, so a fatal last line is seen before the exit.
        await asyncio.wait(readers, timeout=1.0)
        assert self._events is not None
        self._events.put_nowait(("exit", returncode))

    async def _poll_api(self, api: HttpApi | CommandApi, values: dict[str, str]) -> None:
        """Ask the tool's API until it names a URL; errors just mean "not yet"."""
        assert self._events is not None
        while True:
            try:
                url = await self._ask_api(api, values)
            except (OSError, aiohttp.ClientError, TimeoutError, ValueError) as exc:
                log.debug("tunnel API not answering yet: %s", type(exc).__name__)
                url = None
            if url:
                self._events.put_nowait(("api_url", url))
                return
            await self._sleep(self.policy.api_poll_interval)

    async def _ask_api(self, api: HttpApi | CommandApi, values: dict[str, str]) -> str | None:
        async with asyncio.timeout(self.policy.api_timeout):
            if isinstance(api, HttpApi):
                body = await _get_json(render(api.url, values))
            else:
                body = await _run_json([render(a, values) for a in api.argv], self._env)
        picked = api.pick(body)
        return clean_url(picked) if picked else None

    async def _end_attempt(self, attempt: _Attempt) -> None:
        """Stop everything the attempt started; the whole process group goes."""
        if self._attempt is attempt:
            self._attempt = None
        tasks = [*attempt.tasks, attempt.api_task, attempt.probe_task]
        for task in tasks:
            if task is not None:
                task.cancel()
        await terminate(attempt.proc, self.policy.stop_grace)
        await asyncio.gather(*(t for t in tasks if t is not None), return_exceptions=True)

    # --- helpers --------------------------------------------------------------------------

    def _probe_interval(self) -> float:
        if self.policy.probe_interval is not None:
            return self.policy.probe_interval
        return float(self.settings.probe_interval_seconds)

    def _publish(
        self,
        phase: str,
        url: str | None,
        rtt_ms: float | None,
        reason: str,
        *,
        final: bool = False,
    ) -> None:
        name = self.preset.name if self.preset else self.settings.mode
        state = TunnelState(phase, url, rtt_ms, reason, name, self.restarts, self._wall(), final)
        previous, self._state = self._state, state
        if (previous.phase, previous.url, previous.reason) != (phase, url, reason):
            level = logging.INFO if phase in ("verified", "starting", "off") else logging.WARNING
            log.log(level, "tunnel %s: %s", phase, reason)
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()
        if self._on_state is not None:
            try:
                self._on_state(state)
            except Exception:
                log.exception("the tunnel state handler failed")

    def _redact(self, text: str) -> str:
        token = self.prober.token
        return _HOOK_PATH.sub(r"\1…", text.replace(token, token[:4] + "…"))

    def _last_words(self) -> str:
        """The most telling recent output line: the last error-ish one, else the last one."""
        lines = [text for _, text in self._tail]
        for text in reversed(lines):
            if _ERRORISH.search(text):
                return text
        return lines[-1] if lines else ""

    def _exit_reason(self, preset: TunnelPreset, returncode: int) -> str:
        how = f"was killed by signal {-returncode}" if returncode < 0 else f"exited ({returncode})"
        last = self._last_words()
        return f"{preset.name} {how}" + (f": {_short(last)}" if last else "")

    def _no_url_reason(self, preset: TunnelPreset) -> str:
        last = self._last_words()
        reason = (
            f"{preset.name} announced no public URL within {_secs(self.policy.discovery_timeout)}"
        )
        return reason + (f" (last output: {_short(last)})" if last else " (no output at all)")


# --- module helpers ---------------------------------------------------------------------------


async def read_lines(stream: asyncio.StreamReader) -> AsyncIterator[str]:
    """Lines split on \\n or \\r (progress output), each cut at MAX_LINE; never raises on
    a huge line the way StreamReader.readline does."""
    pending = b""
    while True:
        chunk = await stream.read(READ_CHUNK)
        if not chunk:
            break
        pending += chunk
        parts = re.split(rb"\r\n|\r|\n", pending)
        pending = parts.pop()
        if len(pending) > MAX_LINE:
            parts.append(pending[:MAX_LINE])
            pending = b""
        for part in parts:
            yield part[:MAX_LINE].decode("utf-8", errors="replace")
    if pending:
        yield pending[:MAX_LINE].decode("utf-8", errors="replace")


async def terminate(proc: asyncio.subprocess.Process, grace: float) -> None:
    """SIGTERM the process group, SIGKILL it after ``grace`` s; reap leftovers either way."""
    if proc.stdin is not None:
        with contextlib.suppress(Exception):
            proc.stdin.close()
    if proc.returncode is None:
        _signal_group(proc, signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), grace)
        except TimeoutError:
            _signal_group(proc, signal.SIGKILL)
            await proc.wait()
    _signal_group(proc, signal.SIGKILL)  # grandchildren (npx → node) that outlived it


def _signal_group(proc: asyncio.subprocess.Process, signum: int) -> None:
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signum)
        elif proc.returncode is None:
            proc.kill() if signum == signal.SIGKILL else proc.terminate()
    except (ProcessLookupError, PermissionError):
        pass


def free_port() -> int:
    """A loopback port free right now, for a tool's own API."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _api_template(api: HttpApi | CommandApi) -> str:
    return api.url if isinstance(api, HttpApi) else " ".join(api.argv)


async def _get_json(url: str) -> Any:
    async with (
        aiohttp.ClientSession(trust_env=False) as session,
        session.get(url, headers={"Accept": "application/json"}) as response,
    ):
        if response.status != 200:
            return None
        return json.loads(await response.content.read(1 << 20))


async def _run_json(argv: list[str], env: dict[str, str] | None) -> Any:
    proc = await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        env=env,
    )
    try:
        out, _ = await proc.communicate()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    return json.loads(out) if proc.returncode == 0 and out.strip() else None


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _secs(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds >= 10 else f"{seconds:.1f} s"
