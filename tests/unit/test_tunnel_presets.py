"""Presets and the pure output parsers, fed with recorded real output, negatives included."""

from __future__ import annotations

import pytest
from fakes import recorded

from rostray.config import TunnelSettings
from rostray.core.tunnels.presets import (
    BORE,
    CLOUDFLARED,
    LOCALTUNNEL,
    NGROK,
    PINGGY,
    TAILSCALE,
    PresetError,
    clean_url,
    configured_url,
    extract_url,
    parse_line,
    preset_for,
    render,
    render_argv,
    split_ssh_host,
    strip_ansi,
)


def urls(preset, name: str) -> list[str]:
    """Every URL the parser finds in a recording, in order."""
    found = [extract_url(preset, text) for _, text in recorded(name)]
    return [u for u in found if u]


def ssh(**kw) -> TunnelSettings:
    return TunnelSettings(mode="ssh", **kw)


# --- recorded output: exactly the tunnel URL, never a banner or error link -------------------


def test_cloudflared_takes_the_box_url_and_not_the_disclaimer_link() -> None:
    assert urls(CLOUDFLARED, "cloudflared-quick.jsonl") == [
        "https://four-dashed-word-url.trycloudflare.com"
    ]
    disclaimer = recorded("cloudflared-quick.jsonl")[0][1]
    assert "https://developers.cloudflare.com" in disclaimer
    assert extract_url(CLOUDFLARED, disclaimer) is None


def test_cloudflared_api_host_in_an_error_is_never_the_url() -> None:
    assert urls(CLOUDFLARED, "cloudflared-api-error.jsonl") == []
    assert extract_url(CLOUDFLARED, "see https://api.trycloudflare.com for details") is None
    assert extract_url(CLOUDFLARED, 'url="https://abc-def.trycloudflare.com"') is None
    assert extract_url(CLOUDFLARED, "GET https://abc-def.trycloudflare.com/hooks/x") is None


def test_cloudflared_rate_limit_asks_for_a_long_wait() -> None:
    infos = [parse_line(CLOUDFLARED, text) for _, text in recorded("cloudflared-ratelimit.jsonl")]
    assert max(i.wait_at_least for i in infos) >= 300
    assert not any(i.url or i.fatal for i in infos)


def test_ngrok_json_log_names_the_url_and_the_api_address() -> None:
    infos = [parse_line(NGROK, text) for _, text in recorded("ngrok-json.jsonl")]
    assert [i.url for i in infos if i.url] == ["https://94b1-82-67-199-224.ngrok-free.app"]
    assert [i.api_addr for i in infos if i.api_addr] == ["127.0.0.1:4040"]


def test_ngrok_missing_authtoken_is_fatal_and_its_links_are_not_urls() -> None:
    infos = [parse_line(NGROK, text) for _, text in recorded("ngrok-authtoken.jsonl")]
    assert not any(i.url for i in infos)
    fatal = [i.fatal for i in infos if i.fatal]
    assert fatal and "ngrok config add-authtoken" in fatal[0]


def test_ngrok_logfmt_fallback() -> None:
    line = (
        't=2026-09-30T02:40:01+0000 lvl=info msg="started tunnel" obj=tunnels '
        "name=command_line addr=http://localhost:4142 url=https://ab12.ngrok-free.app"
    )
    assert extract_url(NGROK, line) == "https://ab12.ngrok-free.app"
    assert extract_url(NGROK, 't=1 lvl=info msg="starting web service" addr=127.0.0.1:4040') is None


def test_localtunnel_url_line_only() -> None:
    assert urls(LOCALTUNNEL, "localtunnel-refused.jsonl") == ["https://gentle-owl-42.loca.lt"]
    assert extract_url(LOCALTUNNEL, "Error: your url is: https://x.loca.lt") is None


def test_localhost_run_takes_only_the_tunnel_line_not_banner_links() -> None:
    preset = preset_for(ssh(ssh_host="localhost.run"))
    assert urls(preset, "localhost-run.jsonl") == ["https://47970a65005227.lhr.life"]
    # the phrase with a foreign host is refused by the suffix check
    assert extract_url(preset, "x tunneled with tls termination, https://evil.example.com") is None


