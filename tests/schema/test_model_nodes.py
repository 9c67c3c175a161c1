"""The schema node model and its wire encoding (purecap.schema.model, nodes, through the
generated schema_capnp).

The fixtures in ``tests/schema/data/requests`` are ``capnp compile -o-`` output (capnp 0.9.2; see
the README there); reading one and writing it back must give the very same bytes.
"""

from __future__ import annotations

import math
import random
import struct
from pathlib import Path
from typing import Dict

import pytest

from purecap.errors import PurecapError
from purecap.schema import model, nodes, schema_capnp
from purecap.schema.model import (
    Annotation,
    Binding,
    Brand,
    BrandScope,
    CapnpVersion,
    CodeGeneratorRequest,
    ConstBody,
    EnumBody,
    Enumerant,
    Field,
    GroupField,
    Import,
    Method,
    NestedNode,
    Node,
    Parameter,
    RequestedFile,
    SlotField,
    SourceInfo,
    SourceInfoMember,
    StructBody,
    Type,
    Value,
)
from purecap.schema.nodes import (
    UnknownUnionMember,
    read_node,
    read_request,
    request_from_bytes,
    request_to_bytes,
    write_node,
    write_request,
)
from purecap.wire.builder import MessageBuilder
from purecap.wire.canonical import canonicalize
from purecap.wire.errors import BuilderError, InvalidText, NestingLimitExceeded
from purecap.wire.limits import UNLIMITED
from purecap.wire.message import read_message
from purecap.wire.pointers import ElementSize
from purecap.wire.reader import MessageReader

REQUESTS = Path(__file__).parent / "data" / "requests"
FIXTURES = sorted(p.name for p in REQUESTS.glob("*.bin"))

_U16 = struct.Struct("<H")
_I32 = struct.Struct("<i")

_cache: Dict[str, CodeGeneratorRequest] = {}


def fixture_bytes(name: str) -> bytes:
    return (REQUESTS / name).read_bytes()


def fixture(name: str) -> CodeGeneratorRequest:
    """A fresh model of a fixture (tests may mutate it)."""
    return request_from_bytes(fixture_bytes(name))


def node_named(request: CodeGeneratorRequest, display_name: str) -> Node:
    for node in request.nodes or ():
        if node.display_name == display_name:
            return node
    raise KeyError(display_name)


def field_named(node: Node, name: str) -> Field:
    for f in node.struct.fields or ():
        if f.name == name:
            return f
    raise KeyError(name)


# ---------------------------------------------------------------------------------------------
# Round trips against the reference's own bytes


def test_fixtures_present() -> None:
    assert {"features.bin", "schema.bin", "json-persistent.bin"} <= set(FIXTURES)


@pytest.mark.parametrize("name", FIXTURES)
def test_request_round_trip_is_byte_identical(name: str) -> None:
    data = fixture_bytes(name)
    assert request_to_bytes(request_from_bytes(data)) == data


@pytest.mark.parametrize("name", FIXTURES)
def test_request_model_round_trip(name: str) -> None:
    request = fixture(name)
    again = read_request(write_request(request).as_reader())
    assert again == request
    assert again == fixture(name)


@pytest.mark.parametrize("name", FIXTURES)
def test_each_node_round_trips_canonically(name: str) -> None:
    message = read_message(fixture_bytes(name))
    for node_reader in schema_capnp.CodeGeneratorRequest.read(message).nodes:
        node = read_node(node_reader._r)
        rewritten = write_node(node)
        assert canonicalize(rewritten.get_root(5, 6).as_reader()) == canonicalize(node_reader._r)
        assert read_node(rewritten.as_reader().get_root()) == node


# ---------------------------------------------------------------------------------------------
# What the model holds: schema.capnp describing itself


