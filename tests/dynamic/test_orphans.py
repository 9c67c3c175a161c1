"""Orphans of the dynamic API: ``disown``/``adopt`` on struct fields, list elements and
AnyPointers, the ``Orphanage``, and the errors of using them the wrong way.

The bytes are compared with pycapnp's (the C++ library) in
``conformance/test_dynamic_orphans.py``; here, what each operation does to the values.
"""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from purecap.dynamic import (
    Capability,
    InactiveUnionMember,
    Orphan,
    OrphanError,
    SchemaUsageError,
    Unpicklable,
    WrongValueType,
)
from purecap.dynamic.schema import type_name


def test_a_struct_moves_without_a_copy(t: Any) -> None:
    a = t.AllTypes.new_message()
    inner = a.init("structField")
    inner.int32Field = 7
    inner.init("structField").textField = "deep"
    where = inner._s.data_offset
    o = a.disown("structField")
    assert not a.has("structField") and isinstance(o, Orphan)
    assert type_name(o.type) == "AllTypes" and not o.is_null()
    assert o.get_reader().structField.textField == "deep"
    o.get().int16Field = 3  # a builder in place
    lst = a.init("structList", 1)
    lst[0].adopt("structField", o)
    moved = a.structList[0].structField
    assert moved._s.data_offset == where  # the same words, now pointed at from elsewhere
    assert (moved.int32Field, moved.int16Field, moved.structField.textField) == (7, 3, "deep")
    assert repr(o) == "<Orphan AllTypes (adopted)>" and str(o) == repr(o)


def test_every_pointer_kind(t: Any) -> None:
    a = t.AllTypes.new_message(
        textField="text", dataField=b"\x01\x02", int32List=[1, 2], textList=["x"],
        structList=[{"int8Field": 4}],
    )
    b = a.init("structField")
    for name, value in [
        ("textField", "text"), ("dataField", b"\x01\x02"), ("int32List", [1, 2]),
        ("textList", ["x"]),
    ]:  # fmt: skip
        o = a.disown(name)
        assert not a.has(name) and o.get_reader() == value and o.get() == value
        b.adopt(name, o)
        assert b._get(name) == value
    o = a.disown("structList")
    assert o.get()[0].int8Field == 4
    b.adopt("structList", o)
    assert b.structList[0].int8Field == 4
    # AnyPointer: anything; its orphan has no type to be read as, only adopted.
    a.anyField.set("any")
    o = a.disown("anyField")
    with pytest.raises(SchemaUsageError, match="no type"):
        o.get()
    assert str(o) == "<AnyPointer orphan: list>"
    b.adopt("anyField", o)
    assert b.anyField.as_text() == "any"


def test_capabilities(t: Any) -> None:
    a = t.AllTypes.new_message()
    a.interfaceField = Capability(3)
    o = a.disown("interfaceField")
    cap = o.get()
    assert isinstance(cap, Capability) and cap.index == 3 and o.get_reader() == cap
    b = a.init("structField")
    b.adopt("interfaceField", o)
    assert b.interfaceField.index == 3 and a.interfaceField is None
    o = b.disown("interfaceField")
    a.adopt("anyField", o)  # an AnyPointer takes a capability too
    assert a.anyField.as_capability().index == 3


def test_numbers_enums_bools_and_void_are_value_orphans(t: Any) -> None:
    a = t.AllTypes.new_message(int32Field=-5, enumField="blue", boolField=True)
    o = a.disown("int32Field")
    assert a.int32Field == 0 and o.get() == -5 and o.get_reader() == -5 and not o.is_null()
    a.adopt("int64Field", o)  # the value is set, as C++ sets it
    assert a.int64Field == -5
    e = a.disown("enumField")
    assert a.enumField == "red" and e.get() == "blue"
    a.adopt("enumField", e)
    assert a.enumField == "blue"
    f = a.disown("boolField")
    a.adopt("boolField", f)
    assert a.boolField is True
    v = a.disown("voidField")
    assert v.get() is None
    with pytest.raises(WrongValueType, match="orphan of Void into AllTypes.textField"):
        a.adopt("textField", v)
    with pytest.raises(WrongValueType, match="orphan of Text into AllTypes.int8Field"):
        a.adopt("int8Field", a.get_orphanage().new_orphan_text("x"))
    d = t.Defaults.new_message()
    o = d.disown("int8Field")  # a field with a default: its value, and back to the default
    assert o.get() == -123 and d.int8Field == -123


def test_defaults_are_materialised_as_cxx_get_does(t: Any) -> None:
    d = t.Defaults.new_message()
    o = d.disown("textField")  # null: C++ get() copies the default in first
    assert o.get() == "foo" and not d.has("textField")
    o = d.disown("structField")
    assert o.get_reader().label == "origin-ish"
    o = d.disown("int32List")
    assert list(o.get()) == [1, 2, 3]
    a = t.AllTypes.new_message()
    o = a.disown("structField")  # a null struct field is made a struct first
    assert not o.is_null() and o.get_reader().int8Field == 0
    o = a.disown("textField")  # no default: a null orphan
    assert o.is_null() and o.get() == "" and a.disown("int32List").get() == []


