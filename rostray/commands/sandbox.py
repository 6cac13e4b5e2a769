"""``rostray sandbox``: the embedded ROS sandbox as a standalone endpoint."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path

from rostray.commands.lang import translate
from rostray.core import eventloop


def add_parser(sub: argparse._SubParsersAction) -> None:
    from rostray.sandbox import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET

    p = sub.add_parser(
        "sandbox",
        help="run the embedded ROS sandbox as a standalone endpoint",
        description="Serve a local ROS-compatible API (2019-09-10) that aliyun-python-sdk-ros "
        "and the aliyun CLI can talk to. Prints one line with the endpoint and credentials.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="port (default: any free port)")
    p.add_argument("--access-key-id", default=DEFAULT_ACCESS_KEY_ID)
    p.add_argument("--access-key-secret", default=DEFAULT_ACCESS_KEY_SECRET)
    p.add_argument("--state", type=Path, help="keep stacks in this JSON file across restarts")
    p.add_argument("--region", default="cn-hangzhou", help="default region of new stacks")
    p.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        help="real seconds per template second (e.g. 0.1 runs waits ten times faster)",
    )
    p.set_defaults(func=_run_sandbox)


async def _serve_sandbox(args: argparse.Namespace) -> int:
    from rostray.sandbox import Sandbox, SandboxConfig

    config = SandboxConfig(
        host=args.host,
        port=args.port,
        access_key_id=args.access_key_id,
        access_key_secret=args.access_key_secret,
        state_file=args.state,
        region=args.region,
        time_scale=args.time_scale,
    )
    try:
        sandbox = Sandbox(config)
    except ValueError as exc:
        print(f"rostray sandbox: {exc}", file=sys.stderr)
        return 2
    try:
        await sandbox.start()
    except OSError as exc:
        message = translate("Cli", "rostray sandbox: cannot listen on {address}: {error}")
        print(message.format(address=f"{args.host}:{args.port}", error=exc), file=sys.stderr)
        return 2
    stop = asyncio.Event()  # before the line below: a SIGTERM right after it must work
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    # The secret is printed on purpose: it is the sandbox's own local credential, which the
    # user passes to the SDK. Real AccessKey secrets never reach this code.
    print(
        f"rostray sandbox listening on {sandbox.base_url} "
        f"endpoint={sandbox.endpoint} access_key_id={sandbox.access_key_id} "
        f"access_key_secret={sandbox.access_key_secret} region={args.region}",
        flush=True,
    )
    try:
        await stop.wait()
    finally:
        await sandbox.stop()
    return 0


def _run_sandbox(args: argparse.Namespace) -> int:
    return eventloop.run(_serve_sandbox(args))
