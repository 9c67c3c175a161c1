"""Unit tests of ``purecap.wire.copying``: deep copies and total sizes.

The first part pins copies to the reference byte for byte. A handful of messages are built with
our builder; ``capnp convert binary:binary`` (capnp 0.9.2) re-encoded each of them, by default and
with ``--segment-size=N`` for N in 1..8, 16 and 64 (``MallocMessageBuilder(N, FIXED_SIZE)`` and
``setRoot``), and ``binary:flat`` / ``binary:canonical`` wrote their flat and canonical forms.
Those outputs were captured once and pasted below as hex, so these tests run without the tool
(the conformance suite compares with it live). Our copy, through ``MessageBuilder(N,
fixed_size=True).set_root(reader)``, must produce the same bytes: same allocation order, same
segments, same far pointers and landing pads.

The second part checks the copy rules themselves: canonical trimming, capabilities, overwriting,
validation of the source, and ``total_size``.
"""

from __future__ import annotations

import struct
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest

from purecap.wire.builder import MessageBuilder
from purecap.wire.copying import (
    copy_pointer,
    list_total_size,
    pointer_total_size,
    set_list_pointer,
    set_struct_pointer,
    struct_total_size,
)
from purecap.wire.errors import (
    InvalidCapability,
    MalformedList,
    NestingLimitExceeded,
    NotCanonical,
    PointerOutOfBounds,
    TraversalLimitExceeded,
    WrongPointerKind,
)
from purecap.wire.limits import UNLIMITED, ReadLimits
from purecap.wire.message import write_message
from purecap.wire.pointers import ElementSize
from purecap.wire.reader import MessageReader, StructReader
from tests.wire.randomtrees import cp, fp, live_words, lp, sp, w

U8 = struct.Struct("<B")
U16 = struct.Struct("<H")
I32 = struct.Struct("<i")
U32 = struct.Struct("<I")
I64 = struct.Struct("<q")
U64 = struct.Struct("<Q")
F32 = struct.Struct("<f")
F64 = struct.Struct("<d")
NULL = bytes(8)
BIT, BYTE, TWO, EIGHT, COMPOSITE = (
    ElementSize.BIT,
    ElementSize.BYTE,
    ElementSize.TWO_BYTES,
    ElementSize.EIGHT_BYTES,
    ElementSize.INLINE_COMPOSITE,
)

# -- the sample messages -------------------------------------------------------------------------


def sample_scalars_and_text() -> MessageBuilder:
    m = MessageBuilder()
    root = m.init_root(2, 2)
    root.set_primitive(U64, 0, 0x0123456789ABCDEF)
    root.set_primitive(I32, 8, -2)
    root.set_bool(96, True)
    root.set_primitive(U16, 14, 0xBEEF)
    root.set_text(0, "hello, world")
    root.set_data(1, b"\x00\x01\x02\xff")
    return m


def sample_lists() -> MessageBuilder:
    m = MessageBuilder()
    root = m.init_root(1, 6)
    root.set_primitive(F64, 0, -1.5)
    u16 = root.init_list(0, ElementSize.TWO_BYTES, 5)
    for i, v in enumerate([1, 2, 3, 65535, 5]):
        u16.set_primitive(i, U16, v)
    bits = root.init_list(1, ElementSize.BIT, 70)
    for i in range(70):
        bits.set_bool(i, i % 3 == 0)
    root.init_list(2, ElementSize.VOID, 3)
    texts = root.init_list(3, ElementSize.POINTER, 4)
    texts.set_text(0, "a")
    texts.set_text(1, "")
    texts.set_text(3, "xyz")
    i64 = root.init_list(4, ElementSize.EIGHT_BYTES, 2)
    i64.set_primitive(0, I64, -1)
    i64.set_primitive(1, I64, 1 << 40)
    f32 = root.init_list(5, ElementSize.FOUR_BYTES, 3)
    for i, f in enumerate([0.5, -0.0, 3.25]):
        f32.set_primitive(i, F32, f)
    return m


def sample_struct_list() -> MessageBuilder:
    m = MessageBuilder()
    root = m.init_root(0, 2)
    items = root.init_struct_list(0, 3, 1, 1)
    for i in range(3):
        item = items.get_struct(i)
        item.set_primitive(U32, 0, 100 + i)
        item.set_primitive(U32, 4, 0xFFFFFFFF - i)
    items.get_struct(0).set_text(0, "first")
    inner = items.get_struct(1).init_struct(0, 1, 0)
    inner.set_primitive(U64, 0, 7)
    outer = root.init_list(1, ElementSize.POINTER, 3)
    for i, values in enumerate([[1, 2, 3], [], [4]]):
        lst = outer.get_pointer(i).init_list(ElementSize.BYTE, len(values))
        for j, v in enumerate(values):
            lst.set_primitive(j, U8, v)
    return m


def sample_nested_and_empty() -> MessageBuilder:
    m = MessageBuilder()
    root = m.init_root(1, 4)
    root.set_primitive(U64, 0, 1)
    root.init_struct(0, 0, 0)
    a = root.init_struct(1, 1, 1)
    a.set_primitive(U8, 0, 0xAA)
    b = a.init_struct(0, 1, 1)
    b.set_primitive(U8, 7, 0xBB)
    c = b.init_struct(0, 0, 1)
    c.set_text(0, "deep")
    root.init_struct_list(2, 0, 2, 1)
    root.init_struct_list(3, 4, 0, 0)
    return m


