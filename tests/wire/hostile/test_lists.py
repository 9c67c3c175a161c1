"""Hostile lists: amplification through elements that take no space, malformed INLINE_COMPOSITE
tags, and element sizes that do not fit the type being read.

List pointer fields (encoding spec): bits 0-1 ``A``=1, bits 2-31 ``B`` the signed offset in words
from the end of the pointer, bits 32-34 ``C`` the element size (0 void, 1 bit, 2 byte, 3 two
bytes, 4 four bytes, 5 eight bytes, 6 pointer, 7 inline composite), bits 35-63 ``D`` the element
count - for inline composite, the word count of the elements, not counting the tag. The tag is
shaped like a struct pointer: ``A``=0, bits 2-31 the element count, ``C`` data words and ``D``
pointers per element.

Which reads are allowed follows layout.c++ ``readListPointer``: a list may be read as a list of
*larger* elements than it has been written with only the other way round (a struct list can stand
in for a primitive or pointer list whose first field it holds), never a bit list as anything but a
bit list, and never a list without the data (or pointers) the reader needs.
"""

from __future__ import annotations

import struct
import time
from typing import Optional

import pytest

from purecap.wire.builder import MessageBuilder
from purecap.wire.errors import (
    ListElementSizeMismatch,
    MalformedList,
    TraversalLimitExceeded,
)
from purecap.wire.limits import UNLIMITED, ReadLimits
from purecap.wire.pointers import ElementSize, list_pointer, struct_pointer
from purecap.wire.reader import MessageReader

from tests.wire.hostile import NULL, blob, message, raw, seg, w

VOID = ElementSize.VOID
BIT = ElementSize.BIT
BYTE = ElementSize.BYTE
POINTER = ElementSize.POINTER
INLINE_COMPOSITE = ElementSize.INLINE_COMPOSITE
PRIMITIVES = (BYTE, ElementSize.TWO_BYTES, ElementSize.FOUR_BYTES, ElementSize.EIGHT_BYTES)
_U64 = struct.Struct("<Q")

MAX_COUNT = (1 << 29) - 1  # the largest element count (or word count) a list pointer holds
MAX_TAG_COUNT = (1 << 30) - 1  # the largest element count a tag's 30-bit field holds


def _root_list(*words: bytes, limits: Optional[ReadLimits] = None) -> MessageReader:
    """A message whose root pointer is ``words[0]``, a list pointer, followed by ``words[1:]``."""
    return message(seg(*words), limits=limits)


# -- amplification ------------------------------------------------------------------------------


def test_void_list_amplification() -> None:
    # 2**29-1 Voids in one word. Each element is charged as one word (C++ amplifiedRead), so
    # the read is refused up front by the default 8 Mi-word traversal limit instead of letting a
    # caller loop half a billion times.
    msg = _root_list(
        # word 0 (root): list pointer A=1, B=0, C=0 (void), D=2**29-1 elements, no words at all
        w(list_pointer(0, VOID, MAX_COUNT)),
    )
    began = time.perf_counter()
    with pytest.raises(TraversalLimitExceeded, match="traversal limit of 8388608 words"):
        msg.root_pointer().get_list(VOID)
    with pytest.raises(TraversalLimitExceeded, match="traversal limit"):
        msg.root_pointer().get_list(None)
    with pytest.raises(TraversalLimitExceeded, match="traversal limit"):
        msg.total_size()
    with pytest.raises(TraversalLimitExceeded, match="traversal limit"):
        MessageBuilder().root_pointer().set(msg.root_pointer())
    assert time.perf_counter() - began < 0.5
    # It is the limit that refuses it: without one, the list is well-formed.
    assert len(MessageReader([seg(w(list_pointer(0, VOID, MAX_COUNT)))], UNLIMITED)
               .root_pointer().get_list(VOID)) == MAX_COUNT


def test_void_list_charged_once_per_element_on_every_read() -> None:
    # A small void list read again and again: the charge is per element, per read.
    msg = _root_list(
        # word 0 (root): list pointer A=1, B=0, C=0 (void), D=1000 elements
        w(list_pointer(0, VOID, 1000)),
        limits=ReadLimits(traversal_limit_words=2500),
    )
    assert len(msg.root_pointer().get_list(VOID)) == 1000
    assert len(msg.root_pointer().get_list(VOID)) == 1000
    with pytest.raises(TraversalLimitExceeded, match="traversal limit"):
        msg.root_pointer().get_list(VOID)  # 3000 > 2500


