"""Where rostray's AccessKey comes from: explicit > env > aliyun CLI profile > keyring.

Nothing found means "use the embedded sandbox", so ``None`` is a normal answer; a source that
is present but broken (half-set env vars, a corrupt CLI config, an unsupported profile mode)
is an error, because silently falling through to a different account would be worse.

Everything here may block (the keyring can talk to D-Bus and prompt): call it off the event
loop. Secrets never appear in ``repr``/``str`` or in error and warning messages.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rostray.core.i18n import Text, deferred

KEYRING_SERVICE = "rostray"
KEYRING_ID_USER = "access-key-id"  # the secret is stored under username = the AccessKey id
ENV_ID = "ALIBABA_CLOUD_ACCESS_KEY_ID"
ENV_SECRET = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
ENV_TOKEN = "ALIBABA_CLOUD_SECURITY_TOKEN"
ENV_PROFILE = "ALIBABA_CLOUD_PROFILE"
LEGACY_ENV = ("ALIYUN_ACCESS_KEY_ID", "ALIYUN_ACCESS_KEY_SECRET")
MODES = ("auto", "env", "profile", "keyring", "sandbox")
SUPPORTED_PROFILE_MODES = ("ak", "ststoken")
KEY_FIELDS = ("access_key_id", "access_key_secret", "sts_token")
ALTERNATIVES = (
    "use an AK or StsToken profile (aliyun configure --profile NAME --mode AK), set "
    f"{ENV_ID} and {ENV_SECRET}, or store an AccessKey in the system keyring"
)


class CredentialError(Exception):
    """A credential source exists but cannot be used; the message says what to do."""


def mask_key_id(key_id: str) -> str:
    """``LTAI5tAbCdEfGhIjabcd`` → ``LTAI****abcd``: enough to recognise, not to use."""
    if len(key_id) >= 12:
        return f"{key_id[:4]}****{key_id[-4:]}"
    return f"****{key_id[-2:]}" if len(key_id) >= 6 else "****"


@dataclass(frozen=True, repr=False)
class Credentials:
    access_key_id: str
    access_key_secret: str = field(repr=False)
    security_token: str | None = field(default=None, repr=False)
    source: str = "explicit"  # "explicit" | "env" | "profile:<name>" | "keyring"
    region: str | None = None  # from a CLI profile's region_id

    def __post_init__(self) -> None:
        if not self.access_key_id or not self.access_key_secret:
            raise CredentialError(f"{self.source} credentials need both an id and a secret")

    @property
    def masked_id(self) -> str:
        return mask_key_id(self.access_key_id)

    def __repr__(self) -> str:
        sts = ", security_token=****" if self.security_token else ""
        return (
            f"Credentials(access_key_id={self.masked_id!r}{sts}, "
            f"source={self.source!r}, region={self.region!r})"
        )

    def __str__(self) -> str:
        kind = "STS token" if self.security_token else "AccessKey"
        return f"{kind} {self.masked_id} ({self.source})"


@dataclass
class Resolution:
    """What resolve() found, plus warnings for the UI (locked keyring, legacy env vars)."""

    credentials: Credentials | None = None
    warnings: list[Text] = field(default_factory=list)  # str() is English

    @property
    def use_sandbox(self) -> bool:
        return self.credentials is None


# -- resolution ---------------------------------------------------------------------------------


def resolve_credentials(
    *,
    explicit: Credentials | None = None,
    mode: str = "auto",
    profile: str | None = None,
    environ: Mapping[str, str] | None = None,
    home: Path | None = None,
    keyring_backend: Any | None = None,
) -> Credentials | None:
    """The credentials to use, or None for the sandbox. See :func:`resolve` for warnings."""
    return resolve(
        explicit=explicit,
        mode=mode,
        profile=profile,
        environ=environ,
        home=home,
        keyring_backend=keyring_backend,
    ).credentials


def resolve(
    *,
    explicit: Credentials | None = None,
    mode: str = "auto",
    profile: str | None = None,
    environ: Mapping[str, str] | None = None,
    home: Path | None = None,
    keyring_backend: Any | None = None,
) -> Resolution:
    """Walk the sources for ``mode``; "auto" tries them all, the others exactly one.

    ``explicit`` wins in every mode but "sandbox", which always answers None.
    """
    if mode not in MODES:
        raise CredentialError(
            f'unknown credentials mode "{mode}"; expected one of {", ".join(MODES)}'
        )
    env = os.environ if environ is None else environ
    result = Resolution()
    if mode == "sandbox":
        return result
    if explicit is not None:
        result.credentials = explicit
    elif mode in ("auto", "env"):
        result.credentials = from_env(env, result.warnings)
    if result.credentials is None and mode in ("auto", "profile"):
        result.credentials = from_cli_profile(
            profile, env, home, required=mode == "profile" or profile is not None
        )
    if result.credentials is None and mode in ("auto", "keyring"):
        result.credentials = from_keyring(
            keyring_backend, result.warnings, required=mode == "keyring"
        )
    if result.credentials is None and mode != "auto":
        raise CredentialError(_nothing_found(mode, result.warnings))
    if result.credentials is not None and (legacy := legacy_env_warning(env)):
        result.warnings.append(legacy)
    return result


def _nothing_found(mode: str, warnings: list[Text]) -> str:
    reason = f" ({'; '.join(map(str, warnings))})" if warnings else ""
    where = {
        "env": f"{ENV_ID} and {ENV_SECRET} are not set",
        "profile": "no usable aliyun CLI profile was found",
        "keyring": "no AccessKey is stored in the system keyring",
    }[mode]
    return f'credentials mode is "{mode}" but {where}{reason}'


# -- environment --------------------------------------------------------------------------------


def from_env(environ: Mapping[str, str], warnings: list[Text] | None = None) -> Credentials | None:
    """ALIBABA_CLOUD_* variables; exactly one of id/secret set is a mistake worth stopping on."""
    key_id, secret, token = (environ.get(n, "").strip() for n in (ENV_ID, ENV_SECRET, ENV_TOKEN))
    if not key_id and not secret:
        if token and warnings is not None:
            warnings.append(
                deferred.translate(
                    "Engine", "{token} is set without {id}/{secret}; ignored"
                ).format(token=ENV_TOKEN, id=ENV_ID, secret=ENV_SECRET)
            )
        return None
    if not (key_id and secret):
        present, missing = (ENV_ID, ENV_SECRET) if key_id else (ENV_SECRET, ENV_ID)
        raise CredentialError(f"{present} is set but {missing} is not; set both or neither")
    return Credentials(key_id, secret, security_token=token or None, source="env")


def legacy_env_warning(environ: Mapping[str, str] | None = None) -> Text | None:
    """The V1 SDK signs with ALIYUN_ACCESS_KEY_ID/SECRET instead of our credential objects."""
    env = os.environ if environ is None else environ
    if all(name in env for name in LEGACY_ENV):
        return deferred.translate(
            "Engine",
            "ALIYUN_ACCESS_KEY_ID and ALIYUN_ACCESS_KEY_SECRET are set; the Alibaba Cloud SDK "
            "may sign requests with them instead of the credentials rostray chose. Unset them "
            "(use {id} and {secret} instead)",
        ).format(id=ENV_ID, secret=ENV_SECRET)
    return None


# -- aliyun CLI profile -------------------------------------------------------------------------


def cli_config_path(home: Path | None = None) -> Path:
    return (home if home is not None else Path.home()) / ".aliyun" / "config.json"


def from_cli_profile(
    profile: str | None,
    environ: Mapping[str, str],
    home: Path | None = None,
    *,
    required: bool = False,
) -> Credentials | None:
    """AK and StsToken profiles from ~/.aliyun/config.json; other modes need a refresher."""
    path = cli_config_path(home)
    config = _read_cli_config(path)
    if config is None:
        if required:
            raise CredentialError(
                f"{path} does not exist; run `aliyun configure` or {ALTERNATIVES}"
            )
        return None
    profiles = _profiles_by_name(path, config)
    name, requested = _select_profile(config, profile, environ)
    if name not in profiles:
        if not profiles and not (requested or required):
            return None
        names = ", ".join(sorted(profiles)) or "none"
        raise CredentialError(
            f'aliyun CLI profile "{name}" is not in {path} (available profiles: {names})'
        )
    entry = profiles[name]
    if not (requested or required) and _is_placeholder(entry):
        return None  # the CLI's empty placeholder profile: not configured, not an error
    return _profile_credentials(path, name, entry)


def _read_cli_config(path: Path) -> dict[str, Any] | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise CredentialError(f"cannot read the aliyun CLI config {path}: {exc}") from exc
    try:
        config = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CredentialError(
            f"the aliyun CLI config {path} is not valid JSON (line {exc.lineno}): {exc.msg}; "
            "fix it or run `aliyun configure`"
        ) from exc
    if not isinstance(config, dict):
        raise CredentialError(f"the aliyun CLI config {path} is not a JSON object")
    return config


def _profiles_by_name(path: Path, config: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    profiles = config.get("profiles") or []
    if not isinstance(profiles, list) or not all(isinstance(p, dict) for p in profiles):
        raise CredentialError(
            f'"profiles" in the aliyun CLI config {path} is not a list of objects'
        )
    return {str(p.get("name", "")): p for p in profiles}


def _select_profile(
    config: Mapping[str, Any], profile: str | None, environ: Mapping[str, str]
) -> tuple[str, bool]:
    """(name, explicitly requested): argument > ALIBABA_CLOUD_PROFILE (only when the CLI's
    current is empty or "default", as the CLI itself does) > current > "default"."""
    if profile:
        return profile, True
    current = str(config.get("current") or "")
    env_profile = environ.get(ENV_PROFILE, "").strip()
    if env_profile and current in ("", "default"):
        return env_profile, True
    return current or "default", False


def _is_placeholder(entry: Mapping[str, Any]) -> bool:
    mode = str(entry.get("mode") or "").lower()
    return mode in ("", "ak") and not any(_text(entry.get(k)) for k in KEY_FIELDS)


def _profile_credentials(path: Path, name: str, entry: Mapping[str, Any]) -> Credentials:
    mode = str(entry.get("mode") or "")
    fields = {k: _text(entry.get(k)) for k in KEY_FIELDS}
    if not mode and fields["access_key_id"]:
        mode = "AK"  # configs written by old CLI versions have no mode
    if mode.lower() not in SUPPORTED_PROFILE_MODES:
        shown = f"mode {mode}" if mode else "no mode"
        raise CredentialError(
            f'aliyun CLI profile "{name}" uses {shown}, which rostray cannot use (it only '
            f"reads AK and StsToken profiles); {ALTERNATIVES}"
        )
    needed = ["access_key_id", "access_key_secret"]
    if mode.lower() == "ststoken":
        needed.append("sts_token")
    missing = [k for k in needed if not fields[k]]
    if missing:
        raise CredentialError(
            f'aliyun CLI profile "{name}" ({mode}) in {path} has no {", ".join(missing)}; '
            f"run `aliyun configure --profile {name}`"
        )
    return Credentials(
        fields["access_key_id"],
        fields["access_key_secret"],
        security_token=fields["sts_token"] if mode.lower() == "ststoken" else None,
        source=f"profile:{name}",
        region=_text(entry.get("region_id")) or None,
    )


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


# -- keyring ------------------------------------------------------------------------------------


def _backend(keyring_backend: Any | None) -> Any:
    """The given backend, or keyring's chosen one; imported lazily (it is an optional extra)."""
    if keyring_backend is not None:
        return keyring_backend
    try:
        import keyring
    except ImportError as exc:
        raise CredentialError(
            "the keyring package is not installed (pip install 'rostray[gui]'); "
            f"set {ENV_ID} and {ENV_SECRET} or use an aliyun CLI profile instead"
        ) from exc
    return keyring.get_keyring()


