"""Unit tests of ``purecap.wire.builder``: the bytes the builders write.

Expected words are assembled with the helpers of ``tests/wire/randomtrees.py`` (``sp``, ``lp``,
``fp``, ``cp``, ``w``) so that each test states the exact encoding, and where the builder's
allocation decisions matter they follow C++ ``MallocMessageBuilder`` and layout.c++ ``allocate``.
"""

from __future__ import annotations

import random
import struct
from typing import Callable, List, Tuple

import pytest

from purecap.wire.builder import MessageBuilder, StructBuilder
from purecap.wire.errors import BuilderError
from purecap.wire.pointers import ElementSize, PointerType
from purecap.wire.reader import MessageReader
from tests.wire.randomtrees import (
    StructListValue,
    StructValue,
    TreeGenerator,
    build_struct,
    check_pointer,
    check_struct,
    cp,
    fp,
    live_words,
    lp,
    seed_from_env,
    sp,
    w,
)

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


def words_of(message: MessageBuilder, segment: int = 0) -> List[bytes]:
    """The used words of one segment, one ``bytes`` per word (readable in assertion diffs)."""
    seg = message.to_segments()[segment]
    return [seg[i : i + 8] for i in range(0, len(seg), 8)]


def split(*words: bytes) -> List[bytes]:
    """Expected words, one per item, however they were written."""
    joined = b"".join(words)
    return [joined[i : i + 8] for i in range(0, len(joined), 8)]


def assert_only_live_words(message: MessageBuilder) -> None:
    """Every word outside the tree (objects, pointers, landing pads) is zero: nothing that was
    overwritten or cleared left data behind (layout.c++ zeroObject)."""
    segments = message.to_segments()
    live = live_words(segments)
    for si, seg in enumerate(segments):
        for wi in range(len(seg) >> 3):
            if (si, wi) not in live:
                assert seg[wi * 8 : wi * 8 + 8] == NULL, f"stale word {si}:{wi}"


def segment_sizes(message: MessageBuilder) -> Tuple[List[int], List[int]]:
    """(used words, allocated words) of each segment."""
    return list(message.used_words), [len(s) >> 3 for s in message.segments]


# -- the root and the data section ------------------------------------------------------------


def test_init_root_layout() -> None:
    """The root pointer is word 0 of segment 0; the root struct follows it: data words, then
    pointers."""
    m = MessageBuilder()
    root = m.init_root(2, 1)
    root.set_primitive(U64, 0, 0x0102030405060708)
    assert words_of(m) == split(sp(0, 2, 1), w(0x0102030405060708, 0), NULL)
    assert (root.data_size, root.pointer_count) == (16, 1)


def test_empty_message_and_empty_root() -> None:
    """A message with nothing set is one null root word; an empty root struct is the -1 offset
    encoding and takes no words of its own."""
    assert MessageBuilder().to_segments() == [NULL]
    m = MessageBuilder()
    m.init_root(0, 0)
    assert m.to_segments() == [EMPTY_STRUCT_WORD]
    assert m.as_reader().root_pointer().pointer_type() == PointerType.STRUCT


_PRIMITIVE_CASES: List[Tuple[struct.Struct, List[float]]] = [
    (I8, [-128, -1, 127]),
    (U8, [1, 0x80, 255]),
    (I16, [-32768, -1, 32767]),
    (U16, [1, 0x8000, 65535]),
    (I32, [-(1 << 31), -1, (1 << 31) - 1]),
    (U32, [1, 1 << 31, (1 << 32) - 1]),
    (I64, [-(1 << 63), -1, (1 << 63) - 1]),
    (U64, [1, 1 << 63, (1 << 64) - 1]),
    (F32, [-0.0, 1.5, float("inf")]),
    (F64, [-0.0, 1e-300, float("-inf")]),
]


@pytest.mark.parametrize("fmt,values", _PRIMITIVE_CASES, ids=lambda x: getattr(x, "format", ""))
def test_set_every_primitive_at_every_offset(fmt: struct.Struct, values: List[float]) -> None:
    """Each primitive lands little-endian at its byte offset and touches no other byte."""
    for offset in range(0, 24, fmt.size):
        for value in values:
            m = MessageBuilder()
            root = m.init_root(3, 0)
            root.set_primitive(fmt, offset, value)
            expected = bytearray(24)
            fmt.pack_into(expected, offset, value)
            assert m.to_segments()[0][8:] == bytes(expected)
            assert root.get_primitive(fmt, offset) == value
            assert m.as_reader().get_root().get_primitive(fmt, offset) == value


