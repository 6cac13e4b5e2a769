"""Tunnel presets as data, and the pure parsers every line of a tunnel tool's output goes through.

A preset says how to start a tool (an argv template), where its public URL comes from (a local
API, an anchored pattern on its output, or the user's configuration), which output means
"ready", which means "stop retrying and tell the user", and whether a restart keeps the URL.

Tool output is hostile input: banners, doc links and error lines contain https URLs too
(``Post "https://api.trycloudflare.com/tunnel"``, ``https://pinggy.io/docs``), so every
pattern is anchored on the tool's own phrase and every candidate is checked again as a URL.
Nothing here does I/O; the supervisor feeds lines in and acts on what comes out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from rostray.config import TunnelSettings

# CSI sequences (colours, cursor moves) and OSC sequences (titles, hyperlinks).
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
MAX_LINE = 8192  # longer output lines are cut: nothing we look for is that long

PickUrl = Callable[[Any], "str | None"]
JsonHook = Callable[[Mapping[str, Any]], "LineInfo | None"]


@dataclass(frozen=True)
class HttpApi:
    """A local HTTP endpoint of the tool that names the public URL once the tunnel is up.

    ``url`` is a template like the argv (``{mport}``, ``{api_addr}``); ``pick`` turns the
    decoded JSON body into a URL or None.
    """

    url: str
    pick: PickUrl


@dataclass(frozen=True)
class CommandApi:
    """A helper command whose JSON output names the URL (``tailscale status --json``)."""

    argv: tuple[str, ...]
    pick: PickUrl


@dataclass(frozen=True)
class LineInfo:
    """What one output line told us; every field is optional."""

    text: str
    url: str | None = None
    ready: bool = False
    fatal: str | None = None
    wait_at_least: float = 0.0  # seconds before the next start (rate limits)
    api_addr: str | None = None
    allocated_port: int | None = None


@dataclass(frozen=True)
class TunnelPreset:
    name: str
    argv: tuple[str, ...]
    url_source: str  # "api" (with output as fallback) | "regex" | "configured"
    stream: str  # "stdout" | "stderr" | "both": where the tool prints what we parse
    url_patterns: tuple[re.Pattern[str], ...] = ()
    url_format: str = "{}"  # how a pattern's group becomes a URL ("http://{}" for host:port)
    host_suffixes: tuple[str, ...] = ()  # when set, a URL's host must end with one of these
    json_hook: JsonHook | None = None  # for tools that log JSON lines
    api: HttpApi | CommandApi | None = None
    ready: re.Pattern[str] | None = None
    fatal: tuple[tuple[re.Pattern[str], str], ...] = ()
    slow_down: tuple[tuple[re.Pattern[str], float], ...] = ()
    allocated_port: re.Pattern[str] | None = None
    stable_url: bool = False  # a restart keeps the URL
    configured_url: str | None = None  # for url_source "configured" ({rport} allowed)
    executable_hint: str = ""  # how to install the tool, for "not found"
    values: Mapping[str, str] = field(default_factory=dict)  # {user}, {host}, {rport}…

    @property
    def uses_mport(self) -> bool:
        """Whether the supervisor must pick a free local port for the tool's own API."""
        api_url = self.api.url if isinstance(self.api, HttpApi) else ""
        return any("{mport}" in a for a in self.argv) or "{mport}" in api_url


def _compile(*patterns: str, flags: int = 0) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, flags) for p in patterns)


def _fatal(*pairs: tuple[str, str]) -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(p), message) for p, message in pairs)


# --- per-tool JSON hooks and API pickers -----------------------------------------------------


def _ngrok_json(doc: Mapping[str, Any]) -> LineInfo | None:
    """ngrok ``--log-format json``: ``started tunnel`` names the URL, ``starting web service``
    names the agent API address (4040, or 4041+ when taken)."""
    msg = doc.get("msg")
    if msg == "started tunnel" and isinstance(doc.get("url"), str):
        return LineInfo(text="", url=doc["url"], ready=True)
    if msg == "starting web service" and isinstance(doc.get("addr"), str):
        return LineInfo(text="", api_addr=doc["addr"])
    return None


