"""The compiler's output, node by node: IDs, names, layout, values, interfaces, annotations.

The first tests compile the schemas whose ``capnp compile -o-`` output is stored in
``tests/schema/data/requests`` (capnp 0.9.2) and require *no* difference at all; the others pin
down individual rules of ``node-translator.c++`` on small schemas, so a regression says which
rule broke.  (The live comparison with the capnp tool is ``conformance/test_schema_compiler.py``.)
"""

from __future__ import annotations

import math
import struct
from pathlib import Path
from typing import Dict, List, Sequence

import pytest

from purecap.schema import model
from purecap.schema.compare import compare_requests
from purecap.schema.compiler import compile_files, unordered_map_order
from purecap.schema.ids import child_id, group_id, method_params_id
from purecap.schema.nodes import request_from_bytes, request_to_bytes
from purecap.schema.translator import STREAM_RESULT_ID, int_to_float32, to_float32
from purecap.wire.pointers import ElementSize

DATA = Path(__file__).resolve().parent / "data"

FIXTURES = [
    (("requests/features.capnp",), "features.bin"),
    (("capnp/schema.capnp",), "schema.bin"),
    (("capnp/compat/json.capnp", "capnp/persistent.capnp"), "json-persistent.bin"),
]


@pytest.mark.parametrize("files,fixture", FIXTURES, ids=[f for _, f in FIXTURES])
def test_same_request_as_capnp(files: Sequence[str], fixture: str) -> None:
    ours = compile_files(files, import_paths=["."], standard_import=False, cwd=str(DATA))
    theirs = request_from_bytes((DATA / "requests" / fixture).read_bytes())
    report = compare_requests(ours, theirs)
    assert report == [], "\n".join(report[:30])
    # Same nodes, not merely no differing ones -- in fact the very same bytes: nodes in the
    # order the reference loads them, source info in its hash map's order.
    assert sorted(n.id for n in ours.nodes or ()) == sorted(n.id for n in theirs.nodes or ())
    assert request_to_bytes(ours) == (DATA / "requests" / fixture).read_bytes()


FILE_ID = 0xC5B7E6FD1E2A3B41


def compile_text(tmp_path: Path, text: str, name: str = "t.capnp") -> Dict[str, model.Node]:
    """Compile one file; its nodes by display name (file name stripped)."""
    (tmp_path / name).write_text(f"@0x{FILE_ID:x};\n" + text)
    request = compile_files([name], cwd=str(tmp_path))
    return {n.display_name.split(":", 1)[-1]: n for n in request.nodes or ()}


def fields(node: model.Node) -> Dict[str, model.Field]:
    return {f.name: f for f in node.struct.fields or ()}


def test_ids_names_and_scopes(tmp_path: Path) -> None:
    nodes = compile_text(
        tmp_path,
        "struct Foo {\n  g :group { x @0 :Int32; }\n  struct Bar @0xe000000000000001 {}\n"
        "  enum E { a @0; }\n}\ninterface I { m @3 () -> (); n @0 (); o @1 (); p @2 (); }\n",
    )
    file_node = nodes["t.capnp"]
    assert file_node.id == FILE_ID
    assert (file_node.display_name_prefix_length, file_node.scope_id) == (2, 0)  # after "t."
    foo = nodes["Foo"]
    assert foo.id == child_id(FILE_ID, "Foo")
    assert (foo.display_name, foo.display_name_prefix_length) == ("t.capnp:Foo", 8)
    assert foo.scope_id == FILE_ID
    assert [(n.name, n.id) for n in foo.nested_nodes or ()] == [
        ("Bar", 0xE000000000000001),
        ("E", child_id(foo.id, "E")),
    ]
    assert nodes["Foo.Bar"].display_name_prefix_length == len("t.capnp:Foo.")
    group = nodes["Foo.g"]
    assert group.id == group_id(foo.id, 0) == fields(foo)["g"].group.type_id
    assert (group.scope_id, group.nested_nodes, group.struct.is_group) == (foo.id, None, True)
    interface = nodes["I"]
    params = nodes["I.m$Params"]
    assert params.id == method_params_id(interface.id, 3, False)
    assert nodes["I.m$Results"].id == method_params_id(interface.id, 3, True)
    assert (params.scope_id, params.display_name_prefix_length) == (0, len("t.capnp:I."))