def test_schema_capnp_node_node() -> None:
    request = fixture("schema.bin")
    assert request.capnp_version == CapnpVersion(0, 9, 2)
    node = node_named(request, "capnp/schema.capnp:Node")
    assert node.id == 0xE682AB4CF923A417
    assert node.which == "struct"
    assert node.short_name == "Node"
    body = node.struct
    assert (body.data_word_count, body.pointer_count) == (5, 6)
    assert body.preferred_list_encoding == ElementSize.INLINE_COMPOSITE
    assert body.discriminant_count == 6
    assert body.discriminant_offset == 6  # tag bits [96, 112): the 6th 16-bit slot
    parameters = field_named(node, "parameters")
    assert parameters.ordinal == 32
    assert parameters.discriminant_value == model.NO_DISCRIMINANT
    slot = parameters.slot
    assert slot.offset == 5
    assert slot.type.kind == "list"
    assert slot.type.element_type == Type.struct(0xB9521BCCF10FA3B1)
    assert slot.default_value == Value.list_(None)
    assert not slot.had_explicit_default
    struct_group = field_named(node, "struct")
    assert struct_group.discriminant_value == 1
    assert struct_group.ordinal is None
    assert isinstance(struct_group.body, GroupField)
    group = request.node_map()[struct_group.group.type_id]
    assert group.struct.is_group and group.scope_id == node.id
    assert group.display_name == "capnp/schema.capnp:Node.struct"
    assert group.nested_nodes is None  # capnp leaves a group's nestedNodes null...
    assert node.nested_nodes is not None  # ... and a struct's an (here non-empty) list
    assert [n.name for n in node.nested_nodes] == ["Parameter", "NestedNode", "SourceInfo"]


def test_schema_capnp_field_default_and_const() -> None:
    request = fixture("schema.bin")
    field_node = node_named(request, "capnp/schema.capnp:Field")
    dv = field_named(field_node, "discriminantValue")
    assert dv.slot.default_value == Value.uint16(0xFFFF)
    assert dv.slot.had_explicit_default
    const = node_named(request, "capnp/schema.capnp:Field.noDiscriminant")
    assert const.which == "const"
    assert const.const.type == Type.uint16()
    assert const.const.value == Value.uint16(0xFFFF)


def test_schema_capnp_enum_annotations_and_files() -> None:
    request = fixture("schema.bin")
    es = node_named(request, "capnp/schema.capnp:ElementSize")
    assert isinstance(es.body, EnumBody)
    assert [e.name for e in es.enum.enumerants or ()][:3] == ["empty", "bit", "byte"]
    file_node = node_named(request, "capnp/schema.capnp")
    assert file_node.which == "file"
    (namespace,) = file_node.annotations or []
    assert namespace.value == Value.text_("capnp::schema")
    cxx = node_named(request, "capnp/c++.capnp:namespace")
    assert namespace.id == cxx.id
    assert cxx.annotation.type == Type.text()
    assert cxx.annotation.targets_file
    assert [k for k, v in cxx.annotation.targets().items() if v] == ["file"]
    (requested,) = request.requested_files or []
    assert requested.filename == "capnp/schema.capnp"
    assert requested.imports == [Import(0xBDF87D7BB8304E81, "/capnp/c++.capnp")]
    infos = {s.id: s for s in request.source_info or ()}
    node_info = infos[node_named(request, "capnp/schema.capnp:Node").id]
    assert node_info.members is not None  # one per field, in code order
    assert node_info.members[0].doc_comment is None  # `id` has no doc comment
    assert (node_info.members[3].doc_comment or "").startswith("ID of the lexical parent node.")


def test_two_requested_files() -> None:
    request = fixture("json-persistent.bin")
    assert [f.filename for f in request.requested_files or ()] == [
        "capnp/compat/json.capnp",
        "capnp/persistent.capnp",
    ]


# ---------------------------------------------------------------------------------------------
# features.capnp: generics, every kind of value, annotations with brands


