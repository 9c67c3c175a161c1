"""Pickling struct readers and builders (``purecap.dynamic.pickling``): round trips in this
process and in another one that loads the schema - by ``purecap.load``, or by importing it
through the import hook - and what stays unpicklable."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest

import purecap
from purecap.dynamic import Capability, SchemaUsageError, Unpicklable
from purecap.dynamic.pickling import restore_struct
from tests.dynamic.helpers import SCHEMAS

ROOT = Path(__file__).resolve().parents[2]
PROTOCOLS = range(pickle.HIGHEST_PROTOCOL + 1)


def _filled(t: Any) -> Any:
    return t.AllTypes.new_message(
        int32Field=-7, textField="text", dataField=b"\x00\x01", enumField="blue",
        structField={"float64Field": 0.5, "textList": ["a", "b"]},
        structList=[{"int8Field": 1}, {"uint64Field": 2**64 - 1}],
        listList=[[1], [2, 3]], interfaceField=Capability(2),
    )  # fmt: skip


# Values come back typed by the schema loaded last that has their node (other tests load the
# test schema again: the types are then that load's), hence the checks by name.


def test_readers_and_builders_round_trip(t: Any) -> None:
    a = _filled(t)
    for protocol in PROTOCOLS:
        r = pickle.loads(pickle.dumps(a.as_reader(), protocol))
        assert type(r).__qualname__ == "AllTypes.Reader" and isinstance(r, t.AllTypes)
        assert r == a and r.interfaceField.index == 2  # a capability read from bytes: an index
        b = pickle.loads(pickle.dumps(a, protocol))
        assert type(b).__qualname__ == "AllTypes.Builder" and b == a
    b.structField.textList[0] = "changed"  # a builder of a copy, in a message of its own
    assert a.structField.textList[0] == "a" and b.is_root
    s = t.Shape.new_message(name="n", polygon=[{"x": 1}])
    assert pickle.loads(pickle.dumps(s)) == s
    d = t.Defaults.new_message()
    assert pickle.loads(pickle.dumps(d)).textField == "foo"


def test_what_is_pickled_is_a_copy_of_the_struct_alone(t: Any) -> None:
    a = _filled(t)
    a.textField = "secret"
    a.disown("textField")  # unreachable words: not part of the copy
    inner = a.structList[1]
    data = pickle.dumps(inner)
    assert b"secret" not in data
    back = pickle.loads(data)
    assert back.uint64Field == 2**64 - 1 and back.is_root
    reader = pickle.loads(pickle.dumps(a.as_reader().structField))
    assert list(reader.textList) == ["a", "b"]


def test_groups_come_back_as_the_group_of_a_copy(t: Any) -> None:
    s = t.Shape.new_message(name="n")
    s.style.pattern.custom = "dots"
    g = pickle.loads(pickle.dumps(s.style))
    assert type(g).__qualname__ == "Shape.style.Builder" and g.pattern.custom == "dots"
    g.thickness = 9  # a builder of the copy of the whole Shape
    assert s.style.thickness == 1
    r = pickle.loads(pickle.dumps(s.as_reader().style))
    assert r.to_dict() == s.style.to_dict()


def test_generic_brands_survive(t: Any) -> None:
    g = t.Generics.new_message()
    g.textBox.value = "boxed"
    g.pointBox.value.x = 4
    g.init("boxList", 1)[0].value = "listed"
    for value in (g.textBox, g.pointBox, g.wrapped.pair):
        back = pickle.loads(pickle.dumps(value))
        assert back._type.key == value._type.key  # the same struct, with the same brand
    assert pickle.loads(pickle.dumps(g.textBox)).value == "boxed"
    assert pickle.loads(pickle.dumps(g.pointBox)).value.x == 4
    assert pickle.loads(pickle.dumps(g)).boxList[0].value == "listed"


def test_what_cannot_be_pickled(t: Any) -> None:
    a = _filled(t)
    for value in (a.structList, a.as_reader().int32List, a.anyField, a.as_reader().anyField):
        with pytest.raises(Unpicklable, match="nor can it in pycapnp"):
            pickle.dumps(value)
    a.interfaceField = Capability(0, client=object())  # a live capability
    with pytest.raises(Unpicklable, match="live capabilities"):
        pickle.dumps(a)
    with pytest.raises(Unpicklable, match="live capabilities"):
        pickle.dumps(a.as_reader())
    with pytest.raises(Unpicklable, match="capability table"):
        pickle.dumps(a.interfaceField)
    assert issubclass(Unpicklable, TypeError)


def test_values_come_back_in_the_schema_loaded_last(t: Any) -> None:
    data = pickle.dumps(t.Point.new_message(x=1))
    again = purecap.load(SCHEMAS / "dyntest.capnp", imports=[SCHEMAS])
    back = pickle.loads(data)
    assert type(back) is again.Point.Builder and back.x == 1


def test_a_schema_that_is_not_loaded() -> None:
    with pytest.raises(SchemaUsageError, match="0x0000000000001234.*purecap.load"):
        restore_struct(0x1234, (), None, b"", False)
    with pytest.raises(SchemaUsageError, match="'no_such_module_capnp' importable"):
        restore_struct(0x1234, (), "no_such_module_capnp", b"", False)


def _run(script: str, data: bytes, *paths: str) -> str:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join((str(ROOT),) + paths))
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)], input=data, capture_output=True,
        env=env, timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode()


def test_another_process_that_loads_the_schema(t: Any) -> None:
    data = pickle.dumps([_filled(t).as_reader(), t.Generics.new_message().pointBox])
    out = _run(
        f"""
        import pickle, sys
        import purecap
        purecap.load({str(SCHEMAS / "dyntest.capnp")!r}, imports=[{str(SCHEMAS)!r}])
        reader, box = pickle.loads(sys.stdin.buffer.read())
        print(type(reader).__qualname__, reader.structField.textList[1], reader.listList[1][1])
        print(type(box).__qualname__, type(box.value).__qualname__)
        """,
        data,
    )
    assert out.split() == ["AllTypes.Reader", "b", "3", "Box.Builder", "Point.Builder"]


@pytest.fixture
def hooked_schema(tmp_path: Path) -> Iterator[Any]:
    """A schema imported through the import hook (``import pickled_<id>_capnp``), and the
    directory it is in; the hook, path and module are put back as they were afterwards."""
    name = f"pickled_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.capnp").write_text(
        "@0xd0ee9c2ab5b5a0f1;\nstruct Item { name @0 :Text; count @1 :UInt32; }\n"
    )
    from purecap.dynamic.loader import _HOOK

    hooked = "finder" in _HOOK and _HOOK["finder"] in sys.meta_path
    sys.path.insert(0, str(tmp_path))
    purecap.add_import_hook()
    try:
        yield __import__(f"{name}_capnp"), tmp_path
    finally:
        if not hooked:
            purecap.remove_import_hook()
        sys.path.remove(str(tmp_path))
        sys.modules.pop(f"{name}_capnp", None)


def test_another_process_that_imports_the_schema(hooked_schema: Any) -> None:
    module, directory = hooked_schema
    data = pickle.dumps(module.Item.new_message(name="widget", count=3))
    out = _run(
        """
        import pickle, sys
        import purecap
        data = sys.stdin.buffer.read()
        try:
            pickle.loads(data)
        except purecap.dynamic.SchemaUsageError as e:
            print("without the hook:", "add_import_hook" in str(e))
        purecap.add_import_hook()
        item = pickle.loads(data)
        print(type(item).__qualname__, item.name, item.count)
        """,
        data,
        str(directory),
    )
    assert out.split("\n")[:2] == ["without the hook: True", "Item.Builder widget 3"]


def test_what_does_not_pickle_still_copies(t: Any) -> None:
    """copy.copy is another view, copy.deepcopy a copy in a message of its own (pickling's
    refusal must not take copying with it: both go through __reduce_ex__ by default)."""
    import copy

    a = t.AllTypes.new_message(int32List=[1, 2], structList=[{"int8Field": 3}])
    a.anyField.set("x")
    a.interfaceField = Capability(1)
    for value in (a.int32List, a.as_reader().structList, a.anyField, a.as_reader().anyField):
        assert copy.copy(value) == value and type(copy.copy(value)) is type(value)
        assert copy.deepcopy(value) == value and type(copy.deepcopy(value)) is type(value)
    view = copy.copy(a.int32List)
    view[0] = 5
    deep = copy.deepcopy(a.int32List)
    deep[0] = 6
    assert a.int32List == [5, 2] and deep == [6, 2]
    deep_any = copy.deepcopy(a.anyField)
    deep_any.set("y")
    assert a.anyField.as_text() == "x"
    assert copy.copy(a.interfaceField) == copy.deepcopy(a.interfaceField) == a.interfaceField
    orphan = a.disown("structList")
    from purecap.dynamic import OrphanError

    with pytest.raises(OrphanError, match="cannot be copied"):
        copy.copy(orphan)
    with pytest.raises(OrphanError, match="cannot be copied"):
        copy.deepcopy(orphan)
