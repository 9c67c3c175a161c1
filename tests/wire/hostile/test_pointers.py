"""Hostile struct, list, text, data and capability pointers (no far pointers: see
``test_far_pointers.py``).

Field names are those of the encoding spec. In every pointer word, bits 0-1 are ``A``, the kind
(0 struct, 1 list, 2 far, 3 other). For a struct pointer bits 2-31 are ``B``, the signed offset in
words from the end of the pointer to the struct, bits 32-47 ``C`` the data words, bits 48-63 ``D``
the pointers. For a list pointer bits 2-31 are ``B`` (offset), bits 32-34 ``C`` the element size
(0 void, 1 bit, 2 byte, 3 two bytes, 4 four bytes, 5 eight bytes, 6 pointer, 7 inline composite)
and bits 35-63 ``D`` the element count (the word count, tag excluded, for inline composite).

The reader must check every target against its segment *before* reading it (layout.c++
``boundsCheck``): an offset that leaves the segment on either side, or sizes that run past its
end, raise :class:`PointerOutOfBounds`; a pointer of the wrong kind raises
:class:`WrongPointerKind`. Python integers cannot wrap, but the checks must still be made on the
byte offsets that are about to be sliced: ``memoryview`` and ``struct`` accept negative offsets
(counting from the end), so a missing ``start < 0`` check would read the wrong bytes silently.
"""

from __future__ import annotations

import struct

import pytest

from purecap.errors import PurecapError
from purecap.wire.builder import MessageBuilder
from purecap.wire.errors import (
    DecodeError,
    InvalidCapability,
    PointerOutOfBounds,
    WrongPointerKind,
)
from purecap.wire.pointers import (
    ElementSize,
    PointerType,
    capability_pointer,
    list_pointer,
    struct_pointer,
)
from purecap.wire.reader import MessageReader

from tests.wire.hostile import NULL, blob, message, raw, seg, w

BYTE = ElementSize.BYTE
EIGHT_BYTES = ElementSize.EIGHT_BYTES
_U64 = struct.Struct("<Q")


def _root_with_pointer(word: bytes, *rest: bytes) -> MessageReader:
    """A root struct of 0 data words and 1 pointer whose pointer is ``word``, then ``rest``."""
    return message(
        seg(
            # word 0 (root): struct pointer A=0, B=0 (struct at word 1), C=0 data, D=1 pointer
            w(struct_pointer(0, 0, 1)),
            # word 1: the struct's only pointer, the hostile one under test (offsets below are
            # counted from the end of this word, i.e. from word 2)
            word,
            *rest,
        )
    )


# -- structs ------------------------------------------------------------------------------------


def test_struct_pointer_positive_offset_past_segment_end() -> None:
    msg = message(
        seg(
            # word 0 (root): struct pointer A=0, B=+1 (struct at word 2), C=1 data word, D=0:
            # the segment has 2 words, so the data word would be word 2, just past the end
            w(struct_pointer(1, 1, 0)),
            # word 1: filler data (the gap the offset skips)
            raw(0x1111111111111111),
        )
    )
    with pytest.raises(PointerOutOfBounds, match="outside its segment") as info:
        msg.get_root()
    # The error names where the offending pointer sits: segment 0, word 0.
    assert (info.value.segment, info.value.word_offset) == (0, 0)


def test_struct_pointer_negative_offset_before_segment_start() -> None:
    msg = message(
        seg(
            # word 0 (root): struct pointer A=0, B=-2 (struct at word 1-2 = -1), C=1, D=0: one
            # word before the segment starts
            w(struct_pointer(-2, 1, 0)),
            # word 1: data that a wrapped-around read would be tempted to use
            raw(0x2222222222222222),
        )
    )
    with pytest.raises(PointerOutOfBounds, match="outside its segment"):
        msg.get_root()


def test_struct_pointer_most_negative_offset() -> None:
    msg = message(
        seg(
            # word 0 (root): struct pointer A=0, B=-2**29 (the most negative 30-bit offset),
            # C=0, D=1: the target is 2**29 words before the segment
            w(struct_pointer(-(1 << 29), 0, 1)),
        )
    )
    with pytest.raises(PointerOutOfBounds, match="outside its segment"):
        msg.get_root()