def _ngrok_api(body: Any) -> str | None:
    tunnels = body.get("tunnels") if isinstance(body, dict) else None
    for tunnel in tunnels if isinstance(tunnels, list) else []:
        if isinstance(tunnel, dict) and tunnel.get("proto") == "https":
            url = tunnel.get("public_url")
            return url if isinstance(url, str) else None
    return None


def _cloudflared_api(body: Any) -> str | None:
    host = body.get("hostname") if isinstance(body, dict) else None
    return f"https://{host}" if isinstance(host, str) and host else None


def _pinggy_api(body: Any) -> str | None:
    urls = body.get("urls") if isinstance(body, dict) else None
    for url in urls if isinstance(urls, list) else []:
        if isinstance(url, str) and url.startswith("https://"):
            return url
    return None


def _tailscale_status(body: Any) -> str | None:
    me = body.get("Self") if isinstance(body, dict) else None
    name = me.get("DNSName") if isinstance(me, dict) else None
    return f"https://{name.rstrip('.')}" if isinstance(name, str) and name.strip(".") else None


def _localhost_run_json(doc: Mapping[str, Any]) -> LineInfo | None:
    """localhost.run ``--output json``: a ``tcpip-forward`` event with ``authz_code == OK``."""
    event = str(doc.get("event", ""))
    if event == "tcpip-forward" and doc.get("authz_code") == "OK" and doc.get("address"):
        return LineInfo(text="", url=f"https://{doc['address']}", ready=True)
    return None


# --- presets ---------------------------------------------------------------------------------

SSH_OPTIONS = (
    "-o",
    "ExitOnForwardFailure=yes",
    "-o",
    "ServerAliveInterval=30",
    "-o",
    "ServerAliveCountMax=3",
    "-o",
    "StrictHostKeyChecking=accept-new",
    "-o",
    "BatchMode=yes",
)
SSH_FATAL = _fatal(
    (
        r"Permission denied \(",
        "the SSH server refused to log in (check the key or tunnel.ssh_user)",
    ),
    (
        r"Host key verification failed",
        "the SSH server's host key does not match the one in known_hosts",
    ),
    (r"REMOTE HOST IDENTIFICATION HAS CHANGED", "the SSH server's host key has changed"),
)
SSH_HINT = "install the OpenSSH client (Debian/Ubuntu: apt install openssh-client)"
FORWARDING_BANNER = _compile(r"Forwarding HTTP traffic from (https?://[^\s\"'<>]+)")

NGROK = TunnelPreset(
    name="ngrok",
    argv=(
        "ngrok",
        "http",
        "http://127.0.0.1:{port}",
        "--log",
        "stdout",
        "--log-format",
        "json",
        "--inspect=false",  # the inspector keeps full requests, token paths included
    ),
    url_source="api",
    stream="stdout",
    json_hook=_ngrok_json,
    # logfmt, when a user's config overrides --log-format
    url_patterns=_compile(r'msg="started tunnel".*\burl=(https://[^\s"]+)'),
    api=HttpApi("http://{api_addr}/api/tunnels", _ngrok_api),
    fatal=_fatal(
        ("ERR_NGROK_4018", "ngrok needs an authtoken: run `ngrok config add-authtoken <TOKEN>`"),
        ("ERR_NGROK_105", "ngrok rejected the authtoken (ERR_NGROK_105): check it"),
        (
            "ERR_NGROK_108",
            "ngrok allows one agent session on this account (ERR_NGROK_108): stop the other",
        ),
        ("ERR_NGROK_334", "this ngrok endpoint is already online elsewhere (ERR_NGROK_334)"),
    ),
    executable_hint="install ngrok from ngrok.com and add your authtoken",
)

