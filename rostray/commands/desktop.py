"""``rostray install-desktop`` / ``uninstall-desktop``: the launcher entry and icon."""

from __future__ import annotations

import argparse

from rostray import desktop_entry
from rostray.commands.lang import translate


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("install-desktop", help="add rostray to the desktop's application menu")
    p.set_defaults(func=run_install)
    p = sub.add_parser(
        "uninstall-desktop", help="remove the menu entry, icon and start-at-login entry"
    )
    p.set_defaults(func=run_uninstall)


def run_install(args: argparse.Namespace) -> int:
    from rostray.assets import resource_path

    for path in desktop_entry.install(resource_path("icons", "rostray.svg")):
        print(translate("Cli", "installed {path}").format(path=path))
    return 0


def run_uninstall(args: argparse.Namespace) -> int:
    removed = desktop_entry.uninstall()
    for path in removed:
        print(translate("Cli", "removed {path}").format(path=path))
    if not removed:
        print(translate("Cli", "nothing to remove"))
    return 0
