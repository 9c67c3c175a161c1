"""The generated modules checked in under ``tests/codegen/generated/``, and how they are made.

``python -m tests.codegen.regenerate`` (from the repository root) rewrites them;
``test_up_to_date.py`` checks that doing so would change nothing. Each group is one compile, with
``--src-prefix`` set so that the file names in the modules do not depend on where the repository
is checked out:

* ours: ``features.capnp`` (every kind of field the generator handles), ``shapes.capnp`` (which
  it imports), ``addressbook.capnp`` (``example_addressbook.py``), ``annotated.capnp``
  (annotations of every kind, for ``test_reflection.py``), all in ``schemas/``;
* the reference's schemas of capnp 0.9.2 (the copies in ``tests/schema/data/capnp``):
  ``schema.capnp``, ``rpc.capnp``, ``rpc-twoparty.capnp``, ``persistent.capnp``, ``c++.capnp``,
  ``stream.capnp``, ``compat/json.capnp``, ``test.capnp`` and its imports;
* the benchmark schema, ``bench/schemas/workloads.capnp`` (``make bench`` times its generated
  accessors).

They are part of the tree ``mypy --strict purecap tests`` checks, which is how the generator's
output is proved to type-check.

One of them is also part of the package: ``schema_capnp.py`` is written to
``purecap/schema/schema_capnp.py`` too (:data:`PACKAGE_COPIES`), the readers and builders through
which the schema compiler writes and reads schema nodes (:mod:`purecap.schema.nodes`), as the C++
compiler uses its own generated ``schema.capnp.h``. Like that header, it bootstraps: this script
runs the compiler, so it uses the checked-in copy to make the next one (should a bad copy ever be
written, restore the previous one from git and fix the generator).
"""

from __future__ import annotations

import os
import sys
from typing import Dict, List, NamedTuple

from purecap.codegen import generate
from purecap.schema.compiler import compile_files

__all__ = [
    "ROOT", "GENERATED", "PACKAGE_COPIES", "GROUPS", "Group", "generate_all", "destinations",
    "main",
]  # fmt: skip

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GENERATED = os.path.join(ROOT, "tests", "codegen", "generated")
#: Generated modules the package itself uses: file name -> where in the package it goes.
PACKAGE_COPIES: Dict[str, str] = {
    "schema_capnp.py": os.path.join(ROOT, "purecap", "schema", "schema_capnp.py"),
}


class Group(NamedTuple):
    """One compile: the files (relative to ``src_prefix``), and the import path."""

    src_prefix: str
    files: List[str]
    import_paths: List[str]


GROUPS: List[Group] = [
    Group(
        "tests/codegen/schemas",
        ["features.capnp", "shapes.capnp", "addressbook.capnp", "annotated.capnp"],
        ["tests/codegen/schemas", "tests/schema/data"],
    ),
    Group(
        "tests/schema/data",
        [
            "capnp/schema.capnp",
            "capnp/rpc.capnp",
            "capnp/rpc-twoparty.capnp",
            "capnp/persistent.capnp",
            "capnp/c++.capnp",
            "capnp/stream.capnp",
            "capnp/compat/json.capnp",
            "capnp/test.capnp",
            "capnp/test-import.capnp",
            "capnp/test-import2.capnp",
        ],
        ["tests/schema/data"],
    ),
    Group("bench/schemas", ["workloads.capnp"], ["bench/schemas"]),
]


def generate_all() -> Dict[str, str]:
    """Every checked-in module: file name -> source."""
    out: Dict[str, str] = {}
    for group in GROUPS:
        request = compile_files(
            [os.path.join(ROOT, group.src_prefix, f) for f in group.files],
            import_paths=[os.path.join(ROOT, p) for p in group.import_paths],
            standard_import=False,
            src_prefixes=[os.path.join(ROOT, group.src_prefix)],
        )
        for name, source in generate(request).items():
            if name in out:
                raise RuntimeError(f"{name} generated twice")
            out[name] = source
    return out


def destinations(name: str) -> List[str]:
    """Where the module ``name`` is checked in: ``tests/codegen/generated/``, and for the
    modules of :data:`PACKAGE_COPIES` the package too."""
    paths = [os.path.join(GENERATED, name)]
    if name in PACKAGE_COPIES:
        paths.append(PACKAGE_COPIES[name])
    return paths


def main() -> int:
    modules = generate_all()
    for name, source in sorted(modules.items()):
        for path in destinations(name):
            _write_if_changed(path, source)
    return 0


def _write_if_changed(path: str, source: str) -> None:
    old = None
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            old = f.read()
    if old != source:
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(source)
        print(f"wrote {os.path.relpath(path, ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
