"""Struct layout must match capnp 0.9.2 bit for bit.

The hand-written structs below cover the corners of the algorithm; their expected layouts were
produced by the reference (``capnp compile -o-`` decoded with ``capnp decode``) and are stored as
literals, so these tests do not need the tool.  When ``capnp`` is installed, a seeded random
test also compares a few hundred generated structs with it directly.
"""

from __future__ import annotations

import os
import random
import tempfile
from typing import Any, Dict, List, Mapping, Optional, Tuple

import pytest

from purecap.schema.ids import child_id
from purecap.schema.layout import (
    NO_DISCRIMINANT,
    POINTER,
    SIZE_OF_TYPE_KIND,
    VOID,
    FieldDecl,
    GroupDecl,
    HoleSet,
    Issue344Error,
    MemberDecl,
    StructDecl,
    StructLayout,
    StructLayoutResult,
    UnionDecl,
    UnionLayout,
    compute_struct_layout,
)
from tests.schema.random_schemas import (
    CAPNP,
    FIELD_TYPES,
    SCHEMA_CAPNP,
    compile_with_reference,
    parse_text_format,
    random_struct,
    random_structs,
    schema_file_text,
    struct_text,
)

# --- compact tree builders -----------------------------------------------------------------------

_SIZE_OF = dict(FIELD_TYPES)


def fld(name: str, ordinal: int, type_name: str) -> FieldDecl:
    return FieldDecl(name, ordinal, _SIZE_OF[type_name], type_name)


def grp(name: str, *members: MemberDecl) -> GroupDecl:
    return GroupDecl(name, members)


def uni(name: str, *members: MemberDecl, ordinal: Optional[int] = None) -> UnionDecl:
    return UnionDecl(name, members, ordinal)


# A layout summary: "size" -> (dataWordCount, pointerCount); each scope path joined with "." ->
# (discriminantCount, discriminantOffset, fields), each field being
# (name, codeOrder, discriminantValue, explicit ordinal or None, slot offset or None for a group).
FieldRow = Tuple[str, int, int, Optional[int], Optional[int]]
Summary = Dict[str, Any]


def summarize(result: StructLayoutResult) -> Summary:
    summary: Summary = {"size": (result.data_word_count, result.pointer_count)}
    for path, scope in result.scopes.items():
        rows = tuple(
            (f.name, f.code_order, f.discriminant_value, f.ordinal, f.offset) for f in scope.fields
        )
        summary[".".join(path)] = (scope.discriminant_count, scope.discriminant_offset, rows)
    return summary


def summarize_reference(nodes: Mapping[str, Any], display_name: str) -> Summary:
    """The same summary from the reference's nodes for one struct and its groups."""
    summary: Summary = {}
    for name, node in nodes.items():
        if name != display_name and not name.startswith(display_name + "."):
            continue
        struct = node["struct"]
        summary["size"] = (struct["dataWordCount"], struct["pointerCount"])
        rows = tuple(
            (
                f["name"],
                f["codeOrder"],
                f["discriminantValue"],
                f["ordinal"].get("explicit"),
                f["slot"]["offset"] if "slot" in f else None,
            )
            for f in struct.get("fields", [])
        )
        key = name[len(display_name) + 1:]
        summary[key] = (struct["discriminantCount"], struct["discriminantOffset"], rows)
    return summary


N = NO_DISCRIMINANT

# --- hand-written structs and what capnp 0.9.2 made of them --------------------------------------