def test_features_values() -> None:
    request = fixture("features.bin")
    everything = node_named(request, "requests/features.capnp:Everything")
    defaults = {f.name: f.slot.default_value for f in everything.struct.fields or () if
                isinstance(f.body, SlotField)}  # fmt: skip
    assert defaults["b"] == Value.bool_(True)
    assert defaults["i8"] == Value.int8(-8)
    assert defaults["i64"] == Value.int64(-6400000000)
    assert defaults["u64"] == Value.uint64(18000000000000000000)
    assert math.isnan(float(defaults["f32"].scalar))
    assert defaults["f32"] == Value.float32(math.nan)  # NaN equals NaN here: same bits
    assert defaults["f64"] == Value.float64(-math.inf)
    # Not UTF-8 on the wire: kept with surrogateescape.
    assert defaults["t"] == Value.text_("text\udcff")
    assert defaults["d"] == Value.data_(b"\x00\xff\x10")
    assert defaults["c"] == Value.enum(2)
    assert defaults["e"] == Value.text_(None)  # no explicit default: a null text
    assert defaults["e"] != Value.text_("")
    assert defaults["cap"] == Value.any_pointer(None)  # Capability is an AnyPointer kind
    assert defaults["ap"] == Value.any_pointer(None)
    # List and struct values are pointers; build equal ones with the wire builder.
    b = MessageBuilder()
    items = b.root_pointer().init_list(ElementSize.TWO_BYTES, 3)
    for i, v in enumerate([1, -2, 3]):
        items.set_primitive(i, struct.Struct("<h"), v)
    assert defaults["l"] == Value.list_(b.as_reader().root_pointer())
    assert defaults["l"] != Value.list_(None)
    assert defaults["s"].pointer is not None
    assert defaults["s"].pointer.get_struct().get_text(0) == "boxed"


def test_features_brands_and_generics() -> None:
    request = fixture("features.bin")
    box = node_named(request, "requests/features.capnp:Box")
    assert box.is_generic and box.parameters == [Parameter("T")]
    value_type = field_named(box, "value").slot.type
    assert value_type == Type.parameter(box.id, 0)
    pair = node_named(request, "requests/features.capnp:Box.Pair")
    inner = field_named(pair, "inner").slot.type
    assert inner.kind == "struct" and inner.type_id == box.id
    assert inner.brand is not None and inner.brand.scopes is not None
    scope = inner.brand.scopes[0]
    assert scope.scope_id == box.id
    assert scope.bind == [Binding(Type.parameter(pair.id, 1))]
    # The enclosing scope of a nested generic is inherited.
    inherits = [
        s
        for f in node_named(request, "requests/features.capnp:Derived").interface.methods or ()
        for b in (f.param_brand, f.result_brand)
        if b is not None
        for s in b.scopes or ()
        if s.inherit
    ]
    assert inherits and all(s.bind is None for s in inherits)
    derived = node_named(request, "requests/features.capnp:Derived")
    get = (derived.interface.methods or [])[0]
    assert get.implicit_parameters == [Parameter("U")]
    params = request.node_map()[get.param_struct_type]
    assert params.parameters == [Parameter("U")]  # the implicit parameter, for the struct
    assert field_named(params, "hint").slot.type == Type.parameter(params.id, 0)
    wrap = (derived.interface.methods or [])[3]
    box_id = node_named(request, "requests/features.capnp:Box").id
    assert wrap.param_struct_type == box_id and wrap.implicit_parameters == [Parameter("V")]
    expected = Brand([BrandScope(box_id, [Binding(Type.implicit_method_parameter(0))])])
    assert wrap.param_brand == expected and wrap.result_brand == expected
    leaf = node_named(request, "requests/features.capnp:Leaf")
    supers = leaf.interface.superclasses or []
    base = node_named(request, "requests/features.capnp:Base")
    assert [s.id for s in supers] == [derived.id, base.id]
    everything = node_named(request, "requests/features.capnp:Everything")
    assert field_named(everything, "as").slot.type == Type.any_struct()
    assert field_named(everything, "al").slot.type == Type.any_list()
    assert field_named(everything, "cap").slot.type == Type.capability()
    assert field_named(everything, "ap").slot.type == Type.any_pointer()
    (boxed,) = field_named(everything, "bb").annotations or []
    assert boxed.brand is not None  # an annotation of generic type carries its brand


