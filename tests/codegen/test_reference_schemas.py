"""Generated modules of the reference's own schemas against the reference's own data.

* ``test.capnp``'s ``TestAllTypes``: the reference's ``testdata/binary`` and ``testdata/packed``
  (written by C++ from the values of ``testdata/short.txt``) read through generated code give
  exactly those values; built through generated builders in the text's field order, they are the
  very same bytes. ``TestDefaults`` read from an empty message gives the same values (the schema
  declares them as its defaults).
* ``schema.capnp``: ``capnp compile -o-`` output read through the generated ``schema_capnp``
  agrees with :mod:`purecap.schema.nodes` (which reads it with hand-written accessors) node by
  node, field by field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

from conformance.textformat import parse
from purecap.codegen.emitter import field_names
from purecap.schema import model
from purecap.schema.compiler import compile_files
from purecap.schema.nodes import request_from_bytes
from tests.codegen.generated import schema_capnp, test_capnp
from tests.codegen.walk import fill_struct, normalize, normalize_struct, struct_value, value

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "schema" / "data"
TESTDATA = DATA / "capnp" / "testdata"
REQUESTS = DATA / "requests"

Nodes = Dict[int, model.Node]


@pytest.fixture(scope="module")
def nodes() -> Nodes:
    request = compile_files(
        [str(DATA / "capnp" / "test.capnp")],
        import_paths=[str(DATA)],
        standard_import=False,
        src_prefixes=[str(DATA)],
    )
    return request.node_map()


def _expected(nodes: Nodes) -> Dict[str, Any]:
    node = nodes[test_capnp.TestAllTypes.type_id]
    text = (TESTDATA / "short.txt").read_text(encoding="utf-8")
    return normalize_struct(parse(text), node, nodes)


def _read(reader: test_capnp.TestAllTypes.Reader, nodes: Nodes) -> Dict[str, Any]:
    node = nodes[test_capnp.TestAllTypes.type_id]
    return normalize_struct(struct_value(reader, node, nodes), node, nodes)


def test_all_types_binary_reads_as_short_txt(nodes: Nodes) -> None:
    reader = test_capnp.TestAllTypes.from_bytes((TESTDATA / "binary").read_bytes())
    assert _read(reader, nodes) == _expected(nodes)
    # A few by hand, to show the API.
    assert reader.int64_field == -123456789012345
    assert reader.text_field == "foo" and reader.data_field == b"bar"
    assert reader.struct_field.struct_field.text_field == "nested"
    assert reader.enum_field == test_capnp.TestEnum.CORGE
    assert list(reader.enum_list) == [test_capnp.TestEnum.FOO, test_capnp.TestEnum.GARPLY]
    assert list(reader.u_int64_list) == [11111111111111111111]
    assert len(reader.void_list) == 6 and reader.void_list[5] is None
    assert [s.text_field for s in reader.struct_list] == [f"structlist {i}" for i in (1, 2, 3)]


def test_all_types_packed_reads_as_short_txt(nodes: Nodes) -> None:
    reader = test_capnp.TestAllTypes.from_bytes_packed((TESTDATA / "packed").read_bytes())
    assert _read(reader, nodes) == _expected(nodes)


def test_all_types_built_from_short_txt_is_byte_identical(nodes: Nodes) -> None:
    # Building in the text's field order is what `capnp encode` does: same allocations.
    builder = test_capnp.TestAllTypes.new_message()
    node = nodes[test_capnp.TestAllTypes.type_id]
    fill_struct(builder, node, parse((TESTDATA / "short.txt").read_text("utf-8")), nodes)
    assert builder.to_bytes() == (TESTDATA / "binary").read_bytes()
    assert builder.to_bytes_packed() == (TESTDATA / "packed").read_bytes()
    assert _read(builder.as_reader(), nodes) == _expected(nodes)


def test_defaults_of_an_empty_message(nodes: Nodes) -> None:
    # TestDefaults declares as defaults the values TestAllTypes holds in testdata/binary.
    defaults = test_capnp.TestDefaults.new_message()
    all_types = test_capnp.TestAllTypes.from_bytes((TESTDATA / "binary").read_bytes())
    dnode = nodes[test_capnp.TestDefaults.type_id]
    anode = nodes[test_capnp.TestAllTypes.type_id]
    dnames, anames = field_names(dnode), field_names(anode)
    atypes = {f.name: f.slot.type for f in anode.struct.fields or ()}
    checked = 0
    for f in dnode.struct.fields or ():
        t = f.slot.type
        for source in (defaults, defaults.as_reader()):  # builder getters, reader getters
            got = normalize(value(getattr(source, dnames[f.name]), t, nodes), t, nodes)
            want = normalize(
                value(getattr(all_types, anames[f.name]), atypes[f.name], nodes),
                atypes[f.name],
                nodes,
            )
            assert got == want, f.name
            checked += 1
    assert checked == 2 * 34
    # Setting every default back leaves the data section all zero (stored XORed).
    assert not any(defaults._b.segment[8:16])


# ---------------------------------------------------------------------------------------------
# schema.capnp: the generated module against purecap.schema.nodes on capnp's own output


def _opt(v: Optional[List[Any]]) -> List[Any]:
    return list(v or ())


def _type_kind(t: schema_capnp.Type.Reader) -> str:
    return model.TYPE_KINDS[int(t.which())]


def _check_type(r: schema_capnp.Type.Reader, t: model.Type) -> None:
    assert _type_kind(r) == t.kind
    if t.kind == "list":
        assert t.element_type is not None
        _check_type(r.list.element_type, t.element_type)
    elif t.kind in ("struct", "enum", "interface"):
        if t.kind == "struct":
            assert (r.struct.type_id, r.struct.has_brand()) == (t.type_id, t.brand is not None)
        elif t.kind == "enum":
            assert (r.enum.type_id, r.enum.has_brand()) == (t.type_id, t.brand is not None)
        else:
            assert (r.interface.type_id, r.interface.has_brand()) == (
                t.type_id, t.brand is not None
            )  # fmt: skip
    elif t.kind == "anyPointer":
        ap = r.any_pointer
        assert model.ANY_POINTER_KINDS[int(ap.which())] == t.any_pointer_kind
        if t.any_pointer_kind == "parameter":
            assert ap.parameter.scope_id == t.scope_id
            assert ap.parameter.parameter_index == t.parameter_index


def _check_value(r: schema_capnp.Value.Reader, v: model.Value) -> None:
    kind = model.VALUE_KINDS[int(r.which())]
    assert kind == v.kind
    if kind in ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                "uint64", "enum"):  # fmt: skip
        attr = {"bool": "bool_", "uint8": "uint8", "enum": "enum"}.get(kind, kind)
        assert getattr(r, attr) == v.scalar
    elif kind == "text":
        # features.bin holds a non-UTF-8 Text default (the model keeps it surrogate-escaped):
        # compare the bytes (the generated accessor decodes strictly, as it must).
        raw = r._r.get_text_bytes(0)
        assert raw == (v.text or "").encode("utf-8", "surrogateescape")
    elif kind == "data":
        assert r.data == (v.data or b"")


def _check_node(r: schema_capnp.Node.Reader, n: model.Node) -> None:
    assert r.id == n.id
    assert r.display_name == n.display_name
    assert r.display_name_prefix_length == n.display_name_prefix_length
    assert r.scope_id == n.scope_id
    assert r.is_generic == n.is_generic
    assert [p.name for p in r.parameters] == [p.name for p in _opt(n.parameters)]
    assert [(x.name, x.id) for x in r.nested_nodes] == [
        (x.name, x.id) for x in _opt(n.nested_nodes)
    ]
    assert [a.id for a in r.annotations] == [a.id for a in _opt(n.annotations)]
    which = r.which()
    assert which.name.lower() == n.which
    if isinstance(n.body, model.StructBody):
        s = r.struct
        b = n.body
        assert (s.data_word_count, s.pointer_count, s.is_group) == (
            b.data_word_count, b.pointer_count, b.is_group
        )  # fmt: skip
        assert (s.discriminant_count, s.discriminant_offset) == (
            b.discriminant_count, b.discriminant_offset
        )  # fmt: skip
        assert int(s.preferred_list_encoding) == b.preferred_list_encoding
        fields = list(s.fields)
        assert len(fields) == len(_opt(b.fields))
        for rf, mf in zip(fields, _opt(b.fields)):
            assert (rf.name, rf.code_order, rf.discriminant_value) == (
                mf.name, mf.code_order, mf.discriminant_value
            )  # fmt: skip
            explicit = rf.ordinal.which() == schema_capnp.Field.Ordinal.Which.EXPLICIT
            assert (rf.ordinal.explicit if explicit else None) == mf.ordinal
            if isinstance(mf.body, model.SlotField):
                assert rf.which() == schema_capnp.Field.Which.SLOT
                assert rf.slot.offset == mf.body.offset
                assert rf.slot.had_explicit_default == mf.body.had_explicit_default
                _check_type(rf.slot.type_, mf.body.type)
                _check_value(rf.slot.default_value, mf.body.default_value)
            else:
                assert rf.which() == schema_capnp.Field.Which.GROUP
                assert rf.group.type_id == mf.body.type_id
    elif isinstance(n.body, model.EnumBody):
        assert [e.name for e in r.enum.enumerants] == [e.name for e in _opt(n.body.enumerants)]
    elif isinstance(n.body, model.InterfaceBody):
        methods = list(r.interface.methods)
        assert [m.name for m in methods] == [m.name for m in _opt(n.body.methods)]
        for rm, mm in zip(methods, _opt(n.body.methods)):
            assert (rm.param_struct_type, rm.result_struct_type) == (
                mm.param_struct_type, mm.result_struct_type
            )  # fmt: skip
        assert [x.id for x in r.interface.superclasses] == [
            x.id for x in _opt(n.body.superclasses)
        ]
    elif isinstance(n.body, model.ConstBody):
        _check_type(r.const.type_, n.body.type)
        _check_value(r.const.value, n.body.value)
    elif isinstance(n.body, model.AnnotationBody):
        _check_type(r.annotation.type_, n.body.type)
        assert r.annotation.targets_field == n.body.targets_field


@pytest.mark.parametrize("name", ["schema.bin", "json-persistent.bin", "features.bin"])
def test_schema_capnp_reads_requests_as_nodes_does(name: str) -> None:
    data = (REQUESTS / name).read_bytes()
    expected = request_from_bytes(data)
    request = schema_capnp.CodeGeneratorRequest.from_bytes(data)
    version = request.capnp_version
    assert expected.capnp_version is not None
    assert (version.major, version.minor, version.micro) == (0, 9, 2)
    nodes = list(request.nodes)
    assert len(nodes) == len(_opt(expected.nodes))
    for r, n in zip(nodes, _opt(expected.nodes)):
        _check_node(r, n)
    files = [(f.id, f.filename, [(i.id, i.name) for i in f.imports])
             for f in request.requested_files]  # fmt: skip
    assert files == [
        (f.id, f.filename, [(i.id, i.name) for i in _opt(f.imports)])
        for f in _opt(expected.requested_files)
    ]
    docs = [(s.id, s.doc_comment if s.has_doc_comment() else None) for s in request.source_info]
    assert docs == [(s.id, s.doc_comment) for s in _opt(expected.source_info)]


def test_schema_capnp_builds_what_it_reads() -> None:
    # Copy every node through the generated builders, read back: the same request.
    data = (REQUESTS / "schema.bin").read_bytes()
    original = schema_capnp.CodeGeneratorRequest.from_bytes(data)
    copy = schema_capnp.CodeGeneratorRequest.new_message()
    copy.set_nodes(original.nodes)
    copy.set_requested_files(original.requested_files)
    copy.init_capnp_version().minor = 9
    assert request_from_bytes(copy.to_bytes()).nodes == request_from_bytes(data).nodes
    assert copy.as_reader().capnp_version.minor == 9