TRICKY: List[StructDecl] = [
    # Every primitive size, declared in a different order than the ordinals.
    StructDecl("AllSizes", (
        fld("a", 3, "UInt64"), fld("b", 0, "Bool"), fld("c", 5, "UInt8"), fld("d", 1, "Int16"),
        fld("e", 2, "Float32"), fld("f", 4, "Bool"), fld("g", 6, "Text"), fld("h", 7, "Void"),
        fld("i", 8, "Int8"), fld("j", 9, "Bool"), fld("k", 10, "Color"), fld("l", 11, "Float64"),
        fld("m", 12, "Data"), fld("n", 13, "UInt32"), fld("o", 14, "Int16"),
    )),
    # Bools and bytes filling the holes others left.
    StructDecl("Holes", (
        fld("w", 0, "UInt8"), fld("x", 1, "UInt32"), fld("b0", 2, "Bool"), fld("b1", 3, "Bool"),
        fld("y", 4, "UInt16"), fld("b2", 5, "Bool"), fld("z", 6, "UInt8"), fld("b3", 7, "Bool"),
        fld("b4", 8, "Bool"), fld("b5", 9, "Bool"), fld("b6", 10, "Bool"), fld("b7", 11, "Bool"),
        fld("b8", 12, "Bool"), fld("q", 13, "UInt16"), fld("r", 14, "UInt64"),
        fld("b9", 15, "Bool"),
    )),
    StructDecl("Empty", ()),
    StructDecl("OnlyVoid", (fld("v", 0, "Void"), fld("w", 1, "Void"))),
    # A union nested in a group nested in the unnamed union, plus groups beside it.
    StructDecl("Nested", (
        uni(
            "",
            fld("a", 0, "UInt8"),
            grp(
                "g",
                uni(
                    "n",
                    fld("x", 1, "Bool"),
                    fld("y", 2, "UInt64"),
                    grp("z", fld("p", 3, "Text"), fld("q", 4, "Int16")),
                ),
                fld("h", 5, "UInt32"),
            ),
            fld("b", 6, "Void"),
        ),
        fld("tail", 7, "UInt16"),
        grp("outer", fld("o1", 8, "Bool"), grp("inner", fld("o2", 9, "Text"))),
    )),
    # Union members that grow in place, and one blocked from growing by an interleaved field.
    StructDecl("Grow", (
        uni(
            "u",
            fld("s", 0, "Bool"),
            grp("g", fld("x", 1, "UInt8"), fld("y", 3, "UInt16"), fld("z", 4, "Bool")),
            fld("w", 5, "UInt64"),
            grp("h", fld("p", 7, "UInt8"), fld("q", 8, "UInt32")),
        ),
        fld("pre", 2, "UInt8"),
        fld("mid", 6, "Int16"),
    )),
    # Union ordinals: right after the first member ("retroactively unionized") and before all.
    StructDecl("Retro", (
        fld("x", 0, "UInt8"),
        uni("u", fld("a", 1, "UInt16"), fld("b", 3, "Text"), fld("c", 4, "Bool"), ordinal=2),
        fld("y", 5, "UInt32"),
        uni("v", fld("d", 7, "UInt64"), fld("e", 8, "UInt8"), ordinal=6),
    )),
    # Void members still make the union real; a union nested in a union sees them too.
    StructDecl("VoidUnion", (
        uni("", fld("a", 0, "Void"), fld("b", 1, "Void"), fld("c", 2, "Void")),
        uni("n", fld("x", 3, "Void"), uni("m", fld("p", 4, "Void"), fld("q", 5, "UInt8"))),
    )),
    # Pointers: members of a union share pointer slots; groups in a union reuse them in order.
    StructDecl("Pointers", (
        fld("t", 0, "Text"),
        uni(
            "u",
            grp("g1", fld("p1", 1, "Text"), fld("p2", 2, "Data"), fld("n1", 3, "UInt32")),
            grp("g2", fld("p3", 4, "List(Int32)"), fld("n2", 5, "Bool")),
            fld("p4", 6, "AnyPointer"),
            grp("g3", fld("p5", 7, "Other"), fld("p6", 8, "Iface"), fld("p7", 9, "Text")),
        ),
        fld("last", 10, "Iface"),
    )),
    # The unnamed union's discriminant arrives late and lands in an old hole.
    StructDecl("LateTag", (
        fld("a", 0, "Bool"), fld("b", 1, "UInt32"), fld("c", 2, "UInt64"),
        uni("", fld("d", 3, "Text"), fld("e", 5, "UInt8")),
        fld("f", 4, "UInt8"),
    )),
    # Out-of-order ordinals across a deep tree (one of the random generator's structs).
    StructDecl("Deep", (
        grp("g", fld("f1", 6, "UInt8"), uni("u", fld("f2", 2, "Float64"), fld("f3", 9, "Bool"))),
        uni(
            "",
            grp("h", fld("f4", 1, "Int16"), fld("f5", 8, "Void"), fld("f6", 0, "Bool")),
            uni("v", fld("f7", 7, "UInt32"), fld("f8", 3, "Int8"), ordinal=4),
            fld("f9", 5, "Data"),
        ),
    )),
]