def test_set_bool_at_every_bit() -> None:
    """Setting and clearing bool ``n`` changes bit ``n % 8`` of byte ``n // 8`` only."""
    m = MessageBuilder()
    root = m.init_root(2, 0)
    root.set_primitive(U64, 8, 0x5555555555555555)
    for bit in range(128):
        before = m.to_segments()[0]
        value = not root.get_bool(bit)
        root.set_bool(bit, value)
        after = m.to_segments()[0]
        assert root.get_bool(bit) is value
        assert int.from_bytes(before, "little") ^ int.from_bytes(after, "little") == 1 << (
            64 + bit
        )


def test_data_section_bounds() -> None:
    """Writing outside the data section is a BuilderError; reading past it gives the default."""
    root = MessageBuilder().init_root(1, 0)
    with pytest.raises(BuilderError):
        root.set_primitive(U32, 8, 1)
    with pytest.raises(BuilderError):
        root.set_primitive(U64, 4, 1)
    with pytest.raises(BuilderError):
        root.set_bool(64, True)
    assert root.get_primitive(U32, 8, 17) == 17
    assert root.get_bool(64) is False


@pytest.mark.parametrize(
    "fmt,value",
    [
        (U8, 256),
        (I8, -129),
        (U16, -1),
        (I32, 1 << 31),
        (U64, 1 << 64),
        (U32, 1.5),
        (U64, -1),  # PyPy raises ValueError here, CPython struct.error: both become BuilderError
    ],
)
def test_values_that_do_not_fit_are_builder_errors(fmt: struct.Struct, value: float) -> None:
    """A value out of the field's range raises BuilderError (not struct.error or ValueError),
    on every interpreter."""
    root = MessageBuilder().init_root(1, 0)
    with pytest.raises(BuilderError):
        root.set_primitive(fmt, 0, value)
    lst = MessageBuilder().init_root(0, 1).init_list(0, EIGHT, 1)
    with pytest.raises(BuilderError):
        lst.set_primitive(0, fmt, value)


@pytest.mark.parametrize("action", ["cap 2**32", "cap -1", "data -1"])
def test_out_of_range_capability_indexes_and_blob_sizes_are_builder_errors(action: str) -> None:
    """A capability index must fit 32 bits and a blob size cannot be negative: BuilderError."""
    root = MessageBuilder().init_root(0, 1)
    with pytest.raises(BuilderError):
        if action == "cap 2**32":
            root.set_capability(0, 1 << 32)
        elif action == "cap -1":
            root.set_capability(0, -1)
        else:
            root.init_data(0, -1)


def test_struct_sizes_and_pointer_indexes_are_checked() -> None:
    """Sections hold at most 65535 words/pointers; pointer indexes must exist."""
    m = MessageBuilder()
    with pytest.raises(BuilderError):
        m.init_root(0x10000, 0)
    root = m.init_root(0, 2)
    with pytest.raises(BuilderError):
        root.init_struct(0, 0, 0x10000)
    with pytest.raises(BuilderError):
        root.init_struct_list(0, 1, -1, 0)
    for bad in (2, -1):
        with pytest.raises(BuilderError):
            root.get_pointer(bad)
        with pytest.raises(BuilderError):
            root.set_text(bad, "x")
    assert not root.has_pointer(2)
    with pytest.raises(ValueError):
        MessageBuilder(first_segment_words=0)


# -- pointers: structs, lists, blobs ------------------------------------------------------------


def test_child_struct_layout() -> None:
    """A child struct is allocated right after its parent (same segment), its pointer offset
    counted from the end of the pointer word."""
    m = MessageBuilder()
    root = m.init_root(0, 2)
    a = root.init_struct(1, 1, 0)
    a.set_primitive(U64, 0, 5)
    b = root.init_struct(0, 0, 0)
    assert words_of(m) == split(sp(0, 0, 2), EMPTY_STRUCT_WORD, sp(0, 1, 0), w(5))
    assert (b.data_size, b.pointer_count) == (0, 0)
    assert m.as_reader().get_root().get_struct(1).get_primitive(U64, 0) == 5


@pytest.mark.parametrize(
    "es,count,words",
    [
        (VOID, 5, 0),
        (BIT, 0, 0),
        (BIT, 64, 1),
        (BIT, 65, 2),
        (BYTE, 9, 2),
        (TWO, 4, 1),
        (FOUR, 3, 2),
        (EIGHT, 2, 2),
        (PTR, 3, 3),
    ],
)
def test_init_list_of_every_element_size(es: ElementSize, count: int, words: int) -> None:
    """A list pointer's element size and count, and the words the list occupies (rounded up)."""
    m = MessageBuilder()
    lst = m.init_root(0, 1).init_list(0, es, count)
    assert len(lst) == count
    assert words_of(m) == split(sp(0, 0, 1), lp(0, es, count)) + [NULL] * words
    read_back = m.as_reader().get_root().get_list(0, es)
    assert (len(read_back), read_back.element_size) == (count, es)


