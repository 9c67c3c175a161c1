"""The generated module the benchmark times: ``workloads_capnp``, generated afresh at start.

``load()`` compiles ``schemas/workloads.capnp`` with purecap's own schema compiler, runs the code
generator on the request (what ``purecap compile -opython:DIR`` does) into a temporary directory
and imports the module from there. Generating at start, rather than timing a checked-in copy,
means the numbers are always those of the generator as it is now.

mypy checks ``impl_generated`` against the copy under ``tests/codegen/generated/`` (the same
source, up to its docstring's file name); ``test_bench.py`` checks that they agree.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
from types import ModuleType
from typing import Dict, Optional

from purecap.codegen import generate
from purecap.schema.compiler import compile_files

SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schemas", "workloads.capnp")
MODULE_NAME = "bench_generated_workloads_capnp"  # not ``workloads_capnp``: no clash with a copy

_loaded: Optional[ModuleType] = None


def sources() -> Dict[str, str]:
    """``{module file name: source}`` as the generator writes them for the workloads schema."""
    request = compile_files([SCHEMA], [], True, [])
    return generate(request)


def load() -> ModuleType:
    """Generate ``workloads_capnp.py`` into a temporary directory and import it (once)."""
    global _loaded
    if _loaded is not None:
        return _loaded
    (name, source), = sources().items()
    directory = tempfile.mkdtemp(prefix="purecap-bench-")
    path = os.path.join(directory, os.path.basename(name))
    with open(path, "w") as f:
        f.write(source)
    spec = importlib.util.spec_from_file_location(MODULE_NAME, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[MODULE_NAME] = module
    spec.loader.exec_module(module)
    _loaded = module
    return module