# Produced by capnp 0.9.2 (see test_tricky_expectations_are_the_references).
EXPECTED: Dict[str, Summary] = {
    "AllSizes": {
        "size": (5, 2),
        "": (0, 0, (
            ("b", 1, N, 0, 0),
            ("d", 3, N, 1, 1),
            ("e", 4, N, 2, 1),
            ("a", 0, N, 3, 1),
            ("f", 5, N, 4, 1),
            ("c", 2, N, 5, 1),
            ("g", 6, N, 6, 0),
            ("h", 7, N, 7, 0),
            ("i", 8, N, 8, 16),
            ("j", 9, N, 9, 2),
            ("k", 10, N, 10, 9),
            ("l", 11, N, 11, 3),
            ("m", 12, N, 12, 1),
            ("n", 13, N, 13, 5),
            ("o", 14, N, 14, 16),
        )),
    },
    "Holes": {
        "size": (3, 0),
        "": (0, 0, (
            ("w", 0, N, 0, 0),
            ("x", 1, N, 1, 1),
            ("b0", 2, N, 2, 8),
            ("b1", 3, N, 3, 9),
            ("y", 4, N, 4, 1),
            ("b2", 5, N, 5, 10),
            ("z", 6, N, 6, 8),
            ("b3", 7, N, 7, 11),
            ("b4", 8, N, 8, 12),
            ("b5", 9, N, 9, 13),
            ("b6", 10, N, 10, 14),
            ("b7", 11, N, 11, 15),
            ("b8", 12, N, 12, 72),
            ("q", 13, N, 13, 5),
            ("r", 14, N, 14, 2),
            ("b9", 15, N, 15, 73),
        )),
    },
    "Empty": {
        "size": (0, 0),
        "": (0, 0, ()),
    },
    "OnlyVoid": {
        "size": (0, 0),
        "": (0, 0, (
            ("v", 0, N, 0, 0),
            ("w", 1, N, 1, 0),
        )),
    },
    "Nested": {
        "size": (3, 2),
        "": (3, 1, (
            ("a", 0, 0, 0, 0),
            ("g", 1, 1, None, None),
            ("b", 2, 2, 6, 0),
            ("tail", 3, N, 7, 3),
            ("outer", 4, N, None, None),
        )),
        "g": (0, 0, (
            ("n", 0, N, None, None),
            ("h", 1, N, 5, 4),
        )),
        "g.n": (3, 2, (
            ("x", 0, 0, 1, 0),
            ("y", 1, 1, 2, 1),
            ("z", 2, 2, None, None),
        )),
        "g.n.z": (0, 0, (
            ("p", 0, N, 3, 0),
            ("q", 1, N, 4, 4),
        )),
        "outer": (0, 0, (
            ("o1", 0, N, 8, 8),
            ("inner", 1, N, None, None),
        )),
        "outer.inner": (0, 0, (
            ("o2", 0, N, 9, 1),
        )),
    },
    "Grow": {
        "size": (3, 0),
        "": (0, 0, (
            ("u", 0, N, None, None),
            ("pre", 1, N, 2, 1),
            ("mid", 2, N, 6, 8),
        )),
        "u": (4, 1, (
            ("s", 0, 0, 0, 0),
            ("g", 1, 1, None, None),
            ("w", 2, 2, 5, 1),
            ("h", 3, 3, None, None),
        )),
        "u.g": (0, 0, (
            ("x", 0, N, 1, 0),
            ("y", 1, N, 3, 2),
            ("z", 2, N, 4, 48),
        )),
        "u.h": (0, 0, (
            ("p", 0, N, 7, 0),
            ("q", 1, N, 8, 1),
        )),
    },
    "Retro": {
        "size": (3, 1),
        "": (0, 0, (
            ("x", 0, N, 0, 0),
            ("u", 1, N, 2, None),
            ("y", 2, N, 5, 2),
            ("v", 3, N, 6, None),
        )),
        "u": (3, 2, (
            ("a", 0, 0, 1, 1),
            ("b", 1, 1, 3, 0),
            ("c", 2, 2, 4, 16),
        )),
        "v": (2, 3, (
            ("d", 0, 0, 7, 2),
            ("e", 1, 1, 8, 16),
        )),
    },
    "VoidUnion": {
        "size": (1, 0),
        "": (3, 0, (
            ("a", 0, 0, 0, 0),
            ("b", 1, 1, 1, 0),
            ("c", 2, 2, 2, 0),
            ("n", 3, N, None, None),
        )),
        "n": (2, 1, (
            ("x", 0, 0, 3, 0),
            ("m", 1, 1, None, None),
        )),
        "n.m": (2, 2, (
            ("p", 0, 0, 4, 0),
            ("q", 1, 1, 5, 6),
        )),
    },
    "Pointers": {
        "size": (1, 5),
        "": (0, 0, (
            ("t", 0, N, 0, 0),
            ("u", 1, N, None, None),
            ("last", 2, N, 10, 4),
        )),
        "u": (4, 2, (
            ("g1", 0, 0, None, None),
            ("g2", 1, 1, None, None),
            ("p4", 2, 2, 6, 1),
            ("g3", 3, 3, None, None),
        )),
        "u.g1": (0, 0, (
            ("p1", 0, N, 1, 1),
            ("p2", 1, N, 2, 2),
            ("n1", 2, N, 3, 0),
        )),
        "u.g2": (0, 0, (
            ("p3", 0, N, 4, 1),
            ("n2", 1, N, 5, 0),
        )),
        "u.g3": (0, 0, (
            ("p5", 0, N, 7, 1),
            ("p6", 1, N, 8, 2),
            ("p7", 2, N, 9, 3),
        )),
    },
    "LateTag": {
        "size": (3, 1),
        "": (2, 1, (
            ("a", 0, N, 0, 0),
            ("b", 1, N, 1, 1),
            ("c", 2, N, 2, 1),
            ("d", 3, 0, 3, 0),
            ("f", 5, N, 4, 1),
            ("e", 4, 1, 5, 16),
        )),
    },
    "Deep": {
        "size": (3, 1),
        "": (3, 2, (
            ("h", 1, 0, None, None),
            ("g", 0, N, None, None),
            ("v", 2, 1, 4, None),
            ("f9", 3, 2, 5, 0),
        )),
        "g": (0, 0, (
            ("u", 1, N, None, None),
            ("f1", 0, N, 6, 6),
        )),
        "g.u": (2, 10, (
            ("f2", 0, 0, 2, 1),
            ("f3", 1, 1, 9, 64),
        )),
        "h": (0, 0, (
            ("f6", 2, N, 0, 0),
            ("f4", 0, N, 1, 1),
            ("f5", 1, N, 8, 0),
        )),
        "v": (2, 1, (
            ("f8", 1, 0, 3, 0),
            ("f7", 0, 1, 7, 4),
        )),
    },
}

