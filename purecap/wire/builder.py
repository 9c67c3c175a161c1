"""Building messages: segment allocation, and builders of structs, lists and pointers.

A :class:`MessageBuilder` allocates words the way C++'s ``MallocMessageBuilder`` does, so that the
same sequence of operations yields the same bytes: the first segment holds
``first_segment_words`` (1024 by default) and, with the default growth strategy, each new segment is
as large as all previous ones together (``GROW_HEURISTICALLY``); with ``fixed_size=True`` every
segment has the first one's size (``FIXED_SIZE``, what ``capnp convert --segment-size`` uses).
An object goes into the segment of the pointer that points to it when it fits; otherwise into the
newest segment with room, reached through a far pointer whose landing pad precedes the object
(layout.c++ ``allocate``).

Builders are views like the readers: a :class:`StructBuilder` is a segment (a ``bytearray``) plus
byte offsets. Replacing a pointer zeroes the object it pointed to, as C++ does, so that stale data
neither leaks nor costs space once packed.
"""

from __future__ import annotations

import struct
import sys
from itertools import repeat
from typing import Any, Iterator, List, Optional, Tuple, Union

from purecap.wire.errors import BuilderError
from purecap.wire.framing import frame_segments
from purecap.wire.limits import UNLIMITED
from purecap.wire.pointers import (
    DATA_BITS_PER_ELEMENT,
    EMPTY_STRUCT_LO,
    FAR,
    LIST,
    OTHER,
    POINTERS_PER_ELEMENT,
    STRUCT,
    ElementSize,
    PointerType,
)
from purecap.wire.reader import (
    ListReader,
    MessageReader,
    PointerReader,
    StructReader,
)

__all__ = [
    "SUGGESTED_FIRST_SEGMENT_WORDS",
    "MAX_SEGMENT_WORDS",
    "MessageBuilder",
    "StructBuilder",
    "ListBuilder",
    "PointerBuilder",
]

SUGGESTED_FIRST_SEGMENT_WORDS = 1024
# A segment's size is a 32-bit word count on the wire, but offsets inside it are 29 bits.
MAX_SEGMENT_WORDS = (1 << 29) - 1
MAX_LIST_ELEMENTS = (1 << 29) - 1

_HALVES = struct.Struct("<iI")
_FIRST_TABLE_WORD = struct.Struct("<II").pack  # (segment count - 1, size of segment 0)
_word = struct.Struct("<Q").unpack_from
_pack_words = struct.Struct("<II").pack_into  # a far pointer: both halves unsigned
_unpack_halves = _HALVES.unpack_from
_pack_halves = _HALVES.pack_into
_INLINE_COMPOSITE = 7
_BIT = 1
_POINTER = 6


# On PyPy, a fresh 8 KiB bytearray per message (C++'s default first segment) costs more than
# building a small message (GC work: 545 ns against 220 ns for a 5-word message, PyPy 7.3.11),
# so segments start at _INITIAL_WORDS and grow in place up to their C++ size; the layout is the
# same. CPython's bytearray cannot grow while a memoryview of it is alive, and its calloc is
# cheap, so there segments get their full size at once.
_LAZY_SEGMENTS = sys.implementation.name == "pypy"
_INITIAL_WORDS = 32


def _grow(seg: bytearray, needed_words: int, capacity_words: int) -> None:
    """Extend ``seg`` in place (same object: builders hold it) to hold ``needed_words``."""
    new_words = min(max(needed_words, (len(seg) >> 3) * 2), capacity_words)
    seg.extend(bytes((new_words << 3) - len(seg)))


def _signed32(value: int) -> int:
    return value - (1 << 32) if value >= 1 << 31 else value


