"""Type IDs must be the reference's: every vector below was printed by capnp 0.9.2.

The IDs come from ``capnp compile -o-`` (decoded with ``capnp decode``) on ``schema.capnp``
itself, whose file ID is the only one written down, and on this small file:

    @0xb5f2a1c3d4e5f607;
    struct Outer {
      struct Inner { enum Deep { a @0; } }
      g :group { x @0 :UInt8; }
      u :union { a @1 :Void; b :group { c @2 :Text; } }
      union { d @3 :Bool; e @4 :Bool; }
      h :group { i @5 :Bool; }
    }
    interface Calc {
      add @0 (a :Int32, b :Int32) -> (sum :Int32);
      neg @1 (x :Float64) -> (r :Float64);
      ping @2 ();
      struct Nested {}
    }
    const myConst :UInt32 = 5;
    annotation ann(struct) :Text;
    enum Color { red @0; }
    struct Z { a @0 :Bool; ... k @10 :Bool; gg :group { z @11 :Bool; } }
"""

from __future__ import annotations

import re
from typing import Tuple

import pytest

from purecap.schema.ids import (
    ID_HIGH_BIT,
    INVALID_ID_MESSAGE,
    child_id,
    format_id,
    generate_random_id,
    group_id,
    is_valid_id,
    method_params_id,
    missing_file_id_message,
)
from purecap.schema.layout import (
    POINTER,
    VOID,
    FieldDecl,
    GroupDecl,
    StructDecl,
    UnionDecl,
    compute_struct_layout,
)

SCHEMA_FILE = 0xA93FC509624C72D9
NODE = 0xE682AB4CF923A417
FIELD = 0x9AAD50A41F4AF45F
TYPE = 0xD07378EDE1F9CC60
ANY_POINTER = 0xC2573FE8A23E49F1
IDTEST_FILE = 0xB5F2A1C3D4E5F607
OUTER = 0xBA88B58F00AC55CB
CALC = 0x9CD93ADCACC53165

CHILD_IDS: Tuple[Tuple[int, str, int], ...] = (
    # (parent, name, id)
    (SCHEMA_FILE, "Node", NODE),
    (SCHEMA_FILE, "Field", FIELD),
    (SCHEMA_FILE, "Type", TYPE),
    (SCHEMA_FILE, "Enumerant", 0x978A7CEBDC549A4D),
    (SCHEMA_FILE, "ElementSize", 0xD1958F7DBA521926),  # an enum
    (SCHEMA_FILE, "CodeGeneratorRequest", 0xBFC546F6210AD7CE),
    (NODE, "NestedNode", 0xDEBF55BBFA0FC242),
    (NODE, "SourceInfo", 0xF38E1DE3041357AE),
    (0xF38E1DE3041357AE, "Member", 0xC2BA9038898E1FA2),
    (0xBFC546F6210AD7CE, "RequestedFile", 0xCFEA0EB02E810062),
    (0xCFEA0EB02E810062, "Import", 0xAE504193122357E5),
    (FIELD, "noDiscriminant", 0x97B14CBE7CFEC712),  # a const
    (0xBDF87D7BB8304E81, "namespace", 0xB9C6F99EBF805F2C),  # an annotation (c++.capnp)
    (IDTEST_FILE, "Outer", OUTER),
    (IDTEST_FILE, "Calc", CALC),  # an interface
    (IDTEST_FILE, "myConst", 0xE719973EE6152A65),
    (IDTEST_FILE, "ann", 0xB6C6F740680E4E56),
    (IDTEST_FILE, "Color", 0xFEB6FBC8053F2CA7),
    (IDTEST_FILE, "Z", 0xE6BEE32D1B24111E),
    (OUTER, "Inner", 0x951F56EBBD50E38C),
    (0x951F56EBBD50E38C, "Deep", 0xF50BB447C7968CCE),
    (CALC, "Nested", 0xB64E1F4AC9852102),
)

GROUP_IDS: Tuple[Tuple[int, int, int], ...] = (
    # (parent, index in the parent's fields list, id) -- groups and named unions
    (NODE, 7, 0x9EA0B19B37FB4435),  # Node.struct
    (NODE, 8, 0xB54AB3364333F598),  # Node.enum
    (NODE, 11, 0xEC1619D4400A0290),  # Node.annotation
    (FIELD, 4, 0xC42305476BB4746F),  # Field.slot
    (FIELD, 6, 0xBB90D5C287870BE6),  # Field.ordinal
    (TYPE, 14, 0x87E739250A60EA97),  # Type.list
    (TYPE, 18, ANY_POINTER),  # Type.anyPointer
    (ANY_POINTER, 0, 0x8E3B5F79FE593656),  # Type.anyPointer.unconstrained
    (ANY_POINTER, 2, 0xBAEFC9120C56E274),  # Type.anyPointer.implicitMethodParameter
    (OUTER, 0, 0xDB8AEA0D1E14BA2B),  # Outer.g
    (OUTER, 1, 0xADAF4E85F4833351),  # Outer.u (a named union)
    (0xADAF4E85F4833351, 1, 0xD184684289D130FA),  # Outer.u.b
    (OUTER, 4, 0xBC98AFE71D286AFA),  # Outer.h: after u and the unnamed union's d and e
    (0xE6BEE32D1B24111E, 11, 0xECB5C7FF70009F16),  # Z.gg
)