# A union nested in a union whose inner location must grow in place: 0.9.2 refuses it unless
# CAPNP_IGNORE_ISSUE_344 is set, and then lays it out as below.
ISSUE_344 = StructDecl("I344", (
    uni("", fld("a", 0, "Void"), uni("inner", fld("b", 1, "Bool"), fld("c", 2, "UInt16"))),
))
ISSUE_344_IGNORED: Summary = {
    "size": (1, 0),
    "": (2, 0, (("a", 0, 0, 0, 0), ("inner", 1, 1, None, None))),
    "inner": (2, 2, (("b", 0, 0, 1, 16), ("c", 1, 1, 2, 1))),
}


@pytest.mark.parametrize("struct", TRICKY, ids=lambda s: s.name)
def test_tricky_layouts_match_reference(struct: StructDecl) -> None:
    assert summarize(compute_struct_layout(struct)) == EXPECTED[struct.name]


def test_issue_344_is_refused_unless_ignored() -> None:
    with pytest.raises(Issue344Error):
        compute_struct_layout(ISSUE_344)
    assert summarize(compute_struct_layout(ISSUE_344, detect_issue_344=False)) == ISSUE_344_IGNORED


def test_field_lookup_by_path() -> None:
    result = compute_struct_layout(TRICKY[4])  # Nested
    assert result.field("g", "n", "z", "q").offset == EXPECTED["Nested"]["g.n.z"][2][1][4]
    assert result.field("g").group == ("g",)
    with pytest.raises(KeyError):
        result.field("nope")


# --- the allocator by hand -----------------------------------------------------------------------


def test_hole_set_splits_and_expands() -> None:
    holes = HoleSet()
    holes.add_holes_at_end(3, 1)  # a byte taken from a fresh word
    assert holes.holes == [0, 0, 0, 1, 1, 1]
    assert holes.try_allocate(0) == 8  # the first bit of the free byte
    assert holes.holes == [9, 5, 3, 0, 1, 1]
    assert holes.smallest_at_least(3) == 4
    assert holes.try_expand(0, 8, 3)  # bit 8 grows into the whole byte again
    assert holes.holes == [0, 0, 0, 0, 1, 1]
    assert not holes.try_expand(3, 0, 1)  # byte 1 (offset 8 grown) is in use, not a hole
    assert holes.try_expand(4, 0, 2)  # bits 0..15 grow over the free 16 and 32 bits after them
    assert holes.holes == [0] * 6
    assert holes.try_allocate(0) is None
    assert holes.try_allocate(6) is None  # whole words never come from holes


