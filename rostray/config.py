"""Settings: dataclasses, one TOML file, validation that names the file, key and expectation.

The config file is user-edited input, so it is treated as hostile: every key is checked
against the dataclass field types (derived with ``typing.get_type_hints``, not hand-written
per field) plus a small table of enums, ranges and extra checks. Secrets are never stored
here; a secret-looking key is refused with a pointer to the keyring or environment.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import math
import os
import re
import stat
import sys
import tempfile
import tomllib
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs
import tomli_w

APP_NAME = "rostray"
CONFIG_FILENAME = "config.toml"

# -- settings -----------------------------------------------------------------------------------


@dataclass
class RosSettings:
    profile: str | None = None  # None: the aliyun CLI's current profile
    region: str = "cn-hangzhou"
    endpoint: str | None = None  # None: the real service, ros.aliyuncs.com
    credentials: str = "auto"  # auto|env|profile|keyring|sandbox


@dataclass
class ReceiverSettings:
    host: str = "127.0.0.1"
    port: int = 0  # 0: a free port
    max_body_bytes: int = 65536


@dataclass
class TunnelSettings:
    mode: str = "none"
    public_url: str | None = None  # for mode "static"
    command: list[str] | None = None  # for mode "custom"
    url_regex: str | None = None
    ssh_host: str | None = None
    ssh_user: str | None = None
    ssh_remote_port: int | None = None
    probe_interval_seconds: int = 300


@dataclass
class NotificationSettings:
    on_success: bool = True
    on_failure: bool = True
    max_outputs: int = 3
    paused_until: float | None = None  # epoch seconds


@dataclass
class TrackerSettings:
    poll_grace_seconds: float = 60.0  # first GetStack for a stack with no callback yet
    poll_max_interval_seconds: float = 300.0
    verify_retries: int = 3


@dataclass
class SandboxSettings:
    time_scale: float = 1.0
    state_file: str | None = None
    region: str = "cn-hangzhou"


@dataclass
class UiSettings:
    # start_at_login is deliberately absent: the autostart file is the only truth for it.
    language: str = "auto"


@dataclass
class Settings:
    """All settings. Each field whose type is a dataclass is one TOML section."""

    ros: RosSettings = field(default_factory=RosSettings)
    receiver: ReceiverSettings = field(default_factory=ReceiverSettings)
    tunnel: TunnelSettings = field(default_factory=TunnelSettings)
    notifications: NotificationSettings = field(default_factory=NotificationSettings)
    tracker: TrackerSettings = field(default_factory=TrackerSettings)
    sandbox: SandboxSettings = field(default_factory=SandboxSettings)
    ui: UiSettings = field(default_factory=UiSettings)
    # Not stored: the file these settings were loaded from (or would have been, when it did
    # not exist), so "save" writes back where "load" looked.
    source: Path | None = field(default=None, compare=False)
    source_exists: bool = field(default=False, compare=False)


# -- validation tables --------------------------------------------------------------------------

CREDENTIAL_MODES = ("auto", "env", "profile", "keyring", "sandbox")
TUNNEL_MODES = (
    "none",
    "static",
    "ngrok",
    "cloudflared",
    "localtunnel",
    "ssh",
    "bore",
    "tailscale",
    "pinggy",
    "custom",
)
LANGUAGES = ("auto", "en", "zh_CN")

CHOICES: dict[str, tuple[str, ...]] = {
    "ros.credentials": CREDENTIAL_MODES,
    "tunnel.mode": TUNNEL_MODES,
    "ui.language": LANGUAGES,
}

DAY = 86400
# Inclusive (minimum, maximum); None means unbounded on that side.
RANGES: dict[str, tuple[float | None, float | None]] = {
    "receiver.port": (0, 65535),
    "receiver.max_body_bytes": (1024, 16 * 1024 * 1024),
    "tunnel.ssh_remote_port": (1, 65535),
    "tunnel.probe_interval_seconds": (10, DAY),
    "notifications.max_outputs": (0, 20),
    "notifications.paused_until": (0, None),
    "tracker.poll_grace_seconds": (1, DAY),
    "tracker.poll_max_interval_seconds": (5, DAY),
    "tracker.verify_retries": (0, 20),
    "sandbox.time_scale": (0.0001, 1000),
}

# A key (of any section) that must be set when another key has a given value.
REQUIRED_WHEN: dict[tuple[str, str], str] = {
    ("tunnel.mode", "static"): "tunnel.public_url",
    ("tunnel.mode", "custom"): "tunnel.command",
    ("tunnel.mode", "ssh"): "tunnel.ssh_host",
}

SECRET_WORDS = ("secret", "password", "passwd", "token", "access_key", "accesskey")


def _check_regex(value: Any) -> str | None:
    try:
        re.compile(value)
    except re.error as exc:
        return f"not a valid regular expression: {exc}"
    return None


def _check_http_url(value: Any) -> str | None:
    if not re.match(r"^https?://[^/\s]+", value):
        return f'expected an http:// or https:// URL, got "{value}"'
    return None


# Extra per-key checks; each returns an error message or None.
CHECKS: dict[str, Callable[[Any], str | None]] = {
    "tunnel.url_regex": _check_regex,
    "tunnel.public_url": _check_http_url,
    "ros.endpoint": lambda v: None if not re.search(r"\s", v) else "must not contain spaces",
}


# -- errors -------------------------------------------------------------------------------------


class ConfigError(ValueError):
    """A config problem that names the file, the dotted key (if any) and what was expected."""

    def __init__(
        self, path: Path | str, key: str | None, message: str, *, line: int | None = None
    ) -> None:
        self.path = Path(path)
        self.key = key
        self.message = message
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.key if self.key else (f"line {self.line}" if self.line else None)
        return f"{self.path}: {where}: {self.message}" if where else f"{self.path}: {self.message}"


# -- paths --------------------------------------------------------------------------------------


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / CONFIG_FILENAME


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False, ensure_exists=True))


def state_dir() -> Path:
    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False, ensure_exists=True))


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False, ensure_exists=True))


def runtime_dir() -> Path:
    """Sockets and lock files. Without XDG_RUNTIME_DIR (Linux/BSD), use a private tmp dir.

    Older platformdirs return ``/run/user/<uid>`` even when it cannot exist, so the fallback is
    done here, with the ownership and mode checks a shared /tmp needs.
    """
    unix_xdg = os.name == "posix" and sys.platform != "darwin"
    if unix_xdg and not os.environ.get("XDG_RUNTIME_DIR"):
        return _private_tmp_dir(Path(tempfile.gettempdir()) / f"{APP_NAME}-{os.getuid()}")
    return Path(platformdirs.user_runtime_dir(APP_NAME, appauthor=False, ensure_exists=True))


def _private_tmp_dir(path: Path) -> Path:
    """Create or accept a 0700 dir we own; refuse one another user planted in /tmp."""
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=0o700)
    info = path.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        raise PermissionError(f"{path} is not a directory owned by the current user")
    if stat.S_IMODE(info.st_mode) & 0o077:
        path.chmod(0o700)
    return path


# -- load ---------------------------------------------------------------------------------------


def load_settings(path: Path | None = None) -> Settings:
    """Read settings from ``path`` (default: the per-user config file); missing → defaults."""
    path = Path(path) if path is not None else default_config_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings(source=path, source_exists=False)
    except OSError as exc:
        raise ConfigError(path, None, f"cannot read the file: {exc.strerror or exc}") from exc
    document = _parse_toml(path, raw)
    settings = settings_from_dict(document, path)
    settings.source, settings.source_exists = path, True
    return settings


def _parse_toml(path: Path, raw: bytes) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(path, None, f"not UTF-8 text (byte {exc.start})") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        line = int(found.group(1)) if found else None
        raise ConfigError(path, None, f"not valid TOML: {exc}", line=line) from exc


def settings_from_dict(document: Mapping[str, Any], path: Path | str = CONFIG_FILENAME) -> Settings:
    """Validate a parsed document and build Settings; ``path`` only labels the errors."""
    path = Path(path)
    sections = _section_types()
    built: dict[str, Any] = {}
    _refuse_secrets(path, document)  # first, so a pasted AccessKey gets the right message
    for name, value in document.items():
        if name not in sections:
            raise ConfigError(path, name, _unknown_section(name, sections))
        if not isinstance(value, dict):
            raise ConfigError(path, name, f"expected a table [{name}], got {_show(value)}")
        built[name] = _build_section(path, name, sections[name], value)
    settings = Settings(**built)
    _check_required(path, settings)
    return settings


def _section_types() -> dict[str, type]:
    hints = typing.get_type_hints(Settings)
    return {
        f.name: hints[f.name]
        for f in dataclasses.fields(Settings)
        if dataclasses.is_dataclass(hints[f.name])
    }


def _build_section(path: Path, section: str, cls: type, table: Mapping[str, Any]) -> Any:
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for key, value in table.items():
        dotted = f"{section}.{key}"
        if key not in hints:
            raise ConfigError(path, dotted, _unknown_key(section, key, list(hints)))
        values[key] = _check_value(path, dotted, hints[key], value)
    return cls(**values)


def _refuse_secrets(path: Path, table: Mapping[str, Any], prefix: str = "") -> None:
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if any(word in key.lower().replace("-", "_") for word in SECRET_WORDS):
            raise ConfigError(
                path,
                dotted,
                "credentials are never read from the config file; store the AccessKey in the "
                "system keyring, an aliyun CLI profile, or the ALIBABA_CLOUD_ACCESS_KEY_ID / "
                "ALIBABA_CLOUD_ACCESS_KEY_SECRET environment variables, and remove this key",
            )
        if isinstance(value, dict):
            _refuse_secrets(path, value, f"{dotted}.")


def _unknown_section(name: str, sections: Mapping[str, type]) -> str:
    message = "unknown section"
    guess = difflib.get_close_matches(name, list(sections), n=1)
    if guess:
        return f'{message} (did you mean "{guess[0]}"?)'
    # A bare key at the top level: say which section it belongs to.
    owners = [s for s, cls in sections.items() if name in typing.get_type_hints(cls)]
    if owners:
        return f'{message} (did you mean "{owners[0]}.{name}", under [{owners[0]}]?)'
    return f"{message}; known sections: {', '.join(sections)}"


def _unknown_key(section: str, key: str, known: list[str]) -> str:
    guess = difflib.get_close_matches(key, known, n=1)
    if guess:
        return f'unknown key (did you mean "{section}.{guess[0]}"?)'
    return f"unknown key; known keys in [{section}]: {', '.join(known)}"


# -- value checks -------------------------------------------------------------------------------


def _check_value(path: Path, dotted: str, hint: Any, value: Any) -> Any:
    """Type first (from the field's annotation), then the enum/range/extra tables."""
    value = _coerce(path, dotted, hint, value)
    if value is None:
        return None
    if dotted in CHOICES and value not in CHOICES[dotted]:
        allowed = ", ".join(f'"{c}"' for c in CHOICES[dotted])
        hint = _closest(value, CHOICES[dotted])
        raise ConfigError(path, dotted, f"expected one of {allowed}, got {_show(value)}{hint}")
    if dotted in RANGES:
        _check_range(path, dotted, value, *RANGES[dotted])
    if dotted in CHECKS and (problem := CHECKS[dotted](value)):
        raise ConfigError(path, dotted, problem)
    return value


def _coerce(path: Path, dotted: str, hint: Any, value: Any) -> Any:
    """Match ``value`` against ``hint``; ints are accepted for floats, bools never for ints."""
    options = [h for h in typing.get_args(hint) if h is not type(None)] if _is_union(hint) else []
    target = options[0] if len(options) == 1 else hint
    if value is None and options:
        return None
    ok, converted = _matches(target, value)
    if not ok:
        raise ConfigError(path, dotted, f"expected {_describe(target)}, got {_show(value)}")
    if isinstance(converted, float) and not math.isfinite(converted):
        raise ConfigError(path, dotted, f"expected a finite number, got {_show(value)}")
    if isinstance(converted, str) and not converted.strip():
        raise ConfigError(
            path, dotted, "expected a non-empty string (remove the key for the default)"
        )
    return converted


def _is_union(hint: Any) -> bool:
    return typing.get_origin(hint) in (typing.Union, types.UnionType)


def _matches(target: Any, value: Any) -> tuple[bool, Any]:
    if target is bool:
        return isinstance(value, bool), value
    if target is int:
        return isinstance(value, int) and not isinstance(value, bool), value
    if target is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return ok, float(value) if ok else value
    if target is str:
        return isinstance(value, str), value
    if typing.get_origin(target) is list:
        (item,) = typing.get_args(target)
        if not isinstance(value, list) or not value:
            return False, value
        results = [_matches(item, v) for v in value]
        return all(ok for ok, _ in results), [v for _, v in results]
    raise TypeError(f"unsupported settings type {target!r}")  # a programming error


def _describe(target: Any) -> str:
    if typing.get_origin(target) is list:
        return f"a non-empty list of {_describe(typing.get_args(target)[0])[2:]}s"
    names = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}
    return names.get(target, str(target))


