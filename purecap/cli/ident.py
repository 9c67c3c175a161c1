"""``purecap id``: print a new random file ID, like ``capnp id`` (``@0x`` and 16 hex digits)."""

from __future__ import annotations

import argparse
from typing import Any

from purecap.schema.ids import format_id, generate_random_id

__all__ = ["add_parser"]


def add_parser(commands: Any) -> None:
    p = commands.add_parser(
        "id",
        help="generate a new unique ID (like capnp id)",
        description="Prints a new random 64-bit ID with the top bit set, to start a schema file "
        "with.",
    )
    p.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    print(format_id(generate_random_id()))
    return 0