def _keyring_problem(exc: Exception) -> Text:
    """``str()`` is English (error messages); the warnings list shows it translated."""
    kind = type(exc).__name__
    detail = f": {exc}" if str(exc) else ""
    if kind == "KeyringLocked":
        text = deferred.translate(
            "Engine", "the system keyring is locked, so its AccessKey was not used{detail}"
        )
    elif kind == "NoKeyringError":
        text = deferred.translate("Engine", "no system keyring is available{detail}")
    else:
        text = deferred.translate("Engine", "the system keyring could not be read ({kind}{detail})")
    return text.format(kind=kind, detail=detail)


def from_keyring(
    keyring_backend: Any | None = None,
    warnings: list[Text] | None = None,
    *,
    required: bool = False,
) -> Credentials | None:
    """Read lazily; a locked/missing/broken keyring is "nothing here" plus a warning."""
    try:
        backend = _backend(keyring_backend)
    except CredentialError:
        if required:
            raise
        return None
    try:
        key_id = backend.get_password(KEYRING_SERVICE, KEYRING_ID_USER)
        secret = backend.get_password(KEYRING_SERVICE, key_id) if key_id else None
    except Exception as exc:  # backends raise KeyringError and also raw D-Bus errors
        # No keyring at all is normal (headless, CI, minimal desktops): only say so when the
        # user asked for the keyring. A locked or broken one is worth a warning.
        if warnings is not None and (required or type(exc).__name__ != "NoKeyringError"):
            warnings.append(_keyring_problem(exc))
        if required:
            raise CredentialError(str(_keyring_problem(exc))) from None
        return None
    if key_id and not secret:
        if warnings is not None:
            warnings.append(
                deferred.translate(
                    "Engine",
                    "the system keyring has AccessKey id {key_id} but no secret for it; store "
                    "the AccessKey again",
                ).format(key_id=mask_key_id(key_id))
            )
        return None
    return Credentials(key_id, secret, source="keyring") if key_id else None