class MessageBuilder:
    """A message under construction (the arena): its segments and how they grow."""

    __slots__ = (
        "segments",
        "views",
        "used_words",
        "capacity_words",
        "first_segment_words",
        "fixed_size",
        "_next_size",
        "_segment_with_space",
        "cap_table",
        "_reader",
    )

    def __init__(
        self,
        first_segment_words: int = SUGGESTED_FIRST_SEGMENT_WORDS,
        fixed_size: bool = False,
        cap_table: Optional[List[Any]] = None,
    ) -> None:
        if not 1 <= first_segment_words <= MAX_SEGMENT_WORDS:
            raise ValueError(f"first_segment_words must be in 1..{MAX_SEGMENT_WORDS}")
        self.segments: List[bytearray] = []
        # Where text and data bytes are copied in: on CPython a memoryview of each segment,
        # because assigning a slice of a memoryview costs 40% of assigning the same slice of
        # the bytearray (38 against 95 ns, CPython 3.11); on PyPy, whose segments grow in
        # place (which a live memoryview would forbid), the segments themselves.
        self.views: List[Union[bytearray, memoryview]] = (
            self.segments if _LAZY_SEGMENTS else []  # type: ignore[assignment]
        )
        self.used_words: List[int] = []
        # Each segment's size as C++ would allocate it (what decides where far pointers go).
        # On CPython the bytearray has that size from the start (calloc is cheap); on PyPy it
        # starts small and grows in place, see _LAZY_SEGMENTS.
        self.capacity_words: List[int] = []
        self.first_segment_words = first_segment_words
        self.fixed_size = fixed_size
        self._next_size = first_segment_words
        self._segment_with_space = -1
        self.cap_table: List[Any] = cap_table if cap_table is not None else []
        self._reader: Optional[MessageReader] = None

    # -- allocation ----------------------------------------------------------------------------

    def _new_segment(self, minimum_words: int) -> int:
        """Add a segment of at least ``minimum_words`` (C++ MallocMessageBuilder::allocateSegment)."""
        if minimum_words > MAX_SEGMENT_WORDS:
            raise BuilderError(
                f"cannot allocate an object of {minimum_words} words: a segment holds at most "
                f"{MAX_SEGMENT_WORDS}"
            )
        size = max(minimum_words, self._next_size)
        if not self.fixed_size:
            # After the first segment, the next is as large as everything allocated so far.
            self._next_size = size if not self.segments else min(
                self._next_size + size, MAX_SEGMENT_WORDS
            )
        physical = min(size, max(minimum_words, _INITIAL_WORDS)) if _LAZY_SEGMENTS else size
        seg = bytearray(physical << 3)
        self.segments.append(seg)
        if not _LAZY_SEGMENTS:
            self.views.append(memoryview(seg))
        self.used_words.append(0)
        self.capacity_words.append(size)
        return len(self.segments) - 1

    def allocate_in(self, segment_index: int, words: int) -> int:
        """Byte offset of ``words`` fresh (zeroed) words in segment ``segment_index``, or -1."""
        used = self.used_words[segment_index]
        end = used + words
        if end > self.capacity_words[segment_index]:
            return -1
        self.used_words[segment_index] = end
        seg = self.segments[segment_index]
        if end << 3 > len(seg):
            _grow(seg, end, self.capacity_words[segment_index])
        return used << 3

    def allocate(self, words: int) -> Tuple[int, int]:
        """``(segment index, byte offset)`` of ``words`` fresh words anywhere (BuilderArena::allocate)."""
        ws = self._segment_with_space
        if ws >= 0:
            offset = self.allocate_in(ws, words)
            if offset >= 0:
                return ws, offset
        index = self._new_segment(words)
        self._segment_with_space = index
        return index, self.allocate_in(index, words)

    # -- the root ------------------------------------------------------------------------------

    def root_pointer(self) -> PointerBuilder:
        """The root pointer, the first word of the first segment."""
        if not self.segments:
            self.allocate(1)
        return PointerBuilder(self, 0, 0)

    def init_root(self, data_words: int, pointer_count: int) -> StructBuilder:
        words = data_words + pointer_count
        if not self.segments and 0 < words < self.first_segment_words and data_words >= 0 and (
            0 <= pointer_count <= 0xFFFF and data_words <= 0xFFFF
        ):
            # A fresh message, the usual case, in one step: the first segment, the root
            # pointer in its first word and the struct right after it, as the general path
            # (root_pointer().init_struct) lays them out (1.4 -> 0.5 us on CPython 3.11).
            # (_new_segment(1) then allocate_in, inlined: the first segment's size is the
            # first_segment_words, and _next_size stays that.)
            size = self.first_segment_words
            if _LAZY_SEGMENTS:
                seg = bytearray(max(1 + words, min(size, _INITIAL_WORDS)) << 3)
            else:
                seg = bytearray(size << 3)
            self.segments.append(seg)
            if not _LAZY_SEGMENTS:
                self.views.append(memoryview(seg))
            self.used_words.append(1 + words)
            self.capacity_words.append(size)
            self._segment_with_space = 0
            _pack_halves(seg, 0, STRUCT, data_words | (pointer_count << 16))
            return StructBuilder(
                self, seg, 0, 8, data_words << 3, 8 + (data_words << 3), pointer_count
            )
        return self.root_pointer().init_struct(data_words, pointer_count)

    def get_root(self, data_words: int, pointer_count: int) -> StructBuilder:
        return self.root_pointer().get_struct(data_words, pointer_count)

    def set_root(self, value: StructReader) -> None:
        """Deep-copy ``value`` (from any message) as the root."""
        self.root_pointer().set_struct(value)

    # -- output --------------------------------------------------------------------------------

    def segments_for_output(self) -> List[memoryview]:
        """The used part of each segment, as views (no copy)."""
        if not self.segments:
            self.allocate(1)
        return [memoryview(seg)[: used << 3] for seg, used in zip(self.segments, self.used_words)]

    def to_framed_bytes(self) -> bytes:
        """The framed message (segment table, then the used part of each segment)."""
        if len(self.segments) == 1:  # the common case, without views or a join
            used = self.used_words[0]
            return _FIRST_TABLE_WORD(0, used) + self.segments[0][: used << 3]
        return frame_segments(self.segments_for_output())

    def to_segments(self) -> List[bytes]:
        return [bytes(s) for s in self.segments_for_output()]

    def as_reader(self) -> MessageReader:
        """A reader over this builder's segments (no copy; sees later changes)."""
        reader = self._reader
        if reader is None:
            reader = MessageReader([], UNLIMITED, self.cap_table)
            reader.segments = self.segments  # type: ignore[assignment]  # shared on purpose
            self._reader = reader
        return reader

    def __repr__(self) -> str:
        return f"<MessageBuilder {len(self.segments)} segments, {sum(self.used_words)} words used>"


# ---------------------------------------------------------------------------------------------
# Pointer-level operations on a builder. (seg, ref) is where the pointer word lives.


def follow_builder_far(
    message: MessageBuilder, segment_index: int, ref: int
) -> Tuple[int, int, int, int]:
    """For a pointer we wrote ourselves: ``(segment, byte offset of object, lo, hi)``."""
    seg = message.segments[segment_index]
    lo, hi = _unpack_halves(seg, ref)
    if lo & 3 != FAR:
        return segment_index, ref + 8 + ((lo >> 2) << 3), lo, hi
    pad_seg = message.segments[hi]
    pad = ((lo >> 3) & 0x1FFFFFFF) << 3
    plo, phi = _unpack_halves(pad_seg, pad)
    if not lo & 4:
        return hi, pad + 8 + ((plo >> 2) << 3), plo, phi
    tlo, thi = _unpack_halves(pad_seg, pad + 8)
    return phi, ((plo >> 3) & 0x1FFFFFFF) << 3, tlo, thi


def zero_object(message: MessageBuilder, segment_index: int, ref: int) -> None:
    """Zero what the pointer at ``ref`` points to, recursively, with its landing pads, and drop
    its capabilities (layout.c++ ``zeroObject``). The pointer word itself is left to the caller."""
    _zero(message, (0, segment_index, ref, 0, 0))


def zero_target(message: MessageBuilder, segment_index: int, start: int, lo: int, hi: int) -> None:
    """Zero an object that no pointer word points to - an orphan's - known by the halves of the
    pointer that would (``lo``/``hi``) and, for a near one, by where it starts (byte ``start``
    of ``segment_index``). A far or capability pointer's halves locate the object themselves."""
    if lo & 3 in (FAR, OTHER):
        _zero(message, (3, segment_index, start, lo, hi))
    else:
        _zero(message, (2, segment_index, start, lo, hi))


