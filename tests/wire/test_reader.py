"""Unit tests of ``purecap.wire.reader``: reading hand-assembled messages.

Every message here is written word by word (``sp``/``lp``/``fp``/``cp``/``w`` assemble struct,
list, far and capability pointers and data words), never with the builder, so these tests pin the
reader against the encoding spec (https://capnproto.org/encoding.html) and the reference's
``layout.c++`` alone.
"""

from __future__ import annotations

import array
import math
import struct
from typing import List, Tuple, Union

import pytest

from purecap.errors import PurecapError
from purecap.wire.errors import (
    DecodeError,
    InvalidText,
    ListElementSizeMismatch,
    MalformedList,
    NestingLimitExceeded,
    PointerOutOfBounds,
    TraversalLimitExceeded,
    WrongPointerKind,
)
from purecap.wire.limits import UNLIMITED, ReadLimits
from purecap.wire.pointers import ElementSize, PointerType
from purecap.wire.builder import MessageBuilder
from purecap.wire.reader import EMPTY_STRUCT, MessageReader, StructReader
from tests.wire.randomtrees import cp, fp, lp, sp, w

_HALVES = struct.Struct("<iI")
U8 = struct.Struct("<B")
I8 = struct.Struct("<b")
U16 = struct.Struct("<H")
I16 = struct.Struct("<h")
U32 = struct.Struct("<I")
I32 = struct.Struct("<i")
U64 = struct.Struct("<Q")
I64 = struct.Struct("<q")
F32 = struct.Struct("<f")
F64 = struct.Struct("<d")

VOID, BIT, BYTE, TWO, FOUR, EIGHT, PTR, COMPOSITE = (
    ElementSize.VOID,
    ElementSize.BIT,
    ElementSize.BYTE,
    ElementSize.TWO_BYTES,
    ElementSize.FOUR_BYTES,
    ElementSize.EIGHT_BYTES,
    ElementSize.POINTER,
    ElementSize.INLINE_COMPOSITE,
)


NULL = bytes(8)
EMPTY_STRUCT_WORD = bytes.fromhex("fcffffff00000000")


def read(*segments: Union[bytes, bytearray], limits: ReadLimits = UNLIMITED) -> MessageReader:
    return MessageReader(list(segments), limits)


def root(*words: bytes) -> StructReader:
    """The root struct of a one-segment message made of ``words``."""
    return read(b"".join(words)).get_root()


# -- the root and empty structs ---------------------------------------------------------------


def test_null_root_reads_as_empty_struct() -> None:
    """A null root pointer is an empty struct: every field reads as its default."""
    r = root(NULL)
    assert (r.data_size, r.pointer_count) == (0, 0)
    assert r.get_primitive(U64, 0, 7) == 7
    assert r.get_struct(0) is EMPTY_STRUCT
    assert read(NULL).root_pointer().pointer_type() == PointerType.NULL
    assert read(NULL).total_size() == (0, 0)


def test_missing_root_pointer_is_a_decode_error() -> None:
    """A message without even a root pointer word is not a message."""
    with pytest.raises(DecodeError):
        MessageReader([]).get_root()
    with pytest.raises(DecodeError):
        MessageReader([b""]).get_root()
    with pytest.raises(DecodeError):
        MessageReader([b"\0" * 7]).get_root()  # a partial word is chopped off


def test_empty_struct_offset_minus_one() -> None:
    """A zero-sized struct is encoded with offset -1 (``fcffffff00000000``): the pointer points
    at itself, so it is non-null yet occupies no words (layout.c++
    setKindAndTargetForEmptyStruct)."""
    msg = read(EMPTY_STRUCT_WORD)
    assert msg.root_pointer().pointer_type() == PointerType.STRUCT
    r = msg.get_root()
    assert (r.data_size, r.pointer_count) == (0, 0)
    assert r.get_primitive(U32, 0, 99) == 99
    assert msg.total_size() == (0, 0)


def test_empty_struct_with_any_offset_in_bounds() -> None:
    """An empty struct may point anywhere inside the segment (even right past its end): zero
    words are read, so any in-bounds position is valid."""
    # Pointer 0 (word 1) targets word 3, the very end of the segment; pointer 1 (word 2) targets
    # word 1, before itself. (Offset 0 would make the word null, hence the -1 convention.)
    r = root(sp(0, 0, 2), sp(1, 0, 0), sp(-2, 0, 0))
    for i in range(2):
        assert r.has_pointer(i)
        inner = r.get_struct(i)
        assert (inner.data_size, inner.pointer_count) == (0, 0)