def test_primitive_list_elements() -> None:
    """List elements are packed tightly; bits least significant first."""
    m = MessageBuilder()
    root = m.init_root(0, 3)
    u16 = root.init_list(0, TWO, 3)
    for i, v in enumerate([1, 0xFFFF, 0x1234]):
        u16.set_primitive(i, U16, v)
    bits = root.init_list(1, BIT, 10)
    for i in (0, 3, 9):
        bits.set_bool(i, True)
    bits.set_bool(3, False)
    bits.set_bool(3, True)
    i64 = root.init_list(2, EIGHT, 1)
    i64.set_primitive(0, I64, -2)
    assert words_of(m)[4:] == split(
        struct.pack("<3H", 1, 0xFFFF, 0x1234) + bytes(2),
        bytes([0b00001001, 0b10]) + bytes(6),
        w((1 << 64) - 2),
    )
    assert [u16.get_primitive(i, U16) for i in range(3)] == [1, 0xFFFF, 0x1234]
    assert [bits.get_bool(i) for i in range(10)] == [i in (0, 3, 9) for i in range(10)]
    assert i64.get_primitive(-1, I64) == -2
    with pytest.raises(IndexError):
        u16.set_primitive(3, U16, 0)
    with pytest.raises(BuilderError):
        u16.set_primitive(0, U32, 0)  # elements too small
    with pytest.raises(BuilderError):
        u16.get_struct(0)  # not a struct list
    with pytest.raises(BuilderError):
        u16.get_pointer(0)  # no pointers
    with pytest.raises(BuilderError):
        root.init_list(0, VOID, 1).set_bool(0, True)


def test_init_list_argument_errors() -> None:
    """Struct lists have their own call; element counts are 29-bit."""
    root = MessageBuilder().init_root(0, 1)
    with pytest.raises(BuilderError):
        root.init_list(0, COMPOSITE, 1)
    with pytest.raises(BuilderError):
        root.init_list(0, BYTE, -1)
    with pytest.raises(BuilderError):
        root.init_list(0, BYTE, 1 << 29)


def test_struct_list_layout() -> None:
    """A struct list: pointer with the word count, then a tag (element count in the offset
    field, each element's sizes), then the elements back to back."""
    m = MessageBuilder()
    lst = m.init_root(0, 1).init_struct_list(0, 2, 1, 1)
    lst.get_struct(0).set_primitive(U32, 0, 7)
    lst.get_struct(1).set_primitive(U32, 4, 8)
    lst.get_struct(1).set_text(0, "z")
    assert words_of(m) == split(
        sp(0, 0, 1),
        lp(0, COMPOSITE, 4),
        sp(2, 1, 1),
        w(7), NULL,
        w(8 << 32), lp(0, BYTE, 2),
        b"z\0" + bytes(6),
    )
    assert (lst.step_bits, lst.data_bits, lst.pointer_count) == (128, 64, 1)
    empty = MessageBuilder()
    empty.init_root(0, 1).init_struct_list(0, 0, 3, 3)
    assert words_of(empty) == split(sp(0, 0, 1), lp(0, COMPOSITE, 0), sp(0, 3, 3))


def test_list_of_lists() -> None:
    """A pointer list's elements are ordinary pointers, each relative to its own word."""
    m = MessageBuilder()
    outer = m.init_root(0, 1).init_list(0, PTR, 2)
    outer.get_pointer(1).init_list(BYTE, 2).set_primitive(1, U8, 9)
    outer.get_pointer(0).init_list(VOID, 4)
    # The Void list takes no words: its offset is where the next allocation would be (word 5).
    assert words_of(m) == split(
        sp(0, 0, 1), lp(0, PTR, 2), lp(2, VOID, 4), lp(0, BYTE, 2), w(9 << 8)
    )
    lists = m.as_reader().get_root().get_list(0, PTR)
    assert len(lists.get_list(0, VOID)) == 4
    assert lists.get_list(1, BYTE).primitives(U8) == [0, 9]


def test_text_and_data_layout() -> None:
    """Text is a byte list with a NUL (empty text: one byte); Data has no NUL (empty data: zero
    bytes, still a non-null pointer)."""
    m = MessageBuilder()
    root = m.init_root(0, 5)
    root.set_text(0, "hi")
    root.set_text(1, "")
    root.set_data(2, b"")
    root.set_data(3, b"12345678")
    root.set_text(4, "é".encode("utf-8"))
    assert words_of(m) == split(
        sp(0, 0, 5),
        lp(4, BYTE, 3),
        lp(4, BYTE, 1),
        lp(4, BYTE, 0),
        lp(3, BYTE, 8),
        lp(3, BYTE, 3),
        b"hi\0" + bytes(5),
        NULL,
        b"12345678",
        "é".encode("utf-8") + bytes(6),
    )
    assert [root.get_text(i) for i in (0, 1, 4)] == ["hi", "", "é"]
    assert root.get_data(2) == b"" and root.has_pointer(2)
    assert root.get_data(3) == b"12345678"