def test_struct_layout_and_field_order(tmp_path: Path) -> None:
    nodes = compile_text(
        tmp_path,
        "struct S {\n  a @0 :Int8;\n  b @1 :Int64;\n  c @2 :Bool;\n  t @3 :Text;\n"
        "  union {\n    u @5 :Int32;\n    v @4 :Void;\n  }\n  g :group { h @6 :UInt16; }\n}\n",
    )
    s = nodes["S"].struct
    # As capnp compile -ocapnp lays it out.
    assert (s.data_word_count, s.pointer_count) == (3, 1)
    assert s.preferred_list_encoding == ElementSize.INLINE_COMPOSITE
    assert (s.discriminant_count, s.discriminant_offset) == (2, 1)  # bits [16, 32)
    # The fields list is in ordinal order (the group enters with its first member).
    assert [f.name for f in s.fields or ()] == ["a", "b", "c", "t", "v", "u", "g"]
    by_name = fields(nodes["S"])
    assert [by_name[n].code_order for n in "abctuvg"] == [0, 1, 2, 3, 4, 5, 6]
    assert by_name["a"].slot.offset == 0  # byte 0
    assert by_name["b"].slot.offset == 1  # word 1
    assert by_name["c"].slot.offset == 8  # bit 8
    assert by_name["t"].slot.offset == 0
    assert by_name["v"].discriminant_value == 0 and by_name["u"].discriminant_value == 1
    assert by_name["u"].slot.offset == 1  # 32-bit slot 1 (bits 32..63)
    assert by_name["a"].discriminant_value == model.NO_DISCRIMINANT
    assert by_name["g"].ordinal is None and by_name["a"].ordinal == 0
    group = nodes["S.g"].struct
    assert (group.data_word_count, group.pointer_count) == (3, 1)  # the whole struct's size
    assert fields(nodes["S.g"])["h"].slot.offset == 8  # bits [128, 144)


def test_null_and_empty_lists(tmp_path: Path) -> None:
    """Where the reference writes null pointers and where empty lists."""
    nodes = compile_text(tmp_path, "struct Empty {}\nenum E {}\ninterface I {}\n")
    empty = nodes["Empty"]
    assert empty.struct.fields is None and empty.nested_nodes == []
    assert empty.annotations is None and empty.parameters is None
    assert nodes["E"].enum.enumerants == []
    assert nodes["I"].interface.methods == [] and nodes["I"].interface.superclasses == []


def test_primitive_defaults(tmp_path: Path) -> None:
    nodes = compile_text(
        tmp_path,
        "enum C { r @0; g @1; }\nstruct S {\n  a @0 :Int16 = -5;\n  b @1 :Float32 = 0.1;\n"
        "  c @2 :Text;\n  d @3 :Text = \"\";\n  e @4 :Data = \"hi\";\n  f @5 :C = g;\n"
        "  h @6 :Float64 = -inf;\n  i @7 :UInt64 = 0xffffffffffffffff;\n  j @8 :Float64 = -0;\n}\n",
    )
    by_name = fields(nodes["S"])
    a = by_name["a"].slot
    assert (a.default_value, a.had_explicit_default) == (model.Value.int16(-5), True)
    b = by_name["b"].slot.default_value
    assert b.kind == "float32" and b.scalar == struct.unpack("<f", struct.pack("<f", 0.1))[0]
    c = by_name["c"].slot
    assert (c.default_value.text, c.had_explicit_default) == (None, False)  # null, not ""
    assert by_name["d"].slot.default_value.text == ""
    assert by_name["e"].slot.default_value == model.Value.data_(b"hi")
    assert by_name["f"].slot.default_value == model.Value.enum(1)
    assert by_name["h"].slot.default_value.scalar == -math.inf
    assert by_name["i"].slot.default_value.scalar == (1 << 64) - 1
    j = by_name["j"].slot.default_value.scalar
    assert j == 0.0 and math.copysign(1.0, float(j)) == 1.0  # -0 is an integer: +0.0