@pytest.mark.parametrize(
    "pointer",
    [sp(1000, 0, 0), sp(-1000, 0, 0), lp(1000, BYTE, 0), lp(-50, BYTE, 0), lp(1000, VOID, 5)],
    ids=["empty struct past end", "empty struct before start", "empty list past end",
         "empty list before start", "void list past end"],
)
def test_zero_word_objects_at_out_of_range_offsets_are_accepted_like_cpp(pointer: bytes) -> None:
    """capnp 0.9.2 (``capnp convert binary:binary``) accepts these and writes an empty struct or
    list: an object of zero words is in bounds wherever it claims to be."""
    msg = read(sp(0, 0, 1) + pointer)
    assert msg.total_size() == (1, 0)
    copy = MessageBuilder()
    copy.set_root(msg.get_root())
    assert read(*copy.to_segments()).get_root().has_pointer(0)


# -- primitives in the data section -----------------------------------------------------------

_PRIMITIVE_CASES: List[Tuple[struct.Struct, List[float]]] = [
    (I8, [-128, -1, 0, 1, 127]),
    (U8, [0, 1, 0x80, 255]),
    (I16, [-32768, -1, 0, 32767]),
    (U16, [0, 1, 0x8000, 65535]),
    (I32, [-(1 << 31), -1, 0, (1 << 31) - 1]),
    (U32, [0, 1, 1 << 31, (1 << 32) - 1]),
    (I64, [-(1 << 63), -1, 0, (1 << 63) - 1]),
    (U64, [0, 1, 1 << 63, (1 << 64) - 1]),
    (F32, [0.0, -0.0, 1.5, -2.25, float("inf"), float("-inf"), 3.4028234663852886e38]),
    (F64, [0.0, -0.0, 1.5, -1e300, 5e-324, float("inf"), float("-inf")]),
]


def _same(a: float, b: float) -> bool:
    """Equal, telling -0.0 from 0.0."""
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


@pytest.mark.parametrize("fmt,values", _PRIMITIVE_CASES, ids=lambda x: getattr(x, "format", ""))
def test_every_primitive_at_every_offset(fmt: struct.Struct, values: List[float]) -> None:
    """Each primitive type reads back little-endian at each of its aligned offsets in a 3-word
    data section whose other bytes are a non-zero pattern (no bleeding between fields)."""
    for offset in range(0, 24, fmt.size):
        for value in values:
            data = bytearray(b"\xa5" * 24)
            fmt.pack_into(data, offset, value)
            r = root(sp(0, 3, 0), bytes(data))
            assert _same(r.get_primitive(fmt, offset), value), (fmt.format, offset, value)


def test_nan_reads_as_nan() -> None:
    """NaN payloads survive as NaN (the reader does not interpret floats)."""
    r = root(sp(0, 1, 0), bytes.fromhex("0000c07f000000ff"))
    assert math.isnan(r.get_primitive(F32, 0))
    r = root(sp(0, 1, 0), bytes.fromhex("000000000000f87f"))
    assert math.isnan(r.get_primitive(F64, 0))


def test_bool_at_every_bit() -> None:
    """Bool field ``n`` is bit ``n % 8`` of byte ``n // 8`` (least significant bit first)."""
    for bit in range(128):
        data = bytearray(16)
        data[bit >> 3] = 1 << (bit & 7)
        r = root(sp(0, 2, 0), bytes(data))
        assert [b for b in range(128) if r.get_bool(b)] == [bit]


def test_reading_past_a_short_data_section_returns_the_default() -> None:
    """A struct written by an older schema has a shorter data section: fields past its end read
    as the caller's default (the zero of the type unless given), bools as False."""
    r = root(sp(0, 1, 0), w(0xFFFFFFFFFFFFFFFF))
    for fmt, _ in _PRIMITIVE_CASES:
        assert r.get_primitive(fmt, 8) == 0
        assert r.get_primitive(fmt, 8, default=42) == 42
        assert r.get_primitive(fmt, 64, default=-1) == -1
    assert r.get_bool(63) is True
    assert r.get_bool(64) is False
    assert r.get_bool(1000) is False
    assert r.get_primitive(U64, 0) == (1 << 64) - 1


def test_reading_a_shorter_pointer_section() -> None:
    """Pointers past the end of the pointer section read as null: empty struct, empty list,
    default text/data, no capability."""
    r = root(sp(0, 0, 1), NULL)
    assert r.pointer_count == 1
    assert not r.has_pointer(1)
    assert r.get_pointer(5).is_null()
    assert r.get_pointer(5).pointer_type() == PointerType.NULL
    assert r.get_struct(1) is EMPTY_STRUCT
    assert len(r.get_list(1, ElementSize.BYTE)) == 0
    assert r.get_list(1, ElementSize.FOUR_BYTES).element_size == ElementSize.FOUR_BYTES
    assert r.get_text(1) == "" and r.get_text(1, "dflt") == "dflt"
    assert r.get_text_bytes(1, b"x") == b"x"
    assert r.get_data(1) == b"" and r.get_data(1, b"d") == b"d"
    assert bytes(r.get_data_view(1)) == b""
    assert r.get_capability(1) is None
    default = root(sp(0, 1, 0), w(5))
    assert r.get_struct(3, default) is default


