"""Misuse gives clear purecap errors (that are also the built-in exception Python code expects);
hostile bytes give decoding errors, never an IndexError, struct.error or RecursionError."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from purecap import PurecapError
from purecap.dynamic import (
    ListIndexError,
    NotAPointerField,
    NotAUnion,
    NotRootError,
    ReadOnlyError,
    SchemaUsageError,
    UnknownField,
    ValueOutOfRange,
    WrongValueType,
    text_format,
)
from purecap.wire.errors import DecodeError, InvalidText
from tests.dynamic.helpers import data


def test_unknown_fields_suggest_the_closest_name(t: Any) -> None:
    p = t.Point.new_message()
    suggestion = r"Point has no field 'lable' \(did you mean 'label'\?\)"
    with pytest.raises(UnknownField, match=suggestion):
        p.lable
    with pytest.raises(AttributeError):
        p.as_reader().X
    assert not hasattr(p, "nope") and getattr(p, "nope", 5) == 5
    with pytest.raises(UnknownField, match="did you mean 'label'"):
        p.lable = "x"
    with pytest.raises(UnknownField, match="no field 'z'"):
        t.Point.new_message(z=1)
    for call in (p.has, p.clear, p.init, p._get, p.as_reader().has):
        with pytest.raises(UnknownField):
            call("zz")
    with pytest.raises(UnknownField, match="did you mean 'Point'"):
        t.Pont
    with pytest.raises(UnknownField, match="struct Outer has no nested declaration"):
        t.Outer.Iner
    with pytest.raises(UnknownField, match="interface Calculator has no nested"):
        t.Calculator.Expresion


def test_readers_are_read_only(t: Any) -> None:
    r = t.Point.new_message().as_reader()
    with pytest.raises(ReadOnlyError, match="cannot set Point.x: this is a reader"):
        r.x = 1
    with pytest.raises(AttributeError):
        r.x = 1
    with pytest.raises(UnknownField):
        r.q = 1


@pytest.mark.parametrize(
    "field, value, expected",
    [
        ("int32Field", "1", "expected an int, got str '1'"),
        ("int32Field", 1.0, "expected an int"),
        ("int32Field", None, "expected an int"),
        ("boolField", 1, "expected a bool"),
        ("float64Field", "1.5", "expected a float or int"),
        ("float32Field", [], "expected a float or int"),
        ("textField", 5, "expected a str"),
        ("dataField", "text", "expected bytes"),
        ("voidField", 0, "expected None"),
        ("structField", 5, "expected a AllTypes reader, builder or dict"),
        ("int32List", 5, "expected a List(Int32) or a sequence"),
        ("int32List", "abc", "expected a List(Int32) or a sequence"),
        ("enumField", [], "expected a Color enumerant"),
    ],
)
def test_wrong_value_types(t: Any, field: str, value: Any, expected: str) -> None:
    a = t.AllTypes.new_message()
    with pytest.raises(WrongValueType, match=expected.replace("(", r"\(").replace(")", r"\)")):
        setattr(a, field, value)
    with pytest.raises(TypeError):
        setattr(a, field, value)


def test_wrong_struct_and_list_element_types(t: Any) -> None:
    a = t.AllTypes.new_message()
    with pytest.raises(WrongValueType, match="AllTypes.structField is AllTypes"):
        a.structField = t.Point.new_message()
    with pytest.raises(WrongValueType, match="an element of List\\(Int32\\) must be an int"):
        a.int32List = [1, "2"]
    with pytest.raises(WrongValueType, match="an element of List\\(AllTypes\\) must be"):
        a.structList = [t.Point.new_message()]
    lst = a.init("textList", 1)
    with pytest.raises(WrongValueType, match="must be a str"):
        lst[0] = 1
    with pytest.raises(WrongValueType, match="list indices must be integers"):
        lst["0"]
    with pytest.raises(ListIndexError, match="index 1 is out of range for a List\\(Text\\) of 1"):
        lst[1] = "x"
    with pytest.raises(WrongValueType, match="field names are str"):
        a.from_dict({1: 2})
    with pytest.raises(WrongValueType, match="expected a dict"):
        a.structField._assign(5)
    with pytest.raises(WrongValueType, match="a dict or a reader of the group"):
        t.Shape.new_message().style = 3
    with pytest.raises(WrongValueType, match="a list size must be a non-negative int"):
        a.init("int32List", -1)


@pytest.mark.parametrize(
    "field, value",
    [
        ("int8Field", 128), ("int8Field", -129), ("uint8Field", -1), ("uint8Field", 256),
        ("int16Field", 2**15), ("uint16Field", 2**16), ("int32Field", -(2**31) - 1),
        ("uint32Field", 2**32), ("int64Field", 2**63), ("uint64Field", -1),
        ("uint64Field", 2**64),
    ],
)
def test_out_of_range_integers(t: Any, field: str, value: int) -> None:
    a = t.AllTypes.new_message()
    with pytest.raises(ValueOutOfRange, match=f"{value} is out of range for "):
        setattr(a, field, value)
    with pytest.raises(ValueError):
        setattr(a, field, value)
    assert getattr(a, field) == 0  # nothing was written
    with pytest.raises(ValueOutOfRange):
        a.init(field.replace("Field", "List"), 1)[0] = value


def test_init_needs_a_pointer_field(t: Any) -> None:
    a = t.AllTypes.new_message()
    with pytest.raises(NotAPointerField, match="init\\(\\) needs a pointer or group field, but "
                       "AllTypes.int32Field is Int32"):
        a.init("int32Field")
    with pytest.raises(NotAPointerField, match="is Calculator"):
        a.init("interfaceField")
    with pytest.raises(WrongValueType, match="init\\(\\) needs its size"):
        a.init("int32List")
    with pytest.raises(WrongValueType, match="init\\(\\) takes no size"):
        a.init("structField", 3)
    with pytest.raises(WrongValueType, match="set it by assignment"):
        a.init("textField", 3)
    with pytest.raises(WrongValueType, match="Data \\(bytes\\): init\\(\\) needs its size"):
        a.init("dataField")


def test_unions_groups_and_roots(t: Any) -> None:
    with pytest.raises(NotAUnion):
        t.AllTypes.new_message().which
    s = t.Shape.new_message()
    group = type(s.style)._type
    with pytest.raises(SchemaUsageError, match="is a group: it cannot be a message's root"):
        group.from_bytes(s.to_bytes())
    with pytest.raises(NotRootError, match="group"):
        s.style.to_bytes()
    with pytest.raises(NotRootError):
        s.style.as_reader().copy()
    with pytest.raises(NotRootError, match="not the root of its message"):
        s.init("polygon", 1)[0].to_bytes()


def test_every_usage_error_is_a_purecap_error() -> None:
    for cls in (UnknownField, ReadOnlyError, WrongValueType, ValueOutOfRange, NotAPointerField,
                NotAUnion, NotRootError, ListIndexError):
        assert issubclass(cls, SchemaUsageError) and issubclass(cls, PurecapError)


def test_invalid_utf8_text(t: Any) -> None:
    p = t.Point.new_message(label=b"\xff\xfe ok")
    r = t.Point.from_bytes(p.to_bytes())
    with pytest.raises(InvalidText):
        r.label
    # Shown, not raised: the raw bytes, as C++ prints them (lone surrogates in the str, which
    # encode back to the same bytes with surrogateescape, as purecap convert writes them).
    shown = text_format(r)
    assert shown.encode("utf-8", "surrogateescape") == b'(x = 0, y = 0, label = "\xff\xfe ok")'


def _walk(value: Any) -> None:
    text_format(value)
    value.to_dict(verbose=True)
    value.total_size


@pytest.mark.parametrize("fixture, type_name", [("alltypes.bin", "AllTypes"),
                                                ("generics.bin", "Generics"),
                                                ("shape_polygon.bin", "Shape")])
def test_hostile_bytes_raise_only_decode_errors(t: Any, fixture: str, type_name: str) -> None:
    original = data(fixture)
    rng = random.Random(fixture)
    struct_type = getattr(t, type_name)

    def read(message: bytes) -> Any:
        # A small traversal limit: a flipped list count must not make a walk print millions of
        # elements (the limit is what bounds a hostile message's cost).
        return struct_type.from_bytes(message, traversal_limit_in_words=4096)

    failures = 0
    for _ in range(150):
        corrupt = bytearray(original)
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(8, len(corrupt))  # keep the segment table: corrupt the message
            corrupt[i] ^= 1 << rng.randrange(8)
        try:
            _walk(read(bytes(corrupt)))
        except DecodeError:
            failures += 1
    assert failures > 0  # the corruption did hit pointers


def test_from_dict_nested_past_the_python_stack_is_a_nesting_error() -> None:
    import purecap
    from purecap.wire.errors import NestingLimitExceeded

    data_dir = Path(__file__).resolve().parent.parent / "schema" / "data"
    test_capnp = purecap.load(str(data_dir / "capnp" / "test.capnp"), imports=[str(data_dir)])
    deep: Any = {}
    value = deep
    for _ in range(5000):
        value["structField"] = {}
        value = value["structField"]
    with pytest.raises(NestingLimitExceeded, match="nested too deeply"):
        test_capnp.TestAllTypes.from_dict(deep)


def test_text_with_a_lone_surrogate_is_a_purecap_error(t: Any) -> None:
    # json.loads("\"\\ud800\"") gives such a str: it has no UTF-8 form.
    with pytest.raises(PurecapError, match="not encodable as UTF-8"):
        t.Point.new_message(label="\ud800")
