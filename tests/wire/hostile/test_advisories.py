"""One test per published security advisory of the reference implementation, reproducing the
*class of input* each one describes (``security-advisories/`` in the capnproto repository).

Python cannot overflow an integer or read outside a buffer by accident, but each advisory names a
check that is easy to get subtly wrong in any language: a check done on a wrapped or truncated
number, a check skipped on one code path (copying, ``total_size``), a loop whose length the
attacker chooses. The tests hold purecap to the fixed behaviour on each input class.

Not reproduced here, because purecap has no counterpart of the code concerned: 2023-11-21-0
(KJ HTTP WebSocket compression) and 2026-03-12-1 (KJ HTTP body sizes).

Pointer fields, as everywhere in this corpus: bits 0-1 ``A`` kind; struct: bits 2-31 ``B``
signed offset in words, 32-47 ``C`` data words, 48-63 ``D`` pointers; list: ``B`` offset, bits
32-34 ``C`` element size, 35-63 ``D`` count; far: bit 2 ``B`` double-far, bits 3-31 ``C`` pad
offset, 32-63 ``D`` segment id.
"""

from __future__ import annotations

import io
import time

import pytest

from purecap.wire.builder import MessageBuilder
from purecap.wire.errors import (
    InvalidText,
    MalformedList,
    PointerOutOfBounds,
    SegmentTableError,
    TraversalLimitExceeded,
)
from purecap.wire.limits import ReadLimits
from purecap.wire.message import PackedMessageStream, read_message, read_message_from_stream
from purecap.wire.packing import pack
from purecap.wire.pointers import ElementSize, far_pointer, list_pointer, struct_pointer
from purecap.wire.reader import MessageReader

from tests.wire.hostile import NULL, blob, message, raw, seg, table, w

BYTE = ElementSize.BYTE
POINTER = ElementSize.POINTER
INLINE_COMPOSITE = ElementSize.INLINE_COMPOSITE


def _rejected_everywhere(msg: MessageReader, exc: type, match: str) -> None:
    """The root list is refused when read, sized and copied."""
    with pytest.raises(exc, match=match):
        msg.root_pointer().get_list(None)
    with pytest.raises(exc, match=match):
        msg.total_size()
    with pytest.raises(exc, match=match):
        MessageBuilder().root_pointer().set(msg.root_pointer())


# -- 2015-03-02-0, CVE-2015-2310: integer overflow in pointer validation --------------------------


def test_cve_2015_2310_inline_composite_size_product_wraps_32_bits() -> None:
    # The fixed check: element count * words per element <= word count, computed in 64 bits.
    # 2**29 elements of 8 words is 2**32 words, which is 0 in 32-bit arithmetic.
    msg = message(
        seg(
            # word 0 (root): list pointer A=1, B=0, C=7 (inline composite), D=0 words
            w(list_pointer(0, INLINE_COMPOSITE, 0)),
            # word 1 (tag): A=0, element count 2**29, C=8 data words, D=0 pointers
            w(struct_pointer(1 << 29, 8, 0)),
        )
    )
    _rejected_everywhere(msg, MalformedList, "overrun its word count of 0")


def test_cve_2015_2310_inline_composite_largest_tag() -> None:
    # The largest product the fields allow: (2**30-1) * (2*0xFFFF) words claimed in 1 word.
    msg = message(
        seg(
            # word 0 (root): list pointer A=1, B=0, C=7, D=1 word
            w(list_pointer(0, INLINE_COMPOSITE, 1)),
            # word 1 (tag): A=0, count 2**30-1, C=0xFFFF, D=0xFFFF
            w(struct_pointer((1 << 30) - 1, 0xFFFF, 0xFFFF)),
            # word 2: the one word the list has
            NULL,
        )
    )
    _rejected_everywhere(msg, MalformedList, "overrun its word count of 1")


def test_cve_2015_2310_list_end_wraps_to_zero_in_32_bit_bytes() -> None:
    # Offset 2**28 words and 2**28-1 eight-byte elements end 8 * (1 + 2**28 + 2**28-1) = 2**32
    # bytes after the pointer: 0 in 32-bit byte arithmetic, "inside" any segment.
    msg = message(
        seg(
            # word 0 (root): list pointer A=1, B=2**28, C=5 (8 bytes), D=2**28-1
            w(list_pointer(1 << 28, ElementSize.EIGHT_BYTES, (1 << 28) - 1)),
            # word 1: padding
            NULL,
        )
    )
    _rejected_everywhere(msg, PointerOutOfBounds, "outside its segment")


