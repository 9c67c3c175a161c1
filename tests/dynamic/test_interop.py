"""Messages made by the reference tool (``capnp encode``, checked in under ``data/``) read through
the dynamic API: the values are the ones written, and the text format is byte for byte what
``capnp decode`` prints (pretty and ``--short``)."""

from __future__ import annotations

import io
import math
import struct
from typing import Any, List

import pytest

import purecap
from purecap.dynamic import text_format
from purecap.dynamic.textformat import format_float32, format_float64
from purecap.wire import packing
from tests.dynamic.helpers import DATA, data, text

# (fixture, struct type name)
FIXTURES = [
    ("alltypes", "AllTypes"),
    ("floats", "AllTypes"),
    ("inline", "AllTypes"),
    ("shape_rectangle", "Shape"),
    ("shape_polygon", "Shape"),
    ("shape_circle", "Shape"),
    ("generics", "Generics"),
    ("pair64", "Generics"),
    ("pair65", "Generics"),
    ("outer", "Outer"),
    ("newversion", "NewVersion"),
    ("oldversion", "OldVersion"),
    ("names", "Names"),
]


def test_every_fixture_is_listed() -> None:
    assert sorted(p.stem for p in DATA.glob("*.txt")) == sorted(name for name, _ in FIXTURES)


@pytest.mark.parametrize("name, type_name", FIXTURES)
def test_text_format_matches_capnp_decode(t: Any, name: str, type_name: str) -> None:
    struct_type = getattr(t, type_name)
    for reader in (
        struct_type.from_bytes(data(name + ".bin")),
        struct_type.from_bytes_packed(data(name + ".packed")),
    ):
        assert text_format(reader, pretty=True) + "\n" == text(name + ".decoded")
        assert text_format(reader) + "\n" == text(name + ".short")
        assert str(reader) + "\n" == text(name + ".decoded")
    # What we build from the values prints the same, and is the same struct.
    reader = struct_type.from_bytes(data(name + ".bin"))
    rebuilt = struct_type.from_dict(reader.to_dict())
    assert text_format(rebuilt) + "\n" == text(name + ".short")
    assert rebuilt == reader
    assert struct_type.from_bytes(reader.to_bytes()) == reader


def test_alltypes_values(t: Any) -> None:
    r = t.AllTypes.from_bytes(data("alltypes.bin"))
    assert (r.int8Field, r.int16Field, r.int32Field, r.int64Field) == (
        -128, 32767, -(2**31), 2**63 - 1
    )
    assert (r.uint8Field, r.uint16Field, r.uint32Field, r.uint64Field) == (
        255, 65535, 2**32 - 1, 2**64 - 1
    )
    assert r.float32Field == 3.4028234663852886e38 and r.float64Field == -2.2250738585072014e-308
    assert r.textField == 'café "quoted" \\ tab\t nul-free'
    assert r.dataField == b"\x00\x01\xfe\xff ascii"
    assert r.structField.structField.uint8Field == 1 and r.structField.textField == "nested"
    assert r.enumField == "green"
    assert list(r.boolList) == [True, False, False, True, True, False, False, False, True]
    floats = list(r.float32List)
    assert floats[:2] == [0.5, -1.25] and floats[3:5] == [math.inf, -math.inf]
    assert math.isnan(floats[5])
    assert math.copysign(1.0, r.float64List[2]) == -1.0
    assert list(r.textList) == ["one", "", "three"] and list(r.dataList) == [b"\xab\xcd", b""]
    assert [s.textField for s in r.structList] == ["s0", ""]
    assert r.structList[1].boolList == [True]
    assert r.listList == [[1, 2], [], [3]] and r.textListList == [["a", "b"], ["c"]]


def test_shape_values(t: Any) -> None:
    rect = t.Shape.from_bytes(data("shape_rectangle.bin"))
    assert rect.which == "rectangle" and (rect.rectangle.width, rect.rectangle.height) == (2.5, 4)
    assert rect.color.which == "rgb" and rect.color.rgb == 0xFF0000
    assert rect.style.thickness == 3 and rect.style.pattern.dashed == 5 and rect.depth == -1
    poly = t.Shape.from_bytes(data("shape_polygon.bin"))
    assert poly.which == "polygon" and [p.x for p in poly.polygon] == [0, 4, 0]
    assert poly.polygon[1].label == "corner" and poly.color.which == "none"
    assert poly.style.thickness == 1 and poly.style.pattern.custom == "dots"
    circle = t.Shape.from_bytes(data("shape_circle.bin"))
    assert circle.which == "circle" and circle.circle == 1.5 and circle.name == ""


def test_generics_and_nested_values(t: Any) -> None:
    g = t.Generics.from_bytes(data("generics.bin"))
    assert g.textBox.value == "boxed" and g.textBox.count == 1
    assert g.pointBox.value.label == "p"
    assert g.dataPair.value == b"\x01\x02" and g.dataPair.entry.second == b"s"
    assert g.nested.value.value.x == 9 and g.nested.value.count == 3
    assert [b.value for b in g.boxList] == ["a", "b"] and list(g.listBox.value) == [5, 6, 7]
    w = g.wrapped  # Wrapper(Point): T passed on to List(Box(T)), Pair(T, Text) and Inner
    assert w.boxes[0].value.x == 1 and w.boxes[1].count == 2
    assert w.pair.key.y == 2 and w.pair.value == "t" and w.inner.item.label == "i"
    o = t.Outer.from_bytes(data("outer.bin"))
    assert o.inner.deep.value == -42 and o.inner.deep.mood == "class" and o.inner.level == 9
    assert o.external.value == "imp" and o.external.kind == "two"
    n = t.Names.from_bytes(data("names.bin"))
    assert (n.from_, n.class_, n._get("init"), n._get("which"), n._get("copy")) == (
        1, "cls", 2, True, "cp"
    )