def test_features_unions_and_source_info() -> None:
    request = fixture("features.bin")
    everything = node_named(request, "requests/features.capnp:Everything")
    assert everything.struct.discriminant_count == 3
    grp = field_named(everything, "grp")
    assert grp.discriminant_value == 2 and grp.ordinal is None
    named = field_named(everything, "named")
    assert named.discriminant_value == model.NO_DISCRIMINANT
    union_node = request.node_map()[named.group.type_id]
    assert union_node.struct.discriminant_count == 2
    infos = {s.id: s for s in request.source_info or ()}
    box = node_named(request, "requests/features.capnp:Box")
    assert infos[box.id].doc_comment == "A generic struct.\n"
    members = infos[box.id].members or []
    assert members[0] == SourceInfoMember("the boxed value\n")
    assert members[1] == SourceInfoMember(None)


# ---------------------------------------------------------------------------------------------
# The model itself


def test_type_equality_looks_at_the_member_in_use() -> None:
    assert Type.int32() == Type("int32", type_id=5, scope_id=9)
    assert Type.struct(1) != Type.struct(2)
    assert Type.struct(1) != Type.struct(1, Brand())
    assert Type.list_of(Type.text()) == Type.list_of(Type.text())
    assert Type.any_pointer() != Type.capability()
    assert Type.parameter(1, 0) != Type.parameter(1, 1)
    assert Type.implicit_method_parameter(0) == Type.implicit_method_parameter(0)
    assert Type.primitive("float64") == Type.float64()
    assert Type.text().is_pointer and not Type.enum(3).is_pointer
    assert repr(Type.list_of(Type.bool_())) == "Type.list_of(Type.bool_())"
    assert repr(Type.struct(0x1F, Brand())) == "Type.struct(0x1f, Brand(scopes=None))"
    assert repr(Type.any_struct()) == "Type.any_struct()"
    assert repr(Type.parameter(0xA, 1)) == "Type.parameter(0xa, 1)"
    assert repr(Type.implicit_method_parameter(2)) == "Type.implicit_method_parameter(2)"
    with pytest.raises(ValueError):
        Type("integer")
    with pytest.raises(ValueError):
        Type.primitive("list")
    with pytest.raises(ValueError):
        Type.any_pointer("struc")


def test_value_equality() -> None:
    assert Value.int32(5) == Value.int32(5)
    assert Value.int32(5) != Value.int64(5)
    assert Value.float64(0.0) != Value.float64(-0.0)
    assert Value.float32(math.nan) == Value.float32(math.nan)
    assert Value.text_("") != Value.text_(None)
    assert Value.data_(b"") != Value.data_(None)
    assert Value.default_for(Type.text()) == Value.text_(None)
    assert Value.default_for(Type.bool_()) == Value.bool_(False)
    assert Value.default_for(Type.float32()) == Value.float32(0.0)
    assert Value.default_for(Type.enum(7)) == Value.enum(0)
    assert Value.default_for(Type.capability()) == Value.any_pointer(None)
    with pytest.raises(ValueError):
        Value("string")
    assert repr(Value.int32(5)) == "Value.int32(5)"
    assert repr(Value.text_(None)) == "Value.text_(None)"
    assert repr(Value.float32(math.nan)) == "Value.float32(float('nan'))"
    assert repr(Value.interface()) == "Value.interface()"


def test_pointer_values_compare_by_canonical_form() -> None:
    # The same struct laid out differently (a far pointer, a wider struct) is the same value.
    a = MessageBuilder()
    s = a.init_root(1, 1)
    s.set_primitive(_I32, 0, 7)
    s.set_text(0, "x")
    b = MessageBuilder(first_segment_words=2)
    t = b.init_root(2, 2)
    t.set_primitive(_I32, 0, 7)
    t.set_text(0, "x")
    assert len(b.segments) > 1
    va = Value.struct(a.as_reader().root_pointer())
    vb = Value.struct(b.as_reader().root_pointer())
    assert va == vb
    t.set_text(0, "y")
    assert va != vb
    empty = MessageBuilder()
    empty.root_pointer()
    assert Value.struct(None) == Value.struct(empty.as_reader().root_pointer())
    detached = model.detach_pointer(a.as_reader().root_pointer())
    assert detached is not None and Value.struct(detached) == va
    assert model.detach_pointer(None) is None