def test_struct_layout_driven_by_hand() -> None:
    # struct { a @0 :Bool; u :union { b @1 :UInt32; c @2 :Text; } d @3 :Int64; }
    top = StructLayout()
    union = UnionLayout(top)  # step 1: scopes first ...
    scope_b, scope_c = union.new_group(), union.new_group()
    assert top.add_data(0) == 0  # ... step 2: allocations in ordinal order
    assert scope_b.add_data(5) == 1  # bits 32..63: the 32-bit hole the bool left
    tag_before = union.discriminant_offset
    assert tag_before is None  # one member so far: not a union yet
    assert scope_c.add_pointer() == 0
    assert union.discriminant_offset == 1  # the second member made it real: bits 16..31
    assert top.add_data(6) == 1
    assert union.final_discriminant_offset() == 1  # step 3
    assert (top.data_word_count, top.pointer_count) == (2, 1)


def test_size_table_covers_every_type_kind() -> None:
    assert SIZE_OF_TYPE_KIND["enum"] == 4
    assert SIZE_OF_TYPE_KIND["anyPointer"] == POINTER
    assert SIZE_OF_TYPE_KIND["void"] == VOID
    assert len(SIZE_OF_TYPE_KIND) == 19


# --- trees the reference rejects -----------------------------------------------------------------


@pytest.mark.parametrize(
    "members",
    [
        (fld("a", 0, "Bool"), fld("b", 0, "Bool")),  # duplicate ordinal
        (fld("a", 0, "Bool"), fld("b", 2, "Bool")),  # skipped ordinal
        (uni("u", fld("a", 0, "Bool")),),  # a union needs two members
        (grp("g"),),  # a group needs a member
        (uni("", fld("a", 0, "Bool"), uni("", fld("b", 1, "Bool"), fld("c", 2, "Bool"))),),
        # Two members before the union's ordinal: only one may be "retroactively unionized".
        (uni("u", fld("a", 0, "Bool"), fld("b", 1, "Bool"), ordinal=2),),
        # The union enters the fields list with a (its first member) but carries @2 > x's @1.
        (uni("u", fld("a", 0, "Bool"), fld("b", 3, "Bool"), ordinal=2), fld("x", 1, "Bool")),
    ],
)
def test_invalid_trees_are_rejected(members: Tuple[MemberDecl, ...]) -> None:
    with pytest.raises(ValueError):
        compute_struct_layout(StructDecl("Bad", members))


# --- the random generator ------------------------------------------------------------------------


def test_random_structs_are_deterministic_and_valid() -> None:
    first = random_structs(1234, 30)
    assert first == random_structs(1234, 30)
    assert struct_text(first[0]).startswith("struct S0 {")
    for struct in first:
        try:
            compute_struct_layout(struct)
        except Issue344Error:
            compute_struct_layout(struct, detect_issue_344=False)


def test_parse_text_format() -> None:
    parsed = parse_text_format('( a = 1, b = [(x = "q\\"r"), ()], c = <opaque pointer>, d = -2 )')
    assert parsed == {"a": 1, "b": [{"x": 'q\\"r'}, {}], "c": "<opaque pointer>", "d": -2}


# --- against the reference tool ------------------------------------------------------------------

needs_capnp = pytest.mark.skipif(
    CAPNP is None or SCHEMA_CAPNP is None,
    reason="the reference `capnp` tool (Debian: capnproto, libcapnp-dev) is not installed",
)

RANDOM_FILES = 200
STRUCTS_PER_FILE = 3


def _compile(directory: str, path: str, ignore_344: bool) -> Any:
    cwd = os.getcwd()
    os.chdir(directory)  # so that display names are "name.capnp:..."
    try:
        return compile_with_reference(path, ignore_issue_344=ignore_344)
    finally:
        os.chdir(cwd)