def test_cve_2015_2310_negative_offset_wraps_to_a_valid_word_in_32_bits() -> None:
    # B=-2**29 from the end of word 0 is byte 8 - 2**32: in 32-bit arithmetic, byte 8 - word 1,
    # a perfectly good struct.
    msg = message(
        seg(
            # word 0 (root): struct pointer A=0, B=-2**29, C=1 data word, D=0
            w(struct_pointer(-(1 << 29), 1, 0)),
            # word 1: the struct a wrapped address would find
            raw(0xDEC0DED),
        )
    )
    with pytest.raises(PointerOutOfBounds, match="outside its segment"):
        msg.get_root()
    with pytest.raises(PointerOutOfBounds, match="outside"):
        msg.total_size()
    with pytest.raises(PointerOutOfBounds, match="outside"):
        MessageBuilder().root_pointer().set(msg.root_pointer())


def test_cve_2015_2310_largest_counts_of_every_element_size() -> None:
    for size in (ElementSize.BIT, BYTE, ElementSize.TWO_BYTES, ElementSize.FOUR_BYTES,
                 ElementSize.EIGHT_BYTES, POINTER, INLINE_COMPOSITE):
        msg = message(
            seg(
                # word 0 (root): list pointer A=1, B=0, C=size, D=2**29-1 (largest count)
                w(list_pointer(0, size, (1 << 29) - 1)),
                # word 1: a zero word (for INLINE_COMPOSITE, a tag of 0 elements)
                NULL,
            )
        )
        _rejected_everywhere(msg, PointerOutOfBounds, "outside its segment")


# -- 2015-03-02-1, CVE-2015-2311: integer underflow (zero-size Text) ------------------------------


@pytest.mark.parametrize(
    "size, body",
    [(0, b""), (3, b"foo"), (8, b"no-nul!!")],
    ids=["size-zero", "short-unterminated", "word-unterminated"],
)
def test_cve_2015_2311_bad_text_copied_then_read_from_the_builder(size: int, body: bytes) -> None:
    # The vulnerable sequence: receive a message with a Text, do not look at it, copy it into a
    # builder, then get the Text from the *builder*. The builder's read must check it too.
    msg = message(
        seg(
            # word 0 (root): struct pointer A=0, B=0, C=0, D=1
            w(struct_pointer(0, 0, 1)),
            # word 1: list pointer A=1, B=0, C=2 (bytes), D=size, with no NUL in those bytes
            w(list_pointer(0, BYTE, size)),
            # words 2...: the bytes, if any
            blob(body),
        )
    )
    copy = MessageBuilder()
    copy.set_root(msg.get_root())  # copying is allowed: it is a well-formed byte list
    root = copy.get_root(0, 1)
    with pytest.raises(InvalidText, match="not NUL-terminated"):
        root.get_text(0)
    with pytest.raises(InvalidText, match="not NUL-terminated"):
        root.get_pointer(0).get_text()
    with pytest.raises(InvalidText, match="not NUL-terminated"):
        msg.get_root().get_text(0)


# -- 2015-03-02-2, CVE-2015-2312: CPU amplification (zero-sized elements) -------------------------


def test_cve_2015_2312_zero_size_struct_list_amplification() -> None:
    # 2**29-1 empty structs in two words; iterating them would take minutes. Each element is
    # charged one word of the traversal budget, so the default limit refuses the list.
    msg = message(
        seg(
            # word 0 (root): list pointer A=1, B=0, C=7 (inline composite), D=0 words
            w(list_pointer(0, INLINE_COMPOSITE, 0)),
            # word 1 (tag): A=0, count 2**29-1, C=0 data, D=0 pointers
            w(struct_pointer((1 << 29) - 1, 0, 0)),
        )
    )
    began = time.perf_counter()
    with pytest.raises(TraversalLimitExceeded, match="traversal limit"):
        for element in msg.root_pointer().get_list(INLINE_COMPOSITE).structs():
            element.get_bool(0)
    assert time.perf_counter() - began < 0.5


def test_cve_2015_2312_void_list_amplification() -> None:
    msg = message(
        seg(
            # word 0 (root): list pointer A=1, B=0, C=0 (void), D=2**29-1
            w(list_pointer(0, ElementSize.VOID, (1 << 29) - 1)),
        )
    )
    began = time.perf_counter()
    with pytest.raises(TraversalLimitExceeded, match="traversal limit"):
        lst = msg.root_pointer().get_list(ElementSize.VOID)
        for i in range(len(lst)):
            lst.get_struct(i)
    assert time.perf_counter() - began < 0.5