CLOUDFLARED = TunnelPreset(
    name="cloudflared",
    argv=(
        "cloudflared",
        "tunnel",
        "--no-autoupdate",
        "--metrics",
        "127.0.0.1:{mport}",
        "--url",
        "http://127.0.0.1:{port}",
    ),
    url_source="api",
    stream="stderr",
    # Not after a quote or '=' (error lines quote the API URL) and not followed by a path.
    url_patterns=_compile(
        r"(?<![\w\"'=/.-])(https://(?!api\.)[a-z0-9-]+\.trycloudflare\.com)(?![\w./-])"
    ),
    api=HttpApi("http://127.0.0.1:{mport}/quicktunnel", _cloudflared_api),
    ready=re.compile(r"Registered tunnel connection"),
    slow_down=(
        (re.compile(r"429 Too Many Requests|error code: 1015"), 300.0),  # create rate limit
    ),
    executable_hint="install cloudflared from Cloudflare's package repository",
)

LOCALTUNNEL = TunnelPreset(
    name="localtunnel",
    argv=(
        "npx",
        "--yes",
        "localtunnel@2.0.2",
        "--port",
        "{port}",
        "--local-host",
        "127.0.0.1",
    ),
    url_source="regex",
    stream="stdout",
    url_patterns=_compile(r"^your url is: (https?://\S+)$"),
    executable_hint="install Node.js (npx comes with npm)",
)

BORE = TunnelPreset(
    name="bore",
    argv=("bore", "local", "{port}", "--local-host", "127.0.0.1", "--to", "bore.pub"),
    url_source="regex",
    stream="stdout",
    url_patterns=_compile(r"\blistening at ([A-Za-z0-9.-]+:\d{1,5})\b"),
    url_format="http://{}",  # raw TCP, no TLS: the token travels in clear text
    executable_hint="install bore (cargo install bore-cli)",
)

TAILSCALE = TunnelPreset(
    name="tailscale",
    argv=("tailscale", "funnel", "{port}"),
    url_source="api",
    stream="stdout",
    url_patterns=_compile(r"(?:^|\s)(https://[\w.-]+\.ts\.net(?::\d+)?)/?\s*$"),
    api=CommandApi(("tailscale", "status", "--json"), _tailscale_status),
    fatal=_fatal(
        (
            r"Funnel is not enabled",
            "Tailscale Funnel is not enabled for this tailnet; enable it in the admin console",
        ),
        (r"Funnel not available", "Tailscale Funnel is not available for this node"),
    ),
    stable_url=True,
    executable_hint="install Tailscale and log in (tailscale up)",
)

PINGGY = TunnelPreset(
    name="pinggy",
    argv=(
        "ssh",
        "-T",
        "-p",
        "443",
        *SSH_OPTIONS,
        "-R0:127.0.0.1:{port}",
        "-L",
        "127.0.0.1:{mport}:127.0.0.1:4300",  # the web debugger's API, on a free local port
        "{dest}",
    ),
    url_source="api",
    stream="stdout",
    url_patterns=_compile(
        r"(?<![\w/.-])(https://[a-z0-9.-]+\.pinggy(?:-free)?\.(?:link|online))\b"
    ),
    api=HttpApi("http://127.0.0.1:{mport}/urls", _pinggy_api),
    fatal=SSH_FATAL,
    executable_hint=SSH_HINT,
)

SERVEO = TunnelPreset(
    name="ssh",
    argv=("ssh", "-T", *SSH_OPTIONS, "{portopt}", "-R", "80:127.0.0.1:{port}", "{dest}"),
    url_source="regex",
    stream="stdout",  # the banner is session data
    url_patterns=FORWARDING_BANNER,
    fatal=SSH_FATAL,
    executable_hint=SSH_HINT,
)

LOCALHOST_RUN = TunnelPreset(
    name="ssh",
    argv=(
        "ssh",
        "-T",
        *SSH_OPTIONS,
        "{portopt}",
        "-R",
        "80:127.0.0.1:{port}",
        "{dest}",
        "--",
        "--output",
        "json",
    ),
    url_source="regex",
    stream="stdout",
    json_hook=_localhost_run_json,
    url_patterns=_compile(r"tunneled with tls termination, (https://[^\s\"\\]+)"),
    host_suffixes=(".lhr.life", ".localhost.run"),
    fatal=SSH_FATAL,
    executable_hint=SSH_HINT,
)