def test_init_data_is_a_writable_view() -> None:
    """``init_data`` allocates zeroed bytes and returns a view to fill in place."""
    m = MessageBuilder()
    root = m.init_root(0, 1)
    view = root.init_data(0, 3)
    view[:] = b"abc"
    assert root.get_data(0) == b"abc"
    assert m.as_reader().get_root().get_data(0) == b"abc"


def test_pointer_builder_reads_back() -> None:
    """PointerBuilder mirrors what it holds (AnyPointer)."""
    m = MessageBuilder()
    root = m.init_root(0, 4)
    assert root.get_pointer(0).is_null()
    assert root.get_pointer(0).pointer_type() == PointerType.NULL
    root.get_pointer(0).set_text("t")
    root.get_pointer(1).set_data(b"d")
    root.get_pointer(2).init_struct(1, 0).set_primitive(U8, 0, 1)
    root.get_pointer(3).set_capability(4)
    assert root.get_pointer(0).get_text() == "t"
    assert root.get_pointer(1).get_data() == b"d"
    assert root.get_pointer(2).pointer_type() == PointerType.STRUCT
    assert root.get_pointer(2).get_struct(1, 0).get_primitive(U8, 0) == 1
    assert root.get_pointer(3).get_capability() == 4


# -- overwriting zeroes the old object ---------------------------------------------------------


def _tree_under(root: StructBuilder, index: int) -> None:
    """A nested object with all kinds of children, at pointer ``index`` of ``root``."""
    s = root.init_struct(index, 1, 4)
    s.set_primitive(U64, 0, 0x1111111111111111)
    s.set_text(0, "some text that spans a few words")
    inner = s.init_struct_list(1, 2, 1, 1)
    inner.get_struct(0).set_primitive(U64, 0, 0x2222)
    inner.get_struct(1).set_data(0, b"\x33" * 9)
    lists = s.get_pointer(2).init_list(PTR, 2)
    lists.get_pointer(0).init_list(EIGHT, 2).set_primitive(1, U64, 0x4444)
    lists.get_pointer(1).init_struct(1, 0).set_primitive(U64, 0, 0x5555)
    s.set_capability(3, 0)


@pytest.mark.parametrize(
    "first_segment_words,fixed", [(1024, False), (2, True), (5, True), (3, False)]
)
def test_overwriting_a_pointer_zeroes_the_old_object(
    first_segment_words: int, fixed: bool
) -> None:
    """Replacing what a pointer holds zeroes the old object and all it reaches, landing pads
    included, so that stale data neither leaks nor costs space when packed (layout.c++
    zeroObject). Small segments make the old objects sit behind far pointers."""
    m = MessageBuilder(first_segment_words=first_segment_words, fixed_size=fixed)
    root = m.init_root(1, 2)
    root.set_primitive(U64, 0, 0x9999)
    _tree_under(root, 0)
    root.set_text(1, "keep me")
    replacements: List[Callable[[], object]] = [
        lambda: root.set_text(0, "new"),
        lambda: root.init_struct(0, 1, 0).set_primitive(U64, 0, 0xAB),
        lambda: root.init_list(0, BIT, 3).set_bool(1, True),
        lambda: root.init_struct_list(0, 1, 0, 1),
        lambda: root.set_data(0, b"\x01"),
        lambda: root.set_capability(0, 1),
        lambda: root.clear_pointer(0),
        lambda: _tree_under(root, 0),
    ]
    for replace in replacements:
        _tree_under(root, 0)
        replace()
        assert_only_live_words(m)
        r = m.as_reader().get_root()
        assert r.get_primitive(U64, 0) == 0x9999 and r.get_text(1) == "keep me"


def test_clear_pointer() -> None:
    """clear_pointer nulls the pointer and zeroes its object; clearing a null is a no-op."""
    m = MessageBuilder()
    root = m.init_root(0, 2)
    root.init_struct(0, 2, 0).set_primitive(U64, 8, 3)
    root.clear_pointer(0)
    root.clear_pointer(1)
    assert not root.has_pointer(0)
    assert words_of(m) == split(sp(0, 0, 2), NULL, NULL, NULL, NULL)
    assert m.used_words == [5]  # the space is not reused (no free list, like C++)


def test_zeroing_through_a_double_far() -> None:
    """An object reached through a double-far pointer is zeroed with both pad words."""
    m = _message_with_double_far()
    assert any(
        U32.unpack_from(seg, i)[0] & 7 == 6  # far with the double bit
        for seg in m.to_segments()
        for i in range(0, len(seg), 8)
    )
    m.get_root(0, 1).clear_pointer(0)
    assert all(not any(seg) for seg in m.to_segments()[1:])
    assert m.to_segments()[0] == sp(0, 0, 1) + bytes(32)


# -- capabilities ---------------------------------------------------------------------------


