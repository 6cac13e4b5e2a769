"""Subcommands of the ``rostray`` command line."""