def store_in_keyring(creds: Credentials, *, keyring_backend: Any | None = None) -> None:
    """Secret first, then the id that points at it, then drop a replaced key's secret."""
    if creds.security_token:
        raise CredentialError(
            "STS tokens expire, so they are not stored in the keyring; store a long-lived "
            "AccessKey, or use an aliyun CLI StsToken profile or environment variables"
        )
    backend = _backend(keyring_backend)
    try:
        previous = backend.get_password(KEYRING_SERVICE, KEYRING_ID_USER)
        backend.set_password(KEYRING_SERVICE, creds.access_key_id, creds.access_key_secret)
        backend.set_password(KEYRING_SERVICE, KEYRING_ID_USER, creds.access_key_id)
        if previous and previous != creds.access_key_id:
            _delete_quietly(backend, previous)
    except Exception as exc:
        raise CredentialError(
            f"could not store the AccessKey: {_keyring_problem(exc)}; unlock the keyring, "
            f"or set {ENV_ID} and {ENV_SECRET} or use an aliyun CLI profile instead"
        ) from exc


def delete_from_keyring(*, keyring_backend: Any | None = None) -> bool:
    """Forget the stored AccessKey; True if there was one."""
    backend = _backend(keyring_backend)
    try:
        key_id = backend.get_password(KEYRING_SERVICE, KEYRING_ID_USER)
        if not key_id:
            return False
        _delete_quietly(backend, key_id)
        _delete_quietly(backend, KEYRING_ID_USER)
    except Exception as exc:
        raise CredentialError(f"could not delete the AccessKey: {_keyring_problem(exc)}") from exc
    return True


def _delete_quietly(backend: Any, username: str) -> None:
    """Deleting what is already gone is fine; other keyring errors propagate."""
    from keyring.errors import PasswordDeleteError

    with contextlib.suppress(PasswordDeleteError):
        backend.delete_password(KEYRING_SERVICE, username)