def test_capability_pointers_and_cap_table() -> None:
    """A capability pointer is kind 3 with the table index in the upper half; replacing or
    clearing it drops the table entry (C++ CapTableBuilder::dropCap), also when it is nested in
    a zeroed object."""
    table: List[object] = ["cap0", "cap1", "cap2", "cap3"]
    m = MessageBuilder(cap_table=table)
    root = m.init_root(0, 3)
    root.set_capability(0, 3)
    root.set_capability(1, 1)
    child = root.init_struct(2, 0, 1)
    child.set_capability(0, 2)
    assert words_of(m)[1:3] == split(cp(3), cp(1))
    assert root.get_pointer(0).get_capability() == 3
    assert m.as_reader().get_root().get_capability(1) == 1
    assert m.as_reader().total_size() == (4, 3)
    root.set_text(0, "replaced")
    assert table == ["cap0", "cap1", "cap2", None]
    root.set_capability(1, None)
    assert not root.has_pointer(1) and table[1] is None
    root.clear_pointer(2)
    assert table == ["cap0", None, None, None]
    root.set_capability(1, 77)  # indexes beyond the table are written as given
    assert root.get_pointer(1).get_capability() == 77
    root.clear_pointer(1)
    assert table == ["cap0", None, None, None]


# -- upgrades: get_struct / get_struct_list / get_list -----------------------------------------


def test_get_struct_upgrades_a_smaller_struct() -> None:
    """A struct written with an older, smaller layout is moved to a new allocation of the larger
    size: data copied, pointers transferred (their targets do not move), the old words zeroed
    (layout.c++ getWritableStructPointer)."""
    m = MessageBuilder()
    root = m.init_root(0, 1)
    old = root.init_struct(0, 1, 1)
    old.set_primitive(U64, 0, 0x1122)
    old.set_text(0, "txt")
    # words: 0 root ptr, 1 root's pointer, 2-3 old struct, 4 text
    new = root.get_struct(0, 2, 2)
    assert (new.data_size, new.pointer_count) == (16, 2)
    assert words_of(m) == split(
        sp(0, 0, 1),
        sp(3, 2, 2),  # -> word 5
        NULL, NULL,  # old struct, zeroed
        b"txt\0" + bytes(4),
        w(0x1122, 0),
        lp(-4, BYTE, 4),  # transferred: still points at word 4
        NULL,
    )
    assert new.get_text(0) == "txt" and not new.has_pointer(1)
    new.set_primitive(U16, 8, 5)
    again = root.get_struct(0, 1, 1)  # a smaller request keeps the larger struct in place
    assert (again.data_offset, again.data_size, again.pointer_count) == (new.data_offset, 16, 2)
    assert again.get_primitive(U16, 8) == 5
    assert_only_live_words(m)


def test_get_struct_upgrade_across_segments_uses_far_pointers() -> None:
    """When the larger copy lands in another segment, pointers into the old segment get landing
    pads - or a double-far when that segment is full - and the old far pad is zeroed."""
    m = _message_with_double_far()
    root = m.as_reader().get_root()
    s = root.get_struct(0)
    assert s.get_primitive(U64, 0) == 0x1122 and s.get_text(0) == "txt"
    assert_only_live_words(m)
    # A second upgrade moves it once more; everything stays readable and clean.
    bigger = m.get_root(0, 1).get_struct(0, 3, 3)
    bigger.set_text(2, "more")
    assert bigger.get_text(0) == "txt" and bigger.get_primitive(U64, 0) == 0x1122
    assert_only_live_words(m)


def _message_with_double_far() -> MessageBuilder:
    """Fixed 5-word segments: segment 0 fills up with the root, an old (1, 1) struct and its
    text; upgrading the struct puts it in segment 1, whose pointer to the text (segment 0, full)
    then needs a double-far pad in segment 2."""
    m = MessageBuilder(first_segment_words=5, fixed_size=True)
    root = m.init_root(0, 1)
    old = root.init_struct(0, 1, 1)
    old.set_primitive(U64, 0, 0x1122)
    old.set_text(0, "txt")
    assert segment_sizes(m) == ([5], [5])
    root.get_struct(0, 2, 2)
    assert segment_sizes(m) == ([5, 5, 2], [5, 5, 5])
    return m


def test_get_struct_on_null_and_defaults() -> None:
    """A null pointer is initialised (to a copy of ``default`` when given); a list or capability
    where a struct is wanted is a BuilderError."""
    m = MessageBuilder()
    root = m.init_root(0, 3)
    fresh = root.get_struct(0, 1, 0)
    assert (fresh.data_size, fresh.pointer_count) == (8, 0)
    dm = MessageBuilder()
    d = dm.init_root(1, 1)
    d.set_primitive(U64, 0, 42)
    d.set_text(0, "dflt")
    copied = root.get_struct(1, 1, 1, default=dm.as_reader().get_root())
    assert copied.get_primitive(U64, 0) == 42 and copied.get_text(0) == "dflt"
    copied.set_primitive(U64, 0, 43)
    assert dm.as_reader().get_root().get_primitive(U64, 0) == 42  # a copy, not a share
    root.set_text(2, "x")
    with pytest.raises(BuilderError):
        root.get_struct(2, 1, 0)