def test_struct_fields_and_total_size() -> None:
    """A struct's sections as its pointer describes them; total_size counts both sections and
    everything reachable."""
    r = root(sp(0, 2, 2), w(1, 2), sp(1, 1, 0), NULL, w(3))
    assert (r.data_size, r.pointer_count) == (16, 2)
    assert r.data_section() == w(1, 2)
    assert r.get_struct(0).get_primitive(U64, 0) == 3
    assert not r.has_pointer(1) and r.has_pointer(0)
    assert r.total_size() == (5, 0)
    assert read(b"".join([sp(0, 2, 2), w(1, 2), sp(1, 1, 0), NULL, w(3)])).total_size() == (5, 0)


def test_struct_pointer_with_negative_offset() -> None:
    """Offsets are signed: an object may precede its pointer."""
    # word 0: root -> word 2; word 1: the child's data; word 2: root struct (0 data, 1 pointer)
    # whose pointer at word 2 points back to word 1 (offset -2).
    r = root(sp(1, 0, 1), w(77), sp(-2, 1, 0))
    assert r.get_struct(0).get_primitive(U64, 0) == 77


# -- lists of every element size --------------------------------------------------------------


def test_void_list() -> None:
    """A Void list occupies no words but has a length."""
    r = root(sp(0, 0, 1), lp(0, VOID, 5))
    lst = r.get_list(0, VOID)
    assert (len(lst), lst.element_size, lst.step_bits) == (5, VOID, 0)
    assert lst.get_primitive(4, U8) == 0  # nothing to read; zero
    assert r.total_size() == (1, 0)


def test_bit_list_across_words() -> None:
    """Bit ``i`` of a Bool list is bit ``i % 8`` of byte ``i // 8``; 70 bits take two words."""
    bits = [i % 3 == 0 for i in range(70)]
    data = bytearray(16)
    for i, b in enumerate(bits):
        if b:
            data[i >> 3] |= 1 << (i & 7)
    r = root(sp(0, 0, 1), lp(0, BIT, 70), bytes(data))
    lst = r.get_list(0, BIT)
    assert len(lst) == 70
    assert lst.bools() == bits
    assert [lst.get_bool(i) for i in range(70)] == bits
    assert lst.get_bool(-1) == bits[-1]
    with pytest.raises(IndexError):
        lst.get_bool(70)
    assert r.total_size() == (3, 0)


@pytest.mark.parametrize(
    "es,fmt,values",
    [
        (BYTE, U8, [1, 2, 255, 0, 7, 8, 9, 10, 11]),
        (BYTE, I8, [-1, 2, -128]),
        (TWO, U16, [1, 65535, 3, 4, 5]),
        (TWO, I16, [-2, 0, 5]),
        (FOUR, U32, [0xDEADBEEF, 1, 2]),
        (FOUR, I32, [-5, 1 << 30]),
        (FOUR, F32, [0.5, -3.0, 1e10]),
        (EIGHT, U64, [1 << 63, 3]),
        (EIGHT, I64, [-(1 << 63), -1]),
        (EIGHT, F64, [1e-300, -0.25]),
    ],
)
def test_primitive_lists(es: ElementSize, fmt: struct.Struct, values: List[float]) -> None:
    """Elements are packed tightly in order, the list padded to whole words."""
    body = struct.pack("<%d%s" % (len(values), fmt.format[-1]), *values)
    words = (len(body) + 7) // 8
    body += bytes(words * 8 - len(body))
    r = root(sp(0, 0, 1), lp(0, es, len(values)), body)
    lst = r.get_list(0, es)
    assert len(lst) == len(values)
    assert lst.primitives(fmt) == pytest.approx(values, rel=1e-6)
    assert [lst.get_primitive(i, fmt) for i in range(len(values))] == lst.primitives(fmt)
    assert lst.get_primitive(-1, fmt) == lst.primitives(fmt)[-1]
    with pytest.raises(IndexError):
        lst.get_primitive(len(values), fmt)
    assert r.total_size() == (1 + words, 0)


def test_pointer_list_of_texts() -> None:
    """A list of pointers: each element is a pointer relative to its own position."""
    r = root(
        sp(0, 0, 1),
        lp(0, PTR, 3),
        lp(2, BYTE, 3),  # element 0 -> "hi" at word 5
        NULL,  # element 1 null
        lp(1, BYTE, 1),  # element 2 -> "" at word 6
        b"hi\0" + bytes(5),
        bytes(8),
    )
    lst = r.get_list(0, PTR)
    assert len(lst) == 3
    assert [lst.get_text(i) for i in range(3)] == ["hi", "", ""]
    assert lst.get_pointer(1).is_null()
    assert not lst.get_pointer(2).is_null()
    assert r.total_size() == (6, 0)