def test_unions(t: Any) -> None:
    s = t.Shape.new_message(circle=2.0)
    with pytest.raises(InactiveUnionMember):
        s.disown("polygon")
    s.init("polygon", 1)[0].x = 5
    o = s.disown("polygon")
    assert s.which == "polygon" and not s.has("polygon")
    s.circle = 1.0
    s.adopt("polygon", o)  # adopting a member makes it the active one
    assert s.which == "polygon" and s.polygon[0].x == 5
    s.tag = "t"
    tag = s.disown("tag")
    s.circle = 3.0
    s.adopt("tag", tag)
    assert s.which == "tag" and s.tag == "t"


def test_groups_move_by_their_fields(t: Any) -> None:
    s = t.Shape.new_message(name="n")
    s.style.thickness = 4
    s.style.pattern.custom = "dots"
    g = s.disown("style")
    assert type_name(g.type) == "Shape.style"
    assert s.style.thickness == 1 and s.style.pattern.which == "solid"  # reset to defaults
    assert g.get_reader().pattern.custom == "dots" and g.get().thickness == 4
    s.adopt("style", g)
    assert s.style.thickness == 4 and s.style.pattern.custom == "dots"
    rect = s.init("rectangle")
    rect.width = 2.0
    r = s.disown("rectangle")
    s.circle = 1.0
    s.adopt("rectangle", r)
    assert s.which == "rectangle" and s.rectangle.width == 2.0
    with pytest.raises(WrongValueType, match="into Shape.style"):
        s.adopt("style", s.get_orphanage().new_orphan(t.Point))
    other = s.disown("rectangle")
    with pytest.raises(WrongValueType):
        s.adopt("style", other)


def test_type_mismatches(t: Any) -> None:
    a = t.AllTypes.new_message()
    orphanage = a.get_orphanage()
    point = orphanage.new_orphan(t.Point)
    for field in ("structField", "int32List", "textField", "dataField", "interfaceField"):
        with pytest.raises(WrongValueType, match=f"orphan of Point into AllTypes.{field}"):
            a.adopt(field, point)
    with pytest.raises(WrongValueType, match="List\\(Int16\\)"):
        a.adopt("int32List", orphanage.new_orphan_list("Int16", 1))
    with pytest.raises(WrongValueType):
        a.adopt("textField", orphanage.new_orphan_data(b"x"))
    with pytest.raises(WrongValueType):  # an AnyList takes no struct
        a.adopt("anyList", point)
    a.adopt("anyStruct", point)
    a.adopt("anyList", orphanage.new_orphan_list("Int16", 2))
    assert a.anyStruct.as_struct(t.Point).x == 0 and len(a.anyList.as_list("Int16")) == 2
    g = t.Generics.new_message()
    box = g.disown("textBox")  # Box(Text)
    with pytest.raises(WrongValueType, match="into Generics.pointBox"):
        g.adopt("pointBox", box)  # Box(Point): another brand, another type
    g.adopt("textBox", box)
    with pytest.raises(WrongValueType, match="takes an Orphan"):
        a.adopt("structField", a.structField)


def test_an_orphan_belongs_to_its_message_and_is_adopted_once(t: Any) -> None:
    a = t.AllTypes.new_message()
    o = a.get_orphanage().new_orphan(t.AllTypes)
    with pytest.raises(OrphanError, match="its own message"):
        t.AllTypes.new_message().adopt("structField", o)
    a.adopt("structField", o)
    for use in (o.get, o.get_reader, o.is_null, lambda: a.adopt("structField", o)):
        with pytest.raises(OrphanError, match="was adopted"):
            use()
    o.discard()  # it owns nothing: nothing to do
    d = a.disown("structField")
    d.discard()
    with pytest.raises(OrphanError, match="was discarded"):
        d.get()
    assert repr(d) == "<Orphan AllTypes (discarded)>"
    with pytest.raises(Unpicklable, match="orphan"):
        pickle.dumps(a.get_orphanage().new_orphan(t.Point))


def test_dropped_orphans_stay_until_discarded(t: Any) -> None:
    a = t.AllTypes.new_message()
    a.textField = "secret"
    kept = a.disown("textField")
    del kept  # nothing happens at garbage collection: the words stay, unreachable
    assert b"secret" in a.to_bytes() and not a.has("textField")
    a.textField = "secret2"
    a.disown("textField").discard()  # zeroed, as C++'s destructor does
    assert b"secret2" not in a.to_bytes()
    a.init("structField").textField = "deep secret"
    a.disown("structField").discard()  # recursively
    assert b"deep secret" not in a.to_bytes()