def _zero(message: MessageBuilder, first: Tuple[int, int, int, int, int]) -> None:
    """zero_object's walk. Iterative, so that a deep structure cannot exhaust the Python stack.
    Work items are ``(op, segment, a, b, c)``: op 0 is the pointer at byte ``a``; op 3 a pointer
    whose halves are ``b``/``c`` (not read from a word); op 1 zeroes ``b`` bytes from ``a``; op 2
    is an object at ``a`` described by pointer halves ``b``/``c``. A range is queued below the
    pointers inside it so that they are followed before being cleared.
    """
    segments = message.segments
    caps = message.cap_table
    work: List[Tuple[int, int, int, int, int]] = [first]
    while work:
        op, si, a, b, c = work.pop()
        seg = segments[si]
        if op == 1:
            seg[a : a + b] = bytes(b)
            continue
        if op == 0 or op == 3:
            lo, hi = _unpack_halves(seg, a) if op == 0 else (b, c)
            if lo == 0 and hi == 0:
                continue
            kind = lo & 3
            if kind == OTHER:
                if lo == OTHER and hi < len(caps):
                    caps[hi] = None  # C++ CapTableBuilder::dropCap
                continue
            if kind == FAR:
                pad = ((lo >> 3) & 0x1FFFFFFF) << 3
                if lo & 4:
                    pad_seg = segments[hi]
                    plo, phi = _unpack_halves(pad_seg, pad)
                    tlo, thi = _unpack_halves(pad_seg, pad + 8)
                    work.append((1, hi, pad, 16, 0))
                    work.append((2, phi, ((plo >> 3) & 0x1FFFFFFF) << 3, tlo, thi))
                else:
                    work.append((1, hi, pad, 8, 0))
                    work.append((0, hi, pad, 0, 0))
                continue
            work.append((2, si, a + 8 + ((lo >> 2) << 3), lo, hi))
            continue
        # op == 2: the object itself.
        start, lo, hi = a, b, c
        if lo & 3 == STRUCT:
            data_words = hi & 0xFFFF
            pointer_count = hi >> 16
            work.append((1, si, start, (data_words + pointer_count) << 3, 0))
            pointers = start + (data_words << 3)
            work.extend((0, si, pointers + (i << 3), 0, 0) for i in range(pointer_count))
            continue
        element_size = hi & 7
        if element_size == _INLINE_COMPOSITE:
            tag_lo, tag_hi = _unpack_halves(seg, start)
            count = (tag_lo >> 2) & 0x3FFFFFFF
            data_words = tag_hi & 0xFFFF
            pointer_count = tag_hi >> 16
            step = (data_words + pointer_count) << 3
            work.append((1, si, start, 8 + count * step, 0))
            if pointer_count:
                for e in range(count):
                    base = start + 8 + e * step + (data_words << 3)
                    work.extend((0, si, base + (i << 3), 0, 0) for i in range(pointer_count))
        elif element_size == _POINTER:
            count = hi >> 3
            work.append((1, si, start, count << 3, 0))
            work.extend((0, si, start + (i << 3), 0, 0) for i in range(count))
        elif element_size != 0:
            words = ((hi >> 3) * DATA_BITS_PER_ELEMENT[element_size] + 63) >> 6
            seg[start : start + (words << 3)] = bytes(words << 3)


def allocate_object(
    message: MessageBuilder, segment_index: int, ref: int, words: int, kind: int, hi: int
) -> Tuple[int, int]:
    """Allocate ``words`` for a new object and point the pointer at ``ref`` to it.

    Whatever ``ref`` pointed to before is zeroed first. Returns ``(segment, byte offset)`` of the
    object. Follows layout.c++ ``allocate``: the pointer's own segment if it has room, else a new
    allocation with a one-word landing pad in front and a far pointer to that pad.
    """
    seg = message.segments[segment_index]
    lo0, hi0 = _unpack_halves(seg, ref)
    if lo0 != 0 or hi0 != 0:
        zero_object(message, segment_index, ref)
    if words == 0 and kind == STRUCT:
        # An empty struct points at its own pointer word, so the pointer is not null.
        _pack_halves(seg, ref, EMPTY_STRUCT_LO, hi)
        return segment_index, ref
    used = message.used_words[segment_index]
    end = used + words
    if end <= message.capacity_words[segment_index]:  # fits the pointer's segment (allocate_in)
        message.used_words[segment_index] = end
        if end << 3 > len(seg):
            _grow(seg, end, message.capacity_words[segment_index])
        offset = used << 3
        _pack_halves(seg, ref, (((offset - ref - 8) >> 3) << 2) | kind, hi)
        return segment_index, offset
    # No room: a landing pad and the object wherever there is room (allocate's first choice,
    # the segment with space, inlined: this is where every object goes once a segment is full).
    far_index = message._segment_with_space
    used = message.used_words[far_index] if far_index >= 0 else 0
    end = used + words + 1
    if far_index >= 0 and end <= message.capacity_words[far_index]:
        message.used_words[far_index] = end
        far_seg = message.segments[far_index]
        if end << 3 > len(far_seg):
            _grow(far_seg, end, message.capacity_words[far_index])
        pad = used << 3
    else:
        far_index, pad = message.allocate(words + 1)
        far_seg = message.segments[far_index]
    _pack_halves(seg, ref, _signed32(((pad >> 3) << 3) | FAR), far_index)
    _pack_halves(far_seg, pad, kind, hi)  # the object follows the pad: offset 0
    return far_index, pad + 8


def _check_struct_size(data_words: int, pointer_count: int) -> None:
    if not (0 <= data_words <= 0xFFFF and 0 <= pointer_count <= 0xFFFF):
        raise BuilderError(
            f"struct size out of range: {data_words} data words, {pointer_count} pointers "
            "(each at most 65535)"
        )


def init_struct_at(
    message: MessageBuilder, segment_index: int, ref: int, data_words: int, pointer_count: int
) -> StructBuilder:
    _check_struct_size(data_words, pointer_count)
    si, start = allocate_object(
        message, segment_index, ref, data_words + pointer_count, STRUCT,
        data_words | (pointer_count << 16),
    )
    data_size = data_words << 3
    return StructBuilder(
        message, message.segments[si], si, start, data_size, start + data_size, pointer_count
    )


def transfer_pointer(
    message: MessageBuilder, dst_index: int, dst: int, src_index: int, src: int
) -> None:
    """Make the pointer at ``dst`` point where the pointer at ``src`` does (same message);
    the caller then zeroes ``src`` (layout.c++ ``transferPointer``)."""
    src_seg = message.segments[src_index]
    lo, hi = _unpack_halves(src_seg, src)
    dst_seg = message.segments[dst_index]
    if (lo == 0 and hi == 0) or lo & 3 in (FAR, OTHER):
        _pack_halves(dst_seg, dst, lo, hi)  # position-independent: copy as is
        return
    target = src + 8 + ((lo >> 2) << 3)
    transfer_to_target(message, dst_index, dst, src_index, target, lo & 3, hi)