def test_get_struct_list_upgrades_struct_elements() -> None:
    """A struct list of smaller elements is reallocated with larger ones, each element's data
    and pointers moved over, the old list (tag included) zeroed."""
    m = MessageBuilder()
    root = m.init_root(0, 1)
    old = root.init_struct_list(0, 2, 1, 1)
    for i in range(2):
        old.get_struct(i).set_primitive(U64, 0, 10 + i)
        old.get_struct(i).set_text(0, "ab"[i])
    new = root.get_struct_list(0, 2, 2)
    assert (len(new), new.data_bits, new.pointer_count) == (2, 128, 2)
    for i in range(2):
        e = new.get_struct(i)
        assert e.get_primitive(U64, 0) == 10 + i and e.get_primitive(U64, 8) == 0
        assert e.get_text(0) == "ab"[i] and not e.has_pointer(1)
    assert_only_live_words(m)
    same = root.get_struct_list(0, 1, 0)  # already large enough: in place
    assert (same.start, same.data_bits) == (new.start, 128)


@pytest.mark.parametrize(
    "es,fmt,values",
    [(BYTE, U8, [1, 255]), (TWO, U16, [7, 8]), (FOUR, U32, [9, 1 << 31]), (EIGHT, U64, [1, 2])],
)
def test_get_struct_list_upgrades_a_primitive_list(
    es: ElementSize, fmt: struct.Struct, values: List[int]
) -> None:
    """A primitive list becomes a struct list whose elements' first field is the old value."""
    m = MessageBuilder()
    root = m.init_root(0, 1)
    old = root.init_list(0, es, len(values))
    for i, v in enumerate(values):
        old.set_primitive(i, fmt, v)
    new = root.get_struct_list(0, 1, 1)
    assert [new.get_struct(i).get_primitive(fmt, 0) for i in range(len(values))] == values
    assert m.as_reader().get_root().get_list(0, es).primitives(fmt) == values
    assert_only_live_words(m)


def test_get_struct_list_upgrades_a_pointer_list() -> None:
    """A pointer list becomes a struct list whose elements' first pointer is the old one."""
    m = MessageBuilder()
    root = m.init_root(0, 1)
    old = root.init_list(0, PTR, 3)
    old.set_text(0, "x")
    old.get_pointer(2).init_struct(1, 0).set_primitive(U8, 0, 3)
    new = root.get_struct_list(0, 1, 1)
    assert (new.data_bits, new.pointer_count) == (64, 1)
    assert new.get_struct(0).get_text(0) == "x"
    assert not new.get_struct(1).has_pointer(0)
    assert new.get_struct(2).as_reader().get_struct(0).get_primitive(U8, 0) == 3
    assert_only_live_words(m)


def test_get_struct_list_refuses_bit_lists_and_structs() -> None:
    """Bool lists cannot become struct lists (C++ dropped that upgrade); a struct pointer is not
    a list."""
    root = MessageBuilder().init_root(0, 2)
    root.init_list(0, BIT, 3)
    with pytest.raises(BuilderError):
        root.get_struct_list(0, 1, 0)
    root.init_struct(1, 1, 0)
    with pytest.raises(BuilderError):
        root.get_struct_list(1, 1, 0)
    with pytest.raises(BuilderError):
        root.get_list(1, BYTE)


def test_get_list_of_existing_lists() -> None:
    """get_list returns the existing list for writing when its elements can stand for the
    requested type; null gives an empty list."""
    m = MessageBuilder()
    root = m.init_root(0, 4)
    assert len(root.get_list(0, FOUR)) == 0
    eight = root.init_list(1, EIGHT, 2)
    as_four = root.get_list(1, FOUR)
    as_four.set_primitive(1, U32, 0xAABBCCDD)
    assert eight.get_primitive(1, U64) == 0xAABBCCDD
    with pytest.raises(BuilderError):
        root.get_list(1, BIT)
    structs = root.init_struct_list(2, 2, 1, 1)
    as_u32 = root.get_list(2, FOUR)
    as_u32.set_primitive(1, U32, 6)
    assert structs.get_struct(1).get_primitive(U32, 0) == 6
    root.get_list(2, PTR).set_text(0, "first pointer")
    assert structs.get_struct(0).get_text(0) == "first pointer"
    root.init_struct_list(3, 1, 0, 1)
    with pytest.raises(BuilderError):
        root.get_list(3, TWO)  # pointer-only structs have no data field
    with pytest.raises(BuilderError):
        root.get_list(3, BIT)


