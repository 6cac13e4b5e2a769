"""Credential resolution: each level beats the next, CLI profile rules, keyring, no leaks."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends.null import Keyring as NullKeyring
from keyring.errors import KeyringLocked, NoKeyringError, PasswordDeleteError

from rostray.core.credentials import (
    CredentialError,
    Credentials,
    Resolution,
    delete_from_keyring,
    legacy_env_warning,
    mask_key_id,
    resolve,
    resolve_credentials,
    store_in_keyring,
)

ENV = {
    "ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIenvenvenvenv0001",
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "env-secret-value",
}
SECRET_MARKERS = ("env-secret-value", "profile-secret", "keyring-secret", "sts-token-value")


class MemoryKeyring(KeyringBackend):
    """A dict standing where the OS secret store would be."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


class LockedKeyring(KeyringBackend):
    """A Secret Service whose collection the user has not unlocked."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("Failed to unlock the collection!")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringLocked("Failed to unlock the collection!")


class NoKeyring(LockedKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise NoKeyringError("No recommended backend was available.")


class BrokenKeyring(LockedKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError("org.freedesktop.DBus.Error.ServiceUnknown")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "user"
    path.mkdir()
    return path


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    backend = MemoryKeyring()
    backend.set_password("rostray", "access-key-id", "LTAIkeyringkeyring02")
    backend.set_password("rostray", "LTAIkeyringkeyring02", "keyring-secret")
    return backend


def profile_entry(name: str, mode: str = "AK", **extra: str) -> dict[str, str]:
    entry = {
        "name": name,
        "mode": mode,
        "access_key_id": f"LTAI{name:0<16}"[:20],
        "access_key_secret": "profile-secret",
        "sts_token": "",
        "region_id": "cn-shanghai",
    }
    entry.update(extra)
    return entry


def write_cli_config(home: Path, profiles: list[dict[str, Any]], current: str = "default") -> Path:
    path = home / ".aliyun" / "config.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"current": current, "profiles": profiles, "meta_path": ""}))
    return path


def run(home: Path, environ: dict[str, str] | None = None, **kwargs: Any) -> Credentials | None:
    kwargs.setdefault("keyring_backend", MemoryKeyring())
    return resolve_credentials(environ=environ or {}, home=home, **kwargs)


# -- Credentials --------------------------------------------------------------------------------


def test_repr_and_str_never_show_secret_or_token() -> None:
    creds = Credentials(
        "LTAI5tAbCdEfGhIjabcd", "sts-secret", security_token="sts-token-value", source="env"
    )
    for text in (repr(creds), str(creds), f"{creds}", f"{creds!r}", repr([creds])):
        assert "sts-secret" not in text
        assert "sts-token-value" not in text
        assert "LTAI5tAbCdEfGhIjabcd" not in text
        assert "LTAI****abcd" in text
    assert str(creds) == "STS token LTAI****abcd (env)"
    assert repr(creds) == (
        "Credentials(access_key_id='LTAI****abcd', security_token=****, source='env', region=None)"
    )


def test_mask_key_id() -> None:
    assert mask_key_id("LTAI5tAbCdEfGhIjabcd") == "LTAI****abcd"
    assert mask_key_id("short1") == "****t1"
    assert mask_key_id("abc") == "****"


def test_credentials_need_id_and_secret() -> None:
    with pytest.raises(CredentialError, match="both an id and a secret"):
        Credentials("LTAI5tAbCdEfGhIjabcd", "")


# -- resolution order ---------------------------------------------------------------------------


def test_explicit_beats_env(home: Path, memory_keyring: MemoryKeyring) -> None:
    write_cli_config(home, [profile_entry("default")])
    explicit = Credentials("LTAIexplicitexplic03", "explicit-secret")
    assert run(home, ENV, explicit=explicit, keyring_backend=memory_keyring) is explicit


def test_env_beats_profile(home: Path, memory_keyring: MemoryKeyring) -> None:
    write_cli_config(home, [profile_entry("default")])
    creds = run(home, ENV, keyring_backend=memory_keyring)
    assert creds == Credentials("LTAIenvenvenvenv0001", "env-secret-value", source="env")


def test_profile_beats_keyring(home: Path, memory_keyring: MemoryKeyring) -> None:
    write_cli_config(home, [profile_entry("default")])
    creds = run(home, keyring_backend=memory_keyring)
    assert creds is not None
    assert creds.source == "profile:default"
    assert creds.access_key_secret == "profile-secret"
    assert creds.region == "cn-shanghai"
    assert creds.security_token is None


def test_keyring_is_last(home: Path, memory_keyring: MemoryKeyring) -> None:
    creds = run(home, keyring_backend=memory_keyring)
    assert creds == Credentials("LTAIkeyringkeyring02", "keyring-secret", source="keyring")


def test_nothing_found_means_sandbox(home: Path) -> None:
    result = resolve(environ={}, home=home, keyring_backend=MemoryKeyring())
    assert result == Resolution(credentials=None, warnings=[])
    assert result.use_sandbox


def test_without_a_backend_argument_the_global_keyring_is_used(
    home: Path, memory_keyring: MemoryKeyring
) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(memory_keyring)
    try:
        creds = resolve_credentials(environ={}, home=home)
    finally:
        keyring.set_keyring(previous)
    assert creds is not None and creds.source == "keyring"


def test_conftest_null_keyring_yields_nothing_and_no_warning(home: Path) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(NullKeyring())
    try:
        assert resolve(environ={}, home=home) == Resolution()
    finally:
        keyring.set_keyring(previous)


def test_missing_keyring_package(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    monkeypatch.setitem(sys.modules, "keyring", None)  # import keyring → ImportError
    assert resolve(environ={}, home=home) == Resolution()
    with pytest.raises(CredentialError, match=r"keyring package is not installed"):
        resolve(environ={}, home=home, mode="keyring")


def test_real_environment_and_home_are_the_defaults(
    monkeypatch: pytest.MonkeyPatch, home: Path
) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    creds = resolve_credentials(keyring_backend=MemoryKeyring())
    assert creds is not None and creds.source == "env"


def test_env_security_token(home: Path) -> None:
    env = {**ENV, "ALIBABA_CLOUD_SECURITY_TOKEN": "sts-token-value"}
    creds = run(home, env)
    assert creds is not None and creds.security_token == "sts-token-value"


@pytest.mark.parametrize(
    ("present", "missing"),
    [
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_ACCESS_KEY_ID"),
    ],
)
def test_half_set_env_is_an_error(home: Path, present: str, missing: str) -> None:
    with pytest.raises(CredentialError) as info:
        run(home, {present: ENV[present]})
    assert str(info.value) == f"{present} is set but {missing} is not; set both or neither"
    assert "env-secret-value" not in str(info.value)


def test_empty_env_values_count_as_unset(home: Path, memory_keyring: MemoryKeyring) -> None:
    env = {"ALIBABA_CLOUD_ACCESS_KEY_ID": "", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "  "}
    creds = run(home, env, keyring_backend=memory_keyring)
    assert creds is not None and creds.source == "keyring"


def test_token_without_keys_is_ignored_with_a_warning(home: Path) -> None:
    result = resolve(
        environ={"ALIBABA_CLOUD_SECURITY_TOKEN": "sts-token-value"},
        home=home,
        keyring_backend=MemoryKeyring(),
    )
    assert result.credentials is None
    assert [str(w) for w in result.warnings] == [
        "ALIBABA_CLOUD_SECURITY_TOKEN is set without "
        "ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET; ignored"
    ]


# -- modes --------------------------------------------------------------------------------------


def test_sandbox_mode_ignores_everything(home: Path, memory_keyring: MemoryKeyring) -> None:
    explicit = Credentials("LTAIexplicitexplic03", "explicit-secret")
    assert run(home, ENV, mode="sandbox", explicit=explicit) is None


def test_env_mode_skips_profile_and_keyring(home: Path, memory_keyring: MemoryKeyring) -> None:
    write_cli_config(home, [profile_entry("default")])
    with pytest.raises(CredentialError) as info:
        run(home, mode="env", keyring_backend=memory_keyring)
    assert str(info.value) == (
        'credentials mode is "env" but ALIBABA_CLOUD_ACCESS_KEY_ID and '
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET are not set"
    )
    creds = run(home, ENV, mode="env", keyring_backend=memory_keyring)
    assert creds is not None and creds.source == "env"


def test_profile_mode_skips_env_and_keyring(home: Path, memory_keyring: MemoryKeyring) -> None:
    write_cli_config(home, [profile_entry("default")])
    creds = run(home, ENV, mode="profile", keyring_backend=memory_keyring)
    assert creds is not None and creds.source == "profile:default"


def test_profile_mode_without_cli_config(home: Path) -> None:
    with pytest.raises(
        CredentialError, match=r"config\.json does not exist; run `aliyun configure`"
    ):
        run(home, ENV, mode="profile")


def test_keyring_mode_skips_env_and_profile(home: Path, memory_keyring: MemoryKeyring) -> None:
    write_cli_config(home, [profile_entry("default")])
    creds = run(home, ENV, mode="keyring", keyring_backend=memory_keyring)
    assert creds is not None and creds.source == "keyring"


def test_keyring_mode_with_empty_keyring(home: Path) -> None:
    with pytest.raises(CredentialError) as info:
        run(home, ENV, mode="keyring")
    assert str(info.value) == (
        'credentials mode is "keyring" but no AccessKey is stored in the system keyring'
    )


def test_keyring_mode_with_locked_keyring_says_why(home: Path) -> None:
    with pytest.raises(CredentialError, match="the system keyring is locked"):
        run(home, mode="keyring", keyring_backend=LockedKeyring())


def test_explicit_wins_in_restricted_modes(home: Path) -> None:
    explicit = Credentials("LTAIexplicitexplic03", "explicit-secret")
    assert run(home, mode="keyring", explicit=explicit) is explicit


def test_unknown_mode(home: Path) -> None:
    with pytest.raises(CredentialError, match='unknown credentials mode "vault"'):
        run(home, mode="vault")


# -- aliyun CLI profiles ------------------------------------------------------------------------


def test_profile_argument_wins_over_current_and_env(home: Path) -> None:
    write_cli_config(
        home, [profile_entry("default"), profile_entry("work"), profile_entry("ci")], "default"
    )
    creds = run(home, {"ALIBABA_CLOUD_PROFILE": "ci"}, profile="work")
    assert creds is not None and creds.source == "profile:work"


@pytest.mark.parametrize("current", ["", "default"])
def test_env_profile_applies_when_current_is_empty_or_default(home: Path, current: str) -> None:
    write_cli_config(home, [profile_entry("default"), profile_entry("ci")], current)
    creds = run(home, {"ALIBABA_CLOUD_PROFILE": "ci"})
    assert creds is not None and creds.source == "profile:ci"


def test_env_profile_ignored_when_current_is_set(home: Path) -> None:
    write_cli_config(home, [profile_entry("work"), profile_entry("ci")], "work")
    creds = run(home, {"ALIBABA_CLOUD_PROFILE": "ci"})
    assert creds is not None and creds.source == "profile:work"


def test_empty_current_means_default(home: Path) -> None:
    write_cli_config(home, [profile_entry("other"), profile_entry("default")], "")
    creds = run(home)
    assert creds is not None and creds.source == "profile:default"


def test_missing_named_profile_lists_available_names(home: Path) -> None:
    path = write_cli_config(home, [profile_entry("work"), profile_entry("default")])
    with pytest.raises(CredentialError) as info:
        run(home, profile="wrok")
    assert str(info.value) == (
        f'aliyun CLI profile "wrok" is not in {path} (available profiles: default, work)'
    )


def test_profile_argument_without_cli_config_is_an_error(home: Path) -> None:
    with pytest.raises(CredentialError, match="does not exist"):
        run(home, profile="work")


def test_missing_cli_config_is_not_an_error_in_auto_mode(home: Path) -> None:
    assert run(home) is None


def test_empty_placeholder_profile_falls_through(home: Path, memory_keyring: MemoryKeyring) -> None:
    blank = profile_entry("default", access_key_id="", access_key_secret="")
    write_cli_config(home, [blank])
    creds = run(home, keyring_backend=memory_keyring)
    assert creds is not None and creds.source == "keyring"
    with pytest.raises(CredentialError, match="has no access_key_id, access_key_secret"):
        run(home, profile="default")


def test_sts_token_profile(home: Path) -> None:
    entry = profile_entry("sts", "StsToken", sts_token="sts-token-value")
    write_cli_config(home, [entry], "sts")
    creds = run(home)
    assert creds is not None
    assert creds.security_token == "sts-token-value"
    assert creds.source == "profile:sts"


@pytest.mark.parametrize("mode", ["ak", "Ak", "AK", "ststoken", "STSTOKEN"])
def test_modes_are_case_insensitive(home: Path, mode: str) -> None:
    write_cli_config(home, [profile_entry("default", mode, sts_token="sts-token-value")])
    creds = run(home)
    assert creds is not None and creds.source == "profile:default"


def test_sts_profile_without_token(home: Path) -> None:
    path = write_cli_config(home, [profile_entry("default", "StsToken")])
    with pytest.raises(CredentialError) as info:
        run(home)
    assert str(info.value) == (
        f'aliyun CLI profile "default" (StsToken) in {path} has no sts_token; '
        "run `aliyun configure --profile default`"
    )


def test_profile_without_mode_but_with_keys_is_ak(home: Path) -> None:
    write_cli_config(home, [profile_entry("default", "")])
    creds = run(home)
    assert creds is not None and creds.security_token is None


def test_blank_region_is_none(home: Path) -> None:
    write_cli_config(home, [profile_entry("default", region_id="")])
    creds = run(home)
    assert creds is not None and creds.region is None


@pytest.mark.parametrize(
    "mode",
    [
        "RamRoleArn",
        "EcsRamRole",
        "ChainableRamRoleArn",
        "OIDC",
        "CloudSSO",
        "OAuth",
        "External",
        "CredentialsURI",
        "BearerToken",
        "Anonymous",
        "SomethingNew",
    ],
)
def test_unsupported_modes_name_the_mode_and_the_alternatives(home: Path, mode: str) -> None:
    write_cli_config(home, [profile_entry("default", mode)])
    with pytest.raises(CredentialError) as info:
        run(home)
    assert str(info.value) == (
        f'aliyun CLI profile "default" uses mode {mode}, which rostray cannot use (it only '
        "reads AK and StsToken profiles); use an AK or StsToken profile (aliyun configure "
        "--profile NAME --mode AK), set ALIBABA_CLOUD_ACCESS_KEY_ID and "
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET, or store an AccessKey in the system keyring"
    )
    assert "profile-secret" not in str(info.value)


def test_ecs_ram_role_without_keys_is_still_reported(home: Path) -> None:
    entry = {"name": "default", "mode": "EcsRamRole", "ram_role_name": "r", "region_id": "x"}
    write_cli_config(home, [entry])
    with pytest.raises(CredentialError, match="uses mode EcsRamRole"):
        run(home)


def test_corrupt_cli_config(home: Path) -> None:
    path = home / ".aliyun" / "config.json"
    path.parent.mkdir()
    path.write_text('{"current": "default",\n "profiles": [\n')
    with pytest.raises(CredentialError) as info:
        run(home)
    assert str(path) in str(info.value)
    assert "is not valid JSON (line 3)" in str(info.value)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[1, 2]", "is not a JSON object"),
        ('{"profiles": {"name": "x"}}', '"profiles" in the aliyun CLI config'),
        ('{"profiles": ["x"]}', "is not a list of objects"),
    ],
)
def test_malformed_cli_config(home: Path, content: str, expected: str) -> None:
    path = home / ".aliyun" / "config.json"
    path.parent.mkdir()
    path.write_text(content)
    with pytest.raises(CredentialError, match=expected) as info:
        run(home)
    assert str(path) in str(info.value)


def test_unreadable_cli_config(home: Path) -> None:
    path = home / ".aliyun" / "config.json"
    path.mkdir(parents=True)  # a directory where the file should be: reading fails
    with pytest.raises(CredentialError, match="cannot read the aliyun CLI config") as info:
        run(home)
    assert str(path) in str(info.value)


# -- keyring ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("backend", "expected"),
    [
        (
            LockedKeyring(),
            "the system keyring is locked, so its AccessKey was not used: "
            "Failed to unlock the collection!",
        ),
        (
            BrokenKeyring(),
            "the system keyring could not be read "
            "(RuntimeError: org.freedesktop.DBus.Error.ServiceUnknown)",
        ),
    ],
)
def test_unusable_keyring_is_nothing_plus_a_warning(
    home: Path, backend: KeyringBackend, expected: str
) -> None:
    result = resolve(environ={}, home=home, keyring_backend=backend)
    assert result.credentials is None
    assert [str(w) for w in result.warnings] == [expected]


def test_no_keyring_at_all_is_silent_in_auto_mode_and_an_error_when_asked_for(
    home: Path,
) -> None:
    result = resolve(environ={}, home=home, keyring_backend=NoKeyring())
    assert result.credentials is None and result.warnings == []
    with pytest.raises(CredentialError, match="no system keyring is available"):
        resolve(mode="keyring", environ={}, home=home, keyring_backend=NoKeyring())


def test_keyring_id_without_secret_warns(home: Path) -> None:
    backend = MemoryKeyring()
    backend.set_password("rostray", "access-key-id", "LTAIkeyringkeyring02")
    result = resolve(environ={}, home=home, keyring_backend=backend)
    assert result.credentials is None
    assert [str(w) for w in result.warnings] == [
        "the system keyring has AccessKey id LTAI****ng02 but no secret for it; "
        "store the AccessKey again"
    ]


def test_keyring_is_not_touched_when_an_earlier_source_wins(home: Path) -> None:
    assert run(home, ENV, keyring_backend=LockedKeyring()) is not None


def test_store_and_delete_round_trip(home: Path) -> None:
    backend = MemoryKeyring()
    store_in_keyring(Credentials("LTAIfirstfirstfirst1", "first-secret"), keyring_backend=backend)
    store_in_keyring(Credentials("LTAIsecondsecondsec2", "second-secret"), keyring_backend=backend)
    assert backend.entries == {
        ("rostray", "access-key-id"): "LTAIsecondsecondsec2",
        ("rostray", "LTAIsecondsecondsec2"): "second-secret",
    }  # the replaced key's secret is gone
    creds = run(home, keyring_backend=backend)
    assert creds == Credentials("LTAIsecondsecondsec2", "second-secret", source="keyring")
    assert delete_from_keyring(keyring_backend=backend) is True
    assert backend.entries == {}
    assert delete_from_keyring(keyring_backend=backend) is False


def test_store_refuses_sts_credentials() -> None:
    sts = Credentials("STS.abcdefghijkl", "s", security_token="sts-token-value")
    with pytest.raises(CredentialError, match="STS tokens expire"):
        store_in_keyring(sts, keyring_backend=MemoryKeyring())


def test_store_into_locked_keyring_is_actionable() -> None:
    with pytest.raises(CredentialError) as info:
        store_in_keyring(Credentials("LTAIfirstfirstfirst1", "x"), keyring_backend=LockedKeyring())
    assert "could not store the AccessKey: the system keyring is locked" in str(info.value)
    assert "unlock the keyring" in str(info.value)


def test_delete_from_locked_keyring_raises() -> None:
    with pytest.raises(CredentialError, match="could not delete the AccessKey"):
        delete_from_keyring(keyring_backend=LockedKeyring())


# -- legacy env vars ----------------------------------------------------------------------------


def test_legacy_env_warning() -> None:
    assert legacy_env_warning({}) is None
    assert legacy_env_warning({"ALIYUN_ACCESS_KEY_ID": "x"}) is None  # the SDK needs both
    warning = legacy_env_warning({"ALIYUN_ACCESS_KEY_ID": "x", "ALIYUN_ACCESS_KEY_SECRET": "y"})
    assert warning is not None
    assert str(warning).startswith("ALIYUN_ACCESS_KEY_ID and ALIYUN_ACCESS_KEY_SECRET are set")
    assert legacy_env_warning() is None  # conftest scrubbed the real environment


def test_legacy_env_warning_is_part_of_resolution(home: Path) -> None:
    env = {**ENV, "ALIYUN_ACCESS_KEY_ID": "x", "ALIYUN_ACCESS_KEY_SECRET": "y"}
    result = resolve(environ=env, home=home)
    assert result.credentials is not None
    assert len(result.warnings) == 1
    assert "ALIYUN_ACCESS_KEY_ID" in str(result.warnings[0])


# -- no leaks -----------------------------------------------------------------------------------


def test_secrets_never_in_any_error_or_warning(home: Path) -> None:
    messages: list[str] = []
    write_cli_config(home, [profile_entry("default", "RamRoleArn")])
    for kwargs in (
        {"environ": {"ALIBABA_CLOUD_ACCESS_KEY_SECRET": "env-secret-value"}},
        {"environ": {}},
        {"environ": {}, "profile": "nope"},
    ):
        with pytest.raises(CredentialError) as info:
            resolve(home=home, keyring_backend=MemoryKeyring(), **kwargs)  # type: ignore[arg-type]
        messages.append(str(info.value))
    for text in messages:
        assert not any(marker in text for marker in SECRET_MARKERS), text