def test_struct_list_with_tag() -> None:
    """An INLINE_COMPOSITE list: the pointer's count is the word count (tag excluded), the tag is
    shaped like a struct pointer whose offset field is the element count."""
    r = root(
        sp(0, 0, 1),
        lp(0, COMPOSITE, 4),  # 2 elements of 1 data word + 1 pointer = 4 words
        sp(2, 1, 1),  # tag: 2 elements
        w(10), lp(2, BYTE, 2),  # element 0: text "a"
        w(20), NULL,  # element 1
        b"a\0" + bytes(6),
    )
    lst = r.get_list(0, COMPOSITE)
    assert (len(lst), lst.step_bits, lst.data_bits, lst.pointer_count) == (2, 128, 64, 1)
    first, second = lst.get_struct(0), lst.get_struct(1)
    assert (first.data_size, first.pointer_count) == (8, 1)
    assert first.get_primitive(U64, 0) == 10 and second.get_primitive(U64, 0) == 20
    assert first.get_text(0) == "a" and not second.has_pointer(0)
    assert lst.get_pointer(0).get_text() == "a"
    assert [s.get_primitive(U64, 0) for s in lst.structs()] == [10, 20]
    assert r.total_size() == (7, 0)


def test_struct_list_of_zero_sized_structs() -> None:
    """A struct list whose elements take no words still has a length (and a tag)."""
    r = root(sp(0, 0, 1), lp(0, COMPOSITE, 0), sp(1000, 0, 0))
    lst = r.get_list(0, COMPOSITE)
    assert len(lst) == 1000
    assert lst.get_struct(999).get_primitive(U64, 0, 3) == 3
    assert r.total_size() == (2, 0)


def test_struct_list_tag_errors() -> None:
    """A tag that is not a struct tag, or elements that overrun the word count, are rejected."""
    with pytest.raises(MalformedList):
        root(sp(0, 0, 1), lp(0, COMPOSITE, 1), lp(1, BYTE, 1), NULL).get_list(0, None)
    with pytest.raises(MalformedList):
        root(sp(0, 0, 1), lp(0, COMPOSITE, 1), sp(2, 1, 0), w(1)).get_list(0, None)


def test_list_of_lists() -> None:
    """A pointer list whose elements are lists (List(List(UInt8)))."""
    r = root(
        sp(0, 0, 1),
        lp(0, PTR, 2),
        lp(1, BYTE, 3),
        lp(1, BYTE, 0),
        b"\x01\x02\x03" + bytes(5),
    )
    outer = r.get_list(0, PTR)
    assert [outer.get_list(i, BYTE).primitives(U8) for i in range(2)] == [[1, 2, 3], []]
    assert outer.get_list(1, None).element_size == BYTE


def test_empty_lists_are_not_null() -> None:
    """A zero-length list is a non-null pointer (a field that was set) and reads as empty."""
    r = root(sp(0, 0, 2), lp(0, FOUR, 0), NULL)
    assert r.has_pointer(0) and not r.has_pointer(1)
    assert len(r.get_list(0, FOUR)) == 0 and len(r.get_list(1, FOUR)) == 0


# -- text and data -----------------------------------------------------------------------------


def test_empty_text_versus_null_text() -> None:
    """Empty text is a one-byte list holding the NUL; a null pointer reads as the default."""
    r = root(sp(0, 0, 2), lp(1, BYTE, 1), NULL, bytes(8))
    assert r.has_pointer(0) and r.get_text(0) == "" and r.get_text(0, "dflt") == ""
    assert not r.has_pointer(1) and r.get_text(1, "dflt") == "dflt"


def test_text_utf8_and_nul() -> None:
    """Text is UTF-8 followed by a NUL that is part of the list but not of the value."""
    raw = "héllo 🙂".encode("utf-8")
    body = raw + b"\0"
    body += bytes(-len(body) % 8)
    r = root(sp(0, 0, 1), lp(0, BYTE, len(raw) + 1), body)
    assert r.get_text(0) == "héllo 🙂"
    assert r.get_text_bytes(0) == raw
    assert r.get_pointer(0).get_text() == "héllo 🙂"
    assert len(r.get_list(0, BYTE)) == len(raw) + 1


def test_text_without_nul_is_invalid() -> None:
    """Text must end in NUL: a missing NUL, or a zero-length list, is InvalidText."""
    with pytest.raises(InvalidText):
        root(sp(0, 0, 1), lp(0, BYTE, 2), b"ab" + bytes(6)).get_text(0)
    with pytest.raises(InvalidText):
        root(sp(0, 0, 1), lp(0, BYTE, 0)).get_text(0)


def test_text_with_invalid_utf8_is_invalid() -> None:
    """Undecodable text raises InvalidText (a purecap error, not UnicodeDecodeError); the raw
    bytes stay available."""
    r = root(sp(0, 0, 1), lp(0, BYTE, 3), b"\xff\xfe\0" + bytes(5))
    with pytest.raises(InvalidText):
        r.get_text(0)
    assert r.get_text_bytes(0) == b"\xff\xfe"