# -- segments and far pointers ----------------------------------------------------------------


def test_first_segment_too_small_for_the_root_struct() -> None:
    """An object that does not fit the segment of its pointer goes to a new segment, preceded by
    a landing pad, and the pointer becomes a far pointer to that pad (layout.c++ allocate)."""
    m = MessageBuilder(first_segment_words=2)
    root = m.init_root(1, 1)
    root.set_primitive(U64, 0, 7)
    segs = m.to_segments()
    assert segs == [fp(0, 1), sp(0, 1, 1) + w(7) + NULL]
    # Growth: the second segment is as large as everything so far (2) or the object (3).
    assert segment_sizes(m) == ([1, 3], [2, 3])
    r = MessageReader(segs).get_root()
    assert r.segment_index == 1 and r.get_primitive(U64, 0) == 7


def test_heuristic_growth_versus_fixed_size() -> None:
    """GROW_HEURISTICALLY: each new segment is as large as all before it together;
    FIXED_SIZE: each has the first one's size, unless an object needs more."""
    grow = MessageBuilder(first_segment_words=2)
    fixed = MessageBuilder(first_segment_words=2, fixed_size=True)
    for m in (grow, fixed):
        root = m.init_root(0, 4)  # 1 + 4 words: a new segment of 5
        for i in range(4):
            root.init_struct(i, 1, 0)  # 1 word each
    # Both: segment 0 (2 words) holds the root pointer; the root (4 words + pad) needs a new
    # segment of 5. Each child then needs a pad + 1 word elsewhere. Growing, the next segment
    # is 2 + 5 = 7 words (three children), then 14; fixed, each is 2 words (one child).
    assert segment_sizes(grow) == ([1, 5, 6, 2], [2, 5, 7, 14])
    assert segment_sizes(fixed) == ([1, 5, 2, 2, 2, 2], [2, 5, 2, 2, 2, 2])
    for m in (grow, fixed):
        r = MessageReader(m.to_segments()).get_root()
        assert [r.get_struct(i).data_size for i in range(4)] == [8] * 4


def test_object_larger_than_a_fixed_segment_gets_its_own() -> None:
    """An object bigger than the fixed segment size gets a segment of exactly its size + pad."""
    m = MessageBuilder(first_segment_words=2, fixed_size=True)
    m.init_root(0, 1).init_list(0, EIGHT, 10)
    assert segment_sizes(m) == ([2, 11], [2, 11])


def test_object_in_its_pointer_segment_when_it_fits() -> None:
    """Objects go next to their pointer whenever that segment has room, even after later
    segments were added."""
    m = MessageBuilder(first_segment_words=4, fixed_size=True)
    root = m.init_root(0, 2)  # words 1-2 of segment 0; one word left
    root.init_list(0, EIGHT, 3)  # 3 words: segment 1 (pad + 3)
    root.init_struct(1, 1, 0)  # 1 word: fits segment 0
    segs = m.to_segments()
    assert segs[0] == sp(0, 0, 2) + fp(0, 1) + sp(0, 1, 0) + NULL
    assert segs[1] == lp(0, EIGHT, 3) + bytes(24)


def test_far_pointer_objects_read_back_through_every_api() -> None:
    """Everything written across segments reads back identically through far pointers."""
    m = MessageBuilder(first_segment_words=1, fixed_size=True)
    root = m.init_root(1, 4)
    root.set_primitive(U64, 0, 1)
    root.set_text(0, "far text")
    root.init_struct_list(1, 2, 1, 0).get_struct(1).set_primitive(U64, 0, 2)
    root.init_list(2, BIT, 3).set_bool(2, True)
    root.set_capability(3, 9)
    r = MessageReader(m.to_segments()).get_root()
    assert r.get_text(0) == "far text"
    assert r.get_list(1, COMPOSITE).get_struct(1).get_primitive(U64, 0) == 2
    assert r.get_list(2, BIT).bools() == [False, False, True]
    assert r.get_capability(3) == 9
    assert r.total_size() == (1 + 4 + 2 + 3 + 1, 1)


# -- readers over builders, outputs ------------------------------------------------------------


def test_as_reader_sees_later_changes_and_to_segments_copies() -> None:
    """``as_reader`` shares the builder's memory; ``to_segments`` is a snapshot."""
    m = MessageBuilder()
    root = m.init_root(1, 0)
    reader = m.as_reader().get_root()
    snapshot = m.to_segments()
    root.set_primitive(U64, 0, 5)
    assert reader.get_primitive(U64, 0) == 5
    assert root.as_reader().get_primitive(U64, 0) == 5
    assert snapshot[0][8:] == NULL
    views = m.segments_for_output()
    assert [bytes(v) for v in views] == m.to_segments()