def test_localhost_run_json_event() -> None:
    preset = preset_for(ssh(ssh_host="localhost.run"))
    line = '{"event": "tcpip-forward", "authz_code": "OK", "address": "4c2b9e.lhr.life"}'
    assert extract_url(preset, line) == "https://4c2b9e.lhr.life"
    rejected = '{"event": "tcpip-forward", "authz_code": "DENIED", "address": "4c2b9e.lhr.life"}'
    assert extract_url(preset, rejected) is None


def test_pinggy_takes_the_https_tunnel_not_the_dashboard_or_docs() -> None:
    found = urls(PINGGY, "pinggy.jsonl")
    assert found[-1] == "https://yqycl-98-162-69-48.a.free.pinggy.link"
    assert all("pinggy.link" in u for u in found)
    assert extract_url(PINGGY, "Read more at https://pinggy.io/docs/usages") is None
    assert extract_url(PINGGY, "https://dashboard.pinggy.io") is None


def test_bore_ansi_output() -> None:
    assert urls(BORE, "bore.jsonl") == ["http://bore.pub:43521"]
    coloured = "\x1b[32m INFO\x1b[0m listening at \x1b[1mbore.pub:40001\x1b[0m"
    assert extract_url(BORE, coloured) == "http://bore.pub:40001"
    assert extract_url(BORE, "connected to server remote_port=43521") is None


def test_tailscale_url_on_its_own_line_and_not_the_admin_link() -> None:
    assert urls(TAILSCALE, "tailscale.jsonl") == ["https://amelie-workstation.tail1234.ts.net"]
    assert urls(TAILSCALE, "tailscale-disabled.jsonl") == []
    fatal = [parse_line(TAILSCALE, t).fatal for _, t in recorded("tailscale-disabled.jsonl")]
    assert any(fatal)
    same_line = "Available on the internet:\thttps://home.tail9f3a.ts.net/"
    assert extract_url(TAILSCALE, same_line) == "https://home.tail9f3a.ts.net"
    assert extract_url(TAILSCALE, "Visit https://tailscale.com/kb/1223/funnel to read more") is None


def test_serveo_banner() -> None:
    preset = preset_for(ssh(ssh_host="serveo.net"))
    assert urls(preset, "serveo.jsonl") == ["https://0f3a9c1be2d4a8e7.serveousercontent.com"]


def test_ssh_own_host_ready_and_allocated_port() -> None:
    preset = preset_for(ssh(ssh_host="hooks.example.com", public_url="https://hooks.example.com"))
    assert preset.url_source == "configured"
    ready = parse_line(preset, "debug1: remote forward success for: listen 127.0.0.1:22345")
    assert ready.ready and ready.url is None
    allocated = parse_line(preset, "Allocated port 41234 for remote forward to 127.0.0.1:8080")
    assert allocated.allocated_port == 41234
    assert parse_line(preset, "root@host: Permission denied (publickey).").fatal


# --- presets from settings ---------------------------------------------------------------------


def test_ssh_variants_and_argv() -> None:
    serveo = preset_for(ssh(ssh_host="serveo.net"))
    argv = render_argv(serveo, {"port": "8080"})
    assert argv[:2] == ["ssh", "-T"] and argv[-1] == "serveo.net"
    assert "80:127.0.0.1:8080" in argv and "-N" not in argv

    lhr = preset_for(ssh(ssh_host="localhost.run"))
    argv = render_argv(lhr, {"port": "8080"})
    assert "nokey@localhost.run" in argv and argv[-3:] == ["--", "--output", "json"]

    own = preset_for(
        ssh(
            ssh_host="hooks.example.com:2222",
            ssh_user="deploy",
            ssh_remote_port=9000,
            public_url="https://hooks.example.com",
        )
    )
    argv = render_argv(own, {"port": "8080"})
    assert argv[:3] == ["ssh", "-N", "-v"]
    assert "-oPort=2222" in argv and argv[-1] == "deploy@hooks.example.com"
    assert "127.0.0.1:9000:127.0.0.1:8080" in argv
    assert own.stable_url and not serveo.stable_url


