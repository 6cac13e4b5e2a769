"""Command line: ``rostray [subcommand]``. Heavy imports happen inside each command."""

from __future__ import annotations

import argparse
import logging
import sys

from rostray import __version__


def build_parser() -> argparse.ArgumentParser:
    from rostray.commands import desktop, headless, sandbox, stacks, tunnel

    parser = argparse.ArgumentParser(
        prog="rostray",
        description="Know the moment an Alibaba Cloud ROS stack operation finishes.",
    )
    parser.add_argument("--version", action="version", version=f"rostray {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    headless.add_arguments(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    stacks.add_parsers(sub)
    sandbox.add_parser(sub)
    desktop.add_parsers(sub)
    tunnel.add_parser(sub)
    return parser


def quiet_and_scrubbed_logs(verbose: int) -> None:
    """Every record, whichever logger made it, passes the token/parameter scrubber on its way
    out; and the SDK's "ERROR ServerException occurred" for an expected StackNotFound (after
    every delete) stays out of sight unless the user asked for -vv."""
    from rostray.core.receiver import SecretScrubber

    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, SecretScrubber) for f in handler.filters):
            handler.addFilter(SecretScrubber())
    if verbose < 2:
        logging.getLogger("aliyunsdkcore").setLevel(logging.CRITICAL)


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):  # text from the network may hold lone surrogates
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING - 10 * min(args.verbose, 2),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    quiet_and_scrubbed_logs(args.verbose)
    from rostray.core.eventloop import EventLoopError

    try:
        return _dispatch(args)
    except EventLoopError as exc:
        print(f"rostray: {exc}", file=sys.stderr)
        return 2


def _dispatch(args: argparse.Namespace) -> int:
    if getattr(args, "coro", None):
        from rostray.commands.stacks import run

        return run(args)
    if getattr(args, "func", None):
        return int(args.func(args))
    if args.headless:
        from rostray.commands.headless import run_headless

        return run_headless(args)
    from rostray.commands.headless import run_default

    return run_default(args)