# -- 2015-03-05-0, CVE-2015-2313: CPU amplification in totalSize() --------------------------------


@pytest.mark.parametrize("kind", ["struct-list", "void-list"])
def test_cve_2015_2313_total_size_charges_zero_sized_elements(kind: str) -> None:
    if kind == "struct-list":
        body = seg(
            # word 0 (root): list pointer A=1, B=0, C=7, D=0 words
            w(list_pointer(0, INLINE_COMPOSITE, 0)),
            # word 1 (tag): A=0, count 3000, C=0, D=0
            w(struct_pointer(3000, 0, 0)),
        )
    else:
        # word 0 (root): list pointer A=1, B=0, C=0 (void), D=3000
        body = seg(w(list_pointer(0, ElementSize.VOID, 3000)))
    limits = ReadLimits(traversal_limit_words=5000)
    # Reading the list once fits the budget...
    msg = message(body, limits=limits)
    lst = msg.root_pointer().get_list(None)
    assert len(lst) == 3000
    # ... and sizing it again charges it again, so a second full charge does not.
    with pytest.raises(TraversalLimitExceeded, match="traversal limit"):
        msg.total_size()
    # A fresh reader whose whole budget is less than the elements refuses total_size() at once.
    small = message(body, limits=ReadLimits(traversal_limit_words=2000))
    with pytest.raises(TraversalLimitExceeded, match="traversal limit"):
        small.total_size()
    # With a budget, the size itself is the real one: zero-sized elements take no words.
    assert message(body).total_size() == ((1, 0) if kind == "struct-list" else (0, 0))
    began = time.perf_counter()
    huge = message(
        seg(
            # word 0 (root): list pointer A=1, B=0, C=7, D=0 words
            w(list_pointer(0, INLINE_COMPOSITE, 0)),
            # word 1 (tag): A=0, count 2**30-1, C=0, D=0
            w(struct_pointer((1 << 30) - 1, 0, 0)),
        )
    )
    with pytest.raises(TraversalLimitExceeded, match="traversal limit"):
        huge.total_size()
    assert time.perf_counter() - began < 0.5


# -- 2017-04-17-0, CVE-2017-7892: far pointer bounds check elided ----------------------------------


def test_cve_2017_7892_far_pointer_landing_pad_offset_wraps() -> None:
    # The pad offset is added to the segment's start; (2**29-1 + 1) words is 2**32 bytes, which
    # wraps a 32-bit address to the segment's own start.
    msg = message(
        # segment 0, word 0 (root): far pointer A=2, B=0 (single), C=2**29-1, D=1
        seg(w(far_pointer(False, (1 << 29) - 1, 1))),
        # segment 1, word 0: a valid pad that a wrapped address would land on
        seg(w(struct_pointer(0, 0, 0))),
    )
    with pytest.raises(PointerOutOfBounds, match="landing pad"):
        msg.get_root()
    with pytest.raises(PointerOutOfBounds, match="landing pad"):
        msg.total_size()
    with pytest.raises(PointerOutOfBounds, match="landing pad"):
        MessageBuilder().root_pointer().set(msg.root_pointer())


def test_cve_2017_7892_double_far_target_offset_wraps() -> None:
    msg = message(
        # segment 0, word 0 (root): far pointer A=2, B=1 (double), C=0, D=1
        seg(w(far_pointer(True, 0, 1))),
        seg(
            # segment 1, word 0 (pad): far pointer A=2, B=0, C=2**29-1 (object's word), D=2
            w(far_pointer(False, (1 << 29) - 1, 2)),
            # segment 1, word 1 (tag): struct A=0, C=1 data word, D=0
            w(struct_pointer(0, 1, 0)),
        ),
        # segment 2, word 0: a word a wrapped address would read
        seg(raw(0x5EC2E7)),
    )
    with pytest.raises(PointerOutOfBounds, match="outside its segment"):
        msg.get_root()
    with pytest.raises(PointerOutOfBounds, match="outside"):
        msg.total_size()
    with pytest.raises(PointerOutOfBounds, match="outside"):
        MessageBuilder().root_pointer().set(msg.root_pointer())


# -- 2022-11-30-0, CVE-2022-46149: list of structs read as a list of pointers ---------------------