def test_configured_url_may_take_the_allocated_port() -> None:
    own = preset_for(ssh(ssh_host="127.0.0.1", public_url="http://127.0.0.1:{rport}"))
    assert configured_url(own, 41234) == "http://127.0.0.1:41234"


def test_pinggy_user_and_api_port() -> None:
    preset = preset_for(TunnelSettings(mode="pinggy", ssh_user="tok+qr"))
    argv = render_argv(preset, {"port": "8080", "mport": "4301"})
    assert argv[-1] == "tok+qr@a.pinggy.io"
    assert "127.0.0.1:4301:127.0.0.1:4300" in argv and preset.uses_mport


def test_user_command_overrides_argv_and_keeps_the_parser() -> None:
    settings = TunnelSettings(
        mode="cloudflared", command=["/opt/cf/cloudflared", "--url", "{port}"]
    )
    preset = preset_for(settings)
    assert render_argv(preset, {"port": "1"}) == ["/opt/cf/cloudflared", "--url", "1"]
    assert (
        extract_url(preset, "|  https://a-b.trycloudflare.com  |")
        == "https://a-b.trycloudflare.com"
    )


def test_custom_mode() -> None:
    preset = preset_for(
        TunnelSettings(
            mode="custom", command=["tool", "{port}", '{"x": 1}'], url_regex=r"public: (\S+)"
        )
    )
    assert render_argv(preset, {"port": "80"}) == ["tool", "80", '{"x": 1}']
    assert extract_url(preset, "public: https://abc.example.net/") == "https://abc.example.net"
    assert extract_url(preset, "public: not-a-url") == "https://not-a-url"  # host only: https
    with pytest.raises(PresetError, match="url_regex"):
        preset_for(TunnelSettings(mode="custom", command=["tool"]))
    whole = preset_for(TunnelSettings(mode="custom", command=["t"], url_regex=r"https://\S+"))
    assert extract_url(whole, "at https://x.example.org now") == "https://x.example.org"


def test_none_static_and_errors() -> None:
    assert preset_for(TunnelSettings()) is None
    static = preset_for(TunnelSettings(mode="static", public_url="https://hooks.example.com/r/"))
    assert static.argv == () and configured_url(static) == "https://hooks.example.com/r"
    with pytest.raises(PresetError):
        preset_for(TunnelSettings(mode="ssh"))


# --- small helpers -----------------------------------------------------------------------------


def test_clean_url_refuses_what_is_not_a_public_base() -> None:
    assert clean_url("https://a.example.com/x/?q=1#f") == "https://a.example.com/x"
    assert clean_url("https://a.example.com.") == "https://a.example.com"
    assert clean_url("https://user:pw@a.example.com") is None
    assert clean_url("ftp://a.example.com") is None
    assert clean_url("https://") is None
    assert clean_url("https://a.example.com:99999") is None
    assert clean_url("https://a.example.com", (".lhr.life",)) is None


def test_strip_ansi_and_render() -> None:
    assert strip_ansi("\x1b[2mx\x1b[0m \x1b]8;;https://e.com\x07link\x1b]8;;\x07") == "x link"
    assert render("a{port}b{unknown}{x}", {"port": "1"}) == "a1b{unknown}{x}"
    assert split_ssh_host("h.example.com:2222") == ("h.example.com", "2222")
    assert split_ssh_host("[::1]:22") == ("::1", "22")
    assert split_ssh_host("h") == ("h", None)


def test_parse_line_survives_hostile_input() -> None:
    for line in ["", "{", '{"msg": 5}', "\x00" * 10, "x" * 100_000, "https://" + "a" * 9000]:
        parse_line(NGROK, line)
        parse_line(CLOUDFLARED, line)
