"""Canonical form, and flat (single-segment) copies.

The spec's canonical form (encoding.html, "Canonicalization") is what makes a message hashable and
comparable byte for byte: one segment, no segment table, objects laid out in pre-order (each
object's children follow it, in pointer order), no far pointers, each struct's data section cut
after its last non-zero byte and its pointer section after its last non-null pointer (a struct
list's elements all take the largest such sizes), and no capabilities.

:func:`canonicalize` produces it (C++ ``StructReader::canonicalize``); :func:`is_canonical` checks a
message against it (C++ ``MessageReader::isCanonical``); :func:`flatten` is the non-canonical
single-segment copy ``capnp convert ...:flat`` writes (C++ ``copyToUnchecked``).
"""

from __future__ import annotations

import struct
from typing import List

from purecap.wire.builder import MessageBuilder
from purecap.wire.copying import set_struct_pointer
from purecap.wire.errors import NestingLimitExceeded, NotCanonical
from purecap.wire.pointers import DATA_BITS_PER_ELEMENT, LIST, STRUCT
from purecap.wire.reader import ListReader, MessageReader, StructReader, read_list, read_struct

__all__ = ["canonicalize", "flatten", "is_canonical"]

_HALVES = struct.Struct("<iI").unpack_from
_WORD = struct.Struct("<Q").unpack_from
_INLINE_COMPOSITE = 7
_POINTER = 6


def _copy_into_one_segment(value: StructReader, canonical: bool) -> bytes:
    words, caps = value.total_size()
    if canonical and caps:
        raise NotCanonical("a message with capabilities has no canonical form")
    # Exactly as large as the copy can need, so nothing ever spills into a second segment.
    size = words + 1
    builder = MessageBuilder(first_segment_words=size, fixed_size=True)
    root = builder.root_pointer()
    set_struct_pointer(builder, root.segment_index, root.offset, value, canonical)
    if len(builder.segments) != 1:  # pragma: no cover - would be a bug in total_size
        raise AssertionError("single-segment copy spilled into a second segment")
    out = bytes(builder.segments_for_output()[0])
    if canonical:
        return out
    return out + bytes((size << 3) - len(out))  # flat output is the whole array, as C++ writes it


def canonicalize(value: StructReader) -> bytes:
    """The canonical encoding of the struct ``value`` (a flat single segment, no table)."""
    return _copy_into_one_segment(value, True)


def flatten(value: StructReader) -> bytes:
    """``value`` copied into a single segment of exactly ``total_size() + 1`` words (root pointer
    first), as ``capnp convert ...:flat`` writes it."""
    return _copy_into_one_segment(value, False)


# ---------------------------------------------------------------------------------------------
# The check. It walks the message in pre-order with a "read head": the word where the next
# object must start if the message is canonical (layout.c++ PointerReader/StructReader/
# ListReader ``isCanonical``). Heads are one-element lists so callees can advance them.


def is_canonical(message: MessageReader) -> bool:
    """Whether ``message`` is in canonical form."""
    if len(message.segments) != 1 or len(message.segments[0]) < 8:
        return False
    read_head = [1]  # word index; word 0 is the root pointer
    try:
        root_ok = _pointer_is_canonical(message, 0, read_head, message.nesting_limit)
    except RecursionError:
        raise NestingLimitExceeded(
            "message is too deeply nested to check for canonical form"
        ) from None
    return root_ok and read_head[0] == len(message.segments[0]) >> 3


def _pointer_is_canonical(
    message: MessageReader, ref: int, read_head: List[int], nesting: int
) -> bool:
    seg = message.segments[0]
    lo, hi = _HALVES(seg, ref)
    if lo == 0 and hi == 0:
        return True
    kind = lo & 3
    if kind not in (STRUCT, LIST):  # far and capability pointers are never canonical
        return False
    if kind == STRUCT:
        value = read_struct(message, 0, ref, nesting, None)
        if value.data_size == 0 and value.pointer_count == 0:
            # An empty struct must use the offset -1 encoding (pointing at its own pointer).
            return value.data_offset == ref
        trunc = [False, False]
        ok = _struct_is_canonical(value, read_head, read_head, trunc)
        return ok and trunc[0] and trunc[1]
    return _list_is_canonical(read_list(message, 0, ref, nesting, None, None), hi, read_head)


def _struct_is_canonical(
    value: StructReader, read_head: List[int], pointer_head: List[int], trunc: List[bool]
) -> bool:
    """Checks one struct at ``read_head``; sets ``trunc`` to whether its last data word and last
    pointer are non-zero (i.e. whether it is properly truncated)."""
    if value.data_offset != read_head[0] << 3:
        return False
    if value.data_size & 7:
        return False  # a sub-word struct (an element of a primitive list): never canonical
    data_words = value.data_size >> 3
    seg = value.segment
    trunc[0] = data_words == 0 or _WORD(seg, value.data_offset + value.data_size - 8)[0] != 0
    trunc[1] = value.pointer_count == 0 or value.has_pointer(value.pointer_count - 1)
    read_head[0] += data_words + value.pointer_count
    for i in range(value.pointer_count):
        if not _pointer_is_canonical(
            value.arena, value.pointer_offset + (i << 3), pointer_head, value.nesting_limit
        ):
            return False
    return True


def _list_is_canonical(value: ListReader, hi: int, read_head: List[int]) -> bool:
    start_word = value.start >> 3
    if value.element_size == _INLINE_COMPOSITE:
        read_head[0] += 1  # the tag
        if start_word != read_head[0]:
            return False
        if value.data_bits & 63:
            return False
        per_element = (value.data_bits >> 6) + value.pointer_count
        total = value.element_count * per_element
        if total != hi >> 3:
            return False
        if per_element == 0:
            return True
        list_end = read_head[0] + total
        pointer_head = [list_end]
        data_trunc = pointer_trunc = False
        trunc = [False, False]
        for i in range(value.element_count):
            if not _struct_is_canonical(value.get_struct(i), read_head, pointer_head, trunc):
                return False
            data_trunc = data_trunc or trunc[0]
            pointer_trunc = pointer_trunc or trunc[1]
        read_head[0] = pointer_head[0]
        return data_trunc and pointer_trunc
    if value.element_size == _POINTER:
        if start_word != read_head[0]:
            return False
        read_head[0] += value.element_count
        for i in range(value.element_count):
            if not _pointer_is_canonical(
                value.arena, value.start + (i << 3), read_head, value.nesting_limit
            ):
                return False
        return True
    if start_word != read_head[0]:
        return False
    bits = value.element_count * DATA_BITS_PER_ELEMENT[value.element_size]
    seg = value.segment
    end = value.start + (((bits + 63) >> 6) << 3)
    at = value.start + (bits >> 3)
    leftover = bits & 7
    if leftover:
        if seg[at] & ~((1 << leftover) - 1) & 0xFF:
            return False
        at += 1
    if any(seg[at:end]):  # the padding after the last element must be zero
        return False
    read_head[0] = end >> 3
    return True