METHOD_PARAMS_IDS: Tuple[Tuple[int, int, bool, int], ...] = (
    # (interface, method ordinal, is_results, id)
    (CALC, 0, False, 0xA4E7B746A7721732),  # add$Params
    (CALC, 0, True, 0xD36D56A7BCCB7B99),  # add$Results
    (CALC, 1, False, 0xC25CFAD766661BBE),
    (CALC, 1, True, 0xFA3E0850F6A49F45),
    (CALC, 2, False, 0xEE72D5476048A8EB),  # ping$Params: empty, still a node
    (CALC, 2, True, 0xEBE697933EB4D37D),  # ping$Results: omitted results are an empty list
    # From the reference's own type-id-test.c++ (TestInterface).
    (0x88EB12A0E0AF92B2, 0, False, 0xB874EDC0D559B391),
    (0x88EB12A0E0AF92B2, 0, True, 0xB04FCADDAB714BA4),
    (0x88EB12A0E0AF92B2, 1, False, 0xD044893357B42568),
    (0x88EB12A0E0AF92B2, 1, True, 0x9BF141DF4247D52F),
)


@pytest.mark.parametrize("parent, name, expected", CHILD_IDS)
def test_child_id(parent: int, name: str, expected: int) -> None:
    assert child_id(parent, name) == expected


@pytest.mark.parametrize("parent, index, expected", GROUP_IDS)
def test_group_id(parent: int, index: int, expected: int) -> None:
    assert group_id(parent, index) == expected


@pytest.mark.parametrize("parent, ordinal, is_results, expected", METHOD_PARAMS_IDS)
def test_method_params_id(parent: int, ordinal: int, is_results: bool, expected: int) -> None:
    assert method_params_id(parent, ordinal, is_results) == expected


def test_derived_ids_always_have_the_high_bit() -> None:
    for parent in (0, 1, SCHEMA_FILE, (1 << 64) - 1):
        assert child_id(parent, "") & ID_HIGH_BIT
        assert group_id(parent, 65535) & ID_HIGH_BIT
        assert method_params_id(parent, 0, True) & ID_HIGH_BIT


def test_out_of_range_inputs_are_refused() -> None:
    with pytest.raises(ValueError):
        child_id(1 << 64, "x")
    with pytest.raises(ValueError):
        group_id(SCHEMA_FILE, 1 << 16)
    with pytest.raises(ValueError):
        method_params_id(SCHEMA_FILE, -1, False)


def test_random_ids_are_valid_and_distinct() -> None:
    ids = {generate_random_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(is_valid_id(value) for value in ids)
    assert all(re.fullmatch(r"@0x[0-9a-f]{16}", format_id(value)) for value in ids)


def test_validity_is_the_high_bit() -> None:
    assert is_valid_id(SCHEMA_FILE)
    assert is_valid_id(ID_HIGH_BIT)
    assert is_valid_id((1 << 64) - 1)
    assert not is_valid_id(ID_HIGH_BIT - 1)
    assert not is_valid_id(0)
    assert not is_valid_id(1 << 64)
    assert "capnpc -i" in INVALID_ID_MESSAGE


def test_messages_print_ids_like_the_reference() -> None:
    assert format_id(SCHEMA_FILE) == "@0xa93fc509624c72d9"
    assert missing_file_id_message(SCHEMA_FILE).endswith(
        "Add this line to your file: @0xa93fc509624c72d9;"
    )


def test_group_ids_follow_the_fields_order() -> None:
    """Outer's group IDs, with each group's index taken from the layout's ``fields`` order."""
    outer = StructDecl("Outer", (
        GroupDecl("g", (FieldDecl("x", 0, 3),)),
        UnionDecl("u", (
            FieldDecl("a", 1, VOID),
            GroupDecl("b", (FieldDecl("c", 2, POINTER),)),
        )),
        UnionDecl("", (FieldDecl("d", 3, 0), FieldDecl("e", 4, 0))),
        GroupDecl("h", (FieldDecl("i", 5, 0),)),
    ))
    assert compute_struct_layout(outer).node_ids(OUTER) == {
        (): OUTER,
        ("g",): 0xDB8AEA0D1E14BA2B,
        ("u",): 0xADAF4E85F4833351,
        ("u", "b"): 0xD184684289D130FA,
        ("h",): 0xBC98AFE71D286AFA,
    }