def transfer_to_target(
    message: MessageBuilder, dst_index: int, dst: int, target_index: int, target: int,
    kind: int, hi: int,
) -> None:
    """Point ``dst`` at an object at ``target`` whose pointer's upper half is ``hi``."""
    dst_seg = message.segments[dst_index]
    if dst_index == target_index:
        if kind == STRUCT and hi == 0:
            _pack_halves(dst_seg, dst, EMPTY_STRUCT_LO, 0)
        else:
            _pack_halves(dst_seg, dst, (((target - dst - 8) >> 3) << 2) | kind, hi)
        return
    target_seg = message.segments[target_index]
    pad = message.allocate_in(target_index, 1)
    if pad >= 0:
        _pack_halves(target_seg, pad, (((target - pad - 8) >> 3) << 2) | kind, hi)
        _pack_halves(dst_seg, dst, _signed32((pad >> 3) << 3 | FAR), target_index)
        return
    # No room for a landing pad next to the object: a double-far, whose two-word pad lives
    # anywhere and says "the object is at (segment, offset), shaped like this tag".
    far_index, pad = message.allocate(2)
    far_seg = message.segments[far_index]
    _pack_halves(far_seg, pad, _signed32(((target >> 3) << 3) | FAR), target_index)
    _pack_halves(far_seg, pad + 8, kind, hi)
    _pack_halves(dst_seg, dst, _signed32(((pad >> 3) << 3) | 4 | FAR), far_index)


def get_writable_struct(
    message: MessageBuilder,
    segment_index: int,
    ref: int,
    data_words: int,
    pointer_count: int,
    default: Optional[StructReader] = None,
) -> StructBuilder:
    """The struct at ``ref`` for writing: initialised (from ``default``) if null, and moved to a
    larger allocation if it was written with a smaller (older) layout (layout.c++
    ``getWritableStructPointer``)."""
    seg = message.segments[segment_index]
    lo, hi = _unpack_halves(seg, ref)
    if lo == 0 and hi == 0:
        if default is None or (default.data_size == 0 and default.pointer_count == 0):
            return init_struct_at(message, segment_index, ref, data_words, pointer_count)
        from purecap.wire.copying import set_struct_pointer

        set_struct_pointer(message, segment_index, ref, default)
        lo, hi = _unpack_halves(seg, ref)
    old_index, old_start, olo, ohi = follow_builder_far(message, segment_index, ref)
    if olo & 3 != STRUCT:
        raise BuilderError("the pointer holds a list or capability where a struct was expected")
    old_data = ohi & 0xFFFF
    old_pointers = ohi >> 16
    old_seg = message.segments[old_index]
    if old_data >= data_words and old_pointers >= pointer_count:
        data_size = old_data << 3
        return StructBuilder(
            message, old_seg, old_index, old_start, data_size, old_start + data_size, old_pointers
        )
    # Too small for the layout we know: move it to a new, larger allocation.
    new_data = max(old_data, data_words)
    new_pointers = max(old_pointers, pointer_count)
    _check_struct_size(new_data, new_pointers)
    _zero_pointer_and_pads(message, segment_index, ref)
    si, start = allocate_object(
        message, segment_index, ref, new_data + new_pointers, STRUCT,
        new_data | (new_pointers << 16),
    )
    new_seg = message.segments[si]
    new_seg[start : start + (old_data << 3)] = old_seg[old_start : old_start + (old_data << 3)]
    old_pointer_section = old_start + (old_data << 3)
    new_pointer_section = start + (new_data << 3)
    for i in range(old_pointers):
        transfer_pointer(message, si, new_pointer_section + (i << 3), old_index,
                         old_pointer_section + (i << 3))
    old_size = (old_data + old_pointers) << 3
    old_seg[old_start : old_start + old_size] = bytes(old_size)
    return StructBuilder(
        message, new_seg, si, start, new_data << 3, new_pointer_section, new_pointers
    )


def _zero_pointer_and_pads(message: MessageBuilder, segment_index: int, ref: int) -> None:
    """Zero a pointer and its landing pad(s), but not the object (layout.c++ zeroPointerAndFars)."""
    seg = message.segments[segment_index]
    lo, hi = _unpack_halves(seg, ref)
    if lo & 3 == FAR and not (lo == 0 and hi == 0):
        pad = ((lo >> 3) & 0x1FFFFFFF) << 3
        n = 16 if lo & 4 else 8
        message.segments[hi][pad : pad + n] = bytes(n)
    seg[ref : ref + 8] = bytes(8)


def init_list_at(
    message: MessageBuilder, segment_index: int, ref: int, element_size: int, count: int
) -> ListBuilder:
    """A new list of ``count`` elements of a non-struct ``element_size`` at ``ref``."""
    if element_size == _INLINE_COMPOSITE:
        raise BuilderError("use init_struct_list for lists of structs")
    if not 0 <= count <= MAX_LIST_ELEMENTS:
        raise BuilderError(f"list of {count} elements: a list holds at most {MAX_LIST_ELEMENTS}")
    data_bits = DATA_BITS_PER_ELEMENT[element_size]
    pointer_count = POINTERS_PER_ELEMENT[element_size]
    step = data_bits + (pointer_count << 6)
    words = (count * step + 63) >> 6
    si, start = allocate_object(
        message, segment_index, ref, words, LIST, element_size | (count << 3)
    )
    return ListBuilder(
        message, message.segments[si], si, start, count, step, data_bits, pointer_count,
        element_size,
    )


def init_struct_list_at(
    message: MessageBuilder,
    segment_index: int,
    ref: int,
    count: int,
    data_words: int,
    pointer_count: int,
) -> ListBuilder:
    """A new list of ``count`` structs (an INLINE_COMPOSITE list with its tag word) at ``ref``."""
    _check_struct_size(data_words, pointer_count)
    if not 0 <= count <= MAX_LIST_ELEMENTS:
        raise BuilderError(f"list of {count} elements: a list holds at most {MAX_LIST_ELEMENTS}")
    per_element = data_words + pointer_count
    words = count * per_element
    if words + 1 > MAX_SEGMENT_WORDS:
        raise BuilderError(f"struct list of {words} words is larger than a segment can hold")
    si, start = allocate_object(
        message, segment_index, ref, words + 1, LIST, _INLINE_COMPOSITE | (words << 3)
    )
    seg = message.segments[si]
    _pack_halves(seg, start, _signed32((count << 2) | STRUCT), data_words | (pointer_count << 16))
    return ListBuilder(
        message, seg, si, start + 8, count, per_element << 6, data_words << 6, pointer_count,
        _INLINE_COMPOSITE,
    )