def sample_far_input() -> MessageBuilder:
    """Input that is itself spread over tiny segments (far pointers, a double-far after an
    upgrade) and has holes left by an upgraded struct: the copy must follow the tree."""
    m = MessageBuilder(first_segment_words=3, fixed_size=True)
    root = m.init_root(1, 1)
    root.set_primitive(U32, 0, 0xCAFE)
    old = root.init_struct(0, 1, 1)
    old.set_primitive(U64, 0, 0x1122334455667788)
    old.set_text(0, "far away")
    new = root.get_struct(0, 2, 2)  # upgrade: the text pointer moves, old words are zeroed
    new.set_primitive(U16, 8, 0x99)
    lst = new.init_struct_list(1, 2, 1, 0)
    lst.get_struct(0).set_primitive(U64, 0, 5)
    lst.get_struct(1).set_primitive(U64, 0, 6)
    return m




def sample_needs_trimming() -> MessageBuilder:
    """Trailing zero data words and null pointers, which the canonical form cuts off."""
    m = MessageBuilder()
    root = m.init_root(4, 4)
    root.set_primitive(U64, 0, 5)
    root.set_primitive(U16, 8, 0x00FF)
    root.set_text(0, "t")
    root.init_struct(1, 2, 2)  # all zero: canonically an empty struct
    items = root.init_struct_list(2, 2, 2, 2)
    items.get_struct(0).set_primitive(U64, 0, 1)
    items.get_struct(1).set_text(0, "e")
    return m


SAMPLES: Dict[str, Callable[[], MessageBuilder]] = {
    "scalars_and_text": sample_scalars_and_text,
    "lists": sample_lists,
    "struct_list": sample_struct_list,
    "nested_and_empty": sample_nested_and_empty,
    "far_input": sample_far_input,
    "needs_trimming": sample_needs_trimming,
}


# -- what capnp 0.9.2 wrote for them -------------------------------------------------------------

