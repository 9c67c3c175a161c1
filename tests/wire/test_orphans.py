"""Unit tests of ``purecap.wire.orphans``: the words disowning and adopting write.

Expected words are assembled with the helpers of ``tests/wire/randomtrees.py`` (``sp``, ``lp``,
``fp``, ``cp``, ``w``), and follow layout.c++ (``disown``, ``adopt``, ``transferPointer``,
``OrphanBuilder``). Byte identity with C++ for whole scenarios is checked against pycapnp in
``conformance/test_dynamic_orphans.py``.
"""

from __future__ import annotations

import struct
from typing import List

import pytest

from purecap.wire import orphans
from purecap.wire.builder import MessageBuilder
from purecap.wire.errors import BuilderError
from purecap.wire.pointers import FAR, ElementSize, PointerType
from tests.wire.randomtrees import cp, fp, live_words, lp, sp, w

U16 = struct.Struct("<H")
U32 = struct.Struct("<I")
U64 = struct.Struct("<Q")
BYTE, FOUR, PTR, COMPOSITE = (
    ElementSize.BYTE, ElementSize.FOUR_BYTES, ElementSize.POINTER, ElementSize.INLINE_COMPOSITE,
)  # fmt: skip
NULL = bytes(8)


def words_of(message: MessageBuilder, segment: int = 0) -> List[bytes]:
    seg = message.to_segments()[segment]
    return [seg[i : i + 8] for i in range(0, len(seg), 8)]


def split(*words: bytes) -> List[bytes]:
    joined = b"".join(words)
    return [joined[i : i + 8] for i in range(0, len(joined), 8)]


def assert_only_live_words(message: MessageBuilder) -> None:
    """Every word outside the tree is zero (nothing disowned-then-discarded left behind)."""
    segments = message.to_segments()
    live = live_words(segments)
    for si, seg in enumerate(segments):
        for wi in range(len(seg) >> 3):
            if (si, wi) not in live:
                assert seg[wi * 8 : wi * 8 + 8] == NULL, f"stale word {si}:{wi}"


def _child(m: MessageBuilder) -> MessageBuilder:
    """Root (0, 2) at word 1; its pointer 0 -> a (1, 1) struct at words 3-4 with text at 5."""
    root = m.init_root(0, 2)
    child = root.init_struct(0, 1, 1)
    child.set_primitive(U64, 0, 0xABC)
    child.set_text(0, "hi")
    return m


def test_disown_leaves_the_object_and_nulls_the_pointer() -> None:
    m = _child(MessageBuilder())
    before = words_of(m)
    o = orphans.disown(m, 0, 8)
    assert words_of(m) == [before[0], NULL] + before[2:]  # only the pointer changed
    # The tag: the struct pointer with offset -1 (setKindForOrphan), the object located apart.
    assert (o.lo, o.hi, o.segment_index, o.location) == (-4, 1 | (1 << 16), 0, 24)
    assert orphans.pointer_type(o) is PointerType.STRUCT
    r = orphans.struct_reader(o)
    assert r.get_primitive(U64, 0) == 0xABC and r.get_text(0) == "hi"
    assert repr(o) == "<Orphan struct at segment 0 word 3>"


def test_adopt_in_the_same_segment_is_a_near_pointer() -> None:
    m = _child(MessageBuilder())
    o = orphans.disown(m, 0, 8)
    orphans.adopt(m, 0, 16, o)  # the root's pointer 1, at word 2
    assert words_of(m)[1:3] == split(NULL, sp(0, 1, 1))  # word 2 -> word 3
    assert o.is_null() and repr(o) == "<Orphan null>"
    b = m.get_root(0, 2).get_struct(1, 1, 1)
    assert b.get_text(0) == "hi"
    assert_only_live_words(m)