def _struct_list_as_text_list() -> MessageReader:
    """A struct whose field 0 (a ``List(Text)`` for the reader) holds a struct list of two
    elements of 2 data words and 1 pointer, placed last in the segment, so that mistaking where
    the elements' pointers are would read past the segment's end."""
    return message(
        seg(
            # word 0 (root): struct pointer A=0, B=0 (struct at word 1), C=0, D=1
            w(struct_pointer(0, 0, 1)),
            # word 1: field 0, list pointer A=1, B=+2 (tag at word 4), C=7, D=6 words
            w(list_pointer(2, INLINE_COMPOSITE, 6)),
            # word 2: "e0\0"
            blob(b"e0\0"),
            # word 3: "e1\0"
            blob(b"e1\0"),
            # word 4 (tag): A=0, count 2, C=2 data words, D=1 pointer
            w(struct_pointer(2, 2, 1)),
            # words 5-6: element 0's data, shaped as text pointers to nowhere (decoys: they
            # must never be taken for the element's pointer)
            w(list_pointer(1000, BYTE, 5)),
            w(list_pointer(-1000, BYTE, 5)),
            # word 7: element 0's pointer, list A=1, B=-6 (word 8-6 = 2), C=2, D=3: "e0"
            w(list_pointer(-6, BYTE, 3)),
            # words 8-9: element 1's data (decoys again)
            w(list_pointer(2000, BYTE, 5)),
            w(list_pointer(-2000, BYTE, 5)),
            # word 10: element 1's pointer, list A=1, B=-8 (word 11-8 = 3), C=2, D=3: "e1"
            w(list_pointer(-8, BYTE, 3)),
            # the segment ends here: word 11
        )
    )


def test_cve_2022_46149_struct_list_read_as_pointer_list() -> None:
    msg = _struct_list_as_text_list()
    texts = msg.get_root().get_list(0, POINTER)
    assert [texts.get_text(i) for i in range(len(texts))] == ["e0", "e1"]
    # Through the untyped (AnyList) view, the same.
    anylist = msg.get_root().get_list(0, None)
    assert [anylist.get_pointer(i).get_text() for i in range(2)] == ["e0", "e1"]
    assert texts.total_size() == (2 * 3 + 1 + 2, 0)  # tag + 2 elements of 3 words + 2 texts


@pytest.mark.parametrize("how", ["set_list-typed", "set_list-anylist", "set-pointer"])
def test_cve_2022_46149_struct_list_read_as_pointer_list_and_copied(how: str) -> None:
    # The vulnerable sequence: get the List(Text) field alone and set it into another message.
    msg = _struct_list_as_text_list()
    copy = MessageBuilder()
    field = copy.init_root(0, 1).get_pointer(0)
    if how == "set_list-typed":
        field.set_list(msg.get_root().get_list(0, POINTER))
    elif how == "set_list-anylist":
        field.set_list(msg.get_root().get_list(0, None))
    else:
        field.set(msg.get_root().get_pointer(0))
    copied = copy.as_reader().get_root().get_list(0, POINTER)
    assert [copied.get_text(i) for i in range(len(copied))] == ["e0", "e1"]
    # The copy is the whole struct list, data words included (as C++ copies it).
    structs = copy.as_reader().get_root().get_list(0, INLINE_COMPOSITE)
    assert [s.data_section() for s in structs.structs()] == [
        w(list_pointer(1000, BYTE, 5)) + w(list_pointer(-1000, BYTE, 5)),
        w(list_pointer(2000, BYTE, 5)) + w(list_pointer(-2000, BYTE, 5)),
    ]


# -- 2026-03-12-0: segment count overflow ---------------------------------------------------------


def test_2026_03_12_segment_count_field_0xffffffff() -> None:
    # The first word of the table holds the segment count minus one: 0xFFFFFFFF + 1 wraps to 0
    # in 32 bits (a zero-byte allocation in C++). It is a huge count, not zero segments.
    framed = table(0xFFFFFFFF, [1]) + NULL
    with pytest.raises(SegmentTableError, match="announces 4294967296 segments"):
        read_message(framed)
    with pytest.raises(SegmentTableError, match="announces 4294967296 segments"):
        read_message_from_stream(io.BytesIO(framed))
    with pytest.raises(SegmentTableError, match="announces 4294967296 segments"):
        PackedMessageStream(io.BytesIO(pack(framed))).read_message()