def test_struct_pointer_largest_offset() -> None:
    msg = message(
        seg(
            # word 0 (root): struct pointer A=0, B=2**29-1 (the largest offset), C=1, D=0
            w(struct_pointer((1 << 29) - 1, 1, 0)),
            # word 1: padding so that the segment is not trivially short
            NULL,
        )
    )
    with pytest.raises(PointerOutOfBounds, match="outside its segment"):
        msg.get_root()


def test_struct_pointer_sections_overrun_segment() -> None:
    msg = message(
        seg(
            # word 0 (root): struct pointer A=0, B=0 (struct at word 1), C=0xFFFF data words,
            # D=0xFFFF pointers: 131070 words claimed
            w(struct_pointer(0, 0xFFFF, 0xFFFF)),
            # words 1-2: all there is
            raw(1),
            raw(2),
        )
    )
    with pytest.raises(PointerOutOfBounds, match="outside its segment"):
        msg.get_root()


def test_struct_pointer_ends_one_word_past_segment() -> None:
    # The boundary case: the struct would end exactly one word after the segment does.
    msg = message(
        seg(
            # word 0 (root): struct pointer A=0, B=0, C=2 data words, D=0: words 1-2
            w(struct_pointer(0, 2, 0)),
            # word 1: the only data word present
            raw(7),
        )
    )
    with pytest.raises(PointerOutOfBounds, match="outside"):
        msg.get_root()
    # ... while a struct that ends exactly at the segment's end is fine.
    ok = message(seg(w(struct_pointer(0, 1, 0)), raw(7)))
    assert ok.get_root().get_primitive(_U64, 0) == 7


def test_nested_struct_pointer_out_of_bounds() -> None:
    msg = _root_with_pointer(
        # word 1: struct pointer A=0, B=+5 (struct at word 7), C=1, D=0: the segment has 2 words
        w(struct_pointer(5, 1, 0)),
    )
    root = msg.get_root()
    with pytest.raises(PointerOutOfBounds, match="outside its segment") as info:
        root.get_struct(0)
    assert (info.value.segment, info.value.word_offset) == (0, 1)
    # total_size() and copying take the same pointer and must reject it the same way.
    with pytest.raises(PointerOutOfBounds, match="outside"):
        msg.total_size()
    with pytest.raises(PointerOutOfBounds, match="outside"):
        MessageBuilder().set_root(root)


# -- lists --------------------------------------------------------------------------------------


def test_list_pointer_positive_offset_past_segment_end() -> None:
    msg = _root_with_pointer(
        # word 1: list pointer A=1, B=+1 (elements at word 3), C=2 (bytes), D=3 elements: the
        # segment has 3 words, so the list's one word would be word 3
        w(list_pointer(1, BYTE, 3)),
        # word 2: filler
        raw(0x3333333333333333),
    )
    with pytest.raises(PointerOutOfBounds, match="outside its segment"):
        msg.get_root().get_list(0, BYTE)


def test_list_pointer_negative_offset_before_segment_start() -> None:
    msg = _root_with_pointer(
        # word 1: list pointer A=1, B=-3 (elements at word 2-3 = -1), C=5 (8 bytes), D=1
        w(list_pointer(-3, EIGHT_BYTES, 1)),
    )
    with pytest.raises(PointerOutOfBounds, match="outside its segment"):
        msg.get_root().get_list(0, EIGHT_BYTES)


def test_list_pointer_element_count_overruns_segment() -> None:
    msg = _root_with_pointer(
        # word 1: list pointer A=1, B=0 (elements at word 2), C=5 (8 bytes), D=2 elements:
        # words 2-3 claimed
        w(list_pointer(0, EIGHT_BYTES, 2)),
        # word 2: the only element present
        raw(42),
    )
    with pytest.raises(PointerOutOfBounds, match="2 EIGHT_BYTES elements"):
        msg.get_root().get_list(0, EIGHT_BYTES)


def test_bit_list_size_rounded_up_to_words() -> None:
    msg = _root_with_pointer(
        # word 1: list pointer A=1, B=0, C=1 (bits), D=65 elements: 65 bits need 2 words, not 1
        w(list_pointer(0, ElementSize.BIT, 65)),
        # word 2: the first 64 bits; the 65th bit's word is missing
        raw(0xFFFFFFFFFFFFFFFF),
    )
    with pytest.raises(PointerOutOfBounds, match="2 words"):
        msg.get_root().get_list(0, ElementSize.BIT)