def test_adopting_zeroes_what_the_pointer_held_and_a_null_orphan_nulls_it() -> None:
    m = _child(MessageBuilder())
    m.get_root(0, 2).init_struct(1, 1, 0).set_primitive(U64, 0, 7)  # words 6-... : pointer 1
    o = orphans.disown(m, 0, 8)
    orphans.adopt(m, 0, 16, o)  # the old (1, 0) struct of pointer 1 is zeroed
    assert b"\x07" not in b"".join(words_of(m)[6:])
    assert_only_live_words(m)
    orphans.adopt(m, 0, 16, orphans.disown(m, 0, 8))  # the null orphan of pointer 0
    assert words_of(m)[2] == NULL and b"hi" not in m.to_framed_bytes()


def test_an_orphan_stays_in_its_message() -> None:
    m = _child(MessageBuilder())
    o = orphans.disown(m, 0, 8)
    other = MessageBuilder()
    other.init_root(0, 1)
    with pytest.raises(BuilderError, match="its own message"):
        orphans.adopt(other, 0, 8, o)
    orphans.adopt(m, 0, 8, o)  # still the orphan it was


def _two_segments(first_free: int) -> MessageBuilder:
    """Fixed segments of 4 + ``first_free`` words: segment 0 is the root (0, 2) and a (1, 0)
    struct at word 3 (its pointer 0), then ``first_free`` free words; the root's pointer 1 is a
    (0, 2) struct in segment 1 (too large for what is left), through a far pointer to the
    landing pad at segment 1 word 0."""
    m = MessageBuilder(first_segment_words=4 + first_free, fixed_size=True)
    root = m.init_root(0, 2)
    root.init_struct(0, 1, 0).set_primitive(U64, 0, 0x11)
    root.init_struct(1, 0, 2)
    assert m.used_words == [4, 3]
    return m


def test_adopt_from_another_segment_puts_a_landing_pad_next_to_the_object() -> None:
    m = _two_segments(first_free=1)
    o = orphans.disown(m, 0, 8)
    far = m.get_root(0, 2).get_struct(1, 0, 2)  # in segment 1, words 1-2
    orphans.adopt(m, far.segment_index, far.pointer_offset, o)
    # The pad in segment 0's free word 4 points back at the object (word 3); the pointer is far.
    assert words_of(m, 0)[3:5] == split(w(0x11), sp(-2, 1, 0))
    assert words_of(m, 1)[1] == fp(4, 0)
    assert m.as_reader().get_root().get_struct(1).get_struct(0).get_primitive(U64, 0) == 0x11
    assert_only_live_words(m)


def test_adopt_from_another_segment_into_a_full_one_is_a_double_far() -> None:
    m = _two_segments(first_free=0)
    o = orphans.disown(m, 0, 8)
    far = m.get_root(0, 2).get_struct(1, 0, 2)
    orphans.adopt(m, far.segment_index, far.pointer_offset, o)
    # No room next to the object: a two-word pad wherever there is room (segment 1 has one
    # word left, so a new segment 2) naming the object's place (segment 0 word 3) and its tag.
    assert words_of(m, 1)[1] == fp(0, 2, double=True)
    assert words_of(m, 2) == split(fp(3, 0), sp(0, 1, 0))
    assert m.as_reader().get_root().get_struct(1).get_struct(0).get_primitive(U64, 0) == 0x11
    assert_only_live_words(m)


def test_a_far_pointer_is_kept_as_the_tag_and_reused() -> None:
    m = _two_segments(first_free=0)
    root = m.get_root(0, 2)
    far_word = words_of(m, 0)[2]
    o = orphans.disown(m, 0, 16)  # the far pointer to the (0, 1) struct of segment 1
    assert o.lo & 3 == FAR and (o.segment_index, o.location) == (1, 8)
    assert orphans.struct_reader(o).pointer_count == 2
    orphans.adopt(m, 0, 8, o)  # pointer 0: the same far pointer, pad and all
    assert words_of(m, 0)[1] == far_word and words_of(m, 0)[2] == NULL
    assert root.get_struct(0, 0, 2).pointer_count == 2