def test_text_and_data_must_be_byte_lists() -> None:
    """Text/Data read from a list of another element size, or from a struct pointer, fail."""
    r = root(sp(0, 0, 2), lp(1, TWO, 1), sp(-1, 0, 0), bytes(8))
    with pytest.raises(ListElementSizeMismatch):
        r.get_text(0)
    with pytest.raises(ListElementSizeMismatch):
        r.get_data(0)
    with pytest.raises(WrongPointerKind):
        r.get_data(1)


def test_data_empty_versus_null_and_zero_copy_view() -> None:
    """Empty data (a zero-length byte list) is not null; get_data_view shares the buffer."""
    seg = bytearray(b"".join([sp(0, 0, 2), lp(0, BYTE, 0), lp(0, BYTE, 5), b"abcde\0\0\0"]))
    r = read(seg).get_root()
    assert r.has_pointer(0) and r.get_data(0) == b""
    assert r.get_data(1) == b"abcde"
    view = r.get_data_view(1)
    seg[24] = ord("X")
    assert bytes(view) == b"Xbcde"  # a view, not a copy


# -- AnyPointer ---------------------------------------------------------------------------------


def test_pointer_types() -> None:
    """An untyped pointer reports what it holds; kinds are checked when it is read."""
    r = root(sp(0, 0, 4), NULL, sp(2, 0, 0), lp(1, BYTE, 0), cp(7))
    kinds = [r.get_pointer(i).pointer_type() for i in range(4)]
    assert kinds == [
        PointerType.NULL, PointerType.STRUCT, PointerType.LIST, PointerType.CAPABILITY
    ]
    with pytest.raises(WrongPointerKind):
        r.get_pointer(2).get_struct()
    with pytest.raises(WrongPointerKind):
        r.get_pointer(1).get_list()
    with pytest.raises(WrongPointerKind):
        r.get_pointer(1).get_capability()
    with pytest.raises(WrongPointerKind):
        r.get_pointer(3).get_struct()
    with pytest.raises(WrongPointerKind):
        r.get_list(3, None)
    assert r.get_pointer(3).get_capability() == 7
    assert r.get_pointer(0).get_capability() is None
    assert r.get_pointer(0).get_struct() is EMPTY_STRUCT


def test_other_pointer_that_is_not_a_capability() -> None:
    """Kind 3 with non-zero upper bits of the low half is reserved: not a capability."""
    seg = sp(0, 0, 1) + _HALVES.pack(3 | (1 << 2), 0)
    r = read(seg).get_root()
    with pytest.raises(WrongPointerKind):
        r.get_pointer(0).pointer_type()
    with pytest.raises(WrongPointerKind):
        r.get_capability(0)


def test_capabilities_and_total_size() -> None:
    """Capability pointers hold a table index; total_size counts them apart from words."""
    r = root(sp(0, 0, 3), cp(0), cp(5), cp(0xFFFFFFFF))
    assert [r.get_capability(i) for i in range(3)] == [0, 5, 0xFFFFFFFF]
    assert r.total_size() == (3, 3)
    assert read(b"".join([sp(0, 0, 3), cp(0), cp(5), cp(0xFFFFFFFF)])).total_size() == (3, 3)


# -- schema evolution: reading lists as other element types (layout.c++ readListPointer) -------


def test_primitive_list_read_as_struct_list() -> None:
    """A List(UInt32) read as a struct list: each element is a struct whose data section is the
    one element (4 bytes), so its first UInt32 field is the old value and later ones default."""
    r = root(sp(0, 0, 1), lp(0, FOUR, 3), struct.pack("<3I", 7, 8, 9) + bytes(4))
    lst = r.get_list(0, COMPOSITE)
    assert len(lst) == 3
    elements = [lst.get_struct(i) for i in range(3)]
    assert [(e.data_size, e.pointer_count) for e in elements] == [(4, 0)] * 3
    assert [e.get_primitive(U32, 0) for e in elements] == [7, 8, 9]
    assert elements[0].get_primitive(U32, 4, 55) == 55  # past the 4-byte "struct"
    assert elements[0].get_primitive(U64, 0, 66) == 66  # straddles the end: default


def test_pointer_list_read_as_struct_list() -> None:
    """A List(Text) read as a struct list: each element is a struct of one pointer."""
    r = root(sp(0, 0, 1), lp(0, PTR, 2), lp(1, BYTE, 2), NULL, b"x\0" + bytes(6))
    lst = r.get_list(0, COMPOSITE)
    first = lst.get_struct(0)
    assert (first.data_size, first.pointer_count) == (0, 1)
    assert first.get_text(0) == "x"
    assert not lst.get_struct(1).has_pointer(0)