def test_struct_and_list_defaults(tmp_path: Path) -> None:
    nodes = compile_text(
        tmp_path,
        "struct P { x @0 :Int32 = 7; y @1 :Text; union { u @2 :Void; w @3 :Bool; } }\n"
        "struct S {\n  p @0 :P = (x = 10, y = \"why\", w = true);\n"
        "  l @1 :List(P) = [(x = 1), ()];\n  n @2 :List(List(Text)) = [[\"a\"], []];\n"
        "  b @3 :List(Bool) = [true, false, true];\n}\n",
    )
    by_name = fields(nodes["S"])
    pointer = by_name["p"].slot.default_value.pointer
    assert pointer is not None
    p = pointer.get_struct()
    # x is stored XORed with its default of 7; w sets the union's discriminant.
    assert p.get_primitive(struct.Struct("<i"), 0) == 10 ^ 7
    assert p.get_text(0) == "why"
    assert p.get_primitive(struct.Struct("<H"), 4) == 1  # discriminant offset 2 (16-bit units)
    assert p.get_bool(48)
    lst = by_name["l"].slot.default_value.pointer
    assert lst is not None
    elements = lst.get_list(ElementSize.INLINE_COMPOSITE)
    assert len(elements) == 2
    assert elements.get_struct(0).get_primitive(struct.Struct("<i"), 0) == 1 ^ 7
    assert elements.get_struct(1).get_primitive(struct.Struct("<i"), 0) == 0
    nested = by_name["n"].slot.default_value.pointer
    assert nested is not None
    outer = nested.get_list(ElementSize.POINTER)
    assert len(outer) == 2 and outer.get_list(0, ElementSize.POINTER).get_text(0) == "a"
    bools = by_name["b"].slot.default_value.pointer
    assert bools is not None
    bits = bools.get_list(ElementSize.BIT)
    assert [bits.get_bool(i) for i in range(3)] == [True, False, True]


def test_constants(tmp_path: Path) -> None:
    nodes = compile_text(
        tmp_path,
        "const a :Int32 = .b;\nconst b :Int32 = 42;\nconst t :Text = \"x\";\n"
        "const l :List(Float32) = [1, inf];\nstruct S { const inner :Bool = true; }\n",
    )
    assert nodes["a"].const.value == model.Value.int32(42)
    assert nodes["a"].const.type == model.Type.int32()
    assert nodes["t"].const.value == model.Value.text_("x")
    assert nodes["S.inner"].scope_id == nodes["S"].id
    lst = nodes["l"].const.value.pointer
    assert lst is not None
    floats = lst.get_list(ElementSize.FOUR_BYTES)
    assert [floats.get_primitive(i, struct.Struct("<f")) for i in range(2)] == [1.0, math.inf]


def test_interfaces(tmp_path: Path) -> None:
    nodes = compile_text(
        tmp_path,
        "struct R {}\ninterface Base {}\n"
        "interface I extends(Base) {\n  b @1 (x :Int32 = 3) -> R;\n  a @0 ();\n"
        "  s @2 () -> stream;\n}\n",
    )
    interface = nodes["I"].interface
    assert [(s.id, s.brand) for s in interface.superclasses or ()] == [(nodes["Base"].id, None)]
    methods = interface.methods or []
    assert [(m.name, m.code_order) for m in methods] == [("a", 1), ("b", 0), ("s", 2)]
    a, b, s = methods
    assert a.implicit_parameters == []
    # No "->" still makes an empty result struct, with null fields.
    assert nodes["I.a$Results"].struct.fields is None
    assert b.result_struct_type == nodes["R"].id
    x = fields(nodes["I.b$Params"])["x"].slot
    assert (x.default_value, x.had_explicit_default) == (model.Value.int32(3), True)
    assert s.result_struct_type == STREAM_RESULT_ID


