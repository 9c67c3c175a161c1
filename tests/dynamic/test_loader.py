"""purecap.load, load_request and the import hook."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

import purecap
from purecap.dynamic import SchemaModule, SchemaUsageError, UnknownField
from purecap.schema.compiler import CompileError, compile_files
from purecap.schema.errors import SchemaErrors
from purecap.schema.nodes import request_to_bytes
from tests.dynamic.helpers import SCHEMAS

_SMALL = """@0xd50896166206331c;
struct Thing {
  name @0 :Text;
  size @1 :UInt16 = 3;
}
const answer :UInt8 = 7;
"""


def test_the_module(t: Any) -> None:
    assert isinstance(t, SchemaModule)
    assert t.__name__ == "dyntest_capnp"
    assert t.__file__ == str(SCHEMAS / "dyntest.capnp")
    assert {"AllTypes", "Shape", "Color", "Calculator", "intConst", "Outer"} <= set(vars(t))
    assert "Unused" not in vars(t)
    with pytest.raises(UnknownField, match="declares no 'Shap' \\(did you mean 'Shape'\\?\\)"):
        t.Shap
    with pytest.raises(AttributeError):
        t._private


def test_import_is_cheap_and_load_is_lazy() -> None:
    code = (
        "import sys, purecap\n"
        "assert 'purecap.dynamic' not in sys.modules, 'imported too early'\n"
        "assert callable(purecap.load)\n"
        "assert 'purecap.dynamic' in sys.modules\n"
        "try:\n"
        "    purecap.nothing\n"
        "except AttributeError:\n"
        "    pass\n"
    )
    root = str(Path(__file__).resolve().parents[2])
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root, timeout=60)


def test_load_options(tmp_path: Path) -> None:
    (tmp_path / "small.capnp").write_text(_SMALL)
    m = purecap.load(str(tmp_path / "small.capnp"), display_name="custom")
    assert m.__name__ == "custom" and m.answer == 7
    assert m.Thing.new_message().size == 3
    m2 = purecap.load(tmp_path / "small.capnp", standard_import=False)
    assert m2.Thing is not m.Thing  # every load makes its own types...
    thing = m.Thing.new_message(name="n")
    assert m2.Thing.from_bytes(thing.to_bytes()) == thing  # ...compatible by node id


def test_compile_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.capnp"
    bad.write_text("@0xd50896166206331c;\nstruct S { x @0 :Nope; }\n")
    with pytest.raises(SchemaErrors, match="Nope"):
        purecap.load(bad)
    with pytest.raises(CompileError, match="no such file"):
        purecap.load(tmp_path / "missing.capnp")


def test_load_request_choices(tmp_path: Path) -> None:
    (tmp_path / "a.capnp").write_text(_SMALL)
    (tmp_path / "b.capnp").write_text(
        "@0xc4bd6cbafc7daa62;\nusing A = import \"a.capnp\";\nstruct B { t @0 :A.Thing; }\n"
    )
    request = compile_files([str(tmp_path / "a.capnp"), str(tmp_path / "b.capnp")])
    raw = request_to_bytes(request)
    with pytest.raises(SchemaUsageError, match="several files"):
        purecap.load_request(raw)
    b = purecap.load_request(raw, filename="b.capnp")
    assert b.B.new_message(t={"name": "x"}).t.size == 3
    a = purecap.load_request(request, filename="a.capnp")
    assert a.answer == 7
    with pytest.raises(SchemaUsageError, match="no file 'c.capnp'"):
        purecap.load_request(raw, filename="c.capnp")
    with pytest.raises(SchemaUsageError, match="takes the request's bytes"):
        purecap.load_request(42)  # type: ignore[arg-type]


@pytest.fixture
def hooked(tmp_path: Path) -> Iterator[Path]:
    """The import hook installed, ``tmp_path`` on ``sys.path``; all undone afterwards."""
    (tmp_path / "hooked_schema.capnp").write_text(_SMALL)
    (tmp_path / "dashed-name.capnp").write_text(_SMALL.replace("331c;", "331d;"))
    package = tmp_path / "schemapkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "inner.capnp").write_text(_SMALL.replace("331c;", "331e;"))
    sys.path.insert(0, str(tmp_path))
    purecap.add_import_hook()
    purecap.add_import_hook()  # idempotent
    try:
        yield tmp_path
    finally:
        purecap.remove_import_hook()
        sys.path.remove(str(tmp_path))
        for name in ("hooked_schema_capnp", "dashed_name_capnp", "schemapkg",
                     "schemapkg.inner_capnp"):  # fmt: skip
            sys.modules.pop(name, None)


def test_import_hook(hooked: Path) -> None:
    module = importlib.import_module("hooked_schema_capnp")
    assert isinstance(module, SchemaModule) and module.answer == 7
    assert module.__name__ == "hooked_schema_capnp"
    assert importlib.import_module("hooked_schema_capnp") is module  # cached in sys.modules
    assert importlib.import_module("dashed_name_capnp").Thing.new_message().size == 3
    inner = importlib.import_module("schemapkg.inner_capnp")
    assert inner.Thing.schema.fieldnames == ("name", "size")
    with pytest.raises(ImportError):
        importlib.import_module("no_such_schema_capnp")


def test_remove_import_hook(hooked: Path) -> None:
    purecap.remove_import_hook()
    with pytest.raises(ImportError):
        importlib.import_module("hooked_schema_capnp")
    purecap.remove_import_hook()  # removing twice is fine


def test_a_schema_nobody_uses_is_freed_and_loads_do_not_share_types() -> None:
    import gc
    import weakref

    first = purecap.load(SCHEMAS / "dyntest.capnp", imports=[SCHEMAS])
    second = purecap.load(SCHEMAS / "dyntest.capnp", imports=[SCHEMAS])
    # Lists of structs (a field's type, a constant's) wrap the elements in their own load's types.
    for module in (second, first):
        lst = module.AllTypes.new_message().init("structList", 1)
        assert type(lst[0]) is module.AllTypes.Builder
        assert type(module.listConst[0]) is module.Point.Reader
    gone = weakref.ref(first.AllTypes)
    del first, lst, module
    gc.collect()
    assert gone() is None  # nothing global keeps a loaded schema alive
    assert second.AllTypes.new_message().init("structList", 1)[0].int8Field == 0
