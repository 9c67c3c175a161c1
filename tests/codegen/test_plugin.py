"""The generator's entry points: generate(), generate_from_bytes() and the capnpc plugin main().

Requests written by ``capnp compile -o-`` itself (tests/schema/data/requests) generate exactly the
checked-in modules, which come from purecap's own compiler: the generator needs nothing but the
request, whichever compiler made it.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from purecap.codegen import GeneratorError, generate, generate_from_bytes, generate_module
from purecap.codegen.plugin import PACKAGE_ENV, main
from purecap.schema import model
from purecap.schema.compiler import compile_files
from purecap.schema.nodes import request_from_bytes
from tests.codegen.regenerate import GENERATED, ROOT

REQUESTS = Path(ROOT) / "tests" / "schema" / "data" / "requests"


def _checked_in(name: str) -> str:
    return (Path(GENERATED) / name).read_text(encoding="utf-8")


def test_capnp_requests_generate_the_checked_in_modules() -> None:
    modules = generate_from_bytes((REQUESTS / "schema.bin").read_bytes())
    assert list(modules) == ["schema_capnp.py"]
    assert modules["schema_capnp.py"] == _checked_in("schema_capnp.py")
    modules = generate_from_bytes((REQUESTS / "json-persistent.bin").read_bytes())
    assert sorted(modules) == ["json_capnp.py", "persistent_capnp.py"]
    for name, source in modules.items():
        assert source == _checked_in(name)


def test_plugin_main_writes_modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(PACKAGE_ENV, raising=False)
    data = (REQUESTS / "json-persistent.bin").read_bytes()
    assert main([], stdin=io.BytesIO(data)) == 0
    assert sorted(os.listdir(tmp_path)) == ["json_capnp.py", "persistent_capnp.py"]
    assert (tmp_path / "json_capnp.py").read_text(encoding="utf-8") == _checked_in("json_capnp.py")


def test_plugin_main_reports_bad_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    err = io.StringIO()
    assert main([], stdin=io.BytesIO(b"\x00\x00\x00\x00\x10\x00\x00\x00"), stderr=err) == 1
    assert err.getvalue().startswith("capnpc-purecap: ")
    assert os.listdir(tmp_path) == []
    help_text = io.StringIO()
    assert main(["--help"], stdin=io.BytesIO(b""), stderr=help_text) == 0
    assert "capnp compile -opurecap" in help_text.getvalue()


def test_import_styles() -> None:
    # features.capnp uses a struct of shapes.capnp: its module imports shapes_capnp.
    request = compile_files(
        [f"{ROOT}/tests/codegen/schemas/features.capnp"],
        import_paths=[f"{ROOT}/tests/codegen/schemas"],
        standard_import=False,
    )
    relative = generate(request)["features_capnp.py"]
    top = generate(request, package="")["features_capnp.py"]
    pkg = generate(request, package="my.pkg")["features_capnp.py"]
    assert "\nfrom . import shapes_capnp as _shapes_capnp\n" in relative
    assert "\nimport shapes_capnp as _shapes_capnp\n" in top
    assert "\nfrom my.pkg import shapes_capnp as _shapes_capnp\n" in pkg
    assert "_shapes_capnp.Polygon_Reader" in relative


def test_two_files_with_one_module_name_are_refused() -> None:
    request = request_from_bytes((REQUESTS / "schema.bin").read_bytes())
    assert request.requested_files
    first = request.requested_files[0]
    request.requested_files.append(model.RequestedFile(first.id, "elsewhere/schema.capnp"))
    with pytest.raises(GeneratorError, match="both be generated as schema_capnp.py"):
        generate(request)


def test_missing_nodes_are_reported() -> None:
    request = request_from_bytes((REQUESTS / "schema.bin").read_bytes())
    with pytest.raises(GeneratorError, match="no node for file"):
        generate_module(request, 0x1234)
    assert request.nodes
    file_id = request.requested_files[0].id if request.requested_files else 0
    request.nodes = [n for n in request.nodes if n.display_name.endswith("schema.capnp:Node")
                     or n.id == file_id]  # fmt: skip
    with pytest.raises(GeneratorError):
        generate(request)
