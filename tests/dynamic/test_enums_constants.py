"""Enums (int-like members with names), constants, and nested declarations."""

from __future__ import annotations

import pickle
import struct
from typing import Any

import pytest

from purecap.dynamic import DynamicEnum, UnknownEnumerant, ValueOutOfRange, text_format


def test_enum_classes(t: Any) -> None:
    Color = t.Color
    assert issubclass(Color, DynamicEnum) and issubclass(Color, int)
    assert list(Color) == [Color.red, Color.green, Color.blue] and len(Color) == 3
    assert Color(1) is Color.green and Color("blue") is Color.blue and Color["red"] is Color.red
    assert Color.lookup(2) is Color.blue
    assert "green" in Color and 2 in Color and "purple" not in Color and 3 not in Color
    g = Color.green
    assert g == 1 and g == "green" and g != "red" and g != 2 and g.name == "green"
    assert g.value == 1 and g.raw == 1 and int(g) == 1 and g + 1 == 2
    assert str(g) == "green" and f"{g}" == "green" and f"{g:03d}" == "001"
    assert repr(g) == "<Color.green: 1>" and repr(Color) == "<enum Color>"
    assert hash(g) == hash(1) and {g: "x"}[1] == "x"
    assert pickle.loads(pickle.dumps(g)) == 1
    assert t.Outer.Inner.Deep.Mood["class"] == 2  # a keyword-named enumerant: by name
    assert repr(t.Outer.Inner.Deep.Mood) == "<enum Outer.Inner.Deep.Mood>"
    assert Color.schema.node.display_name.endswith("dyntest.capnp:Color")
    assert Color.schema.enumerants == {"red": 0, "green": 1, "blue": 2}


def test_unknown_enumerants_from_newer_schemas(t: Any) -> None:
    a = t.AllTypes.new_message()
    a.enumField = 7  # a number this schema has no name for is allowed (UInt16 on the wire)
    r = t.AllTypes.from_bytes(a.to_bytes())
    v = r.enumField
    assert v == 7 and v.name is None and str(v) == "7" and repr(v) == "<Color (unknown): 7>"
    assert isinstance(v, t.Color) and t.Color(7) is v  # made once per number
    assert r.to_dict()["enumField"] == 7
    assert "enumField = (7)" in text_format(r)  # the reference prints it in parentheses
    a.enumList = [0, 65535]
    assert a.as_reader().enumList[1] == 65535


def test_enum_assignment_errors(t: Any) -> None:
    a = t.AllTypes.new_message()
    with pytest.raises(UnknownEnumerant, match="no enumerant 'bleu' \\(did you mean 'blue'\\?\\)"):
        a.enumField = "bleu"
    with pytest.raises(ValueOutOfRange, match="65536 is out of range for enum Color"):
        a.enumField = 65536
    with pytest.raises(TypeError, match="expected a Color enumerant"):
        a.enumField = 1.0
    with pytest.raises(ValueError):
        t.Color(-1)
    with pytest.raises(UnknownEnumerant):
        t.Color["Red"]
    with pytest.raises(UnknownEnumerant, match="not a Color"):
        t.Color.lookup(None)


def test_constants(t: Any) -> None:
    assert t.intConst == -7 and isinstance(t.intConst, int)
    assert t.floatConst == struct.unpack("<f", struct.pack("<f", 0.1))[0]
    assert t.textConst == "hello\nworld"
    assert t.dataConst == b"\x00\xff\x10"
    assert t.enumConst is t.Color.green
    assert t.boolConst is True and t.voidConst is None
    assert t.uint64Const == 2**64 - 1
    p = t.structConst
    assert isinstance(p, t.Point.Reader) and (p.x, p.y, p.label) == (3, -4, "p")
    assert [q.x for q in t.listConst] == [1, 2]
    assert list(t.textListConst) == ["x", "y", "z"]
    assert t.Outer.answer == 42
    # A constant is a reader: copy it into a message to change it.
    b = p.as_builder()
    b.x = 30
    assert b.x == 30 and p.x == 3


def test_nested_declarations(t: Any) -> None:
    assert t.Outer.Inner.Deep.Mood.sad == 1
    o = t.Outer.new_message()
    o.inner.deep.mood = "sad"
    o.inner.level = 2
    o.external = {"value": "v", "kind": "two"}
    r = t.Outer.from_bytes(o.to_bytes())
    assert r.inner.deep.mood == t.Outer.Inner.Deep.Mood.sad
    assert r.external.kind == "two" and r.external.value == "v"
    assert isinstance(r.inner, t.Outer.Inner)
    assert t.Calculator.Expression.schema.fieldnames == ("literal",)
