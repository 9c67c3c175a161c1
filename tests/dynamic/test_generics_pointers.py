"""Generics resolved through brands, AnyPointer fields, capabilities and interfaces."""

from __future__ import annotations

from typing import Any

import pytest

from purecap.dynamic import (
    AnyPointerBuilder,
    AnyPointerReader,
    Capability,
    WrongValueType,
)
from purecap.wire.pointers import PointerType


def test_brands_bind_parameters(t: Any) -> None:
    g = t.Generics.new_message()
    g.textBox.value = "boxed"
    g.pointBox.value = {"x": 5, "label": "p"}
    g.dataPair.key = "k"
    g.dataPair.value = b"\x01"
    g.nested.value.value.y = 3
    g.nested.entry.first = "first"  # Entry is nested in Pair(K, V): K and V are inherited
    g.nested.entry.second.count = 2
    g.init("boxList", 2)[1].value = "b1"
    g.listBox.value = [1, 2, 3]
    r = t.Generics.from_bytes(g.to_bytes())
    assert r.textBox.value == "boxed" and isinstance(r.textBox.value, str)
    assert r.pointBox.value.x == 5 and isinstance(r.pointBox.value, t.Point)
    assert (r.dataPair.key, r.dataPair.value) == ("k", b"\x01")
    assert r.nested.value.value.y == 3
    assert r.nested.entry.first == "first" and r.nested.entry.second.count == 2
    assert [b.value for b in r.boxList] == ["", "b1"]
    assert list(r.listBox.value) == [1, 2, 3]
    assert r.to_dict()["nested"]["entry"] == {"first": "first", "second": {"count": 2}}


def test_parameters_passed_on_through_brands(t: Any) -> None:
    g = t.Generics.new_message()
    w = g.wrapped
    boxes = w.init("boxes", 2)
    boxes[1].value = {"x": 7}
    w.pair.key = {"y": 1}
    w.pair.value = "v"
    w.inner.item.label = "deep"
    r = t.Generics.from_bytes(g.to_bytes()).wrapped
    assert isinstance(r.boxes[1].value, t.Point) and r.boxes[1].value.x == 7
    assert r.pair.key.y == 1 and r.pair.value == "v" and r.inner.item.label == "deep"


def test_each_brand_is_its_own_type(t: Any) -> None:
    g = t.Generics.new_message()
    text_box = type(g.textBox)._type
    point_box = type(g.pointBox)._type
    assert text_box is not point_box and text_box.node is point_box.node
    assert text_box.schema.fields["value"].type.kind == "text"
    assert point_box.schema.fields["value"].type.struct.name == "Point"
    assert isinstance(g.textBox, t.Box) is False  # t.Box is the unbound brand
    assert type(g.unbound)._type is t.Box  # ...which is what an unbranded reference means
    assert type(t.Generics.new_message().textBox)._type is text_box  # one type per brand


def test_unbound_parameters_are_any_pointers(t: Any) -> None:
    b = t.Box.new_message()
    assert isinstance(b.value, AnyPointerBuilder) and b.value.is_null()
    b.value.set_as_text("t")
    assert b.value.as_text() == "t"
    assert b.as_reader().value.which() is PointerType.LIST
    b.value = t.Point.new_message(x=2)
    assert b.value.as_struct(t.Point).x == 2
    r = t.Box.from_bytes(b.to_bytes())
    assert isinstance(r.value, AnyPointerReader) and r.value.as_struct(t.Point).x == 2


def test_any_pointer_fields(t: Any) -> None:
    a = t.AllTypes.new_message()
    assert a.anyField.is_null() and a.anyField.which() is PointerType.NULL
    p = a.anyField.init_as_struct(t.Point)
    p.y = 4
    assert a.anyField.as_struct(t.Point).y == 4
    assert a.anyField.as_struct(t.Point.Reader).y == 4  # a Reader class names the type too
    lst = a.anyField.init_as_list(t.Point, 2)
    lst[1].x = 1
    assert [q.x for q in a.anyField.as_list(t.Point)] == [0, 1]
    a.anyField.init_as("Int16", 3)[2] = -1
    assert a.anyField.as_list("Int16") == [0, 0, -1]
    a.anyField.init_as("List(Int16)", 2)[1] = [4]
    assert a.anyField.as_list("List(Int16)") == [[], [4]]
    a.anyField.set("text")
    assert a.anyField.as_text() == "text"
    a.anyField = b"data"
    assert a.anyField.as_data() == b"data"
    a.anyField = t.Point.new_message(x=9).as_reader()
    a.anyField.set_as(a.anyField)  # from itself: copied out first
    a.anyStruct = t.Point.new_message(x=8)
    a.anyList = t.AllTypes.new_message(int32List=[1, 2]).int32List
    r = t.AllTypes.from_bytes(a.to_bytes())
    assert r.anyField.as_struct(t.Point).x == 9
    assert r.anyStruct.as_struct(t.Point).x == 8
    assert r.anyList.as_list("Int32") == [1, 2]
    assert r.anyField == a.anyField and r.anyField != r.anyStruct
    assert r.anyField.total_size.word_count == 2
    a.anyField.clear()
    assert a.anyField.is_null()
    a.anyField = None
    with pytest.raises(WrongValueType, match="AnyStruct"):
        a.anyStruct = "text"
    with pytest.raises(WrongValueType):
        a.anyList = t.Point.new_message()
    with pytest.raises(WrongValueType, match="does not name a type"):
        a.anyField.as_struct("Nope")
    with pytest.raises(WrongValueType, match="expected a struct type"):
        a.anyField.as_struct("Int32")


def test_capabilities(t: Any) -> None:
    a = t.AllTypes.new_message()
    assert a.interfaceField is None
    a.interfaceField = Capability(3)
    cap = a.interfaceField
    assert isinstance(cap, Capability) and cap.index == 3 and cap.client is None
    assert cap.interface is t.Calculator
    r = t.AllTypes.from_bytes(a.to_bytes())
    assert r.interfaceField == Capability(3)
    assert "interfaceField = <external capability>" in str(r)
    a.interfaceList = [Capability(0), None]
    assert a.as_reader().interfaceList[0].index == 0
    a.interfaceField = Capability(0, client="a client object")
    assert a._s.message.cap_table[-1] == "a client object"
    assert a.interfaceField.client == "a client object"
    a.interfaceField = None
    assert a.interfaceField is None
    with pytest.raises(WrongValueType, match="a capability"):
        a.interfaceField = 3
    assert repr(Capability(1, interface=t.Calculator)) == "<Calculator capability #1>"


def test_interfaces_are_declared(t: Any) -> None:
    calc = t.Calculator
    assert list(calc.methods) == ["evaluate", "getOperator"]
    evaluate = calc.methods["evaluate"]
    assert evaluate.ordinal == 0 and evaluate.param_type.schema.fieldnames == ("expression",)
    assert evaluate.result_type.schema.fieldnames == ("value",)
    params = evaluate.param_type.new_message(expression="1+1")
    assert evaluate.param_type.from_bytes(params.to_bytes()).expression == "1+1"
    get_op = calc.methods["getOperator"]
    assert get_op.result_type.schema.fields["func"].type.interface is calc
    sci = t.ScientificCalculator
    assert sci.superclasses == [calc] and list(sci.methods) == ["sqrt"]
    assert repr(calc) == "<interface Calculator>" and calc.id == calc.node.id
    assert "evaluate @0" in repr(evaluate)