# ``capnp convert binary:binary [--segment-size=N]`` of each sample, keyed by the segment sizes
# that gave the same bytes (None: no --segment-size, i.e. 1024 words growing heuristically).
EXPECTED_BINARY: Dict[str, Dict[Tuple[Optional[int], ...], str]] = {
    'scalars_and_text': {
        (None, 8, 16, 64): (
            "00000000080000000000000002000200efcdab8967452301feffffff0100efbe050000006a000000"
            "090000002200000068656c6c6f2c20776f726c6400000000000102ff00000000"
        ),
        (1, 2, 3, 4): (
            "03000000010000000500000003000000020000000000000002000000010000000000000002000200"
            "efcdab8967452301feffffff0100efbe02000000020000000200000003000000010000006a000000"
            "68656c6c6f2c20776f726c64000000000100000022000000000102ff00000000"
        ),
        (5,): (
            "010000000500000005000000000000000000000002000200efcdab8967452301feffffff0100efbe"
            "02000000010000001a00000001000000010000006a00000068656c6c6f2c20776f726c6400000000"
            "0100000022000000000102ff00000000"
        ),
        (6,): (
            "010000000600000003000000000000000000000002000200efcdab8967452301feffffff0100efbe"
            "02000000010000000100000022000000000102ff00000000010000006a00000068656c6c6f2c2077"
            "6f726c6400000000"
        ),
        (7,): (
            "010000000700000002000000000000000000000002000200efcdab8967452301feffffff0100efbe"
            "050000006a000000020000000100000068656c6c6f2c20776f726c64000000000100000022000000"
            "000102ff00000000"
        ),
    },
    'lists': {
        (None, 64): (
            "00000000170000000000000001000600000000000000f8bf150000002b0000001900000031020000"
            "1d0000001800000019000000260000003100000015000000350000001c000000010002000300ffff"
            "0500000000000000499224499224499224000000000000000d000000120000000d0000000a000000"
            "000000000000000009000000220000006100000000000000000000000000000078797a0000000000"
            "ffffffffffffffff00000000000100000000003f000000800000504000000000"
        ),
        (1, 2, 3): (
            "09000000010000000800000003000000030000000500000002000000020000000200000003000000"
            "030000000000000002000000010000000000000001000600000000000000f8bf0200000002000000"
            "02000000030000000d00000018000000020000000400000002000000080000000200000009000000"
            "010000002b000000010002000300ffff050000000000000001000000310200004992244992244992"
            "24000000000000000100000026000000020000000500000002000000060000000000000000000000"
            "020000000700000001000000120000006100000000000000010000000a0000000000000000000000"
            "010000002200000078797a00000000000100000015000000ffffffffffffffff0000000000010000"
            "010000001c0000000000003f000000800000504000000000"
        ),
        (4,): (
            "08000000010000000800000003000000030000000500000004000000020000000300000003000000"
            "02000000010000000000000001000600000000000000f8bf02000000020000000200000003000000"
            "0d00000018000000020000000400000002000000070000000200000008000000010000002b000000"
            "010002000300ffff0500000000000000010000003102000049922449922449922400000000000000"
            "01000000260000000200000005000000120000000500000000000000000000000200000006000000"
            "01000000120000006100000000000000010000000a00000000000000000000000100000022000000"
            "78797a00000000000100000015000000ffffffffffffffff0000000000010000010000001c000000"
            "0000003f000000800000504000000000"
        ),
        (5,): (
            "07000000010000000800000003000000030000000500000004000000050000000300000000000000"
            "02000000010000000000000001000600000000000000f8bf02000000020000000200000003000000"
            "0d00000018000000020000000400000012000000060000000200000007000000010000002b000000"
            "010002000300ffff0500000000000000010000003102000049922449922449922400000000000000"
            "01000000260000000200000005000000120000000500000000000000000000000200000006000000"
            "01000000120000006100000000000000010000000a00000000000000000000000100000022000000"
            "78797a00000000000100000015000000ffffffffffffffff0000000000010000010000001c000000"
            "0000003f000000800000504000000000"
        ),
        (6,): (
            "05000000010000000800000006000000060000000400000006000000000000000200000001000000"
            "0000000001000600000000000000f8bf02000000020000001a000000020000000d00000018000000"
            "020000000300000002000000050000001a00000005000000010000002b000000010002000300ffff"
            "05000000000000000100000031020000499224499224499224000000000000000100000026000000"
            "0d000000120000000200000004000000000000000000000012000000040000006100000000000000"
            "010000000a0000000000000000000000010000002200000078797a00000000000100000015000000"
            "ffffffffffffffff0000000000010000010000001c0000000000003f000000800000504000000000"
        ),
        (7,): (
            "05000000010000000800000006000000070000000500000003000000000000000200000001000000"
            "0000000001000600000000000000f8bf02000000020000001a000000020000000d00000018000000"
            "020000000300000012000000040000000200000005000000010000002b000000010002000300ffff"
            "05000000000000000100000031020000499224499224499224000000000000000100000026000000"
            "0d000000120000000d0000000a000000000000000000000002000000040000006100000000000000"
            "0000000000000000010000002200000078797a00000000000100000015000000ffffffffffffffff"
            "0000000000010000010000001c0000000000003f000000800000504000000000"
        ),
        (8,): (
            "0300000008000000060000000800000006000000000000000000000001000600000000000000f8bf"
            "02000000010000001a000000010000000d0000001800000002000000020000000200000003000000"
            "1a00000003000000010000002b000000010002000300ffff05000000000000000100000031020000"
            "4992244992244992240000000000000001000000260000000d000000120000000d0000000a000000"
            "000000000000000009000000220000006100000000000000000000000000000078797a0000000000"
            "0100000015000000ffffffffffffffff0000000000010000010000001c0000000000003f00000080"
            "0000504000000000"
        ),
        (16,): (
            "01000000100000000c000000000000000000000001000600000000000000f8bf150000002b000000"
            "19000000310200001d00000018000000190000002600000032000000010000004a00000001000000"
            "010002000300ffff0500000000000000499224499224499224000000000000000200000001000000"
            "12000000010000000000000000000000220000000100000001000000120000006100000000000000"
            "010000000a0000000000000000000000010000002200000078797a00000000000100000015000000"
            "ffffffffffffffff0000000000010000010000001c0000000000003f000000800000504000000000"
        ),
    },
    'struct_list': {
        (None, 64): (
            "000000001100000000000000000002000500000037000000250000001e0000000c00000001000100"
            "64000000ffffffff110000003200000065000000feffffff0c0000000100000066000000fdffffff"
            "000000000000000066697273740000000700000000000000090000001a0000000900000002000000"
            "050000000a00000001020300000000000400000000000000"
        ),
        (1, 2): (
            "07000000010000000300000008000000020000000200000004000000020000000200000000000000"
            "02000000010000000000000000000200020000000200000002000000050000000100000037000000"
            "0c0000000100010064000000ffffffff020000000300000065000000feffffff0200000004000000"
            "66000000fdffffff0000000000000000010000003200000066697273740000000000000001000000"
            "0700000000000000010000001e000000020000000600000005000000020000000200000007000000"
            "010000001a0000000102030000000000010000000a0000000400000000000000"
        ),
        (3,): (
            "06000000030000000800000002000000020000000400000002000000020000000000000000000200"
            "0200000001000000020000000400000001000000370000000c0000000100010064000000ffffffff"
            "020000000200000065000000feffffff020000000300000066000000fdffffff0000000000000000"
            "0100000032000000666972737400000000000000010000000700000000000000010000001e000000"
            "020000000500000005000000020000000200000006000000010000001a0000000102030000000000"
            "010000000a0000000400000000000000"
        ),
        (4,): (
            "04000000030000000800000004000000040000000400000000000000000002000200000001000000"
            "020000000300000001000000370000000c0000000100010064000000ffffffff0200000002000000"
            "65000000feffffff120000000200000066000000fdffffff00000000000000000100000032000000"
            "666972737400000000000000010000000700000000000000010000001e0000000200000004000000"
            "05000000020000001200000004000000010000001a0000000102030000000000010000000a000000"
            "0400000000000000"
        ),
        (5,): (
            "04000000030000000800000004000000050000000200000000000000000002000200000001000000"
            "020000000300000001000000370000000c0000000100010064000000ffffffff0200000002000000"
            "65000000feffffff120000000200000066000000fdffffff00000000000000000100000032000000"
            "666972737400000000000000010000000700000000000000010000001e000000090000001a000000"
            "090000000200000002000000040000000102030000000000010000000a0000000400000000000000"
        ),
        (6,): (
            "03000000060000000800000006000000020000000000000000000000000002000200000001000000"
            "010000001e0000002200000002000000050000000200000002000000030000000100000037000000"
            "0c0000000100010064000000ffffffff020000000200000065000000feffffff1200000002000000"
            "66000000fdffffff0000000000000000010000003200000066697273740000000000000001000000"
            "0700000000000000010000001a0000000102030000000000010000000a0000000400000000000000"
        ),
        (7,): (
            "0200000007000000080000000600000000000000000002000200000001000000010000001e000000"
            "090000001a0000000900000002000000220000000200000001020300000000000100000037000000"
            "0c0000000100010064000000ffffffff020000000200000065000000feffffff1200000002000000"
            "66000000fdffffff0000000000000000010000003200000066697273740000000000000001000000"
            "0700000000000000010000000a0000000400000000000000"
        ),
        (8,): (
            "0200000008000000080000000400000000000000000002000200000001000000010000001e000000"
            "090000001a0000000900000002000000050000000a00000001020300000000000400000000000000"
            "01000000370000000c0000000100010064000000ffffffff020000000200000065000000feffffff"
            "120000000200000066000000fdffffff000000000000000001000000320000006669727374000000"
            "00000000010000000700000000000000"
        ),
        (16,): (
            "0100000010000000020000000000000000000000000002000500000037000000250000001e000000"
            "0c0000000100010064000000ffffffff110000003200000065000000feffffff0c00000001000000"
            "66000000fdffffff000000000000000066697273740000000700000000000000090000001a000000"
            "090000000200000002000000010000000102030000000000010000000a0000000400000000000000"
        ),
    },
    'nested_and_empty': {
        (None, 16, 64): (
            "000000000e00000000000000010004000100000000000000fcffffff000000000800000001000100"
            "1d000000070000001d00000007000000aa00000000000000000000000100010000000000000000bb"
            "0000000000000100010000002a000000646565700000000000000000020001001000000000000000"
        ),
        (1, 2): (
            "07000000010000000600000003000000030000000200000002000000020000000200000000000000"
            "020000000100000000000000010004000100000000000000fcffffff000000000200000002000000"
            "020000000600000002000000070000000000000001000100aa000000000000000200000003000000"
            "000000000100010000000000000000bb020000000400000000000000000001000200000005000000"
            "010000002a0000006465657000000000010000000700000000000000020001000100000007000000"
            "1000000000000000"
        ),
        (3,): (
            "06000000010000000600000003000000030000000300000002000000020000000200000001000000"
            "00000000010004000100000000000000fcffffff0000000002000000020000000200000005000000"
            "02000000060000000000000001000100aa0000000000000002000000030000000000000001000100"
            "00000000000000bb02000000040000000000000000000100010000002a0000006465657000000000"
            "0100000007000000000000000200010001000000070000001000000000000000"
        ),
        (4,): (
            "05000000010000000600000003000000040000000400000002000000000000000200000001000000"
            "00000000010004000100000000000000fcffffff0000000002000000020000001200000004000000"
            "02000000050000000000000001000100aa0000000000000002000000030000000000000001000100"
            "00000000000000bb00000000000001000200000004000000010000002a0000006465657000000000"
            "0100000007000000000000000200010001000000070000001000000000000000"
        ),
        (5,): (
            "04000000010000000600000005000000050000000200000002000000010000000000000001000400"
            "0100000000000000fcffffff0000000002000000020000001a000000030000000200000004000000"
            "0000000001000100aa00000000000000000000000100010000000000000000bb0200000003000000"
            "0000000000000100010000002a000000646565700000000001000000070000000000000002000100"
            "01000000070000001000000000000000"
        ),
        (6,): (
            "0200000006000000060000000600000000000000010004000100000000000000fcffffff00000000"
            "0200000001000000120000000200000022000000020000000000000001000100aa00000000000000"
            "000000000100010000000000000000bb00000000000001000200000002000000010000002a000000"
            "64656570000000000100000007000000000000000200010001000000070000001000000000000000"
        ),
        (7,): (
            "0200000007000000070000000200000000000000010004000100000000000000fcffffff00000000"
            "02000000010000000500000007000000020000000200000000000000020001000000000001000100"
            "aa00000000000000000000000100010000000000000000bb0000000000000100010000002a000000"
            "646565700000000001000000070000001000000000000000"
        ),
        (8,): (
            "0200000008000000070000000200000000000000010004000100000000000000fcffffff00000000"
            "08000000010001002a000000010000000200000002000000aa000000000000000200000001000000"
            "000000000100010000000000000000bb0000000000000100010000002a0000006465657000000000"
            "0100000007000000000000000200010001000000070000001000000000000000"
        ),
    },
    'far_input': {
        (None, 16, 64): (
            "000000000c0000000000000001000100feca00000000000000000000020002008877665544332211"
            "9900000000000000050000004a000000090000001700000066617220617761790000000000000000"
            "080000000100000005000000000000000600000000000000"
        ),
        (1, 2): (
            "04000000010000000300000005000000030000000400000002000000010000000000000001000100"
            "feca0000000000000200000002000000000000000200020088776655443322119900000000000000"
            "02000000030000000200000004000000010000004a00000066617220617761790000000000000000"
            "0100000017000000080000000100000005000000000000000600000000000000"
        ),
        (3, 4, 5, 6): (
            "0300000003000000050000000300000004000000000000000000000001000100feca000000000000"
            "02000000010000000000000002000200887766554433221199000000000000000200000002000000"
            "0200000003000000010000004a000000666172206177617900000000000000000100000017000000"
            "080000000100000005000000000000000600000000000000"
        ),
        (7, 8): (
            "010000000700000007000000000000000000000001000100feca0000000000000000000002000200"
            "8877665544332211990000000000000002000000010000001a00000001000000010000004a000000"
            "66617220617761790000000000000000010000001700000008000000010000000500000000000000"
            "0600000000000000"
        ),
    },
    'needs_trimming': {
        (None, 64): (
            "000000001800000000000000040004000500000000000000ff000000000000000000000000000000"
            "00000000000000000d000000120000000c0000000200020019000000470000000000000000000000"
            "74000000000000000000000000000000000000000000000000000000000000000000000000000000"
            "08000000020002000100000000000000000000000000000000000000000000000000000000000000"
            "00000000000000000000000000000000050000001200000000000000000000006500000000000000"
        ),
        (1, 2, 3, 4, 5, 6): (
            "05000000010000000900000002000000050000000a00000002000000000000000200000001000000"
            "00000000040004000500000000000000ff0000000000000000000000000000000000000000000000"
            "02000000020000000200000003000000020000000400000000000000000000000100000012000000"
            "74000000000000000000000002000200000000000000000000000000000000000000000000000000"
            "00000000000000000100000047000000080000000200020001000000000000000000000000000000"
            "00000000000000000000000000000000000000000000000000000000000000000200000005000000"
            "000000000000000001000000120000006500000000000000"
        ),
        (7, 8): (
            "040000000100000009000000070000000a0000000200000002000000010000000000000004000400"
            "0500000000000000ff00000000000000000000000000000000000000000000000200000002000000"
            "12000000020000000200000003000000000000000000000001000000120000007400000000000000"
            "00000000020002000000000000000000000000000000000000000000000000000000000000000000"
            "01000000470000000800000002000200010000000000000000000000000000000000000000000000"
            "00000000000000000000000000000000000000000000000002000000040000000000000000000000"
            "01000000120000006500000000000000"
        ),
        (16,): (
            "010000000e0000000b0000000000000000000000040004000500000000000000ff00000000000000"
            "000000000000000000000000000000000d000000120000000c000000020002000200000001000000"
            "00000000000000007400000000000000000000000000000000000000000000000000000000000000"
            "00000000000000000100000047000000080000000200020001000000000000000000000000000000"
            "00000000000000000000000000000000000000000000000000000000000000000500000012000000"
            "00000000000000006500000000000000"
        ),
    },
}

