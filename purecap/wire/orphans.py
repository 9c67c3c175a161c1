"""Orphans: objects of a message under construction that no pointer points to.

C++ calls them ``Orphan<T>`` (``orphan.h``; the wire-level part is ``OrphanBuilder`` in
``layout.c++``). An orphan comes from *disowning* a pointer - the pointer becomes null, the object
stays where it is - or from allocating an object with no pointer at all (``new_struct``,
``new_list``...). *Adopting* it points a pointer at it: nothing is copied, only a pointer word
(and perhaps a landing pad) is written. That is how a tree is rearranged, or a list is built
whose size is known only at the end, without copying.

Both ends must be in the same message: an orphan is words of one message's segments, and a
pointer reaches only words of its own message (C++ refuses too: "Adopted object must live in the
same message").

An :class:`Orphan` keeps what C++'s ``OrphanBuilder`` keeps:

* ``lo``/``hi``, the *tag*: the pointer that described the object. A near struct or list pointer
  is kept with its offset set to -1 (``setKindForOrphan``: the tag lives in no segment, so an
  offset would mean nothing, and 0 would make an empty struct's tag look null). A far pointer is
  kept as it is, landing pad and all: adopting the object into another segment can then reuse
  the pad. A capability pointer is position-independent and kept as it is.
* ``segment_index``/``location``: the segment and byte offset of the object itself (after any
  landing pad), -1 for a null orphan.

An orphan nobody adopts leaves its words in the message, unreachable: a reader never sees them,
but they are written out (as they are, or as zeros once :func:`discard` has zeroed them, which is
what C++'s ``~OrphanBuilder`` does). Adopting consumes an orphan: it becomes null, as a C++ orphan
is after ``kj::mv``.
"""

from __future__ import annotations

import struct
from typing import Optional, Tuple

from purecap.wire.builder import (
    MAX_LIST_ELEMENTS,
    MAX_SEGMENT_WORDS,
    ListBuilder,
    MessageBuilder,
    StructBuilder,
    check_list_writable_as,
    transfer_pointer,
    transfer_to_target,
    zero_object,
    zero_target,
)
from purecap.wire.errors import BuilderError
from purecap.wire.limits import UNLIMITED
from purecap.wire.pointers import (
    DATA_BITS_PER_ELEMENT,
    FAR,
    LIST,
    OTHER,
    POINTERS_PER_ELEMENT,
    STRUCT,
    ElementSize,
    PointerType,
)
from purecap.wire.reader import EMPTY_LISTS, EMPTY_STRUCT, ListReader, StructReader

__all__ = [
    "Orphan",
    "disown",
    "adopt",
    "discard",
    "new_struct",
    "new_list",
    "new_struct_list",
    "new_blob",
    "pointer_type",
    "struct_builder",
    "list_builder",
    "struct_list_builder",
    "struct_reader",
    "list_reader",
    "blob",
    "capability",
    "transfer_struct_content",
]

_HALVES = struct.Struct("<iI")
_unpack_halves = _HALVES.unpack_from
_pack_halves = _HALVES.pack_into
_INLINE_COMPOSITE = 7
_VOID = 0
_BIT = 1
_BYTE = 2
_POINTER = 6
# A near pointer's tag in an orphan: offset -1 (all ones) and the kind (setKindForOrphan).
_ORPHAN_OFFSET = -4


