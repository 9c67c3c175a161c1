"""purecap's command line: a pure-Python stand-in for the reference ``capnp`` tool.

Each subcommand lives in a module of its own; this one only dispatches. Errors in the input end
with one line on stderr and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from purecap.cli import compile as compile_command
from purecap.cli import convert, ident
from purecap.cli import eval as eval_command

__all__ = ["main"]


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="purecap",
        description="Cap'n Proto in pure Python: a command line compatible with the capnp tool.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    compile_command.add_parser(commands)
    convert.add_parser(commands)
    eval_command.add_parser(commands)
    ident.add_parser(commands)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 1
    status: int = args.run(args)
    return status