SSH_OWN_HOST = TunnelPreset(
    name="ssh",
    argv=(
        "ssh",
        "-N",
        "-v",  # "remote forward success" is a debug1 line
        *SSH_OPTIONS,
        "{portopt}",
        "-R",
        "127.0.0.1:{rport}:127.0.0.1:{port}",
        "{dest}",
    ),
    url_source="configured",
    stream="stderr",
    ready=re.compile(r"remote forward success for: listen|Allocated port \d+ for remote forward"),
    allocated_port=re.compile(r"Allocated port (\d+) for remote forward"),
    fatal=SSH_FATAL,
    stable_url=True,
    executable_hint=SSH_HINT,
)

CUSTOM = TunnelPreset(name="custom", argv=(), url_source="regex", stream="both")
STATIC = TunnelPreset(
    name="static", argv=(), url_source="configured", stream="both", stable_url=True
)

PRESETS: dict[str, TunnelPreset] = {
    "ngrok": NGROK,
    "cloudflared": CLOUDFLARED,
    "localtunnel": LOCALTUNNEL,
    "bore": BORE,
    "tailscale": TAILSCALE,
    "pinggy": PINGGY,
}


class PresetError(ValueError):
    """The settings do not describe a runnable tunnel; the message says what to set."""


def preset_for(settings: TunnelSettings) -> TunnelPreset | None:
    """The preset for ``settings`` with the user's overrides applied; None for mode "none".

    ``tunnel.command`` replaces any preset's argv (a different path or extra flags) while
    the preset's parsing stays; ``tunnel.url_regex`` is tried before the preset's patterns.
    """
    mode = settings.mode
    if mode == "none":
        return None
    if mode == "static":
        if not settings.public_url:
            raise PresetError('tunnel.mode "static" needs tunnel.public_url')
        return replace(STATIC, configured_url=settings.public_url)
    if mode == "custom":
        preset = _custom(settings)
    elif mode == "ssh":
        preset = _ssh(settings)
    elif mode in PRESETS:
        preset = PRESETS[mode]
        if mode == "pinggy":
            dest = f"{settings.ssh_user}@a.pinggy.io" if settings.ssh_user else "a.pinggy.io"
            preset = replace(preset, values={"dest": dest})
    else:
        raise PresetError(f"unknown tunnel.mode {mode!r}")
    if settings.command:
        preset = replace(preset, argv=tuple(settings.command))
    if settings.url_regex and mode != "custom":
        preset = replace(
            preset,
            url_patterns=(re.compile(settings.url_regex), *preset.url_patterns),
            url_source=preset.url_source if preset.url_source != "configured" else "regex",
        )
    return preset


def _custom(settings: TunnelSettings) -> TunnelPreset:
    if not settings.command:
        raise PresetError('tunnel.mode "custom" needs tunnel.command (with {port})')
    if settings.url_regex:
        return replace(
            CUSTOM, argv=tuple(settings.command), url_patterns=(re.compile(settings.url_regex),)
        )
    if settings.public_url:
        return replace(
            CUSTOM,
            argv=tuple(settings.command),
            url_source="configured",
            configured_url=settings.public_url,
        )
    raise PresetError(
        'tunnel.mode "custom" needs tunnel.url_regex (to find the URL in the output) '
        "or tunnel.public_url (a fixed URL)"
    )


def split_ssh_host(spec: str) -> tuple[str, str | None]:
    """``host``, ``host:2222`` or ``[::1]:2222`` → (host, port or None)."""
    found = re.fullmatch(r"\[([^\]]+)\](?::(\d{1,5}))?|([^:\s]+)(?::(\d{1,5}))?", spec.strip())
    if not found:
        return spec.strip(), None
    return found.group(1) or found.group(3), found.group(2) or found.group(4)