def check_list_writable_as(old_size: int, element_size: int, data_bits: int, pointers: int) -> None:
    """Refuse to write a list of ``old_size`` elements (each ``data_bits`` and ``pointers``) as
    a list of ``element_size`` unless each element has what that size needs (layout.c++
    ``getWritableListPointer``): a struct list as a list of its elements' first fields, a
    primitive list only as a list of no larger elements, bits only as bits."""
    if old_size == _INLINE_COMPOSITE:
        if element_size == _BIT or (element_size == _POINTER and pointers == 0) or (
            2 <= element_size <= 5 and data_bits == 0
        ):
            raise BuilderError(
                f"a struct list cannot be written as a list of {ElementSize(element_size).name}"
            )
    elif element_size != _INLINE_COMPOSITE and (
        DATA_BITS_PER_ELEMENT[element_size] > data_bits
        or POINTERS_PER_ELEMENT[element_size] > pointers
        or (old_size == _BIT) != (element_size == _BIT)
    ):
        raise BuilderError(
            f"a list of {ElementSize(old_size).name} cannot be written as a list of "
            f"{ElementSize(element_size).name}"
        )


def get_writable_list(
    message: MessageBuilder,
    segment_index: int,
    ref: int,
    element_size: int,
    default: Optional[ListReader] = None,
) -> ListBuilder:
    """The existing list at ``ref`` for writing (a copy of ``default`` if null; an empty list if
    null without default). A struct list can be written as a list of its first fields, as it can
    be read (layout.c++ ``getWritableListPointer``)."""
    seg = message.segments[segment_index]
    lo, hi = _unpack_halves(seg, ref)
    if lo == 0 and hi == 0:
        if default is None or default.element_count == 0:
            return _empty_list_builder(message, element_size)
        from purecap.wire.copying import set_list_pointer

        set_list_pointer(message, segment_index, ref, default)
    si, start, lo, hi = follow_builder_far(message, segment_index, ref)
    if lo & 3 != LIST:
        raise BuilderError("the pointer holds a struct or capability where a list was expected")
    seg = message.segments[si]
    old_size = hi & 7
    if old_size == _INLINE_COMPOSITE:
        tag_lo, tag_hi = _unpack_halves(seg, start)
        count = (tag_lo >> 2) & 0x3FFFFFFF
        data_words = tag_hi & 0xFFFF
        pointers = tag_hi >> 16
        check_list_writable_as(old_size, element_size, data_words << 6, pointers)
        return ListBuilder(
            message, seg, si, start + 8, count, (data_words + pointers) << 6, data_words << 6,
            pointers, _INLINE_COMPOSITE,
        )
    count = hi >> 3
    data_bits = DATA_BITS_PER_ELEMENT[old_size]
    pointer_count = POINTERS_PER_ELEMENT[old_size]
    check_list_writable_as(old_size, element_size, data_bits, pointer_count)
    return ListBuilder(
        message, seg, si, start, count, data_bits + (pointer_count << 6), data_bits,
        pointer_count, old_size,
    )


def get_writable_struct_list(
    message: MessageBuilder,
    segment_index: int,
    ref: int,
    data_words: int,
    pointer_count: int,
    default: Optional[ListReader] = None,
) -> ListBuilder:
    """The struct list at ``ref`` for writing, moved to larger elements if it was written with a
    smaller layout (or as a list of primitives or pointers, which become each struct's first
    field), as layout.c++ ``getWritableStructListPointer`` does."""
    seg = message.segments[segment_index]
    lo, hi = _unpack_halves(seg, ref)
    if lo == 0 and hi == 0:
        if default is None or default.element_count == 0:
            return _empty_list_builder(message, _INLINE_COMPOSITE)
        from purecap.wire.copying import set_list_pointer

        set_list_pointer(message, segment_index, ref, default)
    old_index, old_start, olo, ohi = follow_builder_far(message, segment_index, ref)
    if olo & 3 != LIST:
        raise BuilderError("the pointer holds a struct or capability where a list was expected")
    old_seg = message.segments[old_index]
    old_size = ohi & 7
    if old_size == _INLINE_COMPOSITE:
        tag_lo, tag_hi = _unpack_halves(old_seg, old_start)
        count = (tag_lo >> 2) & 0x3FFFFFFF
        old_data = tag_hi & 0xFFFF
        old_pointers = tag_hi >> 16
        if old_data >= data_words and old_pointers >= pointer_count:
            return ListBuilder(
                message, old_seg, old_index, old_start + 8, count,
                (old_data + old_pointers) << 6, old_data << 6, old_pointers, _INLINE_COMPOSITE,
            )
        first = old_start + 8
        old_step = (old_data + old_pointers) << 3
        old_total = 8 + count * old_step
    else:
        if old_size == _BIT:
            raise BuilderError("a Bool list cannot be upgraded to a struct list")
        count = ohi >> 3
        old_data_bits = DATA_BITS_PER_ELEMENT[old_size]
        old_pointers = POINTERS_PER_ELEMENT[old_size]
        old_data = 1 if old_data_bits else 0  # a primitive becomes the first data word
        first = old_start
        old_step = (old_data_bits >> 3) + (old_pointers << 3)
        old_total = ((count * old_step) + 7) & ~7
    new_data = max(old_data, data_words)
    new_pointers = max(old_pointers, pointer_count)
    _zero_pointer_and_pads(message, segment_index, ref)
    new = init_struct_list_at(message, segment_index, ref, count, new_data, new_pointers)
    new_seg = new.segment
    new_step = (new_data + new_pointers) << 3
    old_data_bytes = old_data << 3 if old_size == _INLINE_COMPOSITE else (
        DATA_BITS_PER_ELEMENT[old_size] >> 3
    )
    for e in range(count):
        src = first + e * old_step
        dst = new.start + e * new_step
        new_seg[dst : dst + old_data_bytes] = old_seg[src : src + old_data_bytes]
        for i in range(old_pointers):
            transfer_pointer(
                message, new.segment_index, dst + (new_data << 3) + (i << 3), old_index,
                src + old_data_bytes + (i << 3),
            )
    old_seg[old_start : old_start + old_total] = bytes(old_total)
    return new


def _empty_list_builder(message: MessageBuilder, element_size: int) -> ListBuilder:
    data_bits = DATA_BITS_PER_ELEMENT[element_size]
    pointer_count = POINTERS_PER_ELEMENT[element_size]
    return ListBuilder(
        message, bytearray(8), -1, 0, 0, data_bits + (pointer_count << 6), data_bits,
        pointer_count, element_size,
    )


def set_blob_at(
    message: MessageBuilder, segment_index: int, ref: int, value: bytes, text: bool
) -> None:
    """Write Text (``text=True``: a NUL is appended) or Data at ``ref``."""
    size = len(value) + 1 if text else len(value)
    if size > MAX_LIST_ELEMENTS:
        raise BuilderError(f"blob of {size} bytes: a blob holds 0 to {MAX_LIST_ELEMENTS} bytes")
    si, start = allocate_object(message, segment_index, ref, (size + 7) >> 3, LIST, 2 | (size << 3))
    message.views[si][start : start + len(value)] = value


