"""Struct readers and builders: fields of every type, defaults, messages in and out."""

from __future__ import annotations

import io
import math
import struct
from typing import Any

import pytest

import purecap
from purecap.dynamic import (
    DynamicStructBuilder,
    DynamicStructReader,
    MessageSize,
    NotRootError,
)
from purecap.wire.errors import TraversalLimitExceeded, TruncatedMessage
from purecap.wire.message import read_message


def _filled(t: Any) -> Any:
    a = t.AllTypes.new_message()
    a.voidField = None
    a.boolField = True
    a.int8Field = -128
    a.int16Field = 32767
    a.int32Field = -(2**31)
    a.int64Field = 2**63 - 1
    a.uint8Field = 255
    a.uint16Field = 65535
    a.uint32Field = 2**32 - 1
    a.uint64Field = 2**64 - 1
    a.float32Field = 1.5
    a.float64Field = -0.1
    a.textField = "héllo"
    a.dataField = b"\x00\xff"
    a.enumField = "blue"
    return a


def test_every_data_type_round_trips(t: Any) -> None:
    a = _filled(t)
    for obj in (a, a.as_reader(), t.AllTypes.from_bytes(a.to_bytes())):
        assert obj.voidField is None
        assert obj.boolField is True
        assert obj.int8Field == -128
        assert obj.int16Field == 32767
        assert obj.int32Field == -(2**31)
        assert obj.int64Field == 2**63 - 1
        assert obj.uint8Field == 255
        assert obj.uint16Field == 65535
        assert obj.uint32Field == 2**32 - 1
        assert obj.uint64Field == 2**64 - 1
        assert obj.float32Field == 1.5
        assert obj.float64Field == -0.1
        assert obj.textField == "héllo"
        assert obj.dataField == b"\x00\xff"
        assert isinstance(obj.dataField, bytes)
        assert obj.enumField == t.Color.blue and obj.enumField == "blue" and obj.enumField == 2


def test_fresh_struct_reads_zeros_and_nulls(t: Any) -> None:
    a = t.AllTypes.new_message()
    assert (a.boolField, a.int32Field, a.float64Field, a.textField, a.dataField) == (
        False, 0, 0.0, "", b""
    )
    assert a.enumField == t.Color.red
    assert isinstance(a.float32Field, float)
    r = a.as_reader()
    assert r.structField.int32Field == 0  # a null struct reads as its default (all zero)
    assert len(r.int32List) == 0
    assert not a.has("structField")
    assert not r.has("textField")


def test_new_message_takes_fields_and_nested_dicts(t: Any) -> None:
    a = t.AllTypes.new_message(
        int32Field=5, textField="x", structField={"uint8Field": 3, "textList": ["a"]},
        int16List=[1, 2], enumField=t.Color.green,
    )
    assert a.int32Field == 5 and a.textField == "x"
    assert a.structField.uint8Field == 3 and list(a.structField.textList) == ["a"]
    assert list(a.int16List) == [1, 2]
    assert a.enumField == "green"


def test_defaults_are_read_through_the_xor(t: Any) -> None:
    d = t.Defaults.new_message()
    expected = {
        "boolField": True, "int8Field": -123, "int16Field": -12345, "int32Field": -12345678,
        "int64Field": -123456789012345, "uint8Field": 234, "uint16Field": 45678,
        "uint32Field": 3456789012, "uint64Field": 12345678901234567890, "float32Field": 1234.5,
        "float64Field": -1.25e-123, "textField": "foo", "dataField": b"bar",
    }
    for obj in (d, t.Defaults.from_bytes(d.to_bytes())):
        for name, value in expected.items():
            assert getattr(obj, name) == value, name
        assert obj.enumField == "blue"
        assert math.isnan(obj.nan32) and obj.inf64 == -math.inf
    r = d.as_reader()
    assert (r.structField.x, r.structField.y, r.structField.label) == (1, 2, "origin-ish")
    assert list(r.int32List) == [1, 2, 3]
    assert list(r.textList) == ["a", "b"]
    assert [(p.x, p.y) for p in r.structList] == [(5, 0), (0, 6)]
    # The data section of a fresh struct is all zeros: defaults live in the XOR.
    assert bytes(d.to_segments()[0][8:]).strip(b"\x00") == b""


def test_setting_a_defaulted_field_stores_the_xor(t: Any) -> None:
    d = t.Defaults.new_message()
    d.int32Field = 0
    d.boolField = False
    d.float32Field = 0.0
    d.enumField = "red"
    r = t.Defaults.from_bytes(d.to_bytes())
    assert (r.int32Field, r.boolField, r.float32Field, r.enumField) == (0, False, 0.0, "red")
    raw = r._s  # the wire view: the stored bits are value ^ default
    assert raw.get_primitive(struct.Struct("<i"), 4) == -12345678
    d.int32Field = -12345678
    assert d._s.get_primitive(struct.Struct("<i"), 4) == 0