def test_byte_list_read_as_struct_list_with_sub_word_data() -> None:
    """A struct made from a one-byte element has a one-byte data section."""
    r = root(sp(0, 0, 1), lp(0, BYTE, 2), b"\x05\x06" + bytes(6))
    lst = r.get_list(0, COMPOSITE)
    assert lst.get_struct(1).get_primitive(U8, 0) == 6
    assert lst.get_struct(1).get_primitive(U16, 0, 9) == 9
    assert lst.get_struct(1).get_bool(0) is False and lst.get_struct(0).get_bool(0) is True


def test_struct_list_read_as_primitive_list() -> None:
    """A struct list read as List(UInt32) reads each element's first data field: the new schema
    turned the old primitive into a struct whose first field is that primitive."""
    r = root(
        sp(0, 0, 1), lp(0, COMPOSITE, 4), sp(2, 1, 1),
        w(0x1111111100000007), NULL, w(0x2222222200000008), NULL,
    )
    lst = r.get_list(0, FOUR)
    assert lst.element_size == COMPOSITE
    assert [lst.get_primitive(i, U32) for i in range(2)] == [7, 8]
    assert lst.primitives(U32) == [7, 8]
    assert lst.primitives(U64) == [0x1111111100000007, 0x2222222200000008]
    assert r.get_list(0, EIGHT).get_primitive(1, U64) == 0x2222222200000008
    assert r.get_list(0, BYTE).get_primitive(0, U8) == 7
    assert r.get_list(0, VOID) is not None  # Void accepts anything but bits


def test_struct_list_read_as_pointer_list() -> None:
    """A struct list read as a pointer list reads each element's first pointer."""
    r = root(
        sp(0, 0, 1), lp(0, COMPOSITE, 4), sp(2, 1, 1),
        w(1), lp(2, BYTE, 2), w(2), NULL, b"q\0" + bytes(6),
    )
    lst = r.get_list(0, PTR)
    assert lst.get_text(0) == "q"
    assert lst.get_pointer(1).is_null()


@pytest.mark.parametrize(
    "words,expected",
    [
        # pointer-only structs read as primitives
        ((lp(0, COMPOSITE, 1), sp(1, 0, 1), NULL), FOUR),
        # data-only structs read as pointers
        ((lp(0, COMPOSITE, 1), sp(1, 1, 0), w(0)), PTR),
        # a struct list read as a bit list (upgrading bools is not supported)
        ((lp(0, COMPOSITE, 1), sp(1, 1, 0), w(0)), BIT),
        # a bit list read as anything else
        ((lp(0, BIT, 3), w(0)), BYTE),
        ((lp(0, BIT, 3), w(0)), COMPOSITE),
        ((lp(0, BIT, 3), w(0)), VOID),
        # elements too small for the expected type
        ((lp(0, BYTE, 3), w(0)), TWO),
        ((lp(0, FOUR, 2), w(0)), EIGHT),
        ((lp(0, VOID, 3),), BYTE),
        ((lp(0, EIGHT, 1), w(0)), PTR),
        ((lp(0, PTR, 1), NULL), EIGHT),
    ],
)
def test_incompatible_list_upgrades_are_rejected(
    words: Tuple[bytes, ...], expected: ElementSize
) -> None:
    """Element sizes that cannot stand for the expected type raise ListElementSizeMismatch."""
    r = root(sp(0, 0, 1), *words)
    with pytest.raises(ListElementSizeMismatch):
        r.get_list(0, expected)
    r.get_list(0, None)  # any list is a valid AnyList


@pytest.mark.parametrize(
    "words,expected",
    [
        ((lp(0, EIGHT, 2), w(0x0102030405060708, 9)), BYTE),  # larger elements: first bytes
        ((lp(0, EIGHT, 2), w(0x0102030405060708, 9)), FOUR),
        ((lp(0, FOUR, 2), w(0)), VOID),
        ((lp(0, BYTE, 2), w(0x0201)), BIT),  # C++ accepts it too, reading consecutive bits
    ],
)
def test_compatible_list_reads(words: Tuple[bytes, ...], expected: ElementSize) -> None:
    """Larger elements than expected are fine: each element's first bytes are read."""
    lst = root(sp(0, 0, 1), *words).get_list(0, expected)
    assert len(lst) == 2
    if expected == BYTE:
        assert lst.primitives(U8) == [8, 9]
    elif expected == FOUR:
        assert lst.primitives(U32) == [0x05060708, 9]
    elif expected == BIT:
        assert lst.bools() == [True, False]  # bits 0 and 1 of byte 0 (see the next test)


def test_bool_list_view_of_a_byte_list_reads_consecutive_bits_like_cpp() -> None:
    """readListPointer accepts a BYTE list where a BIT list is expected (1 data bit <= 8), and
    C++ then reads bit ``i`` of the list's data for element ``i``, whatever the step."""
    lst = root(sp(0, 0, 1), lp(0, BYTE, 2), w(0x0003)).get_list(0, BIT)
    assert lst.bools() == [True, True]  # bits 0 and 1 of byte 0