def test_discard_zeroes_the_object_its_pads_and_drops_capabilities() -> None:
    m = _child(MessageBuilder())
    o = orphans.disown(m, 0, 8)
    orphans.discard(o)
    assert o.is_null() and not any(b"".join(words_of(m)[2:]))
    orphans.discard(o)  # nothing left to do
    # A far tag: the landing pad goes too.
    m = _two_segments(first_free=0)
    m.get_root(0, 2).get_struct(1, 0, 2).set_text(0, "t")
    o = orphans.disown(m, 0, 16)
    orphans.discard(o)
    assert not any(m.to_segments()[1]) and words_of(m, 0)[2] == NULL
    # A double-far tag: both pad words and the object.
    m = _two_segments(first_free=0)
    o = orphans.disown(m, 0, 8)
    far = m.get_root(0, 2).get_struct(1, 0, 2)
    orphans.adopt(m, far.segment_index, far.pointer_offset, o)
    o = orphans.disown(m, far.segment_index, far.pointer_offset)
    assert o.lo & 7 == 6  # double-far
    orphans.discard(o)
    assert words_of(m, 0)[3] == NULL and words_of(m, 2) == [NULL, NULL]
    assert_only_live_words(m)
    # A capability: its table entry is dropped.
    m = MessageBuilder(cap_table=["client"])
    m.init_root(0, 1).set_capability(0, 0)
    o = orphans.disown(m, 0, 8)
    assert orphans.capability(o) == 0 and orphans.pointer_type(o) is PointerType.CAPABILITY
    orphans.discard(o)
    assert m.cap_table == [None]


def test_capabilities_move_as_they_are() -> None:
    m = MessageBuilder(cap_table=["a", "b"])
    root = m.init_root(0, 2)
    root.set_capability(0, 1)
    o = orphans.disown(m, 0, 8)
    orphans.adopt(m, 0, 16, o)
    assert words_of(m)[1:3] == [NULL, cp(1)] and m.cap_table == ["a", "b"]
    with pytest.raises(BuilderError, match="not a struct"):
        orphans.struct_reader(orphans.disown(m, 0, 16))


def test_new_objects_go_where_there_is_room_without_a_pad() -> None:
    m = MessageBuilder(first_segment_words=4, fixed_size=True)
    m.init_root(0, 2)  # words 0-2
    s = orphans.new_struct(m, 1, 0)  # word 3: no pointer, so no landing pad
    assert (s.segment_index, s.location, s.lo, s.hi) == (0, 24, -4, 1)
    lst = orphans.new_list(m, FOUR, 3)  # two words: segment 1
    assert (lst.segment_index, lst.location, lst.hi) == (1, 0, FOUR | (3 << 3))
    sl = orphans.new_struct_list(m, 2, 1, 1)  # tag + 4 words: segment 2
    assert words_of(m, 2)[0] == sp(2, 1, 1) and sl.hi == COMPOSITE | (4 << 3)
    text = orphans.new_blob(m, b"abc", True)
    data = orphans.new_blob(m, b"\x01\x02", False)
    assert orphans.blob(text, True) == b"abc" and orphans.blob(data, False) == b"\x01\x02"
    assert orphans.blob(orphans.Orphan(m, 0, 0, -1, -1), True) is None
    with pytest.raises(BuilderError, match="not Text"):
        orphans.blob(lst, True)
    orphans.struct_builder(s, 1, 0).set_primitive(U64, 0, 5)
    orphans.list_builder(lst, FOUR).set_primitive(2, U32, 9)
    orphans.struct_list_builder(sl, 1, 1).get_struct(1).set_text(0, "x")
    root = m.get_root(0, 2)
    orphans.adopt(m, 0, 8, s)  # same segment: near
    orphans.adopt(m, 0, 16, lst)  # in segment 1, which has room for a landing pad
    assert words_of(m, 0)[1:3] == split(sp(1, 1, 0), fp(2, 1))
    assert words_of(m, 1)[2] == lp(-3, FOUR, 3)
    assert list(root.as_reader().get_list(1, FOUR).primitives(U32)) == [0, 0, 9]
    with pytest.raises(BuilderError, match="use new_struct_list"):
        orphans.new_list(m, COMPOSITE, 1)
    with pytest.raises(BuilderError, match="struct size"):
        orphans.new_struct(m, 1 << 16, 0)
    with pytest.raises(BuilderError, match="at most"):
        orphans.new_list(m, BYTE, 1 << 29)


