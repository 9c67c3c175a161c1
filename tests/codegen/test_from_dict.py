"""``Person.from_dict(d)`` and ``Person.from_json(text)``: the inverses of ``to_dict()`` and
``to_json()`` on generated struct types, returning the generated builder of a new message.

Round trips are checked byte for byte: the reference's ``testdata/binary`` (``TestAllTypes``)
comes back as the very same bytes, and so do seeded random messages of features.capnp's
structs and of every non-generic struct of test.capnp. A dict is read in the order ``to_dict``
writes it (field order); JSON in the order ``to_json`` writes it (a union's member after the
other fields, as the reference's codec writes it), so a JSON round trip is byte for byte against
a message built in that order, and equal to any other once copied out (objects in pointer
order). The JSON annotations are checked on a module generated here from
tests/formats/data/annotations.capnp, against what capnp 0.9.2's ``json:binary`` wrote;
conformance/test_codegen_reflection.py checks ``from_json`` against the live ``capnp convert``.
"""

from __future__ import annotations

import random
import sys
import types
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest

from purecap.codegen import generate
from purecap.codegen.emitter import type_path
from purecap.codegen.reflection import dynamic_view
from purecap.dynamic.errors import (
    UnknownEnumerant,
    UnknownField,
    ValueOutOfRange,
    WrongValueType,
)
from purecap.errors import PurecapError
from purecap.formats.json import JsonError, split_json_messages
from purecap.schema import model
from purecap.schema.compiler import compile_files
from purecap.wire.errors import NestingLimitExceeded
from tests.codegen.generated import addressbook_capnp as ab
from tests.codegen.generated import features_capnp as f
from tests.codegen.generated import test_capnp
from tests.codegen.regenerate import ROOT
from tests.codegen.walk import fill_struct, random_struct

SCHEMAS = Path(ROOT) / "tests" / "codegen" / "schemas"
DATA = Path(ROOT) / "tests" / "schema" / "data"
TESTDATA = DATA / "capnp" / "testdata"
FORMATS = Path(ROOT) / "tests" / "formats" / "data"
PACKAGE = "purecap_from_dict_test"

Nodes = Dict[int, model.Node]


@pytest.fixture(scope="module")
def features() -> Nodes:
    request = compile_files(
        [str(SCHEMAS / "features.capnp")], import_paths=[str(SCHEMAS)], standard_import=False
    )
    return request.node_map()


@pytest.fixture(scope="module")
def test_request() -> model.CodeGeneratorRequest:
    return compile_files(
        [str(DATA / "capnp" / "test.capnp")],
        import_paths=[str(DATA)],
        standard_import=False,
        src_prefixes=[str(DATA)],
    )


def _copied(builder: Any) -> bytes:
    """The message copied out into a fresh one (as ``capnp convert`` writes what it built):
    objects in pointer order, whatever order they were built in."""
    data: bytes = dynamic_view(builder.as_reader()).to_bytes()
    return data


def _union_last(d: Dict[str, Any], node: model.Node) -> Dict[str, Any]:
    """``d`` (a struct's fields, as random_struct makes them) in the order the JSON codec writes
    them: the union's member after the other fields (at the top level only: enough for the
    structs below, whose nested structs have no unions with pointers)."""
    union = {
        fl.name for fl in node.struct.fields or () if fl.discriminant_value != model.NO_DISCRIMINANT
    }
    return {
        **{k: v for k, v in d.items() if k not in union},
        **{k: v for k, v in d.items() if k in union},
    }


def _check_round_trips(struct_type: Any, node: model.Node, nodes: Nodes, seed: str, n: int) -> None:
    rng = random.Random(seed)
    for i in range(n):
        d = random_struct(node, nodes, rng)
        original = struct_type.new_message()
        fill_struct(original, node, d, nodes)
        data = original.to_bytes()
        again = struct_type.from_dict(original.to_dict())
        assert type(again) is struct_type.Builder
        assert again.to_bytes() == data, (seed, i)
        # JSON: byte for byte against the message built in JSON's order; copied out, the same
        # as the one built in field order.
        in_json_order = struct_type.new_message()
        fill_struct(in_json_order, node, _union_last(d, node), nodes)
        for pretty in (True, False):
            back = struct_type.from_json(original.to_json(pretty))
            assert type(back) is struct_type.Builder
            assert back.to_bytes() == in_json_order.to_bytes(), (seed, i, pretty)
            assert _copied(back) == _copied(original), (seed, i, pretty)