class Orphan:
    """An object of ``message`` that no pointer points to (C++ ``OrphanBuilder``)."""

    __slots__ = ("message", "lo", "hi", "segment_index", "location")

    def __init__(
        self, message: MessageBuilder, lo: int, hi: int, segment_index: int, location: int
    ) -> None:
        self.message = message
        self.lo = lo  # the tag (see the module docstring)
        self.hi = hi
        self.segment_index = segment_index  # where the object is; -1 when null
        self.location = location

    def is_null(self) -> bool:
        return self.lo == 0 and self.hi == 0

    def object_halves(self) -> Tuple[int, int]:
        """The halves of the pointer that describes the object: the tag, or for a far tag the
        pointer in its landing pad (a double-far pad's second word)."""
        lo, hi = self.lo, self.hi
        if lo & 3 != FAR or (lo == 0 and hi == 0):
            return lo, hi
        pad = ((lo >> 3) & 0x1FFFFFFF) << 3
        seg = self.message.segments[hi]
        plo, phi = _unpack_halves(seg, pad + 8 if lo & 4 else pad)
        return plo, phi

    def _set_near(self, kind: int, hi: int, segment_index: int, location: int) -> None:
        self.lo = _ORPHAN_OFFSET | kind
        self.hi = hi
        self.segment_index = segment_index
        self.location = location

    def _clear(self) -> None:
        self.lo = self.hi = 0
        self.segment_index = self.location = -1

    def __repr__(self) -> str:
        if self.is_null():
            return "<Orphan null>"
        return (
            f"<Orphan {pointer_type(self).value} at segment {self.segment_index} word "
            f"{self.location >> 3}>"
        )


# ---------------------------------------------------------------------------------------------
# Disowning and adopting (layout.c++ WireHelpers::disown / adopt)


def disown(message: MessageBuilder, segment_index: int, ref: int) -> Orphan:
    """Detach what the pointer at ``ref`` points to: the pointer becomes null, the object (with
    any landing pad) stays in place and belongs to the returned orphan."""
    seg = message.segments[segment_index]
    lo, hi = _unpack_halves(seg, ref)
    if lo == 0 and hi == 0:
        return Orphan(message, 0, 0, -1, -1)
    kind = lo & 3
    if kind == OTHER:
        if lo != OTHER:
            raise BuilderError("cannot disown an 'other' pointer that is not a capability")
        orphan = Orphan(message, lo, hi, -1, -1)
    elif kind == FAR:
        # Keep the far pointer as the tag: its landing pad is the orphan's now.
        si, location = _follow(message, lo, hi)
        orphan = Orphan(message, lo, hi, si, location)
    else:
        target = ref + 8 + ((lo >> 2) << 3)
        orphan = Orphan(message, _ORPHAN_OFFSET | kind, hi, segment_index, target)
    seg[ref : ref + 8] = bytes(8)
    return orphan


def _follow(message: MessageBuilder, lo: int, hi: int) -> Tuple[int, int]:
    """Where the object of a far pointer ``lo``/``hi`` (written by us) is."""
    pad = ((lo >> 3) & 0x1FFFFFFF) << 3
    plo, phi = _unpack_halves(message.segments[hi], pad)
    if lo & 4:  # double-far: the pad's first word is a far pointer to the object
        return phi, ((plo >> 3) & 0x1FFFFFFF) << 3
    return hi, pad + 8 + ((plo >> 2) << 3)


def adopt(message: MessageBuilder, segment_index: int, ref: int, orphan: Orphan) -> None:
    """Point the pointer at ``ref`` at the orphan's object (zeroing what it pointed to before);
    the orphan becomes null. No copy: a near pointer when the object is in the pointer's segment,
    else a far pointer through a landing pad next to the object, or a double-far when that
    segment is full (``transferPointer``); a far tag is reused as it is."""
    if orphan.message is not message:
        raise BuilderError(
            "an orphan can only be adopted by a pointer of its own message (it is words of "
            "that message's segments): copy the value instead"
        )
    seg = message.segments[segment_index]
    lo0, hi0 = _unpack_halves(seg, ref)
    if lo0 != 0 or hi0 != 0:
        zero_object(message, segment_index, ref)
    lo, hi = orphan.lo, orphan.hi
    if lo == 0 and hi == 0:
        seg[ref : ref + 8] = bytes(8)
    elif lo & 3 in (FAR, OTHER):
        _pack_halves(seg, ref, lo, hi)  # position-independent: copied as it is
    else:
        transfer_to_target(
            message, segment_index, ref, orphan.segment_index, orphan.location, lo & 3, hi
        )
    orphan._clear()