def test_the_orphanage(t: Any) -> None:
    a = t.AllTypes.new_message()
    orphanage = a.get_orphanage()
    assert a.init("structField").get_orphanage()._message is orphanage._message
    points = orphanage.new_orphan_list(t.AllTypes, 2)
    points.get()[1].textField = "second"
    assert type_name(points.type) == "List(AllTypes)" and len(points.get_reader()) == 2
    a.adopt("structList", points)
    assert a.structList[1].textField == "second"
    nested = orphanage.new_orphan_list("List(Int32)", 1)
    nested.get().init(0, 2)[1] = 9
    a.adopt("listList", nested)
    assert a.listList[0] == [0, 9]
    colors = orphanage.new_orphan_list(t.Color, 2)
    colors.get()[0] = "green"
    a.adopt("enumList", colors)
    assert a.enumList[0] == "green"
    text = orphanage.new_orphan_text("héllo")
    assert text.get() == "héllo" and str(text) == "héllo"
    a.adopt("textField", text)
    data = orphanage.new_orphan_data(bytearray(b"\x00\xff"))
    a.adopt("dataField", data)
    assert (a.textField, a.dataField) == ("héllo", b"\x00\xff")
    with pytest.raises(WrongValueType):
        orphanage.new_orphan_text(b"bytes")
    with pytest.raises(WrongValueType):
        orphanage.new_orphan_data("str")
    with pytest.raises(WrongValueType):
        orphanage.new_orphan_list(t.Point, -1)
    with pytest.raises(WrongValueType):
        orphanage.new_orphan(t.Color)
    assert repr(orphanage).startswith("<Orphanage of <MessageBuilder")
    assert str(orphanage.new_orphan(t.Point)) == "(x = 0, y = 0)"


def test_list_elements(t: Any) -> None:
    a = t.AllTypes.new_message(
        int32List=[1, 2, 3], boolList=[True, True], textList=["x", "y"],
        structList=[{"int8Field": 1, "textField": "one"}, {"int8Field": 2}],
        listList=[[1], [2, 2]],
    )
    o = a.int32List.disown(-1)  # a number: its value, the element becoming 0
    assert o.get() == 3 and a.int32List == [1, 2, 0]
    a.int32List.adopt(0, o)
    assert a.int32List == [3, 2, 0]
    b = a.boolList.disown(0)
    assert b.get() is True and a.boolList == [False, True]
    o = a.textList.disown(0)
    a.textList.adopt(1, o)
    assert a.textList == ["", "x"]
    lst = a.structList
    s = lst.disown(0)  # an element cannot be re-pointed: its content moves to a new struct
    assert (s.get().int8Field, s.get().textField) == (1, "one")
    assert (lst[0].int8Field, lst[0].has("textField")) == (0, False)
    lst.adopt(1, s)  # and into another element (the orphan is zeroed: C++ destroys it)
    assert (lst[1].int8Field, lst[1].textField) == (1, "one")
    with pytest.raises(OrphanError):
        s.get()
    inner = a.listList.disown(1)
    a.listList.adopt(0, inner)
    assert a.listList == [[2, 2], []]
    with pytest.raises(WrongValueType, match="element 0 of a List\\(AllTypes\\)"):
        lst.adopt(0, a.get_orphanage().new_orphan(t.Point))
    with pytest.raises(WrongValueType, match="element 0 of a List\\(Int32\\)"):
        a.int32List.adopt(0, a.get_orphanage().new_orphan(t.Point))
    with pytest.raises(OrphanError, match="its own message"):
        lst.adopt(0, t.AllTypes.new_message().get_orphanage().new_orphan(t.AllTypes))


def test_any_pointer_builders(t: Any) -> None:
    a = t.AllTypes.new_message()
    a.anyField.init_as_struct(t.Point).x = 4
    o = a.anyField.disown()
    assert a.anyField.is_null()
    b = a.init("structField")
    b.anyField.adopt(o)
    assert b.anyField.as_struct(t.Point).x == 4
    with pytest.raises(WrongValueType, match="AnyPointer"):
        b.anyField.adopt(a.disown("int8Field"))
    lst = t.Generics.new_message()  # an AnyPointer of a generic struct left unbound
    lst.unbound.value = "v"
    box_value = lst.unbound.value.disown()
    lst.init("unbound").value.adopt(box_value)
    assert lst.unbound.value.as_text() == "v"


def test_upgraded_structs_orphan_with_the_new_layout(t: Any) -> None:
    old = t.OldVersion.new_message(a=1, t="t")
    wrapper = t.AllTypes.new_message()
    wrapper.anyField.set(old)
    newer = wrapper.anyField.as_struct(t.NewVersion)  # upgrades in place (C++ getWritable...)
    assert newer.b == 77
    o = wrapper.anyField.disown()
    wrapper.adopt("anyField", o)
    assert wrapper.anyField.as_struct(t.NewVersion).t == "t"


def test_text_that_is_not_utf8_moves_as_bytes(t: Any) -> None:
    a = t.AllTypes.new_message(textField=b"\xff\xfe", textList=[b"\xff"])
    o = a.disown("textField")  # never decoded on the way
    a.init("structField").adopt("textField", o)
    e = a.textList.disown(0)
    a.textList.adopt(0, e)
    r = a.as_reader()
    assert bytes(r.structField._s.get_text_bytes(0)) == b"\xff\xfe"
    assert r.textList._l.get_pointer(0).get_data() == b"\xff\x00"  # (the text and its NUL)