# -- round trips --------------------------------------------------------------------------------


def test_testdata_round_trips_byte_for_byte() -> None:
    # testdata/binary is what C++ writes for TestAllTypes, every kind of field set; dict and
    # JSON orders are its field order, so both give back the very same bytes.
    data = (TESTDATA / "binary").read_bytes()
    packed = (TESTDATA / "packed").read_bytes()
    reader = test_capnp.TestAllTypes.from_bytes(data)
    from_dict = test_capnp.TestAllTypes.from_dict(reader.to_dict())
    assert from_dict.to_bytes() == data and from_dict.to_bytes_packed() == packed
    for pretty in (True, False):
        from_json = test_capnp.TestAllTypes.from_json(reader.to_json(pretty))
        assert from_json.to_bytes() == data
    assert test_capnp.TestAllTypes.from_json(reader.to_json().encode("utf-8")).to_bytes() == data
    # Builders print the same way as readers: from a builder's to_dict too.
    assert test_capnp.TestAllTypes.from_dict(from_dict.to_dict()).to_bytes() == data


@pytest.mark.parametrize(
    "name", ["Scalars", "Defaults", "Lists", "Shape", "Pythonic", "Generics", "Anys", "Evolved"]
)
def test_features_round_trip(features: Nodes, name: str) -> None:
    struct_type = getattr(f, name)
    _check_round_trips(struct_type, features[struct_type.type_id], features, f"from-{name}", 12)


def test_every_test_capnp_struct_round_trips(test_request: model.CodeGeneratorRequest) -> None:
    nodes = test_request.node_map()
    (requested,) = test_request.requested_files or []
    checked = 0
    for node in test_request.nodes or ():
        if (
            not isinstance(node.body, model.StructBody)
            or node.body.is_group
            or node.is_generic
            or "$" in node.display_name  # method parameters
            or not node.display_name.startswith(requested.filename + ":")
        ):
            continue
        struct_type: Any = test_capnp
        for name in type_path(test_request, node.id):
            struct_type = getattr(struct_type, name)
        rng = random.Random(node.display_name)
        for i in range(2):
            original = struct_type.new_message()
            fill_struct(original, node, random_struct(node, nodes, rng), nodes)
            data = original.to_bytes()
            again = struct_type.from_dict(original.to_dict())
            assert again.to_bytes() == data, (node.display_name, i)
            back = struct_type.from_json(original.to_json(False))
            assert _copied(back) == _copied(original), (node.display_name, i)
        checked += 1
    assert checked >= 60


# -- what comes back ----------------------------------------------------------------------------


def test_the_result_is_the_generated_builder() -> None:
    person = ab.Person.from_dict(
        {
            "id": 7,
            "name": "Alice",
            "phones": [{"number": "555-1212", "type": "mobile"}, {"number": "1"}],
            "employment": {"school": "MIT"},
        }
    )
    assert isinstance(person, ab.Person.Builder)
    b: ab.Person.Builder = person
    assert (b.id, b.name, len(b.phones)) == (7, "Alice", 2)
    assert b.phones[0].type_ is ab.Person.PhoneNumber.Type.MOBILE
    assert b.phones[1].type_ is ab.Person.PhoneNumber.Type.MOBILE  # the field's default
    assert b.employment.which() == ab.Person.Employment.Which.SCHOOL
    b.name = "Alicia"  # a builder of its own message: it can go on being built
    b.init_phones(1)[0].number = "2"
    reader = ab.Person.from_bytes(b.to_bytes())
    assert (reader.name, [p.number for p in reader.phones]) == ("Alicia", ["2"])
    assert isinstance(b.as_reader(), ab.Person.Reader)
    j = ab.Person.from_json('{"id": "8", "name": "Bob", "employment": {"unemployed": null}}')
    assert isinstance(j, ab.Person.Builder)
    assert (j.id, j.name, j.employment.which()) == (8, "Bob", ab.Person.Employment.Which.UNEMPLOYED)