def test_an_empty_struct_orphan() -> None:
    m = MessageBuilder(first_segment_words=3, fixed_size=True)
    root = m.init_root(0, 2)
    root.init_struct(0, 0, 0)
    assert words_of(m)[1] == bytes.fromhex("fcffffff00000000")  # points at itself
    o = orphans.disown(m, 0, 8)
    assert not o.is_null() and orphans.struct_reader(o).data_size == 0
    orphans.adopt(m, 0, 16, o)  # same segment: the empty-struct pointer again
    assert words_of(m)[2] == bytes.fromhex("fcffffff00000000")
    e = orphans.new_struct(m, 0, 0)  # no room needed, even in a full segment
    far = root.init_struct(0, 0, 1)  # segment 1
    orphans.adopt(m, far.segment_index, far.pointer_offset, e)
    assert m.as_reader().get_root().get_struct(0).get_struct(0).data_size == 0


def test_struct_builder_allocates_a_null_orphan_and_upgrades_a_small_struct() -> None:
    m = MessageBuilder()
    root = m.init_root(0, 1)
    null = orphans.disown(m, 0, 8)
    b = orphans.struct_builder(null, 1, 0)  # asStruct of a null orphan: a new struct
    assert (b.data_size, null.lo, null.hi) == (8, -4, 1)
    old = root.init_struct(0, 1, 1)
    old.set_primitive(U64, 0, 0x22)
    old.set_text(0, "txt")  # words: 0 root ptr, 1 pointer, 2 null's struct, 3-4 old, 5 text
    o = orphans.disown(m, 0, 8)
    assert orphans.struct_builder(o, 1, 0).data_offset == 24  # big enough: in place
    new = orphans.struct_builder(o, 2, 2)  # moved, as getWritableStructPointer moves it
    assert (o.segment_index, o.location, o.hi) == (0, 48, 2 | (2 << 16))
    assert words_of(m)[3:] == split(
        NULL, NULL,  # the old struct, zeroed
        b"txt\0" + bytes(4),
        w(0x22, 0),
        lp(-4, BYTE, 4),  # transferred: still points at word 5
        NULL,
    )
    assert new.get_text(0) == "txt" and new.get_primitive(U64, 0) == 0x22
    with pytest.raises(BuilderError, match="holds a struct, not a list"):
        orphans.list_builder(o, BYTE)