def test_zero_sized_struct_list_amplification() -> None:
    # A struct list of 2**30-1 elements of zero words each: the tag alone, one word.
    msg = _root_list(
        # word 0 (root): list pointer A=1, B=0, C=7 (inline composite), D=0 words
        w(list_pointer(0, INLINE_COMPOSITE, 0)),
        # word 1 (tag): A=0, count 2**30-1 (bits 2-31 all ones), C=0 data words, D=0 pointers
        w(struct_pointer(MAX_TAG_COUNT, 0, 0)),
    )
    began = time.perf_counter()
    with pytest.raises(TraversalLimitExceeded, match="traversal limit"):
        msg.root_pointer().get_list(INLINE_COMPOSITE)
    with pytest.raises(TraversalLimitExceeded, match="traversal limit"):
        msg.root_pointer().get_list(None)
    with pytest.raises(TraversalLimitExceeded, match="traversal limit"):
        msg.total_size()
    with pytest.raises(TraversalLimitExceeded, match="traversal limit"):
        MessageBuilder().root_pointer().set(msg.root_pointer())
    assert time.perf_counter() - began < 0.5


def test_zero_sized_struct_list_charged_per_element() -> None:
    msg = _root_list(
        # word 0 (root): list pointer A=1, B=0, C=7, D=0 words
        w(list_pointer(0, INLINE_COMPOSITE, 0)),
        # word 1 (tag): A=0, count 100, C=0, D=0
        w(struct_pointer(100, 0, 0)),
        limits=ReadLimits(traversal_limit_words=150),
    )
    # The tag word (1) plus one word per element (100) fit once, not twice.
    assert len(msg.root_pointer().get_list(INLINE_COMPOSITE)) == 100
    with pytest.raises(TraversalLimitExceeded, match="traversal limit"):
        msg.root_pointer().get_list(INLINE_COMPOSITE)


# -- malformed INLINE_COMPOSITE lists -----------------------------------------------------------


def test_inline_composite_tag_not_a_struct_tag() -> None:
    msg = _root_list(
        # word 0 (root): list pointer A=1, B=0, C=7 (inline composite), D=1 word
        w(list_pointer(0, INLINE_COMPOSITE, 1)),
        # word 1 (tag): a *list* pointer A=1, B=1, C=5, D=1 where a struct tag (A=0) is due
        w(list_pointer(1, ElementSize.EIGHT_BYTES, 1)),
        # word 2: one word of element data
        raw(6),
    )
    with pytest.raises(MalformedList, match="not a struct tag"):
        msg.root_pointer().get_list(INLINE_COMPOSITE)
    with pytest.raises(MalformedList, match="not a struct tag"):
        msg.total_size()
    with pytest.raises(MalformedList, match="not a struct tag"):
        MessageBuilder().root_pointer().set(msg.root_pointer())


def test_inline_composite_tag_count_times_size_exceeds_word_count() -> None:
    msg = _root_list(
        # word 0 (root): list pointer A=1, B=0, C=7, D=2 words
        w(list_pointer(0, INLINE_COMPOSITE, 2)),
        # word 1 (tag): A=0, count 3, C=1 data word, D=0: 3 words of elements in a 2-word list
        w(struct_pointer(3, 1, 0)),
        # words 2-3: the list's two words
        raw(1),
        raw(2),
        # word 4: a word *outside* the list, which element 2 would read
        raw(0x5EC2E7),
    )
    with pytest.raises(MalformedList, match="3 elements of 1 words overrun its word count of 2"):
        msg.root_pointer().get_list(None)
    with pytest.raises(MalformedList, match="overrun"):
        msg.total_size()
    with pytest.raises(MalformedList, match="overrun"):
        MessageBuilder().root_pointer().set(msg.root_pointer())


def test_inline_composite_element_count_times_size_that_wraps_32_bits() -> None:
    # 2**29 elements of 8 words is 2**32 words: 0 in 32-bit arithmetic, which would pass a
    # check against a word count of 0 (CVE-2015-2310's input class).
    msg = _root_list(
        # word 0 (root): list pointer A=1, B=0, C=7, D=0 words
        w(list_pointer(0, INLINE_COMPOSITE, 0)),
        # word 1 (tag): A=0, count 2**29 (bit 31 of the word set), C=8 data words, D=0
        w(struct_pointer(1 << 29, 8, 0)),
    )
    with pytest.raises(MalformedList, match="overrun its word count of 0"):
        msg.root_pointer().get_list(None)


# -- element sizes that do not fit --------------------------------------------------------------


def test_bit_list_read_as_struct_list() -> None:
    msg = _root_list(
        # word 0 (root): list pointer A=1, B=0, C=1 (bits), D=64 elements: one word
        w(list_pointer(0, BIT, 64)),
        # word 1: the 64 bits
        raw(0xFFFFFFFFFFFFFFFF),
    )
    with pytest.raises(ListElementSizeMismatch, match="bit list"):
        msg.root_pointer().get_list(INLINE_COMPOSITE)
    # Read as an untyped list, its elements cannot be had as structs either.
    anylist = msg.root_pointer().get_list(None)
    with pytest.raises(ListElementSizeMismatch, match="cannot be read as a list of struct"):
        anylist.get_struct(0)


def test_bit_list_read_as_primitive_or_pointer_list() -> None:
    msg = _root_list(
        # word 0 (root): list pointer A=1, B=0, C=1 (bits), D=64
        w(list_pointer(0, BIT, 64)),
        # word 1: the bits
        raw(0x0123456789ABCDEF),
    )
    for expected in (*PRIMITIVES, POINTER):
        with pytest.raises(ListElementSizeMismatch, match="found a bit list"):
            msg.root_pointer().get_list(expected)