def discard(orphan: Orphan) -> None:
    """Zero the orphan's object (recursively, landing pads included) and drop its capabilities,
    as C++ does when an orphan is destroyed unadopted (``OrphanBuilder::euthanize``); the orphan
    becomes null."""
    if orphan.is_null():
        return
    zero_target(orphan.message, orphan.segment_index, orphan.location, orphan.lo, orphan.hi)
    orphan._clear()


def _drop_tag(orphan: Orphan) -> None:
    """Before the object moves: zero a far tag's landing pad(s) (layout.c++
    ``zeroPointerAndFars``; the tag itself is the orphan's and is rewritten by the caller)."""
    lo, hi = orphan.lo, orphan.hi
    if lo & 3 == FAR and not (lo == 0 and hi == 0):
        pad = ((lo >> 3) & 0x1FFFFFFF) << 3
        n = 16 if lo & 4 else 8
        orphan.message.segments[hi][pad : pad + n] = bytes(n)


# ---------------------------------------------------------------------------------------------
# New orphans (OrphanBuilder::initStruct, initList, initStructList, initText/initData + copy).
# An orphan's object needs no pointer, so it is allocated wherever the message has room, with
# no landing pad (allocate's orphanArena case).


def _check_struct_size(data_words: int, pointer_count: int) -> None:
    if not (0 <= data_words <= 0xFFFF and 0 <= pointer_count <= 0xFFFF):
        raise BuilderError(
            f"struct size out of range: {data_words} data words, {pointer_count} pointers "
            "(each at most 65535)"
        )


def _check_count(count: int) -> None:
    if not 0 <= count <= MAX_LIST_ELEMENTS:
        raise BuilderError(f"list of {count} elements: a list holds at most {MAX_LIST_ELEMENTS}")


def new_struct(message: MessageBuilder, data_words: int, pointer_count: int) -> Orphan:
    _check_struct_size(data_words, pointer_count)
    si, start = message.allocate(data_words + pointer_count)
    return Orphan(message, _ORPHAN_OFFSET | STRUCT, data_words | (pointer_count << 16), si, start)


def new_list(message: MessageBuilder, element_size: int, count: int) -> Orphan:
    """A list of ``count`` elements of a non-struct ``element_size``."""
    if element_size == _INLINE_COMPOSITE:
        raise BuilderError("use new_struct_list for lists of structs")
    _check_count(count)
    step = DATA_BITS_PER_ELEMENT[element_size] + (POINTERS_PER_ELEMENT[element_size] << 6)
    si, start = message.allocate((count * step + 63) >> 6)
    return Orphan(message, _ORPHAN_OFFSET | LIST, element_size | (count << 3), si, start)


def new_struct_list(
    message: MessageBuilder, count: int, data_words: int, pointer_count: int
) -> Orphan:
    """A list of ``count`` structs: the tag word, then the elements."""
    _check_struct_size(data_words, pointer_count)
    _check_count(count)
    words = count * (data_words + pointer_count)
    if words + 1 > MAX_SEGMENT_WORDS:
        raise BuilderError(f"struct list of {words} words is larger than a segment can hold")
    si, start = message.allocate(words + 1)
    _pack_halves(
        message.segments[si], start, _signed(count << 2) | STRUCT,
        data_words | (pointer_count << 16),
    )
    return Orphan(message, _ORPHAN_OFFSET | LIST, _INLINE_COMPOSITE | (words << 3), si, start)


