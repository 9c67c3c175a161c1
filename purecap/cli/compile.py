"""``purecap compile``: compile schema files, like ``capnp compile``.

``-o-`` writes the ``CodeGeneratorRequest`` (a framed message) to standard output; ``-oNAME``
or ``-oNAME:DIR`` runs a code generator plugin the way the reference does (``capnp.c++``): the
executable ``capnpc-NAME`` found on ``$PATH`` (or NAME itself when it contains a ``/``, relative
to the current directory), started in DIR (default: here) with ``$PWD`` set to it, reading the
request on its standard input.  ``-o`` may be given several times.

Errors in the schemas are printed ``file:line:col: error: message``, every one of them, and the
exit status is 1; nothing is written then.  Usage errors are one line each, also exit 1.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
from typing import Any, List, Optional, Tuple

from purecap.errors import PurecapError
from purecap.schema.compiler import CompileError, compile_files
from purecap.schema.errors import SchemaErrors
from purecap.schema.model import CodeGeneratorRequest
from purecap.schema.nodes import write_request
from purecap.wire.message import write_message

__all__ = ["add_parser", "run_compile", "parse_output_spec"]


def add_parser(commands: Any) -> None:
    p = commands.add_parser(
        "compile",
        help="compile schema files (like capnp compile)",
        description="Compiles Cap'n Proto schema files and hands the result to code generator "
        "plugins, or with -o- writes the CodeGeneratorRequest to standard output.",
    )
    p.add_argument(
        "-o",
        "--output",
        action="append",
        default=[],
        metavar="LANG[:DIR]",
        help="run the plugin capnpc-LANG (or the executable LANG if it contains a '/') in DIR; "
        "'-' writes the request to standard output",
    )
    p.add_argument(
        "-I",
        "--import-path",
        action="append",
        default=[],
        metavar="DIR",
        help="search DIR for imports that start with '/'",
    )
    p.add_argument(
        "--no-standard-import",
        action="store_true",
        help="do not search /usr/local/include and /usr/include",
    )
    p.add_argument(
        "--src-prefix",
        action="append",
        default=[],
        metavar="PREFIX",
        help="strip PREFIX from the names of the files given",
    )
    p.add_argument("sources", nargs="+", metavar="FILE", help="schema files to compile")
    p.set_defaults(run=_run)


def parse_output_spec(spec: str) -> Tuple[str, Optional[str]]:
    """``LANG[:DIR]`` split as the reference does (a ``c:/x`` drive-letter form included)."""
    colon = spec.find(":")
    if colon < 0:
        return spec, None
    plugin, directory = spec[:colon], spec[colon + 1 :]
    if colon == 1 and directory.startswith(("/", "\\")):
        second = directory.find(":")
        if second >= 0:
            # `-o c:/foo.exe:bar`: the first colon belongs to a drive letter.
            return spec[: second + 2], directory[second + 1 :]
    return plugin, directory


def _run(args: argparse.Namespace) -> int:
    outputs: List[Tuple[str, Optional[str]]] = []
    for spec in args.output:
        plugin, directory = parse_output_spec(spec)
        if directory is not None and not os.path.isdir(directory):
            return _usage(f"-o {spec}: output location is inaccessible or is not a directory")
        outputs.append((plugin, None if directory is None else os.path.abspath(directory)))
    for path in args.import_path:
        if not os.path.isdir(path):
            return _usage(f"-I {path}: no such directory")
    for prefix in args.src_prefix:
        if not os.path.isdir(prefix):
            return _usage(f"--src-prefix {prefix}: no such directory")
    return run_compile(
        args.sources, outputs, args.import_path, not args.no_standard_import, args.src_prefix
    )


def _usage(message: str) -> int:
    print(f"purecap compile: {message}", file=sys.stderr)
    print("Try 'purecap compile --help' for more information.", file=sys.stderr)
    return 1


def run_compile(
    sources: List[str],
    outputs: List[Tuple[str, Optional[str]]],
    import_paths: List[str],
    standard_import: bool = True,
    src_prefixes: Optional[List[str]] = None,
) -> int:
    """Compile and deliver the request to each output; the process exit status."""
    if any(plugin not in ("-", "capnp") for plugin, _ in outputs):
        _warn_outside_sources(sources, src_prefixes or [])
    try:
        request = compile_files(sources, import_paths, standard_import, src_prefixes or [])
    except SchemaErrors as e:
        for error in e.errors:
            print(str(error), file=sys.stderr)
        return 1
    except CompileError as e:
        return _usage(str(e))
    except PurecapError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except Exception as e:  # a bug of ours: still one line, not a traceback
        print(f"purecap compile: internal error (please report): {type(e).__name__}: {e}",
              file=sys.stderr)
        return 1
    if not outputs:
        return _usage("no outputs specified")
    data = write_message(write_request(request))
    status = 0
    for plugin, directory in outputs:
        if plugin == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
            continue
        if plugin == "python":
            status = max(status, _generate_python(request, directory))
            continue
        status = max(status, _run_plugin(plugin, directory, data))
    return status


def _generate_python(request: CodeGeneratorRequest, directory: Optional[str]) -> int:
    """``-opython``: purecap's own code generator, run in-process (no plugin executable).
    ``PURECAP_PACKAGE`` chooses how generated modules import each other, as for the plugin."""
    from purecap.codegen.plugin import PACKAGE_ENV, generate, write_modules

    try:
        write_modules(generate(request, os.environ.get(PACKAGE_ENV)), directory)
    except (PurecapError, OSError) as e:
        print(f"python: plugin failed: {e}", file=sys.stderr)
        return 1
    return 0


def _warn_outside_sources(sources: List[str], src_prefixes: List[str]) -> None:
    """A plugin names its output files after the source names, which for a file outside the
    current directory and every ``--src-prefix`` start from the root: the reference warns."""
    cwd = os.getcwd()
    prefixes = [os.path.abspath(p) for p in src_prefixes]
    for source in sources:
        path = os.path.abspath(source)
        inside = [cwd] + prefixes
        if not any(path.startswith(d.rstrip("/") + "/") for d in inside):
            print(
                f"{source}: File is not in the current directory and does not match any prefix "
                "defined with --src-prefix. Please pass an appropriate --src-prefix so I can "
                "figure out where to write the output for this file.",
                file=sys.stderr,
            )


def _run_plugin(plugin: str, directory: Optional[str], data: bytes) -> int:
    """Run one plugin with the request on its stdin (``generateOutput`` in capnp.c++)."""
    if "/" in plugin:
        exe: Optional[str] = os.path.join(os.getcwd(), plugin)  # relative to where we started
        shown = exe
    else:
        shown = "capnpc-" + plugin
        exe = shutil.which(shown)
    if exe is None or not os.path.exists(exe):
        print(f"{plugin}: no such plugin (executable should be '{shown}')", file=sys.stderr)
        print(f"{plugin}: plugin failed: exit code 1", file=sys.stderr)
        return 1
    env = dict(os.environ)
    if directory is not None:
        env["PWD"] = directory
    try:
        completed = subprocess.run([exe], input=data, cwd=directory, env=env)
    except OSError as e:
        print(f"{plugin}: plugin failed: {e.strerror}", file=sys.stderr)
        return 1
    code = completed.returncode
    if code < 0:
        try:
            name = signal.strsignal(-code) or f"signal {-code}"
        except (ValueError, AttributeError):
            name = f"signal {-code}"
        print(f"{plugin}: plugin failed: {name}", file=sys.stderr)
        return 1
    if code != 0:
        print(f"{plugin}: plugin failed: exit code {code}", file=sys.stderr)
        return 1
    return 0
