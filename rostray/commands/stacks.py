"""``rostray launch | update | delete | status | history``: the engine from a terminal."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from rostray.commands.lang import translate, use_language
from rostray.commands.output import (
    Progress,
    format_duration,
    printable,
    reason_line,
    result_json,
    result_text,
    stack_line,
    status_text,
    table,
)
from rostray.config import ConfigError, Settings, load_settings
from rostray.core import eventloop
from rostray.core.credentials import CredentialError
from rostray.core.engine import Engine, LaunchRefused, LaunchRequest, launch_summary
from rostray.core.events import StackFinished, Subscription
from rostray.core.i18n import QT_TRANSLATE_NOOP, localized
from rostray.core.receiver import ReceiverError
from rostray.core.ros import RosError
from rostray.core.store import StoreError

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_API, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class UsageError(Exception):
    """Bad command-line input: printed as one line, exit code 2."""


# --- argument helpers -----------------------------------------------------------------------


def key_values(items: list[str] | None, what: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(
                translate("Cli", "{what} must look like KEY=VALUE, got {item}").format(
                    what=what, item=repr(item)
                )
            )
        result[key] = value
    return result


def read_template(path_text: str) -> tuple[str, str]:
    """A file path, or the name of a bundled sample (``seed-webhook``)."""
    path = Path(path_text)
    if not path.exists():
        from rostray.assets import sample_templates

        samples = {p.stem: p for p in sample_templates()}
        if path_text in samples:
            path = samples[path_text]
        else:
            names = ", ".join(sorted(samples))
            raise UsageError(
                translate("Cli", "template {name} not found (bundled samples: {names})").format(
                    name=repr(path_text), names=names
                )
            )
    try:
        return path.read_text(encoding="utf-8"), path.name
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(
            translate("Cli", "cannot read template {path}: {error}").format(path=path, error=exc)
        ) from None


def default_stack_name(template_name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(template_name).stem).strip("-_") or "stack"
    if not stem[0].isalpha():
        stem = f"stack-{stem}"
    return f"{stem[:200]}-{datetime.now().strftime('%Y%m%d-%H%M%S')}"


def make_engine(args: argparse.Namespace, settings: Settings | None = None) -> Engine:
    """An engine for one command; a broken config file refuses it (``settings`` overrides)."""
    if settings is None:
        try:
            settings = load_settings(args.config)
        except ConfigError as exc:
            raise UsageError(str(exc)) from None
    use_language(settings.ui.language)
    return Engine(
        settings,
        force_sandbox=args.sandbox,
        endpoint=args.endpoint,
        force_tunnel=getattr(args, "tunnel", False),
        reconcile=getattr(args, "headless", False),
    )


# --- waiting --------------------------------------------------------------------------------


async def watch_progress(
    engine: Engine, stack_id: str, progress: Progress, interval: float
) -> None:
    """Progress for the eye only; the result itself comes from the callback (or tracker)."""
    while True:
        with contextlib.suppress(RosError, LaunchRefused):
            info = await engine.stack_info(stack_id)
            events = await engine.stack_events(stack_id)
            latest = ""
            if events:
                e = events[0]
                latest = f"{e.logical_id} {e.status}"
            p = info.progress
            progress.update(info.status, p.succeeded if p else None, p.total if p else None, latest)
        await asyncio.sleep(interval)


async def wait_for_finish(
    engine: Engine, sub: Subscription, stack_id: str, operation: str, progress: Progress
) -> StackFinished:
    interval = 1.0 if engine.mode == "sandbox" else 5.0
    watcher = asyncio.create_task(watch_progress(engine, stack_id, progress, interval))
    try:
        async for event in sub:
            if (
                isinstance(event, StackFinished)
                and event.stack_id == stack_id
                and event.operation == operation
            ):
                return event
        raise RuntimeError("the engine stopped before the stack finished")
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        progress.clear()


def report(event: StackFinished, as_json: bool) -> int:
    """Flushed at once: the gate is already taken, and a pipe's buffer would otherwise wait
    for the engine's shutdown, where a kill loses the only showing of this result."""
    if as_json:
        print(json.dumps(result_json(event), ensure_ascii=False), flush=True)
    else:
        print(result_text(event), flush=True)
    return EXIT_OK if event.succeeded else EXIT_FAILED


def follow_hint(stack_id: str) -> str:
    return translate(
        "Cli",
        "The stack keeps running. Follow it with `rostray status {stack_id}`; rostray "
        "announces its result the next time it runs.",
    ).format(stack_id=stack_id)


def where_text(engine: Engine) -> str:
    """``engine.mode_description`` (which logs use) in the command line's language."""
    if engine.sandbox is not None:
        text = translate("Cli", "embedded ROS sandbox at {endpoint} (no cloud account used)")
        return text.format(endpoint=engine.sandbox.endpoint)
    assert engine.ros is not None
    return translate("Cli", "Alibaba Cloud ROS at {endpoint} ({source})").format(
        endpoint=engine.ros.endpoint, source=engine.credential_source
    )


# --- commands -------------------------------------------------------------------------------