def test_pointer_list_overruns_segment() -> None:
    msg = _root_with_pointer(
        # word 1: list pointer A=1, B=0, C=6 (pointers), D=3: words 2-4 claimed, 2-3 present
        w(list_pointer(0, ElementSize.POINTER, 3)),
        # words 2-3: two null pointers
        NULL,
        NULL,
    )
    with pytest.raises(PointerOutOfBounds, match="outside its segment"):
        msg.get_root().get_list(0, ElementSize.POINTER)


def test_inline_composite_word_count_overruns_segment() -> None:
    msg = _root_with_pointer(
        # word 1: list pointer A=1, B=0, C=7 (inline composite), D=4 words (tag not counted):
        # words 2 (tag) to 6 claimed, only 2-3 present
        w(list_pointer(0, ElementSize.INLINE_COMPOSITE, 4)),
        # word 2: tag A=0, B=1 element, C=1 data word, D=0 pointers
        w(struct_pointer(1, 1, 0)),
        # word 3: element 0
        raw(5),
    )
    with pytest.raises(PointerOutOfBounds, match="outside its segment"):
        msg.get_root().get_list(0, ElementSize.INLINE_COMPOSITE)


def test_inline_composite_tag_itself_past_segment_end() -> None:
    msg = _root_with_pointer(
        # word 1: list pointer A=1, B=0 (tag at word 2), C=7, D=0 words: even an empty struct
        # list has its tag word, and the segment ends at word 2
        w(list_pointer(0, ElementSize.INLINE_COMPOSITE, 0)),
    )
    with pytest.raises(PointerOutOfBounds, match="plus tag"):
        msg.get_root().get_list(0, None)


# -- text and data ------------------------------------------------------------------------------


def test_text_pointer_positive_offset_past_segment_end() -> None:
    msg = _root_with_pointer(
        # word 1: list pointer A=1, B=+2 (bytes at word 4), C=2 (bytes), D=4 ("foo\0"): the
        # segment has 3 words
        w(list_pointer(2, BYTE, 4)),
        # word 2: a real "foo\0" the pointer skips
        blob(b"foo\0"),
    )
    with pytest.raises(PointerOutOfBounds, match="text of 4 bytes"):
        msg.get_root().get_text(0)


def test_text_pointer_negative_offset_before_segment_start() -> None:
    msg = _root_with_pointer(
        # word 1: list pointer A=1, B=-4 (bytes at word -2), C=2, D=8
        w(list_pointer(-4, BYTE, 8)),
    )
    with pytest.raises(PointerOutOfBounds, match="outside its segment"):
        msg.get_root().get_text(0)


def test_data_pointer_positive_offset_past_segment_end() -> None:
    msg = _root_with_pointer(
        # word 1: list pointer A=1, B=0 (bytes at word 2), C=2, D=9 bytes: 2 words needed
        w(list_pointer(0, BYTE, 9)),
        # word 2: eight of the nine bytes
        blob(b"ABCDEFGH"),
    )
    with pytest.raises(PointerOutOfBounds, match="data of 9 bytes"):
        msg.get_root().get_data(0)


def test_data_pointer_negative_offset_before_segment_start() -> None:
    msg = _root_with_pointer(
        # word 1: list pointer A=1, B=-3 (bytes at word -1), C=2, D=8
        w(list_pointer(-3, BYTE, 8)),
        # word 2: bytes that must not be returned instead
        blob(b"secret!!"),
    )
    with pytest.raises(PointerOutOfBounds, match="outside its segment"):
        msg.get_root().get_data(0)


def test_data_pointer_largest_byte_count() -> None:
    msg = _root_with_pointer(
        # word 1: list pointer A=1, B=0, C=2 (bytes), D=2**29-1 bytes (~512 MiB claimed)
        w(list_pointer(0, BYTE, (1 << 29) - 1)),
    )
    with pytest.raises(PointerOutOfBounds, match="outside"):
        msg.get_root().get_data(0)


# -- wrong kinds --------------------------------------------------------------------------------


