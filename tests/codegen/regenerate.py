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
"""

from __future__ import annotations

import os
import sys
from typing import Dict, List, NamedTuple

from purecap.codegen import generate
from purecap.schema.compiler import compile_files

__all__ = ["ROOT", "GENERATED", "GROUPS", "Group", "generate_all", "main"]

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GENERATED = os.path.join(ROOT, "tests", "codegen", "generated")


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


def main() -> int:
    modules = generate_all()
    for name, source in sorted(modules.items()):
        path = os.path.join(GENERATED, name)
        old = None
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                old = f.read()
        if old != source:
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.write(source)
            print(f"wrote {os.path.relpath(path, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