def test_node_body_access() -> None:
    node = Node(1, "f.capnp:E", 8, body=EnumBody([Enumerant("a", 0)]))
    assert node.which == "enum"
    assert node.enum.enumerants == [Enumerant("a", 0)]
    with pytest.raises(TypeError):
        node.struct
    field = Field("g", 0, GroupField(5))
    assert field.group.type_id == 5
    with pytest.raises(TypeError):
        field.slot
    with pytest.raises(ValueError):
        BrandScope(1, [], inherit=True)
    assert Binding.unbound().is_unbound


def hand_built_request() -> CodeGeneratorRequest:
    """A request using every model class, including parts capnp never writes (unbound)."""
    items = MessageBuilder()
    lst = items.root_pointer().init_list(ElementSize.FOUR_BYTES, 2)
    lst.set_primitive(0, _I32, -1)
    lst.set_primitive(1, _I32, 2)
    brand = Brand(
        [BrandScope(10, [Binding.unbound(), Binding(Type.text())]), BrandScope(11, inherit=True)]
    )
    struct_node = Node(
        id=20,
        display_name="x.capnp:S",
        display_name_prefix_length=8,
        scope_id=1,
        body=StructBody(
            data_word_count=1,
            pointer_count=2,
            preferred_list_encoding=ElementSize.INLINE_COMPOSITE,
            discriminant_count=2,
            discriminant_offset=2,
            fields=[
                Field("a", 0, SlotField(0, Type.int32(), Value.int32(-5), True), ordinal=0,
                      discriminant_value=0, annotations=[Annotation(30, Value.void())]),
                Field("b", 1, SlotField(0, Type.list_of(Type.int32()), Value.list_(
                    items.as_reader().root_pointer()), True), ordinal=1, discriminant_value=1),
                Field("c", 2, SlotField(1, Type.struct(21, brand), Value.struct(None)), ordinal=2),
                Field("g", 3, GroupField(22)),
            ],
        ),
        parameters=[Parameter("T")],
        is_generic=True,
        nested_nodes=[NestedNode("Inner", 21)],
        annotations=[Annotation(30, Value.text_("hi"), Brand([]))],
    )
    iface = Node(
        40, "x.capnp:I", 8, 1,
        body=model.InterfaceBody(
            methods=[Method("m", 0, 41, 42, [Parameter("U")], brand, None, [])],
            superclasses=[model.Superclass(43, Brand(None))],
        ),
    )  # fmt: skip
    ann = Node(30, "x.capnp:ann", 8, 1, body=model.AnnotationBody(Type.any_pointer(),
               targets_field=True, targets_param=True))  # fmt: skip
    const = Node(50, "x.capnp:c", 8, 1, body=ConstBody(Type.float32(), Value.float32(1.5)))
    file_node = Node(1, "x.capnp", 0, nested_nodes=[])
    return CodeGeneratorRequest(
        nodes=[file_node, struct_node, iface, ann, const],
        requested_files=[RequestedFile(1, "x.capnp", [Import(2, "y.capnp")])],
        capnp_version=CapnpVersion(0, 9, 2),
        source_info=[SourceInfo(20, "doc", [SourceInfoMember("a doc"), SourceInfoMember()])],
    )


def test_hand_built_request_round_trip() -> None:
    request = hand_built_request()
    data = request_to_bytes(request)
    again = request_from_bytes(data)
    assert again == request
    assert request_to_bytes(again) == data
    annotation_node = (again.nodes or [])[3]
    assert annotation_node.annotation.targets() == {
        name: name in ("field", "param") for name in model.ANNOTATION_TARGET_NAMES
    }


def test_empty_request() -> None:
    assert request_from_bytes(request_to_bytes(CodeGeneratorRequest())) == CodeGeneratorRequest()