def test_struct_list_read_as_bit_list() -> None:
    msg = _root_list(
        # word 0 (root): list pointer A=1, B=0, C=7, D=2 words
        w(list_pointer(0, INLINE_COMPOSITE, 2)),
        # word 1 (tag): A=0, count 2, C=1 data word, D=0
        w(struct_pointer(2, 1, 0)),
        # words 2-3: the elements
        raw(1),
        raw(0),
    )
    with pytest.raises(ListElementSizeMismatch, match="where a bit list was expected"):
        msg.root_pointer().get_list(BIT)


def test_data_only_struct_list_read_as_pointer_list() -> None:
    msg = _root_list(
        # word 0 (root): list pointer A=1, B=0, C=7, D=2 words
        w(list_pointer(0, INLINE_COMPOSITE, 2)),
        # word 1 (tag): A=0, count 2, C=1 data word, D=0 pointers
        w(struct_pointer(2, 1, 0)),
        # words 2-3: data that a pointer-list reader would take for pointers
        w(list_pointer(100, BYTE, 1000)),
        w(list_pointer(-100, BYTE, 1000)),
    )
    with pytest.raises(ListElementSizeMismatch, match="data-only structs"):
        msg.root_pointer().get_list(POINTER)


def test_pointer_only_struct_list_read_as_primitive_list() -> None:
    msg = _root_list(
        # word 0 (root): list pointer A=1, B=0, C=7, D=2 words
        w(list_pointer(0, INLINE_COMPOSITE, 2)),
        # word 1 (tag): A=0, count 2, C=0 data words, D=1 pointer
        w(struct_pointer(2, 0, 1)),
        # words 2-3: the elements' pointers (text "hi" at word 4, and null)
        w(list_pointer(1, BYTE, 3)),
        NULL,
        # word 4: "hi\0"
        blob(b"hi\0"),
    )
    for expected in PRIMITIVES:
        with pytest.raises(ListElementSizeMismatch, match="pointer-only structs"):
            msg.root_pointer().get_list(expected)
    # As the pointer list it can stand for, it reads.
    assert msg.root_pointer().get_list(POINTER).get_text(0) == "hi"


def test_primitive_list_read_as_pointer_list() -> None:
    msg = _root_list(
        # word 0 (root): list pointer A=1, B=0, C=5 (eight bytes), D=1
        w(list_pointer(0, ElementSize.EIGHT_BYTES, 1)),
        # word 1: a number shaped like a struct pointer, which must not be followed
        w(struct_pointer(0, 1, 0)),
    )
    with pytest.raises(ListElementSizeMismatch, match="expected a list of POINTER elements"):
        msg.root_pointer().get_list(POINTER)


def test_pointer_list_read_as_primitive_list() -> None:
    msg = _root_list(
        # word 0 (root): list pointer A=1, B=0, C=6 (pointers), D=1
        w(list_pointer(0, POINTER, 1)),
        # word 1: a null pointer
        NULL,
    )
    for expected in PRIMITIVES:
        with pytest.raises(ListElementSizeMismatch, match="found a list of POINTER"):
            msg.root_pointer().get_list(expected)


def test_narrow_primitive_list_read_as_wider_one() -> None:
    msg = _root_list(
        # word 0 (root): list pointer A=1, B=0, C=2 (bytes), D=8
        w(list_pointer(0, BYTE, 8)),
        # word 1: eight bytes; as 4 two-byte elements a reader would read too far past 8 bytes
        raw(0x0807060504030201),
    )
    with pytest.raises(ListElementSizeMismatch, match="expected a list of FOUR_BYTES"):
        msg.root_pointer().get_list(ElementSize.FOUR_BYTES)


def test_void_list_read_as_primitive_list() -> None:
    msg = _root_list(
        # word 0 (root): list pointer A=1, B=0, C=0 (void), D=5: no words
        w(list_pointer(0, VOID, 5)),
    )
    with pytest.raises(ListElementSizeMismatch, match="found a list of VOID"):
        msg.root_pointer().get_list(ElementSize.EIGHT_BYTES)


def test_struct_list_read_as_primitive_list_reads_first_field() -> None:
    # The legitimate upgrade, as a control: each element's first data word is the value.
    msg = _root_list(
        # word 0 (root): list pointer A=1, B=0, C=7, D=4 words
        w(list_pointer(0, INLINE_COMPOSITE, 4)),
        # word 1 (tag): A=0, count 2, C=1 data word, D=1 pointer
        w(struct_pointer(2, 1, 1)),
        # words 2-3: element 0 (data 10, null pointer); words 4-5: element 1 (data 20, null)
        raw(10),
        NULL,
        raw(20),
        NULL,
    )
    assert msg.root_pointer().get_list(ElementSize.EIGHT_BYTES).primitives(_U64) == [10, 20]