def test_set_root_struct_list_and_any_pointer_copies() -> None:
    """set_root / set_struct / set_list / PointerBuilder.set deep-copy from any message."""
    src = MessageBuilder(first_segment_words=2, fixed_size=True)
    s = src.init_root(1, 3)
    s.set_primitive(U64, 0, 3)
    s.set_text(0, "copied")
    s.init_list(1, TWO, 2).set_primitive(1, U16, 6)
    s.set_capability(2, 1)
    sr = src.as_reader().get_root()
    dst = MessageBuilder()
    dst.set_root(sr)
    d = dst.get_root(1, 3)
    assert d.get_text(0) == "copied" and d.get_primitive(U64, 0) == 3
    other = MessageBuilder()
    o = other.init_root(0, 4)
    o.set_struct(0, sr)
    o.set_list(1, sr.get_list(1, TWO))
    o.get_pointer(2).set(sr.get_pointer(0))
    o.get_pointer(3).set(sr.get_pointer(2))
    r = other.as_reader().get_root()
    assert r.get_struct(0).get_text(0) == "copied"
    assert r.get_list(1, TWO).primitives(U16) == [0, 6]
    assert r.get_text(2) == "copied"
    assert r.get_capability(3) == 1
    assert len(dst.segments) == 1  # copies into a roomy builder need no far pointers


def test_list_builder_views() -> None:
    """ListBuilder element access mirrors ListReader."""
    m = MessageBuilder()
    lst = m.init_root(0, 1).init_struct_list(0, 3, 1, 0)
    for i in range(3):
        lst.get_struct(i).set_primitive(U16, 2, i + 1)
    reader = lst.as_reader()
    assert [reader.get_struct(i).get_primitive(U16, 2) for i in range(3)] == [1, 2, 3]
    assert lst.get_struct(-1).get_primitive(U16, 2) == 3
    with pytest.raises(IndexError):
        lst.get_struct(3)



# -- seeded random upgrades -------------------------------------------------------------------


def test_random_struct_and_struct_list_upgrades() -> None:
    """Random structs and struct lists (with random children, in random segment sizes) upgraded
    to random larger layouts keep every value and child, gain zeroed fields, and leave no stale
    words behind; a sibling pointer is untouched."""
    seed = seed_from_env(20240610)
    rng = random.Random(seed)
    gen = TreeGenerator(rng, budget=25)
    for n in range(100):
        first, fixed = rng.choice(
            ((1, True), (2, False), (3, True), (4, False), (8, True), (1024, False))
        )
        what = f"case {n} (first_segment_words={first}, fixed_size={fixed})"
        # A struct.
        gen.reset()
        value = gen.struct(1)
        m = MessageBuilder(first_segment_words=first, fixed_size=fixed)
        root = m.init_root(0, 2)
        root.set_text(1, "sibling")
        build_struct(root.init_struct(0, value.data_words, len(value.pointers)), value, rng, True)
        dw = value.data_words + rng.randrange(3)
        pc = len(value.pointers) + rng.randrange(3)
        root.get_struct(0, dw, pc)
        grown = StructValue(
            value.data + bytes(8 * (dw - value.data_words)),
            value.pointers + [None] * (pc - len(value.pointers)),
        )
        reader = MessageReader(m.to_segments()).get_root()
        check_struct(reader.get_struct(0), grown, what)
        assert reader.get_text(1) == "sibling", what
        assert_only_live_words(m)
        # A struct list.
        count, d0, p0 = rng.randrange(5), rng.randrange(3), rng.randrange(3)
        gen.reset()
        elements = [gen.struct(1, d0, p0) for _ in range(count)]
        m = MessageBuilder(first_segment_words=first, fixed_size=fixed)
        root = m.init_root(0, 2)
        root.set_text(1, "sibling")
        lst = root.init_struct_list(0, count, d0, p0)
        for i, element in enumerate(elements):
            build_struct(lst.get_struct(i), element, rng, True)
        d1, p1 = d0 + rng.randrange(3), p0 + rng.randrange(3)
        root.get_struct_list(0, d1, p1)
        grown_list = StructListValue(
            d1,
            p1,
            [
                StructValue(e.data + bytes(8 * (d1 - d0)), e.pointers + [None] * (p1 - p0))
                for e in elements
            ],
        )
        reader = MessageReader(m.to_segments()).get_root()
        check_pointer(reader.get_pointer(0), grown_list, what)
        assert reader.get_text(1) == "sibling", what
        assert_only_live_words(m)


def test_text_and_data_refuse_ints() -> None:
    """``bytes(5)`` is five NULs: an int given as Text or Data is a mistake, not a length."""
    root = MessageBuilder().init_root(0, 2)
    with pytest.raises(BuilderError):
        root.set_text(0, 5)  # type: ignore[arg-type]
    with pytest.raises(BuilderError):
        root.set_data(1, 5)  # type: ignore[arg-type]
    assert not root.has_pointer(0) and not root.has_pointer(1)