def test_out_of_range_values_are_builder_errors() -> None:
    node = Node(1, "x", 0, body=ConstBody(Type.int8(), Value.int8(300)))
    with pytest.raises(BuilderError):
        write_node(node)
    node = Node(1, "x", 0, body=ConstBody(Type.uint16(), Value.uint16(-1)))
    with pytest.raises(BuilderError):
        write_node(node)
    bad_type = Type("anyPointer", any_pointer_kind="nowhere")
    with pytest.raises(BuilderError):
        write_node(Node(1, "x", 0, body=ConstBody(bad_type, Value.void())))
    for encoding in (-1, 0x10000):
        with pytest.raises(BuilderError):
            write_node(Node(1, "x", 0, body=StructBody(preferred_list_encoding=encoding)))
    with pytest.raises(BuilderError):
        write_node(Node(1, "x", 0, body=EnumBody([Enumerant("a", 0x10000)])))
    # A preferred list encoding no enumerant names is kept, as C++ keeps the number.
    odd = Node(1, "x", 0, body=StructBody(preferred_list_encoding=9))
    assert read_node(write_node(odd).as_reader().get_root()) == odd


# ---------------------------------------------------------------------------------------------
# What nodes.py assumes of schema.capnp (it writes these parts below the generated accessors)


def test_each_struct_of_schema_capnp_has_at_most_one_text_its_pointer_0() -> None:
    # nodes._text and _set_text read and write "the" Text field of a struct as pointer 0.
    request = fixture("schema.bin")
    structs = [n for n in request.nodes or () if n.display_name.startswith("capnp/schema.capnp")
               and isinstance(n.body, StructBody)]  # fmt: skip
    texts = {}
    for n in structs:
        found = [f.slot.offset for f in n.struct.fields or ()
                 if isinstance(f.body, SlotField) and f.slot.type == Type.text()]  # fmt: skip
        assert found in ([], [0]), n.display_name
        if found:
            texts[n.short_name] = found
    assert sorted(texts) == [
        "Enumerant", "Field", "Import", "Member", "Method", "NestedNode", "Node", "Parameter",
        "RequestedFile", "SourceInfo", "Value",
    ]  # fmt: skip


def test_union_tag_offsets_are_those_of_schema_capnp() -> None:
    # nodes._select writes union tags at these byte offsets: what capnp laid out, and what the
    # generated which() reads.
    request = fixture("schema.bin")
    offsets = {
        "Node": nodes._NODE_TAG, "Field": nodes._FIELD_TAG, "Type": nodes._TYPE_TAG,
        "Type.anyPointer": nodes._ANY_POINTER_TAG, "Value": nodes._VALUE_TAG,
    }  # fmt: skip
    for name, offset in offsets.items():
        body = node_named(request, "capnp/schema.capnp:" + name).struct
        assert body.discriminant_count > 0 and body.discriminant_offset * 2 == offset, name
    node = schema_capnp.Node.new_message()
    nodes._select(node, nodes._NODE_TAG, 4)
    assert node.which() == schema_capnp.Node.Which.CONST
    field = schema_capnp.Field.new_message()
    nodes._select(field, nodes._FIELD_TAG, 1)
    assert field.which() == schema_capnp.Field.Which.GROUP
    t = schema_capnp.Type.new_message()
    nodes._select(t, nodes._TYPE_TAG, 18)
    nodes._select(t.any_pointer, nodes._ANY_POINTER_TAG, 2)
    assert t.which() == schema_capnp.Type.Which.ANY_POINTER
    assert t.any_pointer.which() == schema_capnp.Type.AnyPointer.Which.IMPLICIT_METHOD_PARAMETER
    v = schema_capnp.Value.new_message()
    nodes._select(v, nodes._VALUE_TAG, 12)
    assert v.which() == schema_capnp.Value.Which.TEXT and not v.has_text()


def test_text_that_is_not_utf8_round_trips() -> None:
    # capnp copies Text as bytes, UTF-8 or not (a string literal "\xff", a file name, a
    # comment); the model keeps such bytes as surrogate escapes, and so must nodes.py, although
    # the generated accessors (strict UTF-8, as they must be for user data) refuse them.
    odd = "a\udcff\udcfe"
    request = CodeGeneratorRequest(
        nodes=[
            Node(1, odd + ".capnp", 0, nested_nodes=[NestedNode(odd, 2)]),
            Node(2, odd + ".capnp:C", 7, 1, body=ConstBody(Type.text(), Value.text_(odd)),
                 parameters=[Parameter(odd)]),  # fmt: skip
            Node(3, "e", 0, body=EnumBody([Enumerant(odd, 0)])),
        ],
        requested_files=[RequestedFile(1, odd + ".capnp", [Import(4, odd)])],
        source_info=[SourceInfo(2, odd, [SourceInfoMember(odd)])],
    )
    data = request_to_bytes(request)
    assert data.count(b"a\xff\xfe") == 10 and b"\xed\xb3\xbf" not in data  # not surrogatepass
    again = request_from_bytes(data)
    assert again == request
    assert request_to_bytes(again) == data
    message = read_message(data)
    with pytest.raises(InvalidText):
        list(schema_capnp.CodeGeneratorRequest.read(message).nodes)[0].display_name