def test_builder_pointer_defaults_are_copied_on_first_access(t: Any) -> None:
    d = t.Defaults.new_message()
    sf = d.structField  # a builder: the default is copied into the message
    assert (sf.x, sf.label) == (1, "origin-ish")
    sf.x = 10
    lst = d.int32List
    lst[0] = 100
    r = t.Defaults.from_bytes(d.to_bytes())
    assert r.structField.x == 10 and r.structField.y == 2
    assert list(r.int32List) == [100, 2, 3]


def test_old_messages_read_new_fields_as_defaults(t: Any) -> None:
    old = t.OldVersion.new_message(a=5, t="old")
    new = t.NewVersion.from_bytes(old.to_bytes())
    assert (new.a, new.t, new.b, new.u, list(new.l)) == (5, "old", 77, "new", [9])
    # A builder of the new version upgrades the old struct in place when written to.
    b = t.NewVersion.from_bytes(old.to_bytes(), builder=True)
    b.b = 1
    r = t.NewVersion.from_bytes(b.to_bytes())
    assert (r.a, r.t, r.b, r.u) == (5, "old", 1, "new")
    # And an old reader of a new message sees just its own fields.
    o = t.OldVersion.from_bytes(t.NewVersion.new_message(a=1, t="x", b=2).to_bytes())
    assert (o.a, o.t) == (1, "x")


def test_has_clear_and_init(t: Any) -> None:
    a = t.AllTypes.new_message()
    assert not a.has("textField") and not a._has("int32List")
    a.textField = "x"
    assert a.has("textField")
    a.clear("textField")
    assert not a.has("textField") and a.textField == ""
    assert a.has("int32Field")  # non-pointer fields are always "set" (C++ has())
    a.int32Field = 9
    a.clear("int32Field")
    assert a.int32Field == 0
    s = a.init("structField")
    s.int8Field = 3
    assert a.structField.int8Field == 3
    assert a.init("structField").int8Field == 0  # init replaces with a fresh struct
    lst = a.init("int64List", 3)
    assert list(lst) == [0, 0, 0]
    view = a.init("dataField", 4)
    view[:] = b"abcd"
    assert a.dataField == b"abcd"
    a.textField = None
    assert not a.has("textField")
    d = t.Defaults.new_message()
    d.uint8Field = 1
    d.clear("uint8Field")
    assert d.uint8Field == 234  # cleared to the default


def test_to_bytes_and_every_reading_path(t: Any) -> None:
    a = _filled(t)
    a.init("structList", 2)[1].textField = "z"
    framed = a.to_bytes()
    packed = a.to_bytes_packed()
    segments = a.to_segments()
    assert read_message(framed).get_root().data_size == 48
    readers = [
        t.AllTypes.from_bytes(framed),
        t.AllTypes.from_bytes(memoryview(framed)),
        t.AllTypes.from_bytes_packed(packed),
        t.AllTypes.from_segments(segments),
        t.AllTypes.read(io.BytesIO(framed)),
        t.AllTypes.read_packed(io.BytesIO(packed)),
    ]
    for r in readers:
        assert isinstance(r, DynamicStructReader)
        assert r == a
        assert r.structList[1].textField == "z"
    stream = io.BytesIO(framed * 3)
    assert [r.int8Field for r in t.AllTypes.read_multiple(stream)] == [-128] * 3
    stream = io.BytesIO(packed * 2)
    assert len(list(t.AllTypes.read_multiple_packed(stream))) == 2
    assert len(list(t.AllTypes.read_multiple_bytes(framed + framed))) == 2
    assert len(list(t.AllTypes.read_multiple_bytes_packed(packed + packed))) == 2
    out = io.BytesIO()
    a.write(out)
    a.write_packed(out)
    out.seek(0)
    assert t.AllTypes.read(out) == a and t.AllTypes.read_packed(out) == a
    with pytest.raises(TruncatedMessage, match="end of stream"):
        t.AllTypes.read(out)


def test_from_bytes_is_a_context_manager_and_zero_copy(t: Any) -> None:
    data = bytearray(t.Point.new_message(x=1).to_bytes())
    with t.Point.from_bytes(data) as p:
        assert p.x == 1
        data[16] = 2  # the reader is a view of the buffer
        assert p.x == 2


def test_read_limits_apply(t: Any) -> None:
    a = t.AllTypes.new_message()
    a.init("int64List", 1000)
    data = a.to_bytes()
    r = t.AllTypes.from_bytes(data, traversal_limit_in_words=1500)
    assert len(r.int64List) == 1000  # the first read is within the limit...
    with pytest.raises(TraversalLimitExceeded):
        r.int64List  # ...reading it again counts again (amplification defence)
    deep = t.AllTypes.new_message()
    deep.structField.structField.structField.int8Field = 1
    r = t.AllTypes.from_bytes(deep.to_bytes(), nesting_limit=2)
    with pytest.raises(purecap.PurecapError, match="nest"):
        r.structField.structField.structField


