"""The checked-in generated modules are what the generator makes today, and it makes them the
same way every time (no dependence on hash seeds, dict order or the Python that runs it). That
includes the package's own generated module, ``purecap/schema/schema_capnp.py``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.codegen.regenerate import (
    GENERATED,
    PACKAGE_COPIES,
    ROOT,
    destinations,
    generate_all,
)

_HINT = "regenerate with: PYTHONPATH=. python -m tests.codegen.regenerate"


def test_checked_in_modules_are_up_to_date() -> None:
    modules = generate_all()
    on_disk = {p.name for p in Path(GENERATED).glob("*.py") if p.name != "__init__.py"}
    assert sorted(modules) == sorted(on_disk), _HINT
    for name, source in modules.items():
        for path in destinations(name):
            with open(path, encoding="utf-8") as f:
                assert f.read() == source, f"{os.path.relpath(path, ROOT)} is out of date; {_HINT}"


def test_the_package_copy_is_the_generated_module() -> None:
    # purecap.schema reads and writes schema nodes through the generated schema.capnp module;
    # it is the one checked above, and needs nothing outside the package.
    import purecap.schema.schema_capnp as package_copy

    (path,) = PACKAGE_COPIES.values()
    assert destinations("schema_capnp.py")[1:] == [path]
    assert package_copy.__file__ is not None and os.path.samefile(path, package_copy.__file__)
    imports = [
        line for line in Path(path).read_text(encoding="utf-8").splitlines()
        if line.startswith(("import ", "from "))
    ]  # fmt: skip
    assert imports and all(
        line.startswith(("from __future__ ", "import typing ", "from purecap.")) for line in imports
    ), imports


_SCRIPT = """
import hashlib, sys
from purecap.codegen import generate
from purecap.schema.compiler import compile_files
root = sys.argv[1]
request = compile_files(
    [root + "/tests/codegen/schemas/features.capnp"],
    import_paths=[root + "/tests/codegen/schemas"],
    standard_import=False,
    src_prefixes=[root + "/tests/codegen/schemas"],
)
print(hashlib.sha256(generate(request)["features_capnp.py"].encode()).hexdigest())
"""


def test_output_does_not_depend_on_the_hash_seed() -> None:
    digests = set()
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=ROOT)
        out = subprocess.run(
            [sys.executable, "-c", _SCRIPT, ROOT], capture_output=True, text=True, env=env,
            check=True,
        )  # fmt: skip
        digests.add(out.stdout.strip())
    assert len(digests) == 1