def _ssh(settings: TunnelSettings) -> TunnelPreset:
    """serveo / localhost.run / sish banners, or the user's own host with a configured URL."""
    if not settings.ssh_host:
        raise PresetError('tunnel.mode "ssh" needs tunnel.ssh_host')
    host, port = split_ssh_host(settings.ssh_host)
    lowered = host.lower()
    if lowered == "localhost.run" or lowered.endswith(".localhost.run"):
        preset, user = LOCALHOST_RUN, settings.ssh_user or "nokey"
    elif settings.public_url:
        preset, user = SSH_OWN_HOST, settings.ssh_user
        preset = replace(preset, configured_url=settings.public_url)
    else:  # serveo.net and sish servers print "Forwarding HTTP traffic from …"
        preset, user = SERVEO, settings.ssh_user
    values = {
        "dest": f"{user}@{host}" if user else host,
        "portopt": f"-oPort={port}" if port else "",
        "rport": str(settings.ssh_remote_port or 0),
        "user": user or "",
        "host": host,
    }
    return replace(preset, values=values)


# --- rendering -------------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"\{(port|mport|rport|user|host|dest|portopt|api_addr)\}")


def render(template: str, values: Mapping[str, str]) -> str:
    """Fill known placeholders only: user templates may hold other braces (JSON, regexes)."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def render_argv(preset: TunnelPreset, values: Mapping[str, str]) -> list[str]:
    merged = {**preset.values, **values}
    argv = [render(a, merged) for a in preset.argv]
    return [a for a in argv if a != ""]  # an empty optional ({portopt}) disappears


def configured_url(preset: TunnelPreset, rport: int | None = None) -> str | None:
    if not preset.configured_url:
        return None
    values = dict(preset.values)
    if rport:
        values["rport"] = str(rport)
    return clean_url(render(preset.configured_url, values)) or None


# --- parsing ---------------------------------------------------------------------------------


def strip_ansi(text: str) -> str:
    return ANSI.sub("", text)


def clean_url(candidate: str, suffixes: tuple[str, ...] = ()) -> str | None:
    """``scheme://host[:port][/path]`` without query, fragment, credentials or trailing dots;
    None unless it is a plausible public base URL."""
    candidate = candidate.strip().rstrip(".,;:)]}>\"'")
    try:
        parts = urlsplit(candidate)
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").rstrip(".")
    if parts.scheme not in ("http", "https") or not host or "@" in parts.netloc:
        return None
    if not re.fullmatch(r"[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:.]+", host):
        return None
    if suffixes and not any(host.lower().endswith(s) for s in suffixes):
        return None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    path = parts.path.rstrip("/")
    return f"{parts.scheme}://{netloc}{path}"


def extract_url(preset: TunnelPreset, line: str) -> str | None:
    """The public URL one output line announces, or None. Pure, for tests and the supervisor."""
    return parse_line(preset, line).url


def parse_line(preset: TunnelPreset, raw: str) -> LineInfo:
    text = strip_ansi(raw[:MAX_LINE]).strip()
    info = LineInfo(text=text)
    if not text:
        return info
    hooked = _json_info(preset, text)
    if hooked is not None:
        info = replace(hooked, text=text)
    url = clean_url(info.url, preset.host_suffixes) if info.url else _pattern_url(preset, text)
    fatal = next((msg for pattern, msg in preset.fatal if pattern.search(text)), None)
    wait = max((s for pattern, s in preset.slow_down if pattern.search(text)), default=0.0)
    allocated = _allocated(preset, text)
    ready = info.ready or bool(preset.ready and preset.ready.search(text)) or url is not None
    return replace(
        info, url=url, fatal=fatal, wait_at_least=wait, allocated_port=allocated, ready=ready
    )


def _json_info(preset: TunnelPreset, text: str) -> LineInfo | None:
    if preset.json_hook is None or not text.startswith("{"):
        return None
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    return preset.json_hook(doc) if isinstance(doc, dict) else None


def _pattern_url(preset: TunnelPreset, text: str) -> str | None:
    for pattern in preset.url_patterns:
        for found in pattern.finditer(text):
            raw = found.group(1) if pattern.groups else found.group(0)
            if raw and "://" not in raw:
                raw = (
                    preset.url_format.format(raw) if preset.url_format != "{}" else f"https://{raw}"
                )
            url = clean_url(raw, preset.host_suffixes) if raw else None
            if url:
                return url
    return None


def _allocated(preset: TunnelPreset, text: str) -> int | None:
    if preset.allocated_port is None:
        return None
    found = preset.allocated_port.search(text)
    return int(found.group(1)) if found else None