def test_as_builder_copy_and_as_reader(t: Any) -> None:
    a = _filled(t)
    r = t.AllTypes.from_bytes(a.to_bytes())
    b = r.as_builder()
    assert isinstance(b, DynamicStructBuilder)
    b.int8Field = 1
    assert r.int8Field == -128 and b.int8Field == 1
    c = a.copy()
    c.textField = "changed"
    assert a.textField == "héllo"
    rc = r.copy()
    assert rc == r and rc._s.arena is not r._s.arena
    live = a.as_reader()
    a.int16Field = 5
    assert live.int16Field == 5  # as_reader sees later changes
    assert a.as_builder() is a and r.as_reader() is r


def test_equality_is_by_canonical_content(t: Any) -> None:
    p = t.Point.new_message(x=1, y=2)
    q = t.Point.new_message(y=2)
    q.x = 1
    assert p == q and p.as_reader() == q
    assert hash(p.as_reader()) == hash(q.as_reader())
    q.label = "l"
    assert p != q
    assert p != t.Point.new_message(x=1)
    old = t.OldVersion.new_message(a=1)
    assert old != t.NewVersion.new_message(a=1)  # different struct types never compare equal
    assert p.as_reader() != 5


def test_to_dict_and_from_dict(t: Any) -> None:
    a = _filled(t)
    a.int32List = [1, 2]
    a.structList = [{"textField": "s"}, {}]
    d = a.to_dict()
    assert d["enumField"] == "blue" and d["int32List"] == [1, 2]
    assert d["structList"][0]["textField"] == "s"
    assert "structField" not in d and "anyField" not in d  # null pointers left out
    assert "structField" in a.to_dict(verbose=True)
    b = t.AllTypes.from_dict(d)
    assert b == a
    assert t.AllTypes.new_message(**d) == a
    c = t.AllTypes.new_message()
    c.from_dict({"int8Field": 3})
    assert c.int8Field == 3


def test_total_size_is_root_and_write_only_from_the_root(t: Any) -> None:
    a = t.AllTypes.new_message()
    a.textField = "abc"
    size = a.total_size
    assert isinstance(size, MessageSize) and size == (6 + 26 + 1, 0)
    assert a.is_root
    s = a.init("structField")
    assert not s.is_root
    with pytest.raises(NotRootError, match="not the root"):
        s.to_bytes()
    assert t.AllTypes.from_bytes(s.copy().to_bytes()) == s
    assert s.as_reader().to_bytes() == s.copy().to_bytes()  # readers copy out to a new message
    a.clear_write_flag()


def test_isinstance_and_classes(t: Any) -> None:
    p = t.Point.new_message()
    assert isinstance(p, t.Point) and isinstance(p.as_reader(), t.Point)
    assert not isinstance(p, t.Shape)
    assert isinstance(p, t.Point.Builder) and isinstance(p.as_reader(), t.Point.Reader)
    assert t.Point.Reader.__qualname__ == "Point.Reader"
    assert "x" in dir(p) and "label" in dir(p.as_reader())
    assert t.Point.schema.fieldnames == ("x", "y", "label")
    shape = t.Shape.schema  # pycapnp's shape of a struct schema
    assert shape.union_fields == ("circle", "rectangle", "polygon", "empty", "tag")
    assert shape.non_union_fields == ("name", "color", "style", "depth")
    assert list(shape.fields) == list(shape.fieldnames) and shape.fields["depth"].name == "depth"
    assert [f.name for f in shape.fields_list] == list(shape.fieldnames)
    assert shape.get_proto() is shape.node and shape.node.display_name.endswith(":Shape")
    assert p.schema is t.Point.schema
    assert t.Point.id == 0xC5046A13D435CC77
    assert repr(t.Point) == "<struct Point>"
    assert repr(p) == "<Point builder (x = 0, y = 0)>"
    assert repr(t.Outer.Inner.Deep) == "<struct Outer.Inner.Deep>"


def test_keyword_and_method_named_fields(t: Any) -> None:
    n = t.Names.new_message(from_=1, **{"class": "c"})
    assert n.from_ == 1 and getattr(n, "from") == 1
    n.class_ = "k"
    assert n._get("class") == "k"
    n.init = 7  # assignment reaches the field even where a method has the name
    n.lambda_ = 0.5
    n._set("which", True)
    n._set("copy", "cp")
    assert n._get("init") == 7 and n._get("which") is True and n._get("copy") == "cp"
    assert callable(n.copy) and callable(n.init)  # the methods stay methods
    r = n.as_reader()
    assert r.lambda_ == 0.5 and r._get("lambda") == 0.5
    assert n.to_dict() == {
        "from": 1, "class": "k", "init": 7, "which": True, "copy": "cp", "lambda": 0.5
    }