def test_bit_list_elements_are_not_structs() -> None:
    """A Bool list read through AnyList cannot be turned into structs."""
    lst = root(sp(0, 0, 1), lp(0, BIT, 3), w(5)).get_list(0, None)
    with pytest.raises(ListElementSizeMismatch):
        lst.get_struct(0)


def test_primitive_and_pointer_reads_of_mismatched_lists() -> None:
    """Reading numbers from pointer/void elements gives zeros; pointers of data-only elements
    are null (these come from lists accepted as AnyList)."""
    ptrs = root(sp(0, 0, 1), lp(0, PTR, 2), lp(1, BYTE, 0), NULL).get_list(0, None)
    assert ptrs.get_primitive(0, U32) == 0 and ptrs.primitives(U8) == [0, 0]
    assert ptrs.get_bool(0) is False
    data = root(sp(0, 0, 1), lp(0, FOUR, 2), w(0)).get_list(0, None)
    assert data.get_pointer(0).is_null()
    assert data.get_text(1) == "" and data.get_data(1) == b"" and data.get_capability(0) is None
    assert len(data.get_list(0, BYTE)) == 0
    assert data.get_struct_element_pointer(0) is EMPTY_STRUCT


# -- far pointers --------------------------------------------------------------------------------


def test_single_far_pointer_to_struct() -> None:
    """A far pointer names a landing pad in another segment; the pad is an ordinary pointer
    relative to its own position."""
    msg = read(fp(1, 1), NULL + sp(0, 1, 0) + w(42))
    assert msg.root_pointer().pointer_type() == PointerType.STRUCT
    r = msg.get_root()
    assert (r.segment_index, r.get_primitive(U64, 0)) == (1, 42)
    assert msg.total_size() == (1, 0)  # the pad is overhead, not counted


def test_double_far_pointer_to_list() -> None:
    """A double-far's two-word pad is a far pointer to the object's first word plus a tag whose
    offset is unused."""
    seg0 = sp(0, 0, 1) + fp(0, 1, double=True)
    seg1 = fp(1, 2) + _HALVES.pack((123 << 2) | 1, BYTE | (3 << 3))  # tag: offset ignored
    seg2 = NULL + b"ok\0" + bytes(5)
    msg = read(seg0, seg1, seg2)
    r = msg.get_root()
    assert r.get_pointer(0).pointer_type() == PointerType.LIST
    assert r.get_text(0) == "ok"
    assert r.get_list(0, BYTE).segment_index == 2
    assert msg.total_size() == (2, 0)


def test_double_far_pointer_to_struct() -> None:
    """The same for a struct: its sizes come from the tag in the pad, its words from the far
    pointer's target in a third segment."""
    seg0 = fp(0, 1, double=True)
    seg1 = fp(0, 2) + sp(0, 1, 0)
    seg2 = w(9)
    assert read(seg0, seg1, seg2).get_root().get_primitive(U64, 0) == 9


@pytest.mark.parametrize(
    "segments,error",
    [
        ((fp(0, 1),), PointerOutOfBounds),  # no segment 1
        ((fp(1, 1), NULL), PointerOutOfBounds),  # pad beyond segment 1
        ((fp(0, 1, True), NULL), PointerOutOfBounds),  # double pad needs two words
        ((fp(0, 1), fp(0, 1)), WrongPointerKind),  # a pad that is itself far
        ((fp(0, 1, True), sp(0, 0, 0) + sp(0, 0, 0)), WrongPointerKind),  # first pad word not far
        ((fp(0, 1, True), fp(0, 5) + sp(0, 0, 0)), PointerOutOfBounds),  # to missing segment
        ((fp(0, 1, True), fp(0, 0) + fp(0, 0)), WrongPointerKind),  # tag is far
        ((fp(0, 1), sp(0, 1, 0)), PointerOutOfBounds),  # struct past segment 1
    ],
)
def test_far_pointer_errors(segments: Tuple[bytes, ...], error: type) -> None:
    """Malformed far pointers raise the matching DecodeError, naming where they were found."""
    with pytest.raises(error) as info:
        read(*segments).get_root()
    assert isinstance(info.value, DecodeError) and info.value.segment is not None


def test_errors_behind_a_far_pointer_name_the_pointer_or_its_pad() -> None:
    """A bad landing pad is reported where the far pointer is (segment 0, word 1) or where the
    pad is (segment 1, word 2)."""
    seg0 = sp(0, 0, 1) + fp(2, 1)
    seg1 = NULL + NULL + lp(0, BYTE, 0)  # the pad holds a list where a struct is expected
    with pytest.raises(WrongPointerKind) as info:
        read(seg0, seg1).get_root().get_struct(0)
    assert (info.value.segment, info.value.word_offset) in ((0, 1), (1, 2))