def new_blob(message: MessageBuilder, value: bytes, text: bool) -> Orphan:
    """Text (``text=True``: a NUL is appended) or Data holding ``value``."""
    size = len(value) + 1 if text else len(value)
    if size > MAX_LIST_ELEMENTS:
        raise BuilderError(f"blob of {size} bytes: a blob holds 0 to {MAX_LIST_ELEMENTS} bytes")
    si, start = message.allocate((size + 7) >> 3)
    message.segments[si][start : start + len(value)] = value
    return Orphan(message, _ORPHAN_OFFSET | LIST, _BYTE | (size << 3), si, start)


def _signed(value: int) -> int:
    return value - (1 << 32) if value >= 1 << 31 else value


# ---------------------------------------------------------------------------------------------
# Reading and writing an orphan's object (OrphanBuilder::as*). Orphans are made by our own
# builders, so their words are trusted as a builder's are.


def pointer_type(orphan: Orphan) -> PointerType:
    if orphan.is_null():
        return PointerType.NULL
    lo, hi = orphan.object_halves()
    kind = lo & 3
    if kind == STRUCT:
        return PointerType.STRUCT
    if kind == LIST:
        return PointerType.LIST
    return PointerType.CAPABILITY


def _expect(orphan: Orphan, kind: int) -> Tuple[int, int]:
    lo, hi = orphan.object_halves()
    if lo & 3 != kind:
        raise BuilderError(
            f"the orphan holds a {pointer_type(orphan).value}, not a "
            f"{'struct' if kind == STRUCT else 'list'}"
        )
    return lo, hi


def struct_builder(orphan: Orphan, data_words: int, pointer_count: int) -> StructBuilder:
    """The orphan's struct for writing with (at least) this layout: allocated if the orphan is
    null, moved to a larger allocation if it is smaller (``asStruct``, as
    ``getWritableStructPointer`` does for a pointer)."""
    _check_struct_size(data_words, pointer_count)
    message = orphan.message
    if orphan.is_null():
        new = new_struct(message, data_words, pointer_count)
        orphan._set_near(STRUCT, new.hi, new.segment_index, new.location)
        return _struct_at(message, new.segment_index, new.location, new.hi)
    lo, hi = _expect(orphan, STRUCT)
    old_data = hi & 0xFFFF
    old_pointers = hi >> 16
    if old_data >= data_words and old_pointers >= pointer_count:
        return _struct_at(message, orphan.segment_index, orphan.location, hi)
    # Written with an older, smaller layout: move it, as a pointer's struct would be moved.
    new_data = max(old_data, data_words)
    new_pointers = max(old_pointers, pointer_count)
    old_si, old_start = orphan.segment_index, orphan.location
    old_seg = message.segments[old_si]
    _drop_tag(orphan)
    si, start = message.allocate(new_data + new_pointers)
    seg = message.segments[si]
    seg[start : start + (old_data << 3)] = old_seg[old_start : old_start + (old_data << 3)]
    for i in range(old_pointers):
        transfer_pointer(
            message, si, start + ((new_data + i) << 3), old_si, old_start + ((old_data + i) << 3)
        )
    old_size = (old_data + old_pointers) << 3
    old_seg[old_start : old_start + old_size] = bytes(old_size)
    new_hi = new_data | (new_pointers << 16)
    orphan._set_near(STRUCT, new_hi, si, start)
    return _struct_at(message, si, start, new_hi)


def _struct_at(message: MessageBuilder, si: int, start: int, hi: int) -> StructBuilder:
    data_size = (hi & 0xFFFF) << 3
    return StructBuilder(
        message, message.segments[si], si, start, data_size, start + data_size, hi >> 16
    )


def _empty_list(message: MessageBuilder, element_size: int) -> ListBuilder:
    data_bits = DATA_BITS_PER_ELEMENT[element_size]
    pointer_count = POINTERS_PER_ELEMENT[element_size]
    return ListBuilder(
        message, bytearray(8), -1, 0, 0, data_bits + (pointer_count << 6), data_bits,
        pointer_count, element_size,
    )


