"""Settings: defaults, round trips, and every kind of config error with its exact message."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from rostray import config
from rostray.config import (
    ConfigError,
    Settings,
    default_config_path,
    load_settings,
    save_settings,
    settings_from_dict,
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_for(tmp_path: Path, text: str) -> ConfigError:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    return info.value


def message(tmp_path: Path, text: str) -> str:
    """The error text after the path, so assertions read like the user sees them."""
    err = error_for(tmp_path, text)
    prefix = f"{tmp_path / 'config.toml'}: "
    assert str(err).startswith(prefix)
    return str(err)[len(prefix) :]


# -- defaults and paths -------------------------------------------------------------------------


def test_missing_file_gives_defaults_and_remembers_where_it_looked(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    settings = load_settings(path)
    assert settings == Settings()
    assert settings.source == path
    assert settings.source_exists is False
    assert settings.ros.region == "cn-hangzhou"
    assert settings.ros.credentials == "auto"
    assert settings.receiver.port == 0
    assert settings.receiver.max_body_bytes == 65536
    assert settings.tunnel.mode == "none"
    assert settings.tunnel.probe_interval_seconds == 300
    assert settings.notifications.max_outputs == 3
    assert settings.tracker.poll_grace_seconds == 60.0
    assert settings.ui.language == "auto"


def test_default_path_is_under_xdg_config_home() -> None:
    path = default_config_path()
    assert path == Path(os.environ["XDG_CONFIG_HOME"]) / "rostray" / "config.toml"
    assert load_settings().source == path


def test_directory_helpers_create_dirs_under_the_temporary_home() -> None:
    home = Path(os.environ["HOME"])
    for helper in (config.data_dir, config.state_dir, config.log_dir):
        directory = helper()
        assert directory.is_dir()
        assert home in directory.parents
        assert "rostray" in directory.parts


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="XDG runtime dir is Linux/BSD")
def test_runtime_dir_falls_back_to_private_tmp_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setattr(config.tempfile, "gettempdir", lambda: str(tmp_path))
    directory = config.runtime_dir()
    assert directory == tmp_path / f"rostray-{os.getuid()}"
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="XDG runtime dir is Linux/BSD")
def test_runtime_dir_tightens_a_loose_fallback_and_refuses_a_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setattr(config.tempfile, "gettempdir", lambda: str(tmp_path))
    loose = tmp_path / f"rostray-{os.getuid()}"
    loose.mkdir(mode=0o755)
    loose.chmod(0o755)
    assert stat.S_IMODE(config.runtime_dir().stat().st_mode) == 0o700
    loose.rmdir()
    loose.write_text("planted")
    with pytest.raises(PermissionError):
        config.runtime_dir()


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="XDG runtime dir is Linux/BSD")
def test_runtime_dir_uses_xdg_runtime_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    runtime = tmp_path / "xdg-runtime"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    assert config.runtime_dir() == runtime / "rostray"


# -- round trip and file handling ---------------------------------------------------------------


def test_round_trip(tmp_path: Path) -> None:
    settings = Settings()
    settings.ros.profile = "work"
    settings.ros.credentials = "profile"
    settings.receiver.port = 8765
    settings.tunnel.mode = "custom"
    settings.tunnel.command = ["my-tunnel", "--port", "{port}"]
    settings.tunnel.url_regex = r"https://\S+"
    settings.notifications.on_success = False
    settings.notifications.paused_until = 1_700_000_000.5
    settings.tracker.poll_grace_seconds = 12.5
    settings.sandbox.time_scale = 0.5
    settings.ui.language = "zh_CN"
    path = tmp_path / "sub" / "dir" / "config.toml"

    assert save_settings(settings, path) == path
    loaded = load_settings(path)

    assert loaded == settings
    assert loaded.source == path
    assert loaded.source_exists is True


def test_save_writes_only_changed_values_and_a_header(tmp_path: Path) -> None:
    settings = Settings()
    settings.receiver.port = 9000
    path = save_settings(settings, tmp_path / "config.toml")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# rostray settings")
    assert "[receiver]\nport = 9000\n" in text
    assert "[ros]" not in text
    assert "region" not in text


def test_saved_file_is_private_and_no_temp_files_remain(tmp_path: Path) -> None:
    path = save_settings(Settings(), tmp_path / "conf" / "config.toml")
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == ["config.toml"]


def test_save_replaces_an_existing_file_keeping_0600(tmp_path: Path) -> None:
    path = write(tmp_path, "[ui]\nlanguage = 'en'\n")
    path.chmod(0o644)
    settings = load_settings(path)
    settings.ui.language = "zh_CN"
    save_settings(settings)  # back to where it was loaded from
    assert load_settings(path).ui.language == "zh_CN"
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_save_defaults_to_the_default_path() -> None:
    written = save_settings(Settings())
    assert written == default_config_path()
    assert written.is_file()


def test_save_refuses_invalid_settings_and_leaves_the_file_alone(tmp_path: Path) -> None:
    path = write(tmp_path, "[receiver]\nport = 1\n")
    settings = load_settings(path)
    settings.receiver.port = 70000
    with pytest.raises(ConfigError, match=r"receiver\.port"):
        save_settings(settings)
    assert path.read_text(encoding="utf-8") == "[receiver]\nport = 1\n"


def test_ints_are_accepted_for_floats(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, "[tracker]\npoll_grace_seconds = 5\n"))
    assert settings.tracker.poll_grace_seconds == 5.0
    assert isinstance(settings.tracker.poll_grace_seconds, float)


def test_empty_file_and_empty_sections_are_defaults(tmp_path: Path) -> None:
    assert load_settings(write(tmp_path, "")) == Settings()
    assert load_settings(write(tmp_path, "[ros]\n[ui]\n")) == Settings()


# -- errors -------------------------------------------------------------------------------------


def test_error_str_shape() -> None:
    err = ConfigError(Path("config.toml"), "ros.region", "expected a string, got 42")
    assert str(err) == "config.toml: ros.region: expected a string, got 42"
    assert (err.path, err.key, err.message) == (
        Path("config.toml"),
        "ros.region",
        "expected a string, got 42",
    )
    assert str(ConfigError("c.toml", None, "boom")) == "c.toml: boom"


def value_message(tmp_path: Path, dotted: str, toml_value: str) -> str:
    section, key = dotted.split(".")
    text = message(tmp_path, f"[{section}]\n{key} = {toml_value}\n")
    assert text.startswith(f"{dotted}: ")
    return text[len(dotted) + 2 :]


@pytest.mark.parametrize(
    ("dotted", "toml_value", "expected"),
    [
        ("ros.region", "42", "expected a string, got 42"),
        ("ros.region", "''", "expected a non-empty string (remove the key for the default)"),
        ("receiver.port", "true", "expected an integer, got true"),
        ("receiver.port", "80.0", "expected an integer, got 80.0"),
        ("receiver.port", "'80'", 'expected an integer, got "80"'),
        ("notifications.on_success", "1", "expected true or false, got 1"),
        ("tracker.poll_grace_seconds", "false", "expected a number, got false"),
        ("sandbox.time_scale", "nan", "expected a finite number, got nan"),
        ("sandbox.time_scale", "inf", "expected a finite number, got inf"),
        ("tunnel.command", "'ssh -R'", 'expected a non-empty list of strings, got "ssh -R"'),
        ("tunnel.command", "[]", "expected a non-empty list of strings, got []"),
        ("tunnel.command", "['a', 1]", 'expected a non-empty list of strings, got ["a", 1]'),
        ("ros.region", "{ x = 1 }", "expected a string, got a table"),
        ("ros.profile", "1979-05-27", "expected a string, got 1979-05-27"),
    ],
)
def test_wrong_types(tmp_path: Path, dotted: str, toml_value: str, expected: str) -> None:
    assert value_message(tmp_path, dotted, toml_value) == expected


def test_section_that_is_not_a_table(tmp_path: Path) -> None:
    assert message(tmp_path, "ros = 'x'\n") == 'ros: expected a table [ros], got "x"'


@pytest.mark.parametrize(
    ("dotted", "toml_value", "expected"),
    [
        ("receiver.port", "65536", "expected an integer between 0 and 65535, got 65536"),
        ("receiver.port", "-1", "expected an integer between 0 and 65535, got -1"),
        ("notifications.max_outputs", "21", "expected an integer between 0 and 20, got 21"),
        ("notifications.paused_until", "-5.0", "expected a number at least 0, got -5.0"),
        ("sandbox.time_scale", "0", "expected a number between 0.0001 and 1000, got 0.0"),
        ("tunnel.ssh_remote_port", "0", "expected an integer between 1 and 65535, got 0"),
        ("tracker.verify_retries", "-1", "expected an integer between 0 and 20, got -1"),
    ],
)
def test_out_of_range(tmp_path: Path, dotted: str, toml_value: str, expected: str) -> None:
    assert value_message(tmp_path, dotted, toml_value) == expected


def test_edges_of_ranges_are_accepted(tmp_path: Path) -> None:
    text = "[receiver]\nport = 65535\n[notifications]\nmax_outputs = 0\n"
    settings = load_settings(write(tmp_path, text))
    assert (settings.receiver.port, settings.notifications.max_outputs) == (65535, 0)


def test_invalid_enum_suggests_the_closest_value(tmp_path: Path) -> None:
    assert message(tmp_path, "[tunnel]\nmode = 'ngrokk'\n") == (
        'tunnel.mode: expected one of "none", "static", "ngrok", "cloudflared", "localtunnel", '
        '"ssh", "bore", "tailscale", "pinggy", "custom", got "ngrokk" (did you mean "ngrok"?)'
    )
    assert message(tmp_path, "[ros]\ncredentials = 'vault'\n") == (
        'ros.credentials: expected one of "auto", "env", "profile", "keyring", "sandbox", '
        'got "vault"'
    )
    assert message(tmp_path, "[ui]\nlanguage = 'zh_cn'\n").endswith('(did you mean "zh_CN"?)')


def test_unknown_key_with_suggestion(tmp_path: Path) -> None:
    assert message(tmp_path, "[ros]\nregoin = 'x'\n") == (
        'ros.regoin: unknown key (did you mean "ros.region"?)'
    )
    assert message(tmp_path, "[ui]\nstart_at_login = true\n") == (
        "ui.start_at_login: unknown key; known keys in [ui]: language"
    )


def test_unknown_section_with_suggestion(tmp_path: Path) -> None:
    assert message(tmp_path, "[notification]\n") == (
        'notification: unknown section (did you mean "notifications"?)'
    )
    assert message(tmp_path, "[colours]\n") == (
        "colours: unknown section; known sections: "
        "ros, receiver, tunnel, notifications, tracker, sandbox, ui"
    )


def test_top_level_key_points_at_its_section(tmp_path: Path) -> None:
    assert message(tmp_path, "max_outputs = 3\n") == (
        'max_outputs: unknown section (did you mean "notifications.max_outputs", '
        "under [notifications]?)"
    )


def test_corrupt_toml_reports_the_line(tmp_path: Path) -> None:
    err = error_for(tmp_path, "[ros]\nregion = 'a'\nprofile = \n")
    assert err.line == 3
    assert err.key is None
    assert str(err) == (
        f"{tmp_path / 'config.toml'}: line 3: not valid TOML: Invalid value (at line 3, column 11)"
    )


def test_duplicate_key_is_corrupt_toml(tmp_path: Path) -> None:
    err = error_for(tmp_path, "[ros]\nregion = 'a'\nregion = 'b'\n")
    assert err.line == 3
    assert "not valid TOML" in err.message


def test_non_utf8_and_unreadable_files(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"[ros]\nregion = '\xff'\n")
    with pytest.raises(ConfigError, match=r"not UTF-8 text \(byte 16\)"):
        load_settings(path)
    path.unlink()
    path.mkdir()
    with pytest.raises(ConfigError, match="cannot read the file"):
        load_settings(path)


@pytest.mark.parametrize(
    "text",
    [
        "[ros]\naccess_key_secret = 'abc'\n",
        "[ros]\naccess_key_id = 'LTAI'\n",
        "secret = 'abc'\n",
        "[receiver]\npassword = 'abc'\n",
        "[tunnel]\ntoken = 'abc'\n",
        "[tunnel]\nngrok-authtoken = 'abc'\n",
        "[ros]\nregoin = 'x'\nsecurity_token = 'abc'\n",
        "[ros.auth]\nsecret = 'abc'\n",
    ],
)
def test_secrets_are_refused(tmp_path: Path, text: str) -> None:
    err = error_for(tmp_path, text)
    assert "never read from the config file" in err.message
    assert "keyring" in err.message
    assert "ALIBABA_CLOUD_ACCESS_KEY_ID" in err.message
    assert "abc" not in str(err)


def test_secret_error_names_the_key(tmp_path: Path) -> None:
    assert error_for(tmp_path, "[ros.auth]\nsecret = 'abc'\n").key == "ros.auth.secret"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[tunnel]\nmode = 'static'\n", 'tunnel.public_url: required when tunnel.mode = "static"'),
        ("[tunnel]\nmode = 'custom'\n", 'tunnel.command: required when tunnel.mode = "custom"'),
        ("[tunnel]\nmode = 'ssh'\n", 'tunnel.ssh_host: required when tunnel.mode = "ssh"'),
        (
            "[tunnel]\npublic_url = 'example.com'\n",
            'tunnel.public_url: expected an http:// or https:// URL, got "example.com"',
        ),
        (
            "[tunnel]\nurl_regex = '(https'\n",
            "tunnel.url_regex: not a valid regular expression: "
            "missing ), unterminated subpattern at position 0",
        ),
    ],
)
def test_tunnel_checks(tmp_path: Path, text: str, expected: str) -> None:
    assert message(tmp_path, text) == expected


def test_long_values_are_shortened_in_messages(tmp_path: Path) -> None:
    text = message(tmp_path, f"[ros]\nregion = {10**80}\n")
    assert text.endswith("...")
    assert len(text) < 100


def test_settings_from_dict_labels_errors_with_the_given_path() -> None:
    with pytest.raises(ConfigError) as info:
        settings_from_dict({"ros": {"region": 42}}, "config.toml")
    assert str(info.value) == "config.toml: ros.region: expected a string, got 42"