# (``capnp convert binary:flat``, ``capnp convert binary:canonical``) of each sample.
EXPECTED_FLAT_AND_CANONICAL: Dict[str, Tuple[str, str]] = {
    'scalars_and_text': (
        (
            "0000000002000200efcdab8967452301feffffff0100efbe050000006a0000000900000022000000"
            "68656c6c6f2c20776f726c6400000000000102ff00000000"
        ),
        (
            "0000000002000200efcdab8967452301feffffff0100efbe050000006a0000000900000022000000"
            "68656c6c6f2c20776f726c6400000000000102ff00000000"
        ),
    ),
    'lists': (
        (
            "0000000001000600000000000000f8bf150000002b00000019000000310200001d00000018000000"
            "19000000260000003100000015000000350000001c000000010002000300ffff0500000000000000"
            "499224499224499224000000000000000d000000120000000d0000000a0000000000000000000000"
            "09000000220000006100000000000000000000000000000078797a0000000000ffffffffffffffff"
            "00000000000100000000003f000000800000504000000000"
        ),
        (
            "0000000001000600000000000000f8bf150000002b00000019000000310200001d00000018000000"
            "19000000260000003100000015000000350000001c000000010002000300ffff0500000000000000"
            "499224499224499224000000000000000d000000120000000d0000000a0000000000000000000000"
            "09000000220000006100000000000000000000000000000078797a0000000000ffffffffffffffff"
            "00000000000100000000003f000000800000504000000000"
        ),
    ),
    'struct_list': (
        (
            "00000000000002000500000037000000250000001e0000000c0000000100010064000000ffffffff"
            "110000003200000065000000feffffff0c0000000100000066000000fdffffff0000000000000000"
            "66697273740000000700000000000000090000001a0000000900000002000000050000000a000000"
            "01020300000000000400000000000000"
        ),
        (
            "00000000000002000500000037000000250000001e0000000c0000000100010064000000ffffffff"
            "110000003200000065000000feffffff0c0000000100000066000000fdffffff0000000000000000"
            "66697273740000000700000000000000090000001a0000000900000002000000050000000a000000"
            "01020300000000000400000000000000"
        ),
    ),
    'nested_and_empty': (
        (
            "00000000010004000100000000000000fcffffff0000000008000000010001001d00000007000000"
            "1d00000007000000aa00000000000000000000000100010000000000000000bb0000000000000100"
            "010000002a000000646565700000000000000000020001001000000000000000"
        ),
        (
            "00000000010004000100000000000000fcffffff0000000008000000010001001d00000007000000"
            "1d00000007000000aa00000000000000000000000100010000000000000000bb0000000000000100"
            "010000002a000000646565700000000000000000000000001000000000000000"
        ),
    ),
    'far_input': (
        (
            "0000000001000100feca000000000000000000000200020088776655443322119900000000000000"
            "050000004a0000000900000017000000666172206177617900000000000000000800000001000000"
            "05000000000000000600000000000000"
        ),
        (
            "0000000001000100feca000000000000000000000200020088776655443322119900000000000000"
            "050000004a0000000900000017000000666172206177617900000000000000000800000001000000"
            "05000000000000000600000000000000"
        ),
    ),
    'needs_trimming': (
        (
            "00000000040004000500000000000000ff0000000000000000000000000000000000000000000000"
            "0d000000120000000c00000002000200190000004700000000000000000000007400000000000000"
            "00000000000000000000000000000000000000000000000000000000000000000800000002000200"
            "01000000000000000000000000000000000000000000000000000000000000000000000000000000"
            "0000000000000000050000001200000000000000000000006500000000000000"
        ),
        (
            "00000000020003000500000000000000ff000000000000000900000012000000fcffffff00000000"
            "05000000270000007400000000000000080000000100010001000000000000000000000000000000"
            "000000000000000001000000120000006500000000000000"
        ),
    ),
}