def test_generics_and_brands(tmp_path: Path) -> None:
    nodes = compile_text(
        tmp_path,
        "struct G(T, U) {\n  t @0 :T;\n  inner @1 :Inner;\n  struct Inner { u @0 :U; }\n}\n"
        "struct S { g @0 :G(Text, Data); i @1 :G(Text, S).Inner; raw @2 :G; }\n"
        "interface I(V) { m @0 [W] (w :W, v :V) -> (); }\n",
    )
    g = nodes["G"]
    assert g.is_generic and g.parameters == [model.Parameter("T"), model.Parameter("U")]
    assert nodes["G.Inner"].is_generic and nodes["G.Inner"].parameters is None
    assert fields(g)["t"].slot.type == model.Type.parameter(g.id, 0)
    # A nested type used inside its generic parent inherits the parent's parameters.
    assert fields(g)["inner"].slot.type.brand == model.Brand([model.BrandScope(g.id, inherit=True)])
    by_name = fields(nodes["S"])
    assert by_name["g"].slot.type.brand == model.Brand(
        [model.BrandScope(g.id, bind=[model.Binding(model.Type.text()),
                                      model.Binding(model.Type.data())])]
    )
    assert by_name["i"].slot.type.brand == model.Brand(
        [model.BrandScope(g.id, bind=[model.Binding(model.Type.text()),
                                      model.Binding(model.Type.struct(nodes["S"].id))])]
    )
    assert by_name["raw"].slot.type.brand is None  # unbound: no brand at all
    method = (nodes["I"].interface.methods or [])[0]
    assert method.implicit_parameters == [model.Parameter("W")]
    assert method.param_brand == model.Brand(
        [model.BrandScope(nodes["I"].id, inherit=True)]
    )
    params = nodes["I.m$Params"]
    assert params.is_generic and params.parameters == [model.Parameter("W")]
    assert fields(params)["w"].slot.type == model.Type.parameter(params.id, 0)
    assert fields(params)["v"].slot.type == model.Type.parameter(nodes["I"].id, 0)


def test_annotations(tmp_path: Path) -> None:
    nodes = compile_text(
        tmp_path,
        "annotation note(struct, field, enumerant) :Text;\nannotation flag(*) :Void;\n"
        "struct S $note(\"s\") $flag { f @0 :Int32 $note(\"f\"); }\n"
        "enum E { a @0 $flag; }\n",
    )
    note = nodes["note"].annotation
    assert (note.targets_struct, note.targets_field, note.targets_const) == (True, True, False)
    assert all(nodes["flag"].annotation.targets().values())
    annotations = nodes["S"].annotations or []
    assert [(a.id, a.value) for a in annotations] == [
        (nodes["note"].id, model.Value.text_("s")),
        (nodes["flag"].id, model.Value.void()),
    ]
    # The reference always leaves a (possibly empty) brand on an annotation.
    assert annotations[0].brand == model.Brand()
    assert (fields(nodes["S"])["f"].annotations or [])[0].value == model.Value.text_("f")
    assert ((nodes["E"].enum.enumerants or [])[0].annotations or [])[0].id == nodes["flag"].id


def test_source_info(tmp_path: Path) -> None:
    (tmp_path / "d.capnp").write_text(
        f"@0x{FILE_ID:x};\n# file doc\nstruct S {{\n  # struct doc\n  b @1 :Int32;  # b doc\n"
        "  a @0 :Int32;\n  g :group {\n    # group doc\n    c @2 :Int32;\n  }\n}\n"
        "enum E { x @0; # x doc\n}\n"
    )
    request = compile_files(["d.capnp"], cwd=str(tmp_path))
    infos = {i.id: i for i in request.source_info or ()}
    nodes = {n.display_name: n for n in request.nodes or ()}
    assert infos[FILE_ID].doc_comment == "file doc\n"
    s = nodes["d.capnp:S"]
    assert infos[s.id].doc_comment == "struct doc\n"
    # Members follow the fields list (ordinal order): a, b, g.
    assert [m.doc_comment for m in infos[s.id].members or ()] == [None, "b doc\n", "group doc\n"]
    assert infos[nodes["d.capnp:S.g"].id].doc_comment == "group doc\n"
    e = nodes["d.capnp:E"]
    assert [m.doc_comment for m in infos[e.id].members or ()] == ["x doc\n"]