def _list_layout(seg: bytearray, start: int, hi: int) -> Tuple[int, int, int, int, int, int]:
    """``(first element, count, step bits, data bits, pointers, element size)`` of a list."""
    element_size = hi & 7
    if element_size == _INLINE_COMPOSITE:
        tag_lo, tag_hi = _unpack_halves(seg, start)
        data_words = tag_hi & 0xFFFF
        pointers = tag_hi >> 16
        count = (tag_lo >> 2) & 0x3FFFFFFF
        return start + 8, count, (data_words + pointers) << 6, data_words << 6, pointers, 7
    data_bits = DATA_BITS_PER_ELEMENT[element_size]
    pointers = POINTERS_PER_ELEMENT[element_size]
    return start, hi >> 3, data_bits + (pointers << 6), data_bits, pointers, element_size


def list_builder(orphan: Orphan, element_size: int) -> ListBuilder:
    """The orphan's list for writing as a list of ``element_size`` (not INLINE_COMPOSITE: see
    :func:`struct_list_builder`). Never moved; an empty list if the orphan is null. A struct
    list may be written as a list of its elements' first fields, as through a pointer
    (``asList``, ``getWritableListPointer``)."""
    message = orphan.message
    if orphan.is_null():
        return _empty_list(message, element_size)
    lo, hi = _expect(orphan, LIST)
    seg = message.segments[orphan.segment_index]
    start, count, step, data_bits, pointers, size = _list_layout(seg, orphan.location, hi)
    check_list_writable_as(size, element_size, data_bits, pointers)
    return ListBuilder(
        message, seg, orphan.segment_index, start, count, step, data_bits, pointers, size
    )


def struct_list_builder(orphan: Orphan, data_words: int, pointer_count: int) -> ListBuilder:
    """The orphan's list for writing as a list of structs of (at least) this layout: moved to
    larger elements if it was written with smaller ones, or as a list of primitives or pointers
    (which become each struct's first field), as ``asStructList`` does."""
    _check_struct_size(data_words, pointer_count)
    message = orphan.message
    if orphan.is_null():
        return _empty_list(message, _INLINE_COMPOSITE)
    lo, hi = _expect(orphan, LIST)
    old_si, old_start = orphan.segment_index, orphan.location
    old_seg = message.segments[old_si]
    first, count, old_step_bits, old_data_bits, old_pointers, old_size = _list_layout(
        old_seg, old_start, hi
    )
    if old_size == _INLINE_COMPOSITE:
        old_data = old_data_bits >> 6
        if old_data >= data_words and old_pointers >= pointer_count:
            return ListBuilder(
                message, old_seg, old_si, first, count, old_step_bits, old_data_bits,
                old_pointers, _INLINE_COMPOSITE,
            )
        old_data_bytes = old_data << 3
        old_total = 8 + count * (old_step_bits >> 3)  # the tag too
    else:
        if old_size == _BIT:
            raise BuilderError("a Bool list cannot be upgraded to a struct list")
        old_data = 1 if old_data_bits else 0  # a primitive becomes the first data word
        old_data_bytes = old_data_bits >> 3
        old_total = (((count * old_step_bits) + 63) >> 6) << 3
    new_data = max(old_data, data_words)
    new_pointers = max(old_pointers, pointer_count)
    new_step = (new_data + new_pointers) << 3
    old_step = old_step_bits >> 3
    _drop_tag(orphan)
    new = new_struct_list(message, count, new_data, new_pointers)
    si = new.segment_index
    seg = message.segments[si]
    for e in range(count):
        src = first + e * old_step
        dst = new.location + 8 + e * new_step
        seg[dst : dst + old_data_bytes] = old_seg[src : src + old_data_bytes]
        for i in range(old_pointers):
            transfer_pointer(
                message, si, dst + (new_data << 3) + (i << 3), old_si,
                src + old_data_bytes + (i << 3),
            )
    old_seg[old_start : old_start + old_total] = bytes(old_total)
    orphan._set_near(LIST, new.hi, si, new.location)
    return ListBuilder(
        message, seg, si, new.location + 8, count, new_step << 3, new_data << 6, new_pointers,
        _INLINE_COMPOSITE,
    )


