"""Pointer words: the four kinds, their bit layouts, and the element sizes of lists.

Every pointer is one little-endian 64-bit word. We read it as two 32-bit halves: ``lo`` (signed,
so that the 30-bit offset of struct and list pointers comes out with its sign by a plain
arithmetic shift) and ``hi`` (unsigned). A word of all zeros is the null pointer.

Struct pointer (kind 0)::

    lo: [ B: offset in words from the end of the pointer to the data section (30 bits, signed) | A=00 ]
    hi: [ D: pointer section size in pointers (16 bits) | C: data section size in words (16 bits) ]

List pointer (kind 1)::

    lo: [ B: offset in words to the first element (30 bits, signed) | A=01 ]
    hi: [ D: element count, or word count for INLINE_COMPOSITE (29 bits) | C: element size (3 bits) ]

An INLINE_COMPOSITE list starts with a *tag* word shaped like a struct pointer whose offset field
holds the element count and whose sizes describe each element.

Far pointer (kind 2)::

    lo: [ C: offset in words of the landing pad in its segment (29 bits, unsigned) | B | A=10 ]
    hi: [ D: segment id (32 bits) ]

``B`` (bit 2) set means a *double-far*: the landing pad is two words, a far pointer to the
object's first word followed by a tag describing the object (its offset field unused).

Other (kind 3), the only defined one being a capability pointer::

    lo: [ zero (30 bits) | A=11 ]
    hi: [ index into the message's capability table (32 bits) ]
"""

from __future__ import annotations

import enum
import struct

__all__ = [
    "STRUCT",
    "LIST",
    "FAR",
    "OTHER",
    "ElementSize",
    "DATA_BITS_PER_ELEMENT",
    "POINTERS_PER_ELEMENT",
    "BITS_PER_ELEMENT",
    "POINTER_HALVES",
    "WORD",
    "PointerType",
    "struct_pointer",
    "list_pointer",
    "far_pointer",
    "capability_pointer",
    "EMPTY_STRUCT_LO",
]

# Pointer kinds (the low two bits of every pointer word).
STRUCT = 0
LIST = 1
FAR = 2
OTHER = 3

# One pointer word as (signed lo, unsigned hi); one unsigned word for zero checks.
POINTER_HALVES = struct.Struct("<iI")
WORD = struct.Struct("<Q")

# A zero-sized struct is encoded with offset -1, pointing at the pointer word itself, so that the
# pointer is not null (layout.c++ setKindAndTargetForEmptyStruct).
EMPTY_STRUCT_LO = -4  # (-1 << 2) | STRUCT


class ElementSize(enum.IntEnum):
    """The element size field of a list pointer (the names of C++'s ``ElementSize``)."""

    VOID = 0
    BIT = 1
    BYTE = 2
    TWO_BYTES = 3
    FOUR_BYTES = 4
    EIGHT_BYTES = 5
    POINTER = 6
    INLINE_COMPOSITE = 7


# Indexed by element size. INLINE_COMPOSITE's sizes come from the tag, hence 0 here.
DATA_BITS_PER_ELEMENT = (0, 1, 8, 16, 32, 64, 0, 0)
POINTERS_PER_ELEMENT = (0, 0, 0, 0, 0, 0, 1, 0)
BITS_PER_ELEMENT = (0, 1, 8, 16, 32, 64, 64, 0)


class PointerType(enum.Enum):
    """What an AnyPointer holds."""

    NULL = "null"
    STRUCT = "struct"
    LIST = "list"
    CAPABILITY = "capability"


def struct_pointer(offset_words: int, data_words: int, pointer_count: int) -> tuple[int, int]:
    """The (lo, hi) halves of a struct pointer (or of an INLINE_COMPOSITE tag, whose "offset" is
    the element count)."""
    return (offset_words << 2) | STRUCT, data_words | (pointer_count << 16)


def list_pointer(offset_words: int, element_size: int, count: int) -> tuple[int, int]:
    """The (lo, hi) halves of a list pointer; ``count`` is the word count for INLINE_COMPOSITE."""
    return (offset_words << 2) | LIST, element_size | (count << 3)


def far_pointer(double_far: bool, pad_offset_words: int, segment_id: int) -> tuple[int, int]:
    """The (lo, hi) halves of a far pointer to a landing pad."""
    lo = (pad_offset_words << 3) | (4 if double_far else 0) | FAR
    if lo >= 1 << 31:  # keep lo a signed 32-bit value, as POINTER_HALVES packs it
        lo -= 1 << 32
    return lo, segment_id


def capability_pointer(index: int) -> tuple[int, int]:
    """The (lo, hi) halves of a capability pointer."""
    return OTHER, index