async def run_launch(args: argparse.Namespace) -> int:
    body, template_name = read_template(args.template)
    request = LaunchRequest(
        template_body=body,
        stack_name=args.name or default_stack_name(template_name),
        parameters=key_values(args.parameter, "-p/--parameter"),
        region=args.region,
        timeout_minutes=args.timeout_minutes,
        disable_rollback=args.disable_rollback,
        tags=key_values(args.tag, "--tag"),
        extra_notification_urls=tuple(args.notification_url or []),
        template_name=template_name,
    )
    if not args.wait and not args.no_handover:
        handed = hand_over(request, yes=args.yes)
        if handed is not None:
            return handed
    progress = Progress(sys.stderr, live=None if not args.json else False)
    async with make_engine(args) as engine:
        sub = engine.subscribe()
        for warning in engine.warnings:
            progress.note(
                translate("Cli", "Warning: {warning}").format(warning=localized(warning, translate))
            )
        launch = await engine.launch(request, allow_polling=args.poll)
        if args.json and not args.wait:
            print(
                json.dumps(
                    {
                        "StackId": launch.stack_id,
                        "StackName": launch.stack_name,
                        "Region": launch.region,
                        "Status": launch.status,
                    }
                )
            )
        else:
            progress.note(
                translate("Cli", "Launched {name} ({stack_id}) on the {where}").format(
                    name=printable(launch.stack_name),
                    stack_id=launch.stack_id,
                    where=where_text(engine),
                )
            )
        if not args.wait:
            if engine.mode == "sandbox":
                progress.note(
                    translate(
                        "Cli",
                        "Note: the embedded sandbox stops with this command; use --wait "
                        "or run `rostray sandbox` to keep the stack running.",
                    )
                )
            return EXIT_OK
        try:
            event = await wait_for_finish(engine, sub, launch.stack_id, "CREATE", progress)
        except asyncio.CancelledError:
            progress.note(follow_hint(launch.stack_id))
            raise
        return report(event, args.json)


def hand_over(request: LaunchRequest, *, yes: bool) -> int | None:
    """Give the launch to a running tray app (its receiver then hears the callback)."""
    from rostray.instance import send_to_running

    reply = send_to_running(
        {
            "command": "launch",
            "template_body": request.template_body,
            "template_name": request.template_name,
            "name": request.stack_name,
            "parameters": dict(request.parameters),
            "yes": yes,
        },
        timeout=60,
    )
    if reply is None:
        return None
    if not reply.get("ok"):
        print(
            translate("Cli", "rostray: the running app refused: {error}").format(
                error=printable(reply.get("error", "?"))
            ),
            file=sys.stderr,
        )
        for key, message in (reply.get("errors") or {}).items():
            print(f"  {key}: {printable(message)}", file=sys.stderr)
        return EXIT_USAGE
    if reply.get("stack_id"):
        print(
            translate("Cli", "Launched by the running rostray: {stack_id}").format(
                stack_id=reply["stack_id"]
            )
        )
    else:
        print(translate("Cli", "Opened the launch form in the running rostray."))
    return EXIT_OK


async def run_update(args: argparse.Namespace) -> int:
    body = read_template(args.template)[0] if args.template else None
    params = key_values(args.parameter, "-p/--parameter")
    return await _operate(
        args, "UPDATE", lambda e: e.update(args.stack, template_body=body, parameters=params)
    )


async def run_delete(args: argparse.Namespace) -> int:
    return await _operate(args, "DELETE", lambda e: e.delete(args.stack))


STARTED = {
    "UPDATE": QT_TRANSLATE_NOOP("Cli", "UPDATE of {name} ({stack_id}) started"),
    "DELETE": QT_TRANSLATE_NOOP("Cli", "DELETE of {name} ({stack_id}) started"),
}


async def _operate(args: argparse.Namespace, operation: str, start: Any) -> int:
    progress = Progress(sys.stderr, live=None if not args.json else False)
    async with make_engine(args) as engine:
        sub = engine.subscribe()
        launch = await start(engine)
        progress.note(
            translate("Cli", STARTED[operation]).format(
                name=printable(launch.stack_name), stack_id=launch.stack_id
            )
        )
        if not args.wait:
            return EXIT_OK
        event = await wait_for_finish(engine, sub, launch.stack_id, operation, progress)
        return report(event, args.json)


async def run_status(args: argparse.Namespace) -> int:
    async with make_engine(args) as engine:
        info = await engine.stack_info(args.stack)
        if args.json:
            print(
                json.dumps(
                    {
                        "StackId": info.stack_id,
                        "StackName": info.stack_name,
                        "Status": info.status,
                        "StatusReason": info.status_reason,
                        "Region": info.region,
                        "Outputs": [
                            {"OutputKey": o.key, "OutputValue": o.value} for o in info.outputs
                        ],
                    },
                    ensure_ascii=False,
                )
            )
            return EXIT_OK
        print(f"{printable(info.stack_name)}: {status_text(info.status)}")
        print(stack_line(info.stack_id, info.region))
        if info.status_reason:
            print(reason_line(info.status_reason))
        if info.progress:
            print(
                translate("Cli", "  Resources: {done}/{total} complete").format(
                    done=info.progress.succeeded, total=info.progress.total
                )
            )
        return EXIT_OK