def test_unions_groups_enums_data_and_lists_of_structs() -> None:
    shape = f.Shape.from_dict(
        {
            "name": "s",
            "rectangle": {"width": 2.0, "height": 3.5},
            "style": {"outlined": {"color": "darkGoldenRod", "dash": {"on": 1}}},
            "origin": {"x": -1},
        }
    )
    assert shape.which() == f.Shape.Which.RECTANGLE
    assert (shape.rectangle.width, shape.rectangle.height) == (2.0, 3.5)
    style = shape.style
    assert style.which() == f.Shape.Style.Which.OUTLINED
    assert style.outlined.color is f.Color.DARK_GOLDEN_ROD
    assert (style.outlined.thickness, style.outlined.dash.on, style.outlined.dash.off) == (1, 1, 0)
    assert (shape.origin.x, shape.origin.y) == (-1, 0)
    polygon = f.Shape.from_dict({"polygon": [{"x": 1}, {"y": 2}], "style": {"filled": "blue"}})
    assert polygon.which() == f.Shape.Which.POLYGON
    assert [(p.x, p.y) for p in polygon.polygon] == [(1, 0), (0, 2)]
    assert polygon.style.filled is f.Color.BLUE
    nothing = f.Shape.from_json('{"nothing": null, "style": {"plain": null}}')
    assert nothing.which() == f.Shape.Which.NOTHING
    lists = f.Lists.from_dict(
        {
            "datas": [b"\x00\xff", b""],
            "colors": ["red", "darkGoldenRod"],
            "structs": [{"u8": 1, "color": "green"}, {}],
            "nested": [[1, 2], []],
            "voids": [None, None, None],
        }
    )
    assert list(lists.datas) == [b"\x00\xff", b""]
    assert list(lists.colors) == [f.Color.RED, f.Color.DARK_GOLDEN_ROD]
    assert [(s.u8, s.color) for s in lists.structs] == [(1, f.Color.GREEN), (0, f.Color.RED)]
    assert [list(x) for x in lists.nested] == [[1, 2], []] and len(lists.voids) == 3
    scalars = f.Scalars.from_json('{"u64": "18446744073709551615", "f32": "NaN", "i8": -128}')
    assert scalars.u64 == 2**64 - 1 and scalars.f32 != scalars.f32 and scalars.i8 == -128
    data = f.Defaults.from_json('{"data": [1, 2, 255]}')
    assert data.data == b"\x01\x02\xff" and data.b is True  # unset fields keep their defaults


def test_generic_structs_are_made_unbound() -> None:
    # As Box.new_message(): the parameters are AnyPointer; a field of a branded type binds them.
    box = f.Box.from_dict({"label": "l", "value": "text", "pair": {"count": 3}})
    assert isinstance(box, f.Box.Builder)
    assert box.value.get_as_text() == "text" and box.label == "l" and box.pair.count == 3
    g = f.Generics.from_dict(
        {
            "textBox": {"value": "v", "pair": {"first": "w"}},
            "scalarBox": {"value": {"i8": 3}},
            "boxes": [{"value": "a"}, {"label": "b"}],
            "pair": {"left": "L", "right": {"u8": 9}, "inner": {"value": {"i16": 5}}},
        }
    )
    assert (g.text_box.value, g.text_box.pair.first) == ("v", "w")
    assert g.scalar_box.value.i8 == 3
    assert [x.value for x in g.boxes] == ["a", ""] and g.boxes[1].label == "b"
    assert (g.pair.left, g.pair.right.u8, g.pair.inner.value.i16) == ("L", 9, 5)
    assert f.Box.from_json('{"label": "q"}').label == "q"


def test_any_mapping_is_taken() -> None:
    proxy = types.MappingProxyType({"name": "x", "id": 1})
    assert ab.Person.from_dict(proxy).name == "x"


def test_a_null_union_member_comes_back_set() -> None:
    # to_dict writes the union's active member even when it is a null pointer, as its default
    # (an empty list here), so from_dict sets it: the same values, but no longer a null pointer
    # (the dynamic API's from_dict does the same).
    shape = f.Shape.new_message()
    dynamic_view(shape).clear("polygon")  # the member that is set, a null pointer
    assert shape.which() == f.Shape.Which.POLYGON and not shape.has_polygon()
    assert shape.to_dict() == {"polygon": [], "style": {"plain": None}}
    again = f.Shape.from_dict(shape.to_dict())
    assert again.which() == f.Shape.Which.POLYGON and again.has_polygon()
    assert again.to_dict() == shape.to_dict() and again.to_bytes() != shape.to_bytes()