def test_list_pointer_where_struct_expected() -> None:
    msg = message(
        seg(
            # word 0 (root): list pointer A=1, B=0, C=2 (bytes), D=8, where a struct is due
            w(list_pointer(0, BYTE, 8)),
            # word 1: the bytes
            blob(b"notstruc"),
        )
    )
    with pytest.raises(WrongPointerKind, match="expected a struct pointer, found a list"):
        msg.get_root()


def test_struct_pointer_where_list_expected() -> None:
    msg = _root_with_pointer(
        # word 1: struct pointer A=0, B=0, C=1, D=0 where a list is due
        w(struct_pointer(0, 1, 0)),
        # word 2: the struct's data
        raw(9),
    )
    root = msg.get_root()
    with pytest.raises(WrongPointerKind, match="expected a list pointer, found a struct"):
        root.get_list(0, EIGHT_BYTES)
    with pytest.raises(WrongPointerKind, match="found a struct"):
        root.get_text(0)
    with pytest.raises(WrongPointerKind, match="found a struct"):
        root.get_data(0)


def test_capability_pointer_where_struct_expected() -> None:
    msg = message(
        seg(
            # word 0 (root): other pointer A=3, bits 2-31 zero (a capability), hi=0 (index 0)
            w(capability_pointer(0)),
        )
    )
    with pytest.raises(WrongPointerKind, match="found a capability pointer"):
        msg.get_root()
    with pytest.raises(WrongPointerKind, match="found a capability pointer"):
        msg.root_pointer().get_list()
    # Asked for as what it is, it is fine.
    assert msg.root_pointer().pointer_type() is PointerType.CAPABILITY
    assert msg.root_pointer().get_capability() == 0


def test_struct_pointer_where_capability_expected() -> None:
    msg = _root_with_pointer(
        # word 1: struct pointer A=0, B=-1 (its own word: the empty-struct encoding), C=0, D=0
        w(struct_pointer(-1, 0, 0)),
    )
    with pytest.raises(WrongPointerKind, match="expected a capability pointer"):
        msg.get_root().get_capability(0)


def test_unknown_other_pointer() -> None:
    # Kind 3 with any of bits 2-31 set is reserved: not a capability, and nothing else either.
    msg = message(
        seg(
            # word 0 (root): A=3 (other), bits 2-31 = 1 (undefined), hi = 0
            raw((1 << 2) | 3),
        )
    )
    ptr = msg.root_pointer()
    with pytest.raises(WrongPointerKind, match="unknown pointer type"):
        ptr.pointer_type()
    with pytest.raises(WrongPointerKind, match="expected a struct pointer, found a other"):
        ptr.get_struct()
    with pytest.raises(WrongPointerKind, match="expected a list pointer"):
        ptr.get_list()
    with pytest.raises(WrongPointerKind, match="expected a capability pointer"):
        ptr.get_capability()
    with pytest.raises(WrongPointerKind, match="unknown pointer type"):
        ptr.total_size()
    with pytest.raises(WrongPointerKind, match="unknown pointer type"):
        MessageBuilder().root_pointer().set(ptr)


def test_capability_index_past_cap_table_on_copy() -> None:
    # With a capability table attached, copying must check the index against it.
    msg = MessageReader(
        [
            seg(
                # word 0 (root): struct pointer A=0, B=0, C=0, D=1
                w(struct_pointer(0, 0, 1)),
                # word 1: capability pointer A=3, index hi=5 (the table has 1 entry)
                w(capability_pointer(5)),
            )
        ],
        cap_table=[object()],
    )
    with pytest.raises(InvalidCapability, match="entry 5 of a table of 1"):
        MessageBuilder().set_root(msg.get_root())


# -- the root -----------------------------------------------------------------------------------


def test_first_segment_too_short_for_root_pointer() -> None:
    for segments in ([], [b""], [bytes(7)]):
        msg = MessageReader(segments)
        with pytest.raises(DecodeError, match="no root pointer"):
            msg.get_root()
        with pytest.raises(DecodeError, match="no root pointer"):
            msg.total_size()


def test_every_error_is_a_purecap_error() -> None:
    # The contract behind all the tests above: one ``except PurecapError`` catches them all.
    for cls in (PointerOutOfBounds, WrongPointerKind, InvalidCapability, DecodeError):
        assert issubclass(cls, PurecapError)

