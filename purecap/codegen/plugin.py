"""The code generator as a function and as a ``capnp compile`` plugin.

* :func:`generate` (defined in :mod:`purecap.codegen.emitter`) turns a
  :class:`~purecap.schema.model.CodeGeneratorRequest` into ``{file name: source}``, one module
  per requested schema file;
* :func:`main` is the plugin: ``capnp compile -opurecap foo.capnp`` runs ``capnpc-purecap``
  with the request on its standard input (schema.capnp ``CodeGeneratorRequest``), and the
  modules are written to the current directory (``-opurecap:DIR`` makes capnp run it in DIR).

Generated modules import the modules of the schema files they use as siblings, relatively
(``from . import other_capnp``) unless told otherwise: ``PURECAP_PACKAGE=""`` makes them
top-level imports, ``PURECAP_PACKAGE=a.b`` imports from that package.
"""

from __future__ import annotations

import os
import sys
from typing import IO, Dict, List, Optional, Sequence

from purecap.codegen.emitter import generate, generate_from_bytes
from purecap.errors import PurecapError

__all__ = ["generate", "generate_from_bytes", "main", "write_modules", "PACKAGE_ENV"]

#: The environment variable the plugin reads the import package from (see the module doc).
PACKAGE_ENV = "PURECAP_PACKAGE"


def main(
    argv: Optional[Sequence[str]] = None,
    stdin: Optional[IO[bytes]] = None,
    stderr: Optional[IO[str]] = None,
) -> int:
    """``capnpc-purecap``: read a request on stdin, write the modules into the current
    directory. Returns the exit status."""
    err = stderr if stderr is not None else sys.stderr
    args: List[str] = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-h", "--help"):
        print(__doc__, file=err)
        return 0
    source = stdin if stdin is not None else sys.stdin.buffer
    data = source.read()
    package = os.environ.get(PACKAGE_ENV)
    try:
        modules = generate_from_bytes(data, package)
    except PurecapError as e:
        print(f"capnpc-purecap: {e}", file=err)
        return 1
    write_modules(modules)
    return 0


def write_modules(modules: Dict[str, str], directory: Optional[str] = None) -> None:
    """Write generated modules (file name -> source) into ``directory`` (default: here)."""
    for name, text in modules.items():
        path = name if directory is None else os.path.join(directory, name)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