async def run_history(args: argparse.Namespace) -> int:
    async with make_engine(args) as engine:
        launches = await engine.history(limit=args.limit, search=args.search)
    if args.json:
        print(json.dumps([launch_summary(x) for x in launches], ensure_ascii=False))
        return EXIT_OK
    if not launches:
        print(translate("Cli", "No stacks launched with rostray yet."))
        return EXIT_OK
    rows = []
    for x in launches:
        started = datetime.fromtimestamp(x.created_at).strftime("%Y-%m-%d %H:%M")
        took = format_duration((x.finished_at or time.time()) - x.created_at)
        rows.append(
            (
                printable(x.stack_name, 40),
                x.region,
                x.status,
                started,
                took,
                translate("Cli", "sandbox") if x.sandbox else translate("Cli", "cloud"),
            )
        )
    headers = (
        translate("Cli", "Stack"),
        translate("Cli", "Region"),
        translate("Cli", "Status"),
        translate("Cli", "Started"),
        translate("Cli", "Duration"),
        translate("Cli", "Where"),
    )
    print(table(rows, headers))
    return EXIT_OK


# --- parser ---------------------------------------------------------------------------------


def _common(p: argparse.ArgumentParser, *, wait: bool = True) -> None:
    p.add_argument("--config", type=Path, help="use this config file instead of the default")
    p.add_argument(
        "--sandbox",
        action="store_true",
        help="use the embedded ROS sandbox even when credentials exist",
    )
    p.add_argument("--endpoint", help="ROS endpoint (default ros.aliyuncs.com)")
    p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    p.add_argument(
        "--tunnel",
        action="store_true",
        help="use the configured tunnel even for a loopback endpoint (exercises the whole path)",
    )
    if wait:
        p.add_argument(
            "--wait", action="store_true", help="wait for the verified final status and print it"
        )


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("launch", help="launch a stack and (with --wait) learn its outcome")
    p.add_argument("template", help="template file (JSON/YAML) or a bundled sample's name")
    p.add_argument("-n", "--name", help="stack name (default: template name + time)")
    p.add_argument("-p", "--parameter", action="append", metavar="KEY=VALUE")
    p.add_argument("--region")
    p.add_argument("--timeout-minutes", type=int, default=60)
    p.add_argument("--disable-rollback", action="store_true")
    p.add_argument("--tag", action="append", metavar="KEY=VALUE")
    p.add_argument(
        "--notification-url",
        action="append",
        metavar="URL",
        help="an extra URL ROS should notify (up to four)",
    )
    p.add_argument(
        "--poll",
        action="store_true",
        help="launch even without a public callback URL; learn the result by polling",
    )
    p.add_argument(
        "--yes",
        action="store_true",
        help="with a running tray app: launch directly instead of opening its form",
    )
    p.add_argument(
        "--no-handover",
        action="store_true",
        help="never hand the launch to a running tray app",
    )
    _common(p)
    p.set_defaults(coro=run_launch)

    p = sub.add_parser("update", help="update a stack (new template and/or parameters)")
    p.add_argument("stack", help="stack id or name")
    p.add_argument("template", nargs="?", help="new template (default: keep the current one)")
    p.add_argument("-p", "--parameter", action="append", metavar="KEY=VALUE")
    _common(p)
    p.set_defaults(coro=run_update)

    p = sub.add_parser("delete", help="delete a stack")
    p.add_argument("stack", help="stack id or name")
    _common(p)
    p.set_defaults(coro=run_delete)

    p = sub.add_parser("status", help="show a stack's current status")
    p.add_argument("stack", help="stack id or name")
    _common(p, wait=False)
    p.set_defaults(coro=run_status)

    p = sub.add_parser("history", help="stacks launched with rostray")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--search")
    _common(p, wait=False)
    p.set_defaults(coro=run_history)


def run(args: argparse.Namespace) -> int:
    """Run a command coroutine; every expected failure is one clear line and an exit code."""
    try:
        return eventloop.run(args.coro(args))
    except KeyboardInterrupt:
        print("\n" + translate("Cli", "Interrupted."), file=sys.stderr)
        return EXIT_INTERRUPTED
    except UsageError as exc:
        print(f"rostray: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except LaunchRefused as exc:
        print(f"rostray: {localized(exc, translate)}", file=sys.stderr)
        for key, message in exc.errors.items():
            print(f"  {key}: {printable(message)}", file=sys.stderr)
        return EXIT_USAGE
    except (CredentialError, StoreError, ReceiverError) as exc:
        print(f"rostray: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except RosError as exc:
        print(
            translate("Cli", "rostray: ROS error {error}").format(error=printable(str(exc))),
            file=sys.stderr,
        )
        if exc.request_id:
            print(f"  RequestId: {exc.request_id}", file=sys.stderr)
        return EXIT_API
