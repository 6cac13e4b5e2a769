"""``rostray tunnel check``: start the configured tunnel, find its public URL and self-probe it.

It runs its own receiver on 127.0.0.1 (only the probe route answers), so it can check a
tunnel without the engine or a cloud account. Exit 0 only when the probe round-tripped.
Also runnable alone: ``python -m rostray.commands.tunnel check``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rostray.commands.lang import translate, use_language
from rostray.core import eventloop
from rostray.core.i18n import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    from rostray.config import TunnelSettings

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
PHASES = {  # the supervisor's phases, as the tray names them
    "starting": QT_TRANSLATE_NOOP("Cli", "starting"),
    "verified": QT_TRANSLATE_NOOP("Cli", "verified"),
    "degraded": QT_TRANSLATE_NOOP("Cli", "degraded"),
    "down": QT_TRANSLATE_NOOP("Cli", "down"),
}
DEFAULT_TIMEOUT = 90.0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "tunnel",
        help="check the configured tunnel",
        description="Work with the tunnel that lets ROS reach this computer's receiver.",
    )
    p.set_defaults(func=lambda _args: _usage(p))
    tsub = p.add_subparsers(dest="tunnel_command", metavar="SUBCOMMAND")
    check = tsub.add_parser(
        "check",
        help="start the tunnel, find its public URL and prove it reaches this computer",
        description="Start the tunnel configured under [tunnel], discover its public URL, "
        "send a self-probe through it and print the URL and the probe's round trip. "
        "Exits 0 only when the probe arrived.",
    )
    # SUPPRESS: do not overwrite a --config given before the subcommand.
    check.add_argument(
        "--config", type=Path, default=argparse.SUPPRESS, help="use this config file"
    )
    check.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"seconds to wait for a verified URL (default {DEFAULT_TIMEOUT:g})",
    )
    check.add_argument("--json", action="store_true", help="print one JSON object")
    check.set_defaults(func=run_check)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE


def run_check(args: argparse.Namespace) -> int:
    try:
        return eventloop.run(check(getattr(args, "config", None), args.timeout, args.json))
    except KeyboardInterrupt:
        print(translate("Cli", "rostray tunnel check: interrupted"), file=sys.stderr)
        return EXIT_INTERRUPTED


async def check(config: Path | None, timeout: float, as_json: bool) -> int:
    from rostray.config import ConfigError, load_settings
    from rostray.core.tunnels import TunnelState

    try:
        settings = load_settings(config)
        use_language(settings.ui.language)
    except ConfigError as exc:
        print(f"rostray tunnel check: {exc}", file=sys.stderr)
        return EXIT_USAGE
    tunnel = settings.tunnel
    if tunnel.mode == "none":
        where = settings.source or translate("Cli", "the config file")
        message = translate(
            "Cli",
            'rostray tunnel check: no tunnel configured (tunnel.mode is "none" in {where}); '
            'set [tunnel] mode to "static", "ssh", "cloudflared", …',
        )
        print(message.format(where=where), file=sys.stderr)
        return EXIT_FAILED

    def show(state: TunnelState) -> None:
        if not as_json and state.phase != "off":
            word = PHASES.get(state.phase)
            phase = translate("Cli", word) if word else state.phase
            line = translate("Cli", "tunnel {phase}: {reason}")
            print(line.format(phase=phase, reason=state.reason), file=sys.stderr, flush=True)

    # show() already says what the supervisor would log; keep its warnings for -v.
    tunnel_log = logging.getLogger("rostray.core.tunnels")
    level = tunnel_log.level
    if logging.getLogger().getEffectiveLevel() > logging.INFO:
        tunnel_log.setLevel(logging.ERROR)
    try:
        return await _check(tunnel, show, timeout, as_json)
    finally:
        tunnel_log.setLevel(level)


async def _check(
    tunnel: TunnelSettings, show: Callable[[Any], None], timeout: float, as_json: bool
) -> int:
    from rostray.core.tunnels import TunnelError
    from rostray.core.tunnels.check import verify_tunnel
    from rostray.core.tunnels.probe import is_loopback_url

    failed: list[Any] = []
    try:
        state = await verify_tunnel(tunnel, timeout, show, failed.append)
    except TunnelError as exc:
        _report_failure(str(exc), failed[0] if failed else None, as_json)
        return EXIT_FAILED
    assert state.url is not None and state.rtt_ms is not None
    if as_json:
        print(json.dumps(_summary(state, verified=True)))
    else:
        print(translate("Cli", "public URL: {url}").format(url=state.url))
        print(translate("Cli", "probe round trip: {ms} ms").format(ms=f"{state.rtt_ms:.0f}"))
        if state.url.startswith("http://") and not is_loopback_url(state.url):
            print(
                translate(
                    "Cli", "warning: this URL is plain http: callback tokens travel unencrypted"
                ),
                file=sys.stderr,
            )
    return EXIT_OK


def _summary(state: Any, *, verified: bool, reason: str | None = None) -> dict[str, Any]:
    if state is None:
        return {"verified": verified, "url": None, "rtt_ms": None, "reason": reason}
    return {
        "verified": verified,
        "url": state.url,
        "rtt_ms": round(state.rtt_ms, 1) if state.rtt_ms is not None else None,
        "preset": state.preset,
        "phase": state.phase,
        "restarts": state.restarts,
        "reason": reason or state.reason,
    }


def _report_failure(reason: str, supervisor: Any | None, as_json: bool) -> None:
    if as_json:
        state = supervisor.state if supervisor is not None else None
        print(json.dumps(_summary(state, verified=False, reason=reason)))
        return
    print(
        translate("Cli", "rostray tunnel check: not verified: {reason}").format(reason=reason),
        file=sys.stderr,
    )
    output = supervisor.recent_output()[-12:] if supervisor is not None else []
    if output:
        name = supervisor.preset.name if supervisor.preset else translate("Cli", "the tunnel")
        print(translate("Cli", "last output of {name}:").format(name=name), file=sys.stderr)
        for stream, text in output:
            print(f"  [{stream}] {text}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """``python -m rostray.commands.tunnel check …``, without the rest of the CLI."""
    parser = argparse.ArgumentParser(prog="rostray")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["tunnel", *(sys.argv[1:] if argv is None else argv)])
    try:
        return int(args.func(args))
    except eventloop.EventLoopError as exc:  # as rostray.cli.main says it
        print(f"rostray: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