def _reader_of(name: str) -> StructReader:
    """The root of sample ``name``, read from its own segments (as capnp read its input)."""
    return MessageReader(SAMPLES[name]().to_segments()).get_root()


def _expected_binary() -> List[Any]:
    return [
        pytest.param(name, size, hex_bytes, id=f"{name}-{size or 'default'}")
        for name, outputs in EXPECTED_BINARY.items()
        for sizes, hex_bytes in outputs.items()
        for size in sizes
    ]


@pytest.mark.parametrize("name,segment_size,expected", _expected_binary())
def test_set_root_matches_capnp_convert_byte_for_byte(
    name: str, segment_size: Optional[int], expected: str
) -> None:
    """``set_root`` allocates exactly as C++ ``setRoot`` into a ``MallocMessageBuilder`` does:
    the framed output equals ``capnp convert binary:binary [--segment-size=N]``."""
    if segment_size is None:
        builder = MessageBuilder()  # SUGGESTED_FIRST_SEGMENT_WORDS, GROW_HEURISTICALLY
    else:
        builder = MessageBuilder(first_segment_words=segment_size, fixed_size=True)
    builder.set_root(_reader_of(name))
    assert write_message(builder).hex() == expected


def test_expected_outputs_cover_every_sample_and_size() -> None:
    """The table above has one output for each sample and each segment size."""
    for name in SAMPLES:
        sizes = sorted(s or 0 for group in EXPECTED_BINARY[name] for s in group)
        assert sizes == [0, 1, 2, 3, 4, 5, 6, 7, 8, 16, 64]


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_flat_copy_matches_capnp_convert(name: str) -> None:
    """A copy into one segment of ``total_size + 1`` words is ``capnp convert binary:flat``
    (C++ ``copyToUnchecked``): the root pointer, then the objects in pre-order."""
    value = _reader_of(name)
    words, _ = value.total_size()
    builder = MessageBuilder(first_segment_words=words + 1, fixed_size=True)
    builder.set_root(value)
    assert len(builder.segments) == 1
    assert bytes(builder.segments[0]).hex() == EXPECTED_FLAT_AND_CANONICAL[name][0]


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_canonical_copy_matches_capnp_convert(name: str) -> None:
    """``set_struct_pointer(..., canonical=True)`` writes ``capnp convert binary:canonical``:
    data sections cut after their last non-zero word, pointer sections after their last
    non-null pointer, struct list elements at the largest such sizes, empty structs at -1."""
    value = _reader_of(name)
    words, _ = value.total_size()
    builder = MessageBuilder(first_segment_words=words + 1, fixed_size=True)
    root = builder.root_pointer()
    set_struct_pointer(builder, root.segment_index, root.offset, value, canonical=True)
    assert builder.to_segments()[0].hex() == EXPECTED_FLAT_AND_CANONICAL[name][1]