def init_blob_at(
    message: MessageBuilder, segment_index: int, ref: int, size: int
) -> Tuple[int, int]:
    """Allocate a byte list of ``size`` zero bytes at ``ref``: ``(segment, byte offset)``."""
    if not 0 <= size <= MAX_LIST_ELEMENTS:
        raise BuilderError(f"blob of {size} bytes: a blob holds 0 to {MAX_LIST_ELEMENTS} bytes")
    return allocate_object(message, segment_index, ref, (size + 7) >> 3, LIST, 2 | (size << 3))


def text_bytes(value: Union[str, bytes]) -> bytes:
    """What a Text holds for ``value``: a ``str`` as UTF-8, a bytes-like value as it is."""
    if isinstance(value, str):
        try:
            return value.encode("utf-8")
        except UnicodeEncodeError as e:
            raise _not_utf8(e) from None
    return _blob_bytes(value)


def _not_utf8(e: UnicodeEncodeError) -> BuilderError:
    # A lone surrogate (from json.loads, or a surrogateescape'd file name) has no UTF-8 form.
    return BuilderError(
        f"text is not encodable as UTF-8: {e.reason} at index {e.start} "
        f"({e.object[e.start : e.start + 1]!a})"
    )



def _blob_bytes(value: object) -> bytes:
    """The bytes of a bytes-like value; an int is refused (``bytes(5)`` would be five NULs)."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise BuilderError(f"expected bytes-like data, got {type(value).__name__} {value!r:.40}")


# ---------------------------------------------------------------------------------------------
# The builders.


class StructBuilder:
    """A struct being built: its segment and the byte offsets of its sections."""

    __slots__ = (
        "message",
        "segment",
        "segment_index",
        "data_offset",
        "data_size",
        "pointer_offset",
        "pointer_count",
    )

    def __init__(
        self,
        message: MessageBuilder,
        segment: bytearray,
        segment_index: int,
        data_offset: int,
        data_size: int,
        pointer_offset: int,
        pointer_count: int,
    ) -> None:
        self.message = message
        self.segment = segment
        self.segment_index = segment_index
        self.data_offset = data_offset
        self.data_size = data_size  # bytes
        self.pointer_offset = pointer_offset
        self.pointer_count = pointer_count

    # -- data section ------------------------------------------------------------------------

    def get_primitive(self, fmt: struct.Struct, byte_offset: int, default: Any = 0) -> Any:
        if byte_offset + fmt.size <= self.data_size:
            return fmt.unpack_from(self.segment, self.data_offset + byte_offset)[0]
        return default

    def set_primitive(self, fmt: struct.Struct, byte_offset: int, value: Any) -> None:
        """Store ``value`` (already XORed with the field's default by schema code)."""
        if byte_offset < 0 or byte_offset + fmt.size > self.data_size:
            raise BuilderError(
                f"field at byte {byte_offset} is outside this struct's data section of "
                f"{self.data_size} bytes"
            )
        try:
            fmt.pack_into(self.segment, self.data_offset + byte_offset, value)
        except (struct.error, ValueError, OverflowError) as e:  # PyPy: ValueError; floats: OverflowError
            raise BuilderError(f"value {value!r} does not fit the field: {e}") from None

    def get_bool(self, bit_offset: int) -> bool:
        byte = bit_offset >> 3
        if byte < self.data_size:
            return bool(self.segment[self.data_offset + byte] & (1 << (bit_offset & 7)))
        return False

    def set_bool(self, bit_offset: int, value: bool) -> None:
        byte = bit_offset >> 3
        if not 0 <= byte < self.data_size:
            raise BuilderError(f"bit {bit_offset} is outside this struct's data section")
        at = self.data_offset + byte
        if value:
            self.segment[at] |= 1 << (bit_offset & 7)
        else:
            self.segment[at] &= ~(1 << (bit_offset & 7)) & 0xFF

    # -- pointer section ---------------------------------------------------------------------

    def _ref(self, index: int) -> int:
        if not 0 <= index < self.pointer_count:
            raise BuilderError(
                f"pointer {index} is outside this struct's {self.pointer_count} pointers"
            )
        return self.pointer_offset + (index << 3)

    def get_pointer(self, index: int) -> PointerBuilder:
        return PointerBuilder(self.message, self.segment_index, self._ref(index))

    def has_pointer(self, index: int) -> bool:
        if not 0 <= index < self.pointer_count:
            return False
        lo, hi = _unpack_halves(self.segment, self.pointer_offset + (index << 3))
        return bool(lo != 0 or hi != 0)

    def init_struct(self, index: int, data_words: int, pointer_count: int) -> StructBuilder:
        return init_struct_at(
            self.message, self.segment_index, self._ref(index), data_words, pointer_count
        )

    def get_struct(
        self,
        index: int,
        data_words: int,
        pointer_count: int,
        default: Optional[StructReader] = None,
    ) -> StructBuilder:
        return get_writable_struct(
            self.message, self.segment_index, self._ref(index), data_words, pointer_count, default
        )

    def init_list(self, index: int, element_size: int, count: int) -> ListBuilder:
        return init_list_at(self.message, self.segment_index, self._ref(index), element_size, count)

    def init_struct_list(
        self, index: int, count: int, data_words: int, pointer_count: int
    ) -> ListBuilder:
        return init_struct_list_at(
            self.message, self.segment_index, self._ref(index), count, data_words, pointer_count
        )

    def get_list(
        self, index: int, element_size: int, default: Optional[ListReader] = None
    ) -> ListBuilder:
        return get_writable_list(
            self.message, self.segment_index, self._ref(index), element_size, default
        )

    def get_struct_list(
        self,
        index: int,
        data_words: int,
        pointer_count: int,
        default: Optional[ListReader] = None,
    ) -> ListBuilder:
        return get_writable_struct_list(
            self.message, self.segment_index, self._ref(index), data_words, pointer_count, default
        )

    def set_text(self, index: int, value: Union[str, bytes]) -> None:
        try:
            data = value.encode() if type(value) is str else text_bytes(value)
        except UnicodeEncodeError as e:
            raise _not_utf8(e) from None
        n = len(data)
        ref = self.pointer_offset + (index << 3)
        seg = self.segment
        message = self.message
        used_words = message.used_words
        # The usual case inlined (texts are most of what a typical message writes): a null
        # pointer, and room for the text's words - with the NUL the fresh, zeroed words
        # already hold - in the struct's own segment (a near pointer) or, failing that, in the
        # segment with space (a far pointer to a landing pad in front of the text), which is
        # allocate_object's order. Everything else goes through allocate_object.
        if 0 <= index < self.pointer_count and n < MAX_LIST_ELEMENTS and not _word(seg, ref)[0]:
            words = (n + 8) >> 3
            si = self.segment_index
            used = used_words[si]
            end = used + words
            if end <= message.capacity_words[si]:
                if end << 3 <= len(seg):  # (else a PyPy segment must grow: allocate_object)
                    used_words[si] = end
                    start = used << 3
                    _pack_halves(seg, ref, (((start - ref - 8) >> 3) << 2) | LIST, 10 + (n << 3))
                    message.views[si][start : start + n] = data
                    return
            else:
                si = message._segment_with_space
                used = used_words[si] if si >= 0 else MAX_SEGMENT_WORDS
                end = used + words + 1
                if end <= message.capacity_words[si]:
                    far_view = message.views[si]
                    if end << 3 <= len(far_view):
                        used_words[si] = end
                        pad = used << 3
                        _pack_words(seg, ref, pad | FAR, si)
                        _pack_halves(far_view, pad, LIST, 10 + (n << 3))  # the text follows
                        far_view[pad + 8 : pad + 8 + n] = data
                        return
        if not 0 <= index < self.pointer_count:
            self._ref(index)  # raises
        if n >= MAX_LIST_ELEMENTS:
            raise BuilderError(
                f"text of {n + 1} bytes: a blob holds 0 to {MAX_LIST_ELEMENTS} bytes"
            )
        si, start = allocate_object(
            message, self.segment_index, ref, (n + 8) >> 3, LIST, 10 + (n << 3)
        )
        message.views[si][start : start + n] = data

    def set_data(self, index: int, value: Union[bytes, bytearray, memoryview]) -> None:
        set_blob_at(self.message, self.segment_index, self._ref(index), _blob_bytes(value), False)

    def init_data(self, index: int, size: int) -> memoryview:
        """A Data field of ``size`` zero bytes, returned as a writable view."""
        si, start = init_blob_at(self.message, self.segment_index, self._ref(index), size)
        return memoryview(self.message.segments[si])[start : start + size]

    def get_text(self, index: int, default: str = "") -> str:
        return self.as_reader().get_text(index, default)

    def get_data(self, index: int, default: bytes = b"") -> bytes:
        return self.as_reader().get_data(index, default)

    def set_struct(self, index: int, value: StructReader) -> None:
        """Deep-copy ``value`` (from any message) into pointer ``index``."""
        from purecap.wire.copying import set_struct_pointer

        set_struct_pointer(self.message, self.segment_index, self._ref(index), value)

    def set_list(self, index: int, value: ListReader) -> None:
        from purecap.wire.copying import set_list_pointer

        set_list_pointer(self.message, self.segment_index, self._ref(index), value)

    def set_capability(self, index: int, cap_index: Optional[int]) -> None:
        self.get_pointer(index).set_capability(cap_index)

    def clear_pointer(self, index: int) -> None:
        if 0 <= index < self.pointer_count:
            if not _word(self.segment, self.pointer_offset + (index << 3))[0]:
                return  # already null: nothing to zero (groups clear every member on init)
        self.get_pointer(index).clear()

    def as_reader(self) -> StructReader:
        return StructReader(
            self.message.as_reader(),
            self.segment,
            self.segment_index,
            self.data_offset,
            self.data_size,
            self.pointer_offset,
            self.pointer_count,
            UNLIMITED.nesting_budget,
        )

    def __repr__(self) -> str:
        return (
            f"<StructBuilder segment {self.segment_index} word {self.data_offset >> 3}: "
            f"{self.data_size >> 3} data words, {self.pointer_count} pointers>"
        )


class ListBuilder:
    """A list being built. Layout fields as in :class:`~purecap.wire.reader.ListReader`."""

    __slots__ = (
        "message",
        "segment",
        "segment_index",
        "start",
        "element_count",
        "step_bits",
        "data_bits",
        "pointer_count",
        "element_size",
    )

    def __init__(
        self,
        message: MessageBuilder,
        segment: bytearray,
        segment_index: int,
        start: int,
        element_count: int,
        step_bits: int,
        data_bits: int,
        pointer_count: int,
        element_size: int,
    ) -> None:
        self.message = message
        self.segment = segment
        self.segment_index = segment_index
        self.start = start
        self.element_count = element_count
        self.step_bits = step_bits
        self.data_bits = data_bits
        self.pointer_count = pointer_count
        self.element_size = element_size

    def __len__(self) -> int:
        return self.element_count

    def _check(self, index: int) -> int:
        if index < 0:
            index += self.element_count
        if not 0 <= index < self.element_count:
            raise IndexError(f"list index {index} out of range for {self.element_count} elements")
        return index

    def get_primitive(self, index: int, fmt: struct.Struct) -> Any:
        index = self._check(index)
        if fmt.size << 3 > self.data_bits:
            return 0
        return fmt.unpack_from(self.segment, self.start + ((index * self.step_bits) >> 3))[0]

    def set_primitive(self, index: int, fmt: struct.Struct, value: Any) -> None:
        index = self._check(index)
        if fmt.size << 3 > self.data_bits:
            raise BuilderError("list elements are too small for this value")
        try:
            fmt.pack_into(self.segment, self.start + ((index * self.step_bits) >> 3), value)
        except (struct.error, ValueError, OverflowError) as e:  # PyPy: ValueError; floats: OverflowError
            raise BuilderError(f"value {value!r} does not fit the list element: {e}") from None

    def get_bool(self, index: int) -> bool:
        index = self._check(index)
        if self.data_bits == 0:
            return False
        # Bit ``index`` whatever the step, as in ListReader.get_bool.
        return bool(self.segment[self.start + (index >> 3)] & (1 << (index & 7)))

    def set_bool(self, index: int, value: bool) -> None:
        index = self._check(index)
        if self.data_bits == 0:
            raise BuilderError("list elements are too small for this value")
        at = self.start + (index >> 3)
        if value:
            self.segment[at] |= 1 << (index & 7)
        else:
            self.segment[at] &= ~(1 << (index & 7)) & 0xFF

    def get_struct(self, index: int) -> StructBuilder:
        """Element ``index`` of a struct list."""
        index = self._check(index)
        if self.element_size != _INLINE_COMPOSITE:
            raise BuilderError("elements of this list are not structs")
        off = self.start + ((index * self.step_bits) >> 3)
        data_size = self.data_bits >> 3
        return StructBuilder(
            self.message, self.segment, self.segment_index, off, data_size, off + data_size,
            self.pointer_count,
        )

    def structs(self) -> Iterator[StructBuilder]:
        """Each element of a struct list, in order (iterating is how lists are usually
        filled): get_struct's work for all elements at once, the constructor called by map
        with the offsets counted by ranges (no Python frame per element)."""
        if self.element_size != _INLINE_COMPOSITE:
            raise BuilderError("elements of this list are not structs")
        data_size = self.data_bits >> 3
        step = self.step_bits >> 3
        start = self.start
        count = self.element_count
        if step == 0:  # zero-size structs: all at the list's start (a range needs a step)
            return map(
                StructBuilder, repeat(self.message, count), repeat(self.segment),
                repeat(self.segment_index), repeat(start), repeat(0), repeat(start),
                repeat(0),
            )
        stop = start + count * step
        return map(
            StructBuilder,
            repeat(self.message),
            repeat(self.segment),
            repeat(self.segment_index),
            range(start, stop, step),
            repeat(data_size),
            range(start + data_size, stop + data_size, step),
            repeat(self.pointer_count),
        )

    def get_pointer(self, index: int) -> PointerBuilder:
        """The (first) pointer of element ``index``: for lists of lists, text, data, structs by
        pointer, capabilities."""
        index = self._check(index)
        if self.pointer_count == 0:
            raise BuilderError("elements of this list hold no pointers")
        off = self.start + ((index * self.step_bits) >> 3) + (self.data_bits >> 3)
        return PointerBuilder(self.message, self.segment_index, off)

    def set_text(self, index: int, value: Union[str, bytes]) -> None:
        self.get_pointer(index).set_text(value)

    def set_data(self, index: int, value: Union[bytes, bytearray, memoryview]) -> None:
        self.get_pointer(index).set_data(value)

    def as_reader(self) -> ListReader:
        return ListReader(
            self.message.as_reader(),
            self.segment,
            self.segment_index,
            self.start,
            self.element_count,
            self.step_bits,
            self.data_bits,
            self.pointer_count,
            self.element_size,
            UNLIMITED.nesting_budget,
        )

    def __repr__(self) -> str:
        return (
            f"<ListBuilder of {self.element_count} {ElementSize(self.element_size).name} "
            f"elements, segment {self.segment_index} word {self.start >> 3}>"
        )


class PointerBuilder:
    """An untyped pointer being built (AnyPointer): make it whatever you need."""

    __slots__ = ("message", "segment_index", "offset")

    def __init__(self, message: MessageBuilder, segment_index: int, offset: int) -> None:
        self.message = message
        self.segment_index = segment_index
        self.offset = offset

    def is_null(self) -> bool:
        lo, hi = _unpack_halves(self.message.segments[self.segment_index], self.offset)
        return bool(lo == 0 and hi == 0)

    def pointer_type(self) -> PointerType:
        return self.as_reader().pointer_type()

    def clear(self) -> None:
        """Make the pointer null, zeroing what it pointed to."""
        seg = self.message.segments[self.segment_index]
        if _word(seg, self.offset)[0]:
            zero_object(self.message, self.segment_index, self.offset)
            seg[self.offset : self.offset + 8] = bytes(8)

    def init_struct(self, data_words: int, pointer_count: int) -> StructBuilder:
        return init_struct_at(
            self.message, self.segment_index, self.offset, data_words, pointer_count
        )

    def get_struct(
        self, data_words: int, pointer_count: int, default: Optional[StructReader] = None
    ) -> StructBuilder:
        return get_writable_struct(
            self.message, self.segment_index, self.offset, data_words, pointer_count, default
        )

    def init_list(self, element_size: int, count: int) -> ListBuilder:
        return init_list_at(self.message, self.segment_index, self.offset, element_size, count)

    def init_struct_list(self, count: int, data_words: int, pointer_count: int) -> ListBuilder:
        return init_struct_list_at(
            self.message, self.segment_index, self.offset, count, data_words, pointer_count
        )

    def get_list(self, element_size: int, default: Optional[ListReader] = None) -> ListBuilder:
        return get_writable_list(
            self.message, self.segment_index, self.offset, element_size, default
        )

    def get_struct_list(
        self, data_words: int, pointer_count: int, default: Optional[ListReader] = None
    ) -> ListBuilder:
        return get_writable_struct_list(
            self.message, self.segment_index, self.offset, data_words, pointer_count, default
        )

    def set_text(self, value: Union[str, bytes]) -> None:
        set_blob_at(self.message, self.segment_index, self.offset, text_bytes(value), True)

    def set_data(self, value: Union[bytes, bytearray, memoryview]) -> None:
        set_blob_at(self.message, self.segment_index, self.offset, _blob_bytes(value), False)

    def get_text(self, default: str = "") -> str:
        return self.as_reader().get_text(default)

    def get_data(self, default: bytes = b"") -> bytes:
        return self.as_reader().get_data(default)

    def set_struct(self, value: StructReader) -> None:
        from purecap.wire.copying import set_struct_pointer

        set_struct_pointer(self.message, self.segment_index, self.offset, value)

    def set_list(self, value: ListReader) -> None:
        from purecap.wire.copying import set_list_pointer

        set_list_pointer(self.message, self.segment_index, self.offset, value)

    def set(self, value: PointerReader) -> None:
        """Deep-copy whatever ``value`` points to (any kind) into this pointer."""
        from purecap.wire.copying import copy_pointer

        copy_pointer(self.message, self.segment_index, self.offset, value)

    def set_capability(self, cap_index: Optional[int]) -> None:
        """Point at entry ``cap_index`` of the message's capability table (None: null)."""
        if cap_index is not None and not 0 <= cap_index <= 0xFFFFFFFF:
            raise BuilderError(f"capability index {cap_index} does not fit 32 bits")
        zero_object(self.message, self.segment_index, self.offset)
        seg = self.message.segments[self.segment_index]
        if cap_index is None:
            seg[self.offset : self.offset + 8] = bytes(8)
        else:
            _pack_halves(seg, self.offset, OTHER, cap_index)

    def get_capability(self) -> Optional[int]:
        return self.as_reader().get_capability()

    def as_reader(self) -> PointerReader:
        return PointerReader(
            self.message.as_reader(), self.segment_index, self.offset, UNLIMITED.nesting_budget
        )

    def __repr__(self) -> str:
        return f"<PointerBuilder segment {self.segment_index} word {self.offset >> 3}>"