def test_struct_list_builder_upgrades_as_a_pointer_would() -> None:
    m = MessageBuilder()
    root = m.init_root(0, 1)
    prims = root.init_list(0, FOUR, 2)
    prims.set_primitive(0, U32, 7)
    prims.set_primitive(1, U32, 8)
    o = orphans.disown(m, 0, 8)
    assert orphans.list_builder(o, FOUR).get_primitive(1, U32) == 8
    structs = orphans.struct_list_builder(o, 1, 1)  # each number becomes a struct's first field
    assert [structs.get_struct(i).get_primitive(U32, 0) for i in range(2)] == [7, 8]
    assert words_of(m)[2] == NULL  # the old list's word, zeroed
    structs.get_struct(0).set_text(0, "a")
    bigger = orphans.struct_list_builder(o, 2, 2)  # smaller elements: moved again
    assert bigger.get_struct(0).as_reader().get_text(0) == "a"
    assert bigger.get_struct(1).get_primitive(U32, 0) == 8
    assert orphans.struct_list_builder(o, 1, 0).data_bits == 128  # large enough: in place
    # As primitives: a struct list reads as its first fields; Bool lists do not upgrade.
    assert orphans.list_builder(o, FOUR).get_primitive(1, U32) == 8
    orphans.adopt(m, 0, 8, o)
    assert_only_live_words(m)
    pointers = orphans.new_list(m, PTR, 1)
    orphans.list_builder(pointers, PTR).get_pointer(0).set_text("p")
    assert orphans.struct_list_builder(pointers, 0, 1).get_struct(0).as_reader().get_text(0) == "p"
    bits = orphans.new_list(m, ElementSize.BIT, 3)
    with pytest.raises(BuilderError, match="Bool list"):
        orphans.struct_list_builder(bits, 1, 0)
    with pytest.raises(BuilderError, match="cannot be written as"):
        orphans.list_builder(bits, BYTE)
    with pytest.raises(BuilderError, match="cannot be written as"):
        orphans.list_builder(orphans.new_struct_list(m, 1, 0, 1), BYTE)
    null = orphans.Orphan(m, 0, 0, -1, -1)
    assert len(orphans.list_builder(null, BYTE)) == 0
    assert len(orphans.struct_list_builder(null, 1, 0)) == 0
    assert len(orphans.list_reader(null)) == 0


def test_readers_of_every_kind() -> None:
    m = MessageBuilder()
    lst = orphans.new_struct_list(m, 2, 1, 0)
    orphans.struct_list_builder(lst, 1, 0).get_struct(1).set_primitive(U16, 0, 3)
    r = orphans.list_reader(lst)
    assert len(r) == 2 and r.get_struct(1).get_primitive(U16, 0) == 3
    nums = orphans.new_list(m, BYTE, 3)
    assert orphans.list_reader(nums).primitives(struct.Struct("<B")) == [0, 0, 0]
    assert orphans.pointer_type(nums) is PointerType.LIST
    null = orphans.Orphan(m, 0, 0, -1, -1)
    assert orphans.pointer_type(null) is PointerType.NULL
    assert orphans.struct_reader(null).data_size == 0 and orphans.capability(null) is None
    with pytest.raises(BuilderError, match="not a capability"):
        orphans.capability(nums)


def test_transfer_struct_content() -> None:
    """StructBuilder::transferContentFrom: data copied (cut or zero-padded), the destination's
    old pointers zeroed, the source's moved without copying and nulled in the source."""
    m = MessageBuilder()
    root = m.init_root(0, 2)
    dst = root.init_struct(0, 2, 1)
    dst.set_primitive(U64, 8, 0xFF)
    dst.set_text(0, "old")
    src = root.init_struct(1, 1, 2)
    src.set_primitive(U64, 0, 0x33)
    src.set_text(0, "moved")
    src.set_text(1, "stays")  # dst has no room for a second pointer
    text_at = m.segments[0].index(b"moved")
    orphans.transfer_struct_content(dst, src)
    assert dst.get_primitive(U64, 0) == 0x33 and dst.get_primitive(U64, 8) == 0
    assert dst.get_text(0) == "moved" and m.segments[0].index(b"moved") == text_at
    assert not src.has_pointer(0) and src.get_text(1) == "stays"
    assert b"old" not in m.to_framed_bytes()
    with pytest.raises(BuilderError, match="within one message"):
        orphans.transfer_struct_content(MessageBuilder().init_root(1, 0), src)


def test_disowning_an_unknown_other_pointer_is_refused() -> None:
    m = MessageBuilder()
    m.init_root(0, 1)
    m.segments[0][8:16] = (7).to_bytes(4, "little") + bytes(4)  # kind 3, not a capability
    with pytest.raises(BuilderError, match="not a capability"):
        orphans.disown(m, 0, 8)