def test_request_files_and_imports(tmp_path: Path) -> None:
    (tmp_path / "lib.capnp").write_text("@0xc5b7e6fd1e2a3b50;\nstruct L {}\nconst k :Int32 = 1;\n")
    (tmp_path / "main.capnp").write_text(
        "@0xc5b7e6fd1e2a3b51;\nusing Lib = import \"lib.capnp\";\n"
        "struct M { l @0 :Lib.L; n @1 :Int32 = import \"lib.capnp\".k; }\n"
    )
    request = compile_files(["main.capnp"], cwd=str(tmp_path))
    assert request.capnp_version == model.CapnpVersion(0, 9, 2)
    files = request.requested_files or []
    assert [(f.id, f.filename) for f in files] == [(0xC5B7E6FD1E2A3B51, "main.capnp")]
    # Only type imports count, each once.
    assert files[0].imports == [model.Import(0xC5B7E6FD1E2A3B50, "lib.capnp")]
    names = sorted(n.display_name for n in request.nodes or ())
    assert names == ["lib.capnp", "lib.capnp:L", "main.capnp", "main.capnp:M"]


def test_embed(tmp_path: Path) -> None:
    (tmp_path / "blob.txt").write_bytes(b"hello\n\xff")
    nodes = compile_text(
        tmp_path, "const t :Text = embed \"blob.txt\";\nconst d :Data = embed \"blob.txt\";\n"
    )
    assert nodes["d"].const.value == model.Value.data_(b"hello\n\xff")
    text = nodes["t"].const.value.text
    assert text is not None and text.encode("utf-8", "surrogateescape") == b"hello\n\xff"


@pytest.mark.parametrize(
    "value,expected",
    [
        (0.1, struct.unpack("<f", struct.pack("<f", 0.1))[0]),
        (1e39, math.inf),
        (-1e39, -math.inf),
        (3.40282356e38, 3.4028234663852886e38),  # rounds down to FLT_MAX
        (3.4028235677973366e38, math.inf),  # exactly half way: to even, which overflows
        (1e-46, 0.0),
    ],
)
def test_to_float32(value: float, expected: float) -> None:
    assert to_float32(value) == expected


@pytest.mark.parametrize(
    "value",
    [16777217, -16777217, (1 << 64) - 1, (1 << 63) + (1 << 39), 2**53 + 1, -(2**63), 12345678901],
)
def test_int_to_float32_rounds_once(value: int) -> None:
    from fractions import Fraction

    got = int_to_float32(value)
    # The nearest float32 (ties to even), computed exactly.
    candidates: List[float] = []
    base = to_float32(float(value))
    bits = struct.unpack("<I", struct.pack("<f", base))[0]
    for delta in (-1, 0, 1):
        try:
            candidates.append(struct.unpack("<f", struct.pack("<I", (bits + delta) & 0xFFFFFFFF))[0])
        except struct.error:
            pass
    best = min(candidates, key=lambda c: (abs(Fraction(c) - value),
                                          struct.unpack("<I", struct.pack("<f", c))[0] & 1))
    assert got == best


def test_unordered_map_order() -> None:
    """libstdc++'s iteration order: the newest key first within its bucket, a key into an empty
    bucket at the very front; growth to 29 buckets re-links everything."""
    assert unordered_map_order([]) == []
    assert unordered_map_order([1, 2, 3]) == [3, 2, 1]
    assert unordered_map_order([1, 14, 2]) == [2, 14, 1]  # 1 and 14 share bucket 1 of 13
    assert unordered_map_order([5, 5, 6]) == [6, 5]
    keys = list(range(100, 140))
    order = unordered_map_order(keys)
    assert sorted(order) == keys and order != keys
