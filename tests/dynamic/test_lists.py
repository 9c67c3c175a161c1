"""Lists as Python sequences: indexing, slicing, iteration, equality, assignment, nesting."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pytest

from purecap.dynamic import (
    DynamicListBuilder,
    DynamicListReader,
    ListIndexError,
    NotAPointerField,
    WrongValueType,
)


def test_sequence_behaviour(t: Any) -> None:
    a = t.AllTypes.new_message(int32List=[10, 20, 30, 40])
    for lst in (a.int32List, a.as_reader().int32List):
        assert isinstance(lst, Sequence)
        assert len(lst) == 4
        assert lst[0] == 10 and lst[-1] == 40 and lst[-4] == 10
        assert lst[1:3] == [20, 30] and isinstance(lst[1:3], list)
        assert lst[::-1] == [40, 30, 20, 10] and lst[::2] == [10, 30]
        assert list(lst) == [10, 20, 30, 40]
        assert 30 in lst and 31 not in lst
        assert lst.index(30) == 2 and lst.count(10) == 1
        same: Any = (10, 20, 30, 40)
        assert lst == [10, 20, 30, 40] and lst == same and lst != [10]
        assert list(reversed(lst)) == [40, 30, 20, 10]
        with pytest.raises(ListIndexError, match="out of range"):
            lst[4]
        with pytest.raises(IndexError):
            lst[-5]
    assert a.int32List == a.as_reader().int32List


def test_every_element_type(t: Any) -> None:
    a = t.AllTypes.new_message()
    a.voidList = [None, None]
    a.boolList = [True, False, True]
    a.int8List = [-128, 127]
    a.int16List = [-1]
    a.int64List = [2**62]
    a.uint8List = [255]
    a.uint16List = [65535]
    a.uint32List = [2**32 - 1]
    a.uint64List = [2**64 - 1]
    a.float32List = [0.5, math.inf]
    a.float64List = [0.1]
    a.textList = ["a", "é", ""]
    a.dataList = [b"\x00", b""]
    a.enumList = ["red", t.Color.blue, 1]
    a.interfaceList = [None]
    r = t.AllTypes.from_bytes(a.to_bytes())
    assert list(r.voidList) == [None, None]
    assert list(r.boolList) == [True, False, True]
    assert list(r.int8List) == [-128, 127]
    assert list(r.int16List) == [-1]
    assert list(r.int64List) == [2**62]
    assert list(r.uint8List) == [255]
    assert list(r.uint16List) == [65535]
    assert list(r.uint32List) == [2**32 - 1]
    assert list(r.uint64List) == [2**64 - 1]
    assert list(r.float32List) == [0.5, math.inf]
    assert list(r.float64List) == [0.1]
    assert list(r.textList) == ["a", "é", ""]
    assert list(r.dataList) == [b"\x00", b""]
    assert list(r.enumList) == ["red", "blue", "green"]
    assert r.enumList[2] is t.Color.green
    assert list(r.interfaceList) == [None]
    assert r.boolList[-1] is True and r.textList[1] == "é"


def test_builder_item_assignment(t: Any) -> None:
    a = t.AllTypes.new_message()
    ints = a.init("int32List", 3)
    ints[0] = 1
    ints[-1] = 3
    ints[1:2] = [2]
    assert list(ints) == [1, 2, 3]
    texts = a.init("textList", 2)
    texts[0] = "x"
    texts[1] = b"raw"
    assert list(texts) == ["x", "raw"]
    texts[1] = None
    assert texts[1] == ""
    bools = a.init("boolList", 10)
    bools[9] = True
    assert list(bools).count(True) == 1
    enums = a.init("enumList", 2)
    enums[0] = "blue"
    enums[1] = t.Color.green
    assert list(enums) == [t.Color.blue, t.Color.green]
    with pytest.raises(WrongValueType, match="cannot assign 1 values to a slice of 2"):
        ints[0:2] = [9]


def test_struct_lists(t: Any) -> None:
    a = t.AllTypes.new_message()
    structs = a.init("structList", 3)
    structs[0].int8Field = 1
    structs[1] = {"textField": "dict", "int16List": [1, 2]}
    structs[2] = t.AllTypes.new_message(uint8Field=9, textField="copied")
    assert structs[2].textField == "copied" and structs[1].int16List == [1, 2]
    structs[0] = structs[2]  # an element of the same list: copied out first
    assert structs[0].uint8Field == 9 and structs[0].textField == "copied"
    structs[2] = {"int8Field": 5}  # a dict replaces the whole element
    assert structs[2].textField == "" and structs[2].int8Field == 5
    r = t.AllTypes.from_bytes(a.to_bytes())
    assert [s.int8Field for s in r.structList] == [0, 0, 5]
    assert r.structList[0] == structs[0]
    assert [s.textField for s in a.structList] == ["copied", "dict", ""]
    assert all(isinstance(s, t.AllTypes) for s in r.structList)


def test_lists_of_lists(t: Any) -> None:
    a = t.AllTypes.new_message()
    outer = a.init("listList", 3)
    inner = outer.init(0, 2)
    inner[0] = 5
    outer[1] = [1, 2, 3]
    outer[2] = a.init("int32List", 1)  # a list reader or builder of the right type is copied
    assert outer[0] == [5, 0] and outer[1] == [1, 2, 3] and outer[2] == [0]
    a.textListList = [["a", "b"], [], ["c"]]
    r = t.AllTypes.from_bytes(a.to_bytes())
    assert [list(x) for x in r.listList] == [[5, 0], [1, 2, 3], [0]]
    assert r.textListList == [["a", "b"], [], ["c"]]
    assert r.textListList[0][1] == "b"
    with pytest.raises(NotAPointerField, match="a list of lists"):
        a.int32List.init(0, 1)


def test_whole_list_assignment_copies(t: Any) -> None:
    a = t.AllTypes.new_message(int32List=[1, 2])
    b = t.AllTypes.new_message()
    b.int32List = a.int32List
    b.int16List = range(3)
    b.float64List = (0.5,)
    assert list(b.int32List) == [1, 2] and list(b.int16List) == [0, 1, 2]
    a.int32List = a.int32List  # from itself
    assert list(a.int32List) == [1, 2]
    b.structList = a.structList  # an empty list
    assert len(b.structList) == 0 and b.has("structList")
    b.structList = [a, {"int8Field": 4}]
    assert b.structList[0].int32List == [1, 2]
    b.int32List = None
    assert not b.has("int32List")


def test_list_wrappers(t: Any) -> None:
    a = t.AllTypes.new_message(int32List=[1], textList=["q"])
    assert isinstance(a.int32List, DynamicListBuilder)
    assert isinstance(a.int32List.as_reader(), DynamicListReader)
    assert a.int32List.schema.name == "List(Int32)"
    assert a.int32List.element_type.kind == "int32"
    assert repr(a.as_reader().int32List) == "<List(Int32) reader [1]>"
    assert repr(a.textList) == '<List(Text) builder ["q"]>'
    assert str(a.textList) == '["q"]'
    with pytest.raises(TypeError):
        hash(a.int32List)


def test_old_primitive_lists_read_as_struct_lists(t: Any) -> None:
    """A list of primitives reads as a list of structs whose first field is the element (the
    encoding spec's upgrade path from List(Int32) to List(SomeStruct))."""
    a = t.AllTypes.new_message()
    ints = a.anyField.init_as_list("Int32", 2)
    ints[0] = 7
    ints[1] = -8
    r = t.AllTypes.from_bytes(a.to_bytes())
    points = r.anyField.as_list(t.Point)
    assert [(p.x, p.y, p.label) for p in points] == [(7, 0, ""), (-8, 0, "")]