def _check_file_against_reference(
    directory: str, stem: str, file_id: int, structs: List[StructDecl]
) -> str:
    """Compile one generated file with capnp and compare it with our layouts.

    Returns "compared", "refused" (both refuse the tree) or "issue344" (both refuse it by
    default and agree on the layout with CAPNP_IGNORE_ISSUE_344 set).
    """
    path = stem + ".capnp"
    with open(os.path.join(directory, path), "w", encoding="utf-8") as out:
        out.write(schema_file_text(file_id, structs))

    ours: Dict[str, StructLayoutResult] = {}
    invalid: List[str] = []
    issue_344 = False
    for struct in structs:
        try:
            ours[struct.name] = compute_struct_layout(struct)
        except ValueError:
            invalid.append(struct.name)
        except Issue344Error:
            issue_344 = True
            try:
                ours[struct.name] = compute_struct_layout(struct, detect_issue_344=False)
            except ValueError:  # refused twice over
                invalid.append(struct.name)

    reference = _compile(directory, path, ignore_344=False)
    if invalid or issue_344:
        assert not reference.ok, f"{path}: we refuse {invalid or 'issue 344'}, capnp accepts"
        if invalid:
            return "refused"
        assert "issues/344" in reference.errors, reference.errors
        reference = _compile(directory, path, ignore_344=True)
    assert reference.ok, f"{path}: capnp refused what we accepted:\n{reference.errors}"

    assert reference.nodes[path]["id"] == file_id
    for struct in structs:
        display = f"{path}:{struct.name}"
        result = ours[struct.name]
        assert summarize_reference(reference.nodes, display) == summarize(result), (
            f"{display}:\n{struct_text(struct)}"
        )
        node_ids = result.node_ids(child_id(file_id, struct.name))
        for scope_path, node_id in node_ids.items():
            node = reference.nodes[".".join((display,) + scope_path)]
            assert node["id"] == node_id, (display, scope_path)
        groups = [name for name in reference.nodes if name.startswith(display + ".")]
        assert len(node_ids) == len(groups) + 1
    return "issue344" if issue_344 else "compared"


@needs_capnp
def test_random_structs_match_reference(capsys: pytest.CaptureFixture[str]) -> None:
    seed = int(os.environ.get("PURECAP_LAYOUT_SEED", "0")) or random.randrange(1, 1 << 31)
    with capsys.disabled():
        print(f"\nrandom layout seed: {seed} (set PURECAP_LAYOUT_SEED={seed} to repeat)")
    rng = random.Random(seed)
    outcomes: Dict[str, int] = {"compared": 0, "issue344": 0, "refused": 0}
    with tempfile.TemporaryDirectory() as directory:
        for number in range(RANDOM_FILES):
            structs = [random_struct(rng, f"S{i}") for i in range(STRUCTS_PER_FILE)]
            file_id = rng.getrandbits(63) | (1 << 63)
            outcomes[_check_file_against_reference(directory, f"r{number}", file_id, structs)] += 1
    assert outcomes["refused"] == 0  # the generator only makes valid trees
    assert outcomes["compared"] > RANDOM_FILES // 2


@needs_capnp
def test_rejections_match_reference() -> None:
    """Unrepaired union ordinals: we must refuse exactly what the reference refuses."""
    rng = random.Random(99)
    refused = 0
    with tempfile.TemporaryDirectory() as directory:
        for number in range(60):
            structs = [random_struct(rng, "S0", repair_union_ordinals=False)]
            outcome = _check_file_against_reference(directory, f"bad{number}", 1 << 63, structs)
            refused += outcome == "refused"
    assert refused >= 5  # the unrepaired trees do exercise the rejection rules


@needs_capnp
def test_tricky_expectations_are_the_references() -> None:
    """Re-derive EXPECTED from the tool (guards the literals above against typos)."""
    with tempfile.TemporaryDirectory() as directory:
        structs = TRICKY + [ISSUE_344]
        with open(os.path.join(directory, "tricky.capnp"), "w", encoding="utf-8") as out:
            out.write(schema_file_text(0xE2B4F6A8C0D1E3F5, structs))
        refused = _compile(directory, "tricky.capnp", ignore_344=False)
        reference = _compile(directory, "tricky.capnp", ignore_344=True)
    assert not refused.ok and "issues/344" in refused.errors
    assert reference.ok, reference.errors
    for struct in TRICKY:
        assert summarize_reference(reference.nodes, f"tricky.capnp:{struct.name}") == (
            EXPECTED[struct.name]
        ), struct.name
    assert summarize_reference(reference.nodes, "tricky.capnp:I344") == ISSUE_344_IGNORED