def struct_reader(orphan: Orphan) -> StructReader:
    """A reader of the orphan's struct (no copy; the empty struct when the orphan is null)."""
    if orphan.is_null():
        return EMPTY_STRUCT
    lo, hi = _expect(orphan, STRUCT)
    message = orphan.message
    si, start = orphan.segment_index, orphan.location
    data_size = (hi & 0xFFFF) << 3
    return StructReader(
        message.as_reader(), message.segments[si], si, start, data_size, start + data_size,
        hi >> 16, UNLIMITED.nesting_budget,
    )


def list_reader(orphan: Orphan) -> ListReader:
    """A reader of the orphan's list, whatever its element size (no copy; an empty list when
    the orphan is null)."""
    if orphan.is_null():
        return EMPTY_LISTS[_INLINE_COMPOSITE]
    lo, hi = _expect(orphan, LIST)
    message = orphan.message
    seg = message.segments[orphan.segment_index]
    start, count, step, data_bits, pointers, size = _list_layout(seg, orphan.location, hi)
    return ListReader(
        message.as_reader(), seg, orphan.segment_index, start, count, step, data_bits, pointers,
        size, UNLIMITED.nesting_budget,
    )


def blob(orphan: Orphan, text: bool) -> Optional[bytes]:
    """The bytes of a Text (without its NUL) or Data orphan; ``None`` when null."""
    if orphan.is_null():
        return None
    lo, hi = _expect(orphan, LIST)
    if hi & 7 != _BYTE:
        raise BuilderError(
            f"the orphan is a list of {ElementSize(hi & 7).name}, not {'Text' if text else 'Data'}"
        )
    size = hi >> 3
    if text:
        size = max(size - 1, 0)
    seg = orphan.message.segments[orphan.segment_index]
    return bytes(seg[orphan.location : orphan.location + size])


def capability(orphan: Orphan) -> Optional[int]:
    """The capability table index of a capability orphan; ``None`` when null."""
    if orphan.is_null():
        return None
    if orphan.lo != OTHER:
        raise BuilderError(f"the orphan holds a {pointer_type(orphan).value}, not a capability")
    return orphan.hi


# ---------------------------------------------------------------------------------------------


def transfer_struct_content(dst: StructBuilder, src: StructBuilder) -> None:
    """Move ``src``'s content into ``dst`` (same message): the data copied, cut or zero-padded
    to ``dst``'s section; ``dst``'s old pointers zeroed, ``src``'s pointers moved over without
    copying their objects, and nulled in ``src`` (layout.c++
    ``StructBuilder::transferContentFrom``: what adopting into, or disowning from, an element
    of a struct list does, since an element cannot be re-pointed). ``src``'s data is left."""
    if dst.message is not src.message:
        raise BuilderError("transfer_struct_content moves pointers within one message")
    message = dst.message
    shared = min(dst.data_size, src.data_size)
    seg = dst.segment
    at = dst.data_offset
    seg[at : at + shared] = src.segment[src.data_offset : src.data_offset + shared]
    seg[at + shared : at + dst.data_size] = bytes(dst.data_size - shared)
    for i in range(dst.pointer_count):
        ref = dst.pointer_offset + (i << 3)
        zero_object(message, dst.segment_index, ref)
        seg[ref : ref + 8] = bytes(8)
    n = min(dst.pointer_count, src.pointer_count)
    for i in range(n):
        transfer_pointer(
            message, dst.segment_index, dst.pointer_offset + (i << 3), src.segment_index,
            src.pointer_offset + (i << 3),
        )
    # src no longer owns them. (Pointers dst had no room for stay with src, as in C++.)
    src.segment[src.pointer_offset : src.pointer_offset + (n << 3)] = bytes(n << 3)