# ---------------------------------------------------------------------------------------------
# Hostile input: only purecap errors


def test_unknown_union_member() -> None:
    message = write_node(Node(1, "x", 0))
    message.get_root(5, 6).set_primitive(_U16, 12, 9)  # Node's union tag: no member 9
    with pytest.raises(UnknownUnionMember):
        read_node(message.as_reader().get_root())
    message = write_node(Node(1, "x", 0, body=ConstBody(Type.int8(), Value.int8(1))))
    message.get_root(5, 6).get_struct(3, 3, 1).set_primitive(_U16, 0, 99)  # Type tag
    with pytest.raises(UnknownUnionMember):
        read_node(message.as_reader().get_root())


def deeply_nested_type_request(depth: int) -> MessageBuilder:
    """A request whose one const node has the type List(List(...(Void)...)) ``depth`` deep."""
    message = MessageBuilder()
    root = message.init_root(0, 4)
    node = root.init_struct_list(0, 1, 5, 6).get_struct(0)
    node.set_primitive(_U16, 12, 4)  # const
    t = node.init_struct(3, 3, 1)
    for _ in range(depth):
        t.set_primitive(_U16, 0, 14)  # list
        t = t.init_struct(0, 3, 1)
    return message


def test_deep_nesting_is_a_nesting_error() -> None:
    message = deeply_nested_type_request(3000)
    with pytest.raises(NestingLimitExceeded):
        read_request(message.as_reader())  # default-like limit of the builder's reader: none
    with pytest.raises(NestingLimitExceeded):
        read_request(read_message(request_to_bytes_raw(message)))  # default limit: 64
    shallow = read_request(deeply_nested_type_request(20).as_reader())
    t = (shallow.nodes or [])[0].const.type
    for _ in range(20):
        assert t.kind == "list" and t.element_type is not None
        t = t.element_type
    assert t == Type.void()


def request_to_bytes_raw(message: MessageBuilder) -> bytes:
    from purecap.wire.message import write_message

    return write_message(message)


def test_garbage_and_bit_flips_raise_only_purecap_errors() -> None:
    data = bytearray(fixture_bytes("features.bin"))
    rng = random.Random(4)
    failures = 0
    for _ in range(150):
        corrupt = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(corrupt))
            corrupt[at] ^= 1 << rng.randrange(8)
        try:
            request = request_from_bytes(bytes(corrupt))
            request_to_bytes(request)
        except PurecapError:
            failures += 1
    assert failures > 0
    for junk in (b"", b"\x00" * 8, bytes(range(64)), b"\xff" * 40):
        with pytest.raises(PurecapError):
            request_from_bytes(junk)


def test_null_pointers_read_as_defaults() -> None:
    # A Field whose slot type and default are null reads as Void (what C++ getters return).
    message = MessageBuilder()
    node = message.init_root(5, 6)
    node.set_primitive(_U16, 12, 1)  # struct
    fields = node.init_struct_list(3, 1, 3, 4)
    fields.get_struct(0).set_primitive(_U16, 2, 0)  # discriminantValue 0xffff (XORed)
    read = read_node(message.as_reader().get_root())
    (f,) = read.struct.fields or []
    assert f.name == "" and f.slot.type == Type.void() and f.slot.default_value == Value.void()
    assert f.discriminant_value == 0xFFFF


def test_reader_for_unlimited_message() -> None:
    reader = MessageReader(write_request(hand_built_request()).to_segments(), UNLIMITED)
    assert read_request(reader) == hand_built_request()