def test_schema_evolution_between_fixtures(t: Any) -> None:
    old_as_new = t.NewVersion.from_bytes(data("oldversion.bin"))
    assert (old_as_new.a, old_as_new.t, old_as_new.b, old_as_new.u) == (5, "old", 77, "new")
    assert list(old_as_new.l) == [9]
    new_as_old = t.OldVersion.from_bytes(data("newversion.bin"))
    assert (new_as_old.a, new_as_old.t) == (1, "new")


def test_float_formatting_matches_kj() -> None:
    cases32 = [(0.1, "0.1"), (1 / 3, "0.33333334"), (1e-45, "1.4012985e-45"),
               (1e7, "1e07"), (-0.0, "-0"), (6e-39, "5.9999999e-39"), (math.nan, "nan"),
               (-math.inf, "-inf"), (16777216.0, "16777216")]  # fmt: skip
    for value, expected in cases32:
        rounded = struct.unpack("<f", struct.pack("<f", value))[0]
        assert format_float32(rounded) == expected, value
    cases64 = [(0.1, "0.1"), (1 / 3, "0.33333333333333331"), (5e-324, "4.94065645841247e-324"),
               (1e21, "1e21"), (1.2345678901234568e17, "1.2345678901234568e17"),
               (math.inf, "inf")]  # fmt: skip
    for value, expected in cases64:
        assert format_float64(value) == expected, value


def test_load_request_from_capnp_compile() -> None:
    request = packing.unpack(data("dyntest.request.packed"))
    module = purecap.load_request(request)
    assert module.__name__ == "dyntest_capnp"
    r = module.Shape.from_bytes(data("shape_polygon.bin"))
    assert text_format(r, pretty=True) + "\n" == text("shape_polygon.decoded")
    assert module.Outer.answer == 42 and module.textConst == "hello\nworld"
    from_file = purecap.load_request(io.BytesIO(request))
    assert from_file.Point.schema.fieldnames == ("x", "y", "label")


def _names(module: Any) -> List[str]:
    return sorted(k for k in vars(module) if not k.startswith("_"))


def test_our_compiler_and_capnp_give_the_same_module(t: Any) -> None:
    theirs = purecap.load_request(packing.unpack(data("dyntest.request.packed")))
    assert _names(theirs) == _names(t)
    for name in ("AllTypes", "Shape", "Generics", "Defaults"):
        assert getattr(theirs, name).schema.fieldnames == getattr(t, name).schema.fieldnames


def test_schema_capnp_reads_a_code_generator_request() -> None:
    """schema.capnp itself, loaded dynamically, reads what capnp compile wrote: the same nodes
    purecap.schema.nodes finds in it."""
    from purecap.schema.nodes import request_from_bytes
    from tests.dynamic.helpers import HERE

    data_dir = HERE.parent / "schema" / "data"
    schema = purecap.load(
        data_dir / "capnp" / "schema.capnp", imports=[data_dir], standard_import=False
    )
    raw = packing.unpack(data("dyntest.request.packed"))
    request = schema.CodeGeneratorRequest.from_bytes(raw)
    expected = request_from_bytes(raw)
    assert [n.id for n in request.nodes] == [n.id for n in expected.nodes or ()]
    assert [n.displayName for n in request.nodes] == [n.display_name for n in expected.nodes or ()]
    shape = next(n for n in request.nodes if n.displayName.endswith(":Shape"))
    assert shape.which == "struct" and shape.struct.discriminantCount == 5
    assert [f.name for f in shape.struct.fields][:3] == ["name", "circle", "rectangle"]
    rect = shape.struct.fields[2]
    assert rect.which == "group" and rect.discriminantValue == 1
    assert request.requestedFiles[0].imports[0].name == "imported.capnp"


def test_the_reference_test_schema_and_its_testdata() -> None:
    """capnp's own test.capnp (every type, generics, defaults...) and the TestAllTypes message
    its test suite checks in (testdata/binary, packed, short.txt): read, and printed as C++
    prints it."""
    from tests.dynamic.helpers import HERE

    data_dir = HERE.parent / "schema" / "data"
    test = purecap.load(data_dir / "capnp" / "test.capnp", imports=[data_dir],
                        standard_import=False)  # fmt: skip
    testdata = data_dir / "capnp" / "testdata"
    r = test.TestAllTypes.from_bytes((testdata / "binary").read_bytes())
    assert text_format(r) + "\n" == (testdata / "short.txt").read_text()
    assert test.TestAllTypes.from_bytes_packed((testdata / "packed").read_bytes()) == r
    assert r.int64Field == -123456789012345 and r.enumField == "corge"
    assert r.structList[2].textField == "structlist 3"
    assert list(r.enumList) == ["foo", "garply"]
    d = test.TestDefaults.new_message()
    assert d.structField.textField == "baz" and list(d.enumList) == ["foo", "garply"]