def test_float32_rounding_and_overflow(t: Any) -> None:
    a = t.AllTypes.new_message()
    a.float32Field = 0.1
    assert a.float32Field == struct.unpack("<f", struct.pack("<f", 0.1))[0]
    a.float32Field = 1e39  # beyond Float32: infinity, as C++'s conversion gives
    assert a.float32Field == math.inf
    a.float32Field = -1e39
    assert a.float32Field == -math.inf
    a.float64Field = 3  # an int is a fine float
    assert a.float64Field == 3.0 and isinstance(a.float64Field, float)
    a.int32Field = True  # and a bool a fine int, as in Python
    a.uint8Field = False
    assert a.int32Field == 1 and a.uint8Field == 0
    with pytest.raises(purecap.dynamic.ValueOutOfRange, match="out of range for a float"):
        a.float64Field = 10**400
    d = t.Defaults.new_message()
    d.float32Field = 1e39
    assert d.float32Field == math.inf
    d.float64Field = 2
    assert d.float64Field == 2.0


def test_struct_fields_accept_readers_builders_and_dicts(t: Any) -> None:
    p = t.Point.new_message(x=1, label="src")
    a = t.AllTypes.new_message()
    g = t.Generics.new_message()
    g.pointBox.value = p
    g.pointBox.value = p.as_reader()
    assert g.pointBox.value.label == "src"
    a.structField = {"int8Field": 1}
    a.structField = a.structField.as_reader()  # itself: copied out first, not destroyed
    assert a.structField.int8Field == 1
    b = t.AllTypes.new_message()
    b.structField = a
    b.structField.structField = b.structField  # from the same message
    assert b.structField.structField.structField.int8Field == 1
    b.structField = None
    assert not b.has("structField")


def test_readers_keep_the_message_alive(t: Any) -> None:
    r = t.AllTypes.from_bytes(_filled(t).to_bytes())
    inner = r.structField
    del r
    assert inner.int32Field == 0


def test_copy_and_deepcopy(t: Any) -> None:
    import copy

    a = t.AllTypes.new_message(int8Field=1)
    alias = copy.copy(a)
    alias.int8Field = 2
    assert a.int8Field == 2  # a shallow copy is another view of the same struct
    deep = copy.deepcopy(a)
    deep.int8Field = 3
    assert a.int8Field == 2 and deep.int8Field == 3
    r = a.as_reader()
    assert copy.copy(r) == r and copy.deepcopy(r) == r  # (pickling: test_pickle.py)


def test_deep_builders_print_within_the_nesting_limit(t: Any) -> None:
    a = t.AllTypes.new_message()
    node = a
    for _ in range(70):  # deeper than the default nesting limit of 64
        node = node.init("structField")
    a.copy()  # copying is not recursive: any depth
    assert len(a.to_bytes()) > 70 * 8
    with pytest.raises(purecap.PurecapError, match="nest"):
        str(a)
    with pytest.raises(purecap.PurecapError, match="nest"):
        a.to_dict()
    for _ in range(3000):
        node = node.init("structField")
    deep = t.AllTypes.from_bytes(
        a.to_bytes(), nesting_limit=10_000, traversal_limit_in_words=10**9
    )
    with pytest.raises(purecap.PurecapError, match="nest"):
        str(deep)  # a huge nesting limit: Python's recursion limit is hit, reported as ours


def test_pycapnp_extras_resizable_lists_and_data_views(t: Any) -> None:
    a = t.AllTypes.new_message(dataField=b"abc")
    grow = a.init_resizable_list("structList")
    first = grow.add()
    first.textField = "one"
    grow.add().int8Field = 2
    assert len(grow) == 2 and grow[0].textField == "one"
    grow.finish()
    assert [s.textField for s in a.structList] == ["one", ""] and a.structList[1].int8Field == 2
    with pytest.raises(purecap.dynamic.SchemaUsageError, match="finished"):
        grow.add()
    with pytest.raises(purecap.dynamic.WrongValueType, match="lists of structs"):
        a.init_resizable_list("int32List")
    view = a.get_data_as_view("dataField")
    view[0] = ord("A")  # a builder's view writes through
    assert a.dataField == b"Abc"
    r = t.AllTypes.from_bytes(a.to_bytes())
    assert bytes(r.get_data_as_view("dataField")) == b"Abc"
    assert bytes(t.AllTypes.new_message().get_data_as_view("dataField")) == b""
    with pytest.raises(purecap.dynamic.WrongValueType, match="not Data"):
        r.get_data_as_view("textField")