def _show(value: Any) -> str:
    """A value as the user wrote it in TOML (shortened), so the message points at their text."""
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        text = "[" + ", ".join(_show(v) for v in value) + "]"
    else:
        try:
            text = tomli_w.dumps({"v": value}).split("=", 1)[1].strip()
        except (TypeError, ValueError):
            text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _closest(value: str, choices: tuple[str, ...]) -> str:
    """A case-insensitive near miss ("ngrokk", "zh_cn"), not any vaguely similar word."""
    lowered = {c.lower(): c for c in choices}
    guess = difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.75)
    return f' (did you mean "{lowered[guess[0]]}"?)' if guess else ""


def _check_range(
    path: Path, dotted: str, value: float, low: float | None, high: float | None
) -> None:
    if (low is not None and value < low) or (high is not None and value > high):
        if high is None:
            bounds = f"at least {_num(low)}"
        elif low is None:
            bounds = f"at most {_num(high)}"
        else:
            bounds = f"between {_num(low)} and {_num(high)}"
        kind = "an integer" if isinstance(value, int) else "a number"
        raise ConfigError(path, dotted, f"expected {kind} {bounds}, got {_show(value)}")


def _num(value: float | None) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _check_required(path: Path, settings: Settings) -> None:
    for (key, expected), needed in REQUIRED_WHEN.items():
        if _get(settings, key) == expected and _get(settings, needed) is None:
            raise ConfigError(path, needed, f'required when {key} = "{expected}"')