# -- bounds and limits ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "words",
    [
        (sp(0, 2, 0), w(1)),  # struct one word short
        (sp(-2, 1, 0),),  # struct before the segment start
        (sp(5, 1, 0), w(1)),
        (sp(0, 0, 1), lp(0, EIGHT, 2), w(1)),
        (sp(0, 0, 1), lp(0, BIT, 65), w(1)),
        (sp(0, 0, 1), lp(0, COMPOSITE, 1), sp(1, 1, 0)),  # tag fits, element does not
        (sp(0, 0, 1), lp(-3, BYTE, 1)),
    ],
)
def test_out_of_bounds_objects(words: Tuple[bytes, ...]) -> None:
    """Objects must lie within their segment (C++ boundsCheck)."""
    msg = read(b"".join(words))
    with pytest.raises(PointerOutOfBounds) as info:
        r = msg.get_root()
        if r.pointer_count:
            r.get_list(0, None)
    assert info.value.word_offset is not None


def test_traversal_limit_charges_every_read() -> None:
    """Every read of an object is charged, even of the same object: a message whose pointers all
    reach one big object cannot make a reader do unbounded work (C++ ReadLimiter)."""
    seg = b"".join([sp(0, 0, 2), lp(1, EIGHT, 10), lp(0, EIGHT, 10), bytes(80)])
    msg = read(seg, limits=ReadLimits(traversal_limit_words=2 + 2 + 10 + 10))
    r = msg.get_root()  # 2 words for the root pointer (charged twice, as C++ does), 2 words
    r.get_list(0, EIGHT)  # 10
    r.get_list(1, EIGHT)  # 10: budget now exactly spent
    with pytest.raises(TraversalLimitExceeded):
        r.get_list(0, EIGHT)
    msg.reset_budget()
    r.get_list(0, EIGHT)


def test_amplified_void_and_empty_struct_lists_are_charged_per_element() -> None:
    """Lists whose elements take no space are charged one word per element, so a tiny message
    claiming billions of elements trips the traversal limit (C++ amplifiedRead)."""
    limits = ReadLimits(traversal_limit_words=1000)
    void = read(sp(0, 0, 1) + lp(0, VOID, (1 << 29) - 1), limits=limits)
    with pytest.raises(TraversalLimitExceeded):
        void.get_root().get_list(0, None)
    empty_structs = read(
        sp(0, 0, 1) + lp(0, COMPOSITE, 0) + sp((1 << 29) - 1, 0, 0), limits=limits
    )
    with pytest.raises(TraversalLimitExceeded):
        empty_structs.get_root().get_list(0, None)
    ok = read(sp(0, 0, 1) + lp(0, VOID, 900), limits=limits)
    assert len(ok.get_root().get_list(0, VOID)) == 900


def test_nesting_limit_stops_cycles() -> None:
    """A struct pointing at itself is a cycle: following it hits the nesting limit rather than
    recursing forever."""
    msg = read(sp(0, 0, 1) + sp(-1, 0, 1), limits=ReadLimits(nesting_limit=10))
    s = msg.get_root()
    depth = 1
    with pytest.raises(NestingLimitExceeded):
        while True:
            s = s.get_struct(0)
            depth += 1
    assert depth == 10


def test_nesting_limit_counts_lists_too() -> None:
    """Each pointer followed uses one level, lists included; a limit of 1 allows the root only."""
    seg = sp(0, 0, 1) + lp(0, PTR, 1) + lp(0, PTR, 0)
    r = read(seg, limits=ReadLimits(nesting_limit=1)).get_root()
    with pytest.raises(NestingLimitExceeded):
        r.get_list(0, None)
    lst = read(seg, limits=ReadLimits(nesting_limit=2)).get_root().get_list(0, None)
    with pytest.raises(NestingLimitExceeded):
        lst.get_list(0, None)


def test_errors_are_purecap_errors_with_location() -> None:
    """Every decoding failure is a PurecapError naming the segment and word of the bad pointer."""
    msg = read(sp(0, 0, 1) + sp(100, 1, 0))
    with pytest.raises(PurecapError) as info:
        msg.get_root().get_struct(0)
    err = info.value
    assert isinstance(err, PointerOutOfBounds)
    assert (err.segment, err.word_offset) == (0, 1)
    assert "segment 0" in str(err) and "word 1" in str(err)


# -- buffers -----------------------------------------------------------------------------------


def test_segments_of_any_buffer_type() -> None:
    """Segments may be bytes, bytearray, memoryview or any buffer (an array of words); reading
    uses them in place. A partial trailing word is ignored."""
    words = sp(0, 1, 0) + w(0xABCDEF)
    arr = array.array("Q", [U64.unpack(words[:8])[0], 0xABCDEF])
    for seg in (words, bytearray(words), memoryview(words), arr, words + b"\x01\x02\x03"):
        assert MessageReader([seg]).get_root().get_primitive(U64, 0) == 0xABCDEF
    arr[1] = 5  # zero-copy: the reader sees the array's memory
    assert MessageReader([arr]).get_root().get_primitive(U64, 0) == 5