def test_copies_of_any_layout_of_the_same_tree_are_identical() -> None:
    """A copy depends only on the tree, not on how the source was laid out: copying any of the
    C++ outputs above (far pointers, double-fars, many segments) gives the default copy."""
    for name, outputs in EXPECTED_BINARY.items():
        default = next(h for sizes, h in outputs.items() if None in sizes)
        for hex_bytes in outputs.values():
            segments = _unframe(bytes.fromhex(hex_bytes))
            builder = MessageBuilder()
            builder.set_root(MessageReader(segments).get_root())
            assert write_message(builder).hex() == default, name


def _unframe(data: bytes) -> List[bytes]:
    """A minimal segment-table parser, independent of purecap.wire.framing."""
    count = U32.unpack_from(data, 0)[0] + 1
    sizes = struct.unpack_from(f"<{count}I", data, 4)
    pos = 8 * (count // 2 + 1)
    segments = []
    for size in sizes:
        segments.append(data[pos : pos + 8 * size])
        pos += 8 * size
    assert pos == len(data)
    return segments


# -- copy rules ----------------------------------------------------------------------------------


def _message(*words: bytes, limits: ReadLimits = UNLIMITED) -> MessageReader:
    return MessageReader([b"".join(words)], limits)


def test_canonical_copy_trims_struct_list_elements_to_the_largest() -> None:
    """In a canonical struct list every element has the sizes of the largest trimmed element."""
    src = MessageBuilder()
    items = src.init_root(0, 1).init_struct_list(0, 3, 3, 3)
    items.get_struct(0).set_primitive(U8, 0, 1)  # needs 1 data word, 0 pointers
    items.get_struct(2).set_text(1, "p")  # needs 0 data words, 2 pointers
    dst = MessageBuilder()
    root = dst.root_pointer()
    set_struct_pointer(
        dst, root.segment_index, root.offset, src.as_reader().get_root(), canonical=True
    )
    lst = dst.as_reader().get_root().get_list(0, ElementSize.INLINE_COMPOSITE)
    assert (len(lst), lst.data_bits, lst.pointer_count) == (3, 64, 2)
    assert lst.get_struct(2).get_text(1) == "p"
    assert MessageReader(dst.to_segments()).is_canonical()


def test_canonical_copy_refuses_capabilities() -> None:
    """Capabilities have no canonical form."""
    src = MessageBuilder()
    src.init_root(0, 1).set_capability(0, 0)
    dst = MessageBuilder()
    with pytest.raises(NotCanonical):
        set_struct_pointer(dst, 0, dst.root_pointer().offset, src.as_reader().get_root(), True)


def test_copy_keeps_capability_indexes_without_cap_tables() -> None:
    """Without a capability table on the source (a message read without RPC), capability
    pointers are copied with their index unchanged."""
    src = MessageBuilder()
    r = src.init_root(0, 2)
    r.set_capability(0, 5)
    r.set_capability(1, 0)
    dst = MessageBuilder()
    dst.set_root(MessageReader(src.to_segments()).get_root())
    out = dst.as_reader().get_root()
    assert [out.get_capability(i) for i in range(2)] == [5, 0]
    assert dst.cap_table == []


def test_copy_moves_capabilities_between_tables() -> None:
    """With a source table, each capability is appended to the destination's table and the
    pointer re-indexed; an index past the source table is an InvalidCapability."""
    src = MessageBuilder()
    r = src.init_root(0, 3)
    r.set_capability(0, 2)
    r.set_capability(1, 0)
    r.set_capability(2, 2)
    reader = MessageReader(src.to_segments(), cap_table=["a", "b", "c"])
    dst = MessageBuilder(cap_table=["existing"])
    dst.set_root(reader.get_root())
    out = dst.as_reader().get_root()
    assert [out.get_capability(i) for i in range(3)] == [1, 2, 3]
    assert dst.cap_table == ["existing", "c", "a", "c"]
    bad = MessageReader(src.to_segments(), cap_table=["only one"])
    with pytest.raises(InvalidCapability):
        MessageBuilder().set_root(bad.get_root())


def test_copy_over_an_existing_object_zeroes_it() -> None:
    """Copying into a pointer that holds something zeroes the old object first (and copying a
    null clears it)."""
    dst = MessageBuilder(first_segment_words=3, fixed_size=True)
    root = dst.init_root(0, 2)
    old = root.init_struct(0, 2, 1)
    old.set_primitive(U64, 8, 0xFFFF)
    old.set_text(0, "old text")
    src = MessageBuilder()
    s = src.init_root(0, 2)
    s.set_text(0, "new")
    sr = src.as_reader().get_root()
    root.set_struct(0, sr)
    _assert_no_stale_words(dst)
    assert dst.as_reader().get_root().get_struct(0).get_text(0) == "new"
    root.get_pointer(0).set(sr.get_pointer(1))  # a null source pointer
    assert not root.has_pointer(0)
    _assert_no_stale_words(dst)


def _assert_no_stale_words(message: MessageBuilder) -> None:
    segments = message.to_segments()
    live = live_words(segments)
    for si, seg in enumerate(segments):
        for wi in range(len(seg) >> 3):
            if (si, wi) not in live:
                assert seg[wi * 8 : wi * 8 + 8] == NULL, f"stale word {si}:{wi}"


def test_shared_objects_are_copied_twice() -> None:
    """Two pointers to one object (legal to read, never written by builders) become two
    copies: a copy is a tree, and total_size counts the object twice."""
    src = _message(sp(0, 0, 2), lp(1, BYTE, 4), lp(0, BYTE, 4), b"abc\0" + bytes(4))
    assert src.total_size() == (4, 0)
    dst = MessageBuilder()
    dst.set_root(src.get_root())
    assert dst.to_segments() == [
        sp(0, 0, 2) + lp(1, BYTE, 4) + lp(1, BYTE, 4)
        + b"abc\0" + bytes(4) + b"abc\0" + bytes(4)
    ]


def test_copy_of_sub_word_structs_and_bit_padding() -> None:
    """A struct read from a byte-list element has a one-byte data section: its copy gets one
    (zero-padded) data word. Bits of a Bool list past its last element are not copied."""
    src = _message(sp(0, 0, 2), lp(1, BYTE, 2), lp(1, BIT, 3), w(0x0706), w(0xFF))
    root = src.get_root()
    element = root.get_list(0, ElementSize.INLINE_COMPOSITE).get_struct(1)
    assert element.data_size == 1
    dst = MessageBuilder()
    dst.set_root(element)
    assert dst.to_segments() == [sp(0, 1, 0) + w(7)]
    bits = MessageBuilder()
    b = bits.root_pointer()
    set_list_pointer(bits, b.segment_index, b.offset, root.get_list(1, ElementSize.BIT))
    assert bits.to_segments() == [lp(0, ElementSize.BIT, 3) + w(0b111)]


def test_struct_list_copies_are_compact() -> None:
    """A struct list whose pointer claims more words than its elements use is copied (and
    sized) by its elements: count * element size + the tag."""
    src = _message(sp(0, 0, 1), lp(0, COMPOSITE, 5), sp(2, 1, 0), w(1, 2, 0, 0, 0))
    lst = src.get_root().get_list(0, None)
    assert list_total_size(lst) == (3, 0)
    assert src.total_size() == (4, 0)
    dst = MessageBuilder()
    dst.set_root(src.get_root())
    assert dst.to_segments() == [
        sp(0, 0, 1) + lp(0, COMPOSITE, 2) + sp(2, 1, 0) + w(1, 2)
    ]


@pytest.mark.parametrize(
    "words,error",
    [
        ((sp(0, 0, 1), sp(5, 1, 0)), PointerOutOfBounds),
        ((sp(0, 0, 1), lp(0, ElementSize.EIGHT_BYTES, 9)), PointerOutOfBounds),
        ((sp(0, 0, 1), lp(0, ElementSize.INLINE_COMPOSITE, 1), lp(0, 0, 0), NULL), MalformedList),
        ((sp(0, 0, 1), fp(0, 3)), PointerOutOfBounds),
        ((sp(0, 0, 1), struct.pack("<iI", 7, 0)), WrongPointerKind),  # reserved "other" pointer
    ],
)
def test_copy_validates_the_source(words: Tuple[bytes, ...], error: type) -> None:
    """The source of a copy is untrusted: it is validated exactly as the readers validate it."""
    src = _message(*words)
    with pytest.raises(error):
        MessageBuilder().set_root(src.get_root())
    with pytest.raises(error):
        src.total_size()


def test_copy_of_a_cycle_hits_the_nesting_limit() -> None:
    """A struct that points at itself cannot be copied forever."""
    src = _message(sp(0, 0, 1), sp(-1, 0, 1), limits=ReadLimits(nesting_limit=20))
    with pytest.raises(NestingLimitExceeded):
        MessageBuilder().set_root(src.get_root())
    src = _message(sp(0, 0, 1), sp(-1, 0, 1), limits=ReadLimits(nesting_limit=20))
    with pytest.raises(NestingLimitExceeded):
        src.total_size()


def test_copy_charges_the_source_traversal_limit() -> None:
    """Copying reads the source, so it spends the source's traversal budget (after the root
    pointer's 2 words and the root's 2)."""
    words = (sp(0, 0, 2), lp(1, EIGHT, 3), lp(0, EIGHT, 3), bytes(24))
    ok = _message(*words, limits=ReadLimits(traversal_limit_words=2 + 2 + 3 + 3))
    MessageBuilder().set_root(ok.get_root())
    short = _message(*words, limits=ReadLimits(traversal_limit_words=2 + 2 + 3 + 2))
    with pytest.raises(TraversalLimitExceeded):
        MessageBuilder().set_root(short.get_root())


def test_deep_chains_copy_without_recursion() -> None:
    """Copies and size walks use explicit stacks: a chain deeper than Python's recursion limit
    copies fine when the reader's nesting limit allows it."""
    depth = 3000
    src = MessageBuilder()
    s = src.init_root(1, 1)
    for i in range(depth):
        s.set_primitive(U64, 0, i)
        s = s.init_struct(0, 1, 1)
    reader = MessageReader(src.to_segments(), ReadLimits(nesting_limit=None))
    assert reader.total_size() == (2 * (depth + 1), 0)
    dst = MessageBuilder()
    dst.set_root(reader.get_root())
    assert dst.to_segments() == src.to_segments()


def test_total_sizes_of_pointers_structs_and_lists() -> None:
    """total_size counts words reachable (no far-pointer overhead) and capabilities, from a
    pointer, a struct or a list."""
    m = MessageBuilder(first_segment_words=2, fixed_size=True)
    root = m.init_root(1, 3)
    root.set_text(0, "12345678")  # 9 bytes: 2 words
    lst = root.init_list(1, ElementSize.POINTER, 2)
    lst.get_pointer(0).set_capability(3)
    lst.get_pointer(1).init_struct(2, 0)
    root.init_struct_list(2, 2, 1, 1).get_struct(0).set_data(0, b"x")
    reader = MessageReader(m.to_segments()).get_root()
    assert struct_total_size(reader) == (4 + 2 + (2 + 2) + (1 + 4 + 1), 1)
    assert pointer_total_size(reader.get_pointer(1)) == (4, 1)
    assert list_total_size(reader.get_list(2, None)) == (6, 0)
    assert pointer_total_size(reader.get_pointer(0)) == (2, 0)
    assert reader.total_size() == reader.arena.total_size()


def test_copy_pointer_of_any_kind() -> None:
    """copy_pointer copies whatever a pointer holds: struct, list, capability or null."""
    src = _message(sp(0, 0, 4), sp(3, 1, 0), lp(3, TWO, 2), cp(9), NULL, w(5), w(0x00020001))
    root = src.get_root()
    dst = MessageBuilder()
    d = dst.init_root(0, 4)
    for i in range(4):
        p = d.get_pointer(i)
        copy_pointer(dst, p.segment_index, p.offset, root.get_pointer(i))
    out = dst.as_reader().get_root()
    assert out.get_struct(0).get_primitive(U64, 0) == 5
    assert out.get_list(1, ElementSize.TWO_BYTES).primitives(U16) == [1, 2]
    assert out.get_capability(2) == 9
    assert not out.has_pointer(3)