def _get(settings: Settings, dotted: str) -> Any:
    section, key = dotted.split(".", 1)
    return getattr(getattr(settings, section), key)


# -- save ---------------------------------------------------------------------------------------

HEADER = (
    "# rostray settings. Written by rostray; comments are not kept.\n"
    "# Secrets never go here: use the system keyring, an aliyun CLI profile or env variables.\n"
)


def settings_to_dict(settings: Settings) -> dict[str, dict[str, Any]]:
    """Only values that differ from the defaults, so later default changes reach the user."""
    defaults = Settings()
    document: dict[str, dict[str, Any]] = {}
    for name in _section_types():
        current, default = getattr(settings, name), getattr(defaults, name)
        table = {
            f.name: getattr(current, f.name)
            for f in dataclasses.fields(current)
            if getattr(current, f.name) is not None
            and getattr(current, f.name) != getattr(default, f.name)
        }
        if table:
            document[name] = table
    return document


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Validate, then write atomically with mode 0600; returns the path written."""
    path = Path(path) if path is not None else settings.source or default_config_path()
    document = settings_to_dict(settings)
    settings_from_dict(document, path)  # refuse to write what load would refuse
    text = HEADER + tomli_w.dumps(document)
    target = path.resolve() if path.is_symlink() else path
    _atomic_write(target, text.encode("utf-8"))
    settings.source, settings.source_exists = path, True
    return path


def _atomic_write(path: Path, data: bytes) -> None:
    """Temp file in the same directory + fsync + rename: a crash leaves old or new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.chmod(tmp_name, 0o600)  # mkstemp already uses 0600; be explicit for umask quirks
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