# -- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,error,message",
    [
        ({"nmae": "x"}, UnknownField, "did you mean 'name'?"),
        ({"phones": [{"numbr": "1"}]}, UnknownField, "did you mean 'number'?"),
        ({"employment": {"scool": "x"}}, UnknownField, "did you mean 'school'?"),
        ({"name": 1}, WrongValueType, "Person.name is Text"),
        ({"phones": {"number": "1"}}, WrongValueType, "phones"),
        ({"id": -1}, ValueOutOfRange, "-1"),
        ({"phones": [{"type": "fax"}]}, UnknownEnumerant, "fax"),
        ({1: "x"}, WrongValueType, "field names are str"),
    ],
)
def test_from_dict_errors(value: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=message.replace("?", r"\?")) as caught:
        ab.Person.from_dict(value)
    assert isinstance(caught.value, PurecapError)


def test_deeply_nested_data_is_a_nesting_error() -> None:
    deep: Dict[str, Any] = {}
    inner = deep
    for _ in range(20000):  # deeper than any interpreter's recursion limit
        inner["structField"] = inner = {}
    with pytest.raises(NestingLimitExceeded):
        test_capnp.TestAllTypes.from_dict(deep)
    with pytest.raises(JsonError, match="nested too deeply"):  # at 64 levels, as the reference
        test_capnp.TestAllTypes.from_json('{"structField": ' * 100 + "{}" + "}" * 100)


def test_from_dict_takes_only_mappings() -> None:
    bad: Any = [("name", "x")]
    with pytest.raises(WrongValueType):
        ab.Person.from_dict(bad)


@pytest.mark.parametrize(
    "text", ['{"id": "x"}', "{", '{"name": 1}', '{"phones": [{"type": "fax"}]}', "[1]", '"x"']
)
def test_from_json_errors(text: str) -> None:
    with pytest.raises(JsonError):
        ab.Person.from_json(text)


def test_from_json_ignores_unknown_names() -> None:
    # The reference's decoder skips names the schema does not have (a newer writer's fields).
    assert ab.Person.from_json('{"name": "x", "nickname": "y"}').name == "x"


# -- JSON annotations ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def annotated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """tests/formats/data/annotations.capnp's generated module (and the json.capnp stand-in's
    it imports), imported from a temporary package."""
    request = compile_files(
        [str(FORMATS / "annotations.capnp"), str(FORMATS / "include/capnp/compat/json.capnp")],
        import_paths=[str(FORMATS / "include")],
        standard_import=False,
        src_prefixes=[str(FORMATS), str(FORMATS / "include")],
    )
    root = tmp_path_factory.mktemp("from_json")
    package = root / PACKAGE
    package.mkdir()
    (package / "__init__.py").write_text("")
    for name, source in generate(request).items():
        (package / name).write_text(source, encoding="utf-8")
    sys.path.insert(0, str(root))
    try:
        yield __import__(f"{PACKAGE}.annotations_capnp", fromlist=["_"])
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def test_json_annotations_are_honoured(annotated: Any) -> None:
    # ann_cases.bin is what capnp 0.9.2's `convert json:binary` made of ann_cases.json
    # (renamed and flattened fields, discriminators after their members, base64, hex...): each
    # message built, then copied out into a fresh message (which leaves behind what a union's
    # earlier member left), as the dynamic API's reader writes itself.
    messages = [
        annotated.Annotated.from_json(text)
        for text in split_json_messages((FORMATS / "ann_cases.json").read_bytes())
    ]
    assert all(type(m) is annotated.Annotated.Builder for m in messages)
    copies = b"".join(dynamic_view(m.as_reader()).to_bytes() for m in messages)
    assert copies == (FORMATS / "ann_cases.bin").read_bytes()
    text = (FORMATS / "ann_read.json").read_text("utf-8")
    assert annotated.Annotated.from_json(text).to_json() + "\n" == text
    # Dicts know no annotations: schema names, Json.Value as the struct it is.
    reader = annotated.Annotated.from_bytes((FORMATS / "ann.bin").read_bytes())
    assert annotated.Annotated.from_dict(reader.to_dict()).to_dict() == reader.to_dict()

