"""Deep copies from readers into builders, and the total size of what a pointer reaches.

Copies follow layout.c++ ``copyPointer``/``setStructPointer``/``setListPointer`` exactly, object
for object and in the same (pre-order, depth-first) order, so the words allocated - and hence the
bytes written - are the same as C++ writes for the same input. This is what makes
``purecap convert`` byte-identical to ``capnp convert``.

With ``canonical=True`` the copy is the canonical form of the spec: each struct's data section is
cut after its last non-zero byte (rounded up to a word) and its pointer section after its last
non-null pointer; a struct list's elements share the largest of those sizes.

All walks are iterative, with explicit stacks, so depth is bounded only by the nesting limit and
never by Python's recursion limit. The source is validated as it is read, exactly as the readers
validate it, and the traversal budget of the source message is charged.
"""

from __future__ import annotations

import struct
from typing import Any, List, Tuple

from purecap.wire.builder import (
    MessageBuilder,
    allocate_object,
    zero_object,
)
from purecap.wire.errors import (
    InvalidCapability,
    MalformedList,
    NestingLimitExceeded,
    NotCanonical,
    PointerOutOfBounds,
    WrongPointerKind,
)
from purecap.wire.pointers import DATA_BITS_PER_ELEMENT, FAR, LIST, OTHER, POINTERS_PER_ELEMENT, STRUCT
from purecap.wire.reader import (
    ListReader,
    MessageReader,
    PointerReader,
    StructReader,
    follow_far,
)

__all__ = [
    "set_struct_pointer",
    "set_list_pointer",
    "copy_pointer",
    "pointer_total_size",
    "struct_total_size",
    "list_total_size",
]

_HALVES = struct.Struct("<iI")
_unpack = _HALVES.unpack_from
_pack = _HALVES.pack_into
_INLINE_COMPOSITE = 7
_VOID = 0
_POINTER = 6

# A pending pointer copy: destination (segment, byte offset of pointer) and source
# (arena, segment, byte offset of pointer, nesting limit left at the source pointer).
_Task = Tuple[int, int, MessageReader, int, int, int]


def _nesting_error(si: int, ref: int) -> NestingLimitExceeded:
    return NestingLimitExceeded(
        "message is too deeply nested (or contains a pointer cycle): nesting limit reached",
        si,
        ref >> 3,
    )


def _struct_size_of(
    seg: Any, data_offset: int, data_size: int, pointer_offset: int, pointer_count: int
) -> Tuple[int, int]:
    """Canonical sizes of one struct: data words after cutting trailing zero bytes, and
    pointers after cutting trailing nulls (layout.c++ setStructPointer, canonical branch)."""
    data = bytes(seg[data_offset : data_offset + data_size]).rstrip(b"\0")
    ptrs = bytes(seg[pointer_offset : pointer_offset + (pointer_count << 3)])
    # Trailing null pointers are whole zero words; strip by words, not bytes.
    n = pointer_count
    while n and ptrs[(n - 1) << 3 : n << 3] == b"\0" * 8:
        n -= 1
    return (len(data) + 7) >> 3, n


def _emit_struct(
    dst: MessageBuilder, si: int, ref: int, value: StructReader, canonical: bool,
    stack: List[_Task],
) -> None:
    """Allocate and fill a copy of ``value`` at pointer (si, ref); queue its pointers."""
    seg = value.segment
    if canonical:
        data_words, pointer_count = _struct_size_of(
            seg, value.data_offset, value.data_size, value.pointer_offset, value.pointer_count
        )
        data_bytes = min(data_words << 3, value.data_size)
    else:
        data_words = (value.data_size + 7) >> 3
        pointer_count = value.pointer_count
        data_bytes = value.data_size
    nsi, start = allocate_object(
        dst, si, ref, data_words + pointer_count, STRUCT, data_words | (pointer_count << 16)
    )
    dseg = dst.segments[nsi]
    if data_bytes:
        dseg[start : start + data_bytes] = seg[value.data_offset : value.data_offset + data_bytes]
    pointers = start + (data_words << 3)
    arena = value.arena
    src_si = value.segment_index
    src_ptrs = value.pointer_offset
    nesting = value.nesting_limit
    for i in range(pointer_count - 1, -1, -1):
        stack.append((nsi, pointers + (i << 3), arena, src_si, src_ptrs + (i << 3), nesting))


def _emit_list(
    dst: MessageBuilder, si: int, ref: int, value: ListReader, canonical: bool,
    stack: List[_Task],
) -> None:
    """Allocate and fill a copy of ``value`` at pointer (si, ref); queue its pointers."""
    seg = value.segment
    count = value.element_count
    arena = value.arena
    src_si = value.segment_index
    nesting = value.nesting_limit
    if value.element_size != _INLINE_COMPOSITE:
        es = value.element_size
        total_bits = count * value.step_bits
        words = (total_bits + 63) >> 6
        nsi, start = allocate_object(dst, si, ref, words, LIST, es | (count << 3))
        if es == _POINTER:
            for i in range(count - 1, -1, -1):
                stack.append((nsi, start + (i << 3), arena, src_si, value.start + (i << 3), nesting))
        elif total_bits:
            whole = total_bits >> 3
            dseg = dst.segments[nsi]
            dseg[start : start + whole] = seg[value.start : value.start + whole]
            leftover = total_bits & 7
            if leftover:  # copy only the bits that belong to the list (canonical padding)
                dseg[start + whole] = seg[value.start + whole] & ((1 << leftover) - 1)
        return

    decl_data = value.data_bits >> 6
    decl_pointers = value.pointer_count
    decl_step = (decl_data + decl_pointers) << 3
    if canonical:
        data_words = pointer_count = 0
        for e in range(count):
            base = value.start + e * decl_step
            d, p = _struct_size_of(seg, base, decl_data << 3, base + (decl_data << 3), decl_pointers)
            if d > data_words:
                data_words = d
            if p > pointer_count:
                pointer_count = p
    else:
        data_words, pointer_count = decl_data, decl_pointers
    per_element = data_words + pointer_count
    total = count * per_element
    nsi, start = allocate_object(dst, si, ref, total + 1, LIST, _INLINE_COMPOSITE | (total << 3))
    dseg = dst.segments[nsi]
    tag_lo = (count << 2) | STRUCT
    if tag_lo >= 1 << 31:
        tag_lo -= 1 << 32
    _pack(dseg, start, tag_lo, data_words | (pointer_count << 16))
    out = start + 8
    pending: List[_Task] = []
    data_bytes = data_words << 3
    for e in range(count):
        src = value.start + e * decl_step
        if data_bytes:
            dseg[out : out + data_bytes] = seg[src : src + data_bytes]
        out += data_bytes
        src += decl_data << 3
        for j in range(pointer_count):
            pending.append((nsi, out + (j << 3), arena, src_si, src + (j << 3), nesting))
        out += pointer_count << 3
    pending.reverse()
    stack.extend(pending)


def _copy_pending(dst: MessageBuilder, stack: List[_Task], canonical: bool) -> None:
    """Copy every queued pointer, depth first, in order (layout.c++ ``copyPointer``)."""
    while stack:
        dsi, dref, arena, si, ref, nesting = stack.pop()
        seg = arena.segments[si]
        lo, hi = _unpack(seg, ref)
        if lo == 0 and hi == 0:
            dseg = dst.segments[dsi]
            if dseg[dref : dref + 8] != b"\0" * 8:
                zero_object(dst, dsi, dref)
                dseg[dref : dref + 8] = bytes(8)
            continue
        kind = lo & 3
        start = ref + 8 + ((lo >> 2) << 3)
        where = (si, ref >> 3)
        if kind == FAR:
            si, start, lo, hi, where_si, where_ref = follow_far(arena, si, ref, lo, hi)
            where = (where_si, where_ref >> 3)  # blame the landing pad from here on
            seg = arena.segments[si]
            kind = lo & 3
            if kind == FAR:
                raise WrongPointerKind("unexpected far pointer", *where)
        if kind == STRUCT:
            if nesting <= 0:
                raise _nesting_error(si, ref)
            data_words = hi & 0xFFFF
            pointer_count = hi >> 16
            size = data_words + pointer_count
            if start < 0 or start + (size << 3) > len(seg):
                if size:
                    raise PointerOutOfBounds(
                        "struct pointer targets words outside its segment", *where
                    )
                # A zero-sized object may point anywhere: C++ clamps the target to the
                # segment end (SegmentReader::checkOffset) and accepts it.
                start = len(seg)
            arena.charge(size, si, start >> 3)
            data_size = data_words << 3
            _emit_struct(
                dst, dsi, dref,
                StructReader(arena, seg, si, start, data_size, start + data_size, pointer_count,
                             nesting - 1),
                canonical, stack,
            )
        elif kind == LIST:
            if nesting <= 0:
                raise _nesting_error(si, ref)
            _emit_list(dst, dsi, dref, _read_any_list(arena, si, start, hi, nesting, where),
                       canonical, stack)
        elif lo == OTHER:
            if canonical:
                raise NotCanonical("a message with capabilities has no canonical form", *where)
            _copy_capability(dst, dsi, dref, arena, hi)
        else:
            raise WrongPointerKind("unknown pointer type", *where)


def _read_any_list(
    arena: MessageReader, si: int, start: int, hi: int, nesting: int, where: Tuple[int, int]
) -> ListReader:
    """Validate and charge a list whose pointer (already resolved) is ``hi`` at ``start``."""
    seg = arena.segments[si]
    es = hi & 7
    if es == _INLINE_COMPOSITE:
        word_count = hi >> 3
        if start < 0 or start + ((word_count + 1) << 3) > len(seg):
            raise PointerOutOfBounds("list pointer targets words outside its segment", *where)
        arena.charge(word_count + 1, si, start >> 3)
        tag_lo, tag_hi = _unpack(seg, start)
        if tag_lo & 3 != STRUCT:
            raise MalformedList("the tag of an INLINE_COMPOSITE list is not a struct tag", si,
                                start >> 3)
        count = (tag_lo >> 2) & 0x3FFFFFFF
        data_words = tag_hi & 0xFFFF
        pointer_count = tag_hi >> 16
        per_element = data_words + pointer_count
        if count * per_element > word_count:
            raise MalformedList(
                f"INLINE_COMPOSITE list's {count} elements of {per_element} words overrun its "
                f"word count of {word_count}", si, start >> 3,
            )
        if per_element == 0:
            arena.charge(count, si, start >> 3)
        return ListReader(arena, seg, si, start + 8, count, per_element << 6, data_words << 6,
                          pointer_count, es, nesting - 1)
    count = hi >> 3
    data_bits = DATA_BITS_PER_ELEMENT[es]
    pointer_count = POINTERS_PER_ELEMENT[es]
    step = data_bits + (pointer_count << 6)
    words = (count * step + 63) >> 6
    if start < 0 or start + (words << 3) > len(seg):
        if words:
            raise PointerOutOfBounds("list pointer targets words outside its segment", *where)
        # A zero-sized object may point anywhere: C++ clamps the target to the
        # segment end (SegmentReader::checkOffset) and accepts it.
        start = len(seg)
    arena.charge(words, si, start >> 3)
    if es == _VOID:
        arena.charge(count, si, start >> 3)
    return ListReader(arena, seg, si, start, count, step, data_bits, pointer_count, es,
                      nesting - 1)


def _copy_capability(dst: MessageBuilder, dsi: int, dref: int, arena: MessageReader, index: int) -> None:
    """Copy a capability pointer: the capability moves to the destination's table when the
    source has one, else the index is kept as it is (a message without RPC attached)."""
    dseg = dst.segments[dsi]
    if dseg[dref : dref + 8] != b"\0" * 8:
        zero_object(dst, dsi, dref)
    if arena.cap_table:
        if index >= len(arena.cap_table):
            raise InvalidCapability(
                f"capability pointer names entry {index} of a table of {len(arena.cap_table)}"
            )
        dst.cap_table.append(arena.cap_table[index])
        index = len(dst.cap_table) - 1
    _pack(dseg, dref, OTHER, index)


def set_struct_pointer(
    dst: MessageBuilder, si: int, ref: int, value: StructReader, canonical: bool = False
) -> None:
    """Deep-copy the struct ``value`` into the pointer at (si, ref) of ``dst``."""
    stack: List[_Task] = []
    _emit_struct(dst, si, ref, value, canonical, stack)
    _copy_pending(dst, stack, canonical)


def set_list_pointer(
    dst: MessageBuilder, si: int, ref: int, value: ListReader, canonical: bool = False
) -> None:
    """Deep-copy the list ``value`` into the pointer at (si, ref) of ``dst``."""
    stack: List[_Task] = []
    _emit_list(dst, si, ref, value, canonical, stack)
    _copy_pending(dst, stack, canonical)


def copy_pointer(
    dst: MessageBuilder, si: int, ref: int, value: PointerReader, canonical: bool = False
) -> None:
    """Deep-copy whatever ``value`` points to into the pointer at (si, ref) of ``dst``."""
    stack: List[_Task] = [
        (si, ref, value.arena, value.segment_index, value.offset, value.nesting_limit)
    ]
    _copy_pending(dst, stack, canonical)


# ---------------------------------------------------------------------------------------------
# Total size (layout.c++ ``totalSize``): words reachable, not counting far-pointer overhead, and
# the number of capabilities. Struct lists count their elements' real size, which is what a copy
# takes, not the word count their pointer claims.

_SizeTask = Tuple[MessageReader, int, int, int]


def _total_size(stack: List[_SizeTask], words: int = 0, caps: int = 0) -> Tuple[int, int]:
    while stack:
        arena, si, ref, nesting = stack.pop()
        seg = arena.segments[si]
        lo, hi = _unpack(seg, ref)
        if lo == 0 and hi == 0:
            continue
        if nesting <= 0:
            raise _nesting_error(si, ref)
        kind = lo & 3
        start = ref + 8 + ((lo >> 2) << 3)
        where = (si, ref >> 3)
        if kind == FAR:
            si, start, lo, hi, where_si, where_ref = follow_far(arena, si, ref, lo, hi)
            where = (where_si, where_ref >> 3)  # blame the landing pad from here on
            seg = arena.segments[si]
            kind = lo & 3
            if kind == FAR:
                raise WrongPointerKind("unexpected far pointer", *where)
        if kind == STRUCT:
            data_words = hi & 0xFFFF
            pointer_count = hi >> 16
            size = data_words + pointer_count
            if start < 0 or start + (size << 3) > len(seg):
                if size:
                    raise PointerOutOfBounds(
                        "struct pointer targets words outside its segment", *where
                    )
                # A zero-sized object may point anywhere: C++ clamps the target to the
                # segment end (SegmentReader::checkOffset) and accepts it.
                start = len(seg)
            arena.charge(size, si, start >> 3)
            words += size
            pointers = start + (data_words << 3)
            for i in range(pointer_count):
                stack.append((arena, si, pointers + (i << 3), nesting - 1))
        elif kind == LIST:
            lst = _read_any_list(arena, si, start, hi, nesting, where)
            words_caps = _list_words(lst, stack)
            words += words_caps
        elif lo == OTHER:
            caps += 1
        else:
            raise WrongPointerKind("unknown pointer type", *where)
    return words, caps


def _list_words(lst: ListReader, stack: List[_SizeTask]) -> int:
    """Words of one list itself; queues its pointers."""
    count = lst.element_count
    if lst.element_size == _INLINE_COMPOSITE:
        per_element = (lst.data_bits >> 6) + lst.pointer_count
        if lst.pointer_count:
            data_bytes = lst.data_bits >> 3
            for e in range(count):
                base = lst.start + e * (per_element << 3) + data_bytes
                for j in range(lst.pointer_count):
                    stack.append((lst.arena, lst.segment_index, base + (j << 3), lst.nesting_limit))
        return count * per_element + 1
    if lst.element_size == _POINTER:
        for i in range(count):
            stack.append((lst.arena, lst.segment_index, lst.start + (i << 3), lst.nesting_limit))
    return (count * lst.step_bits + 63) >> 6


def pointer_total_size(value: PointerReader) -> Tuple[int, int]:
    return _total_size([(value.arena, value.segment_index, value.offset, value.nesting_limit)])


def struct_total_size(value: StructReader) -> Tuple[int, int]:
    stack: List[_SizeTask] = [
        (value.arena, value.segment_index, value.pointer_offset + (i << 3), value.nesting_limit)
        for i in range(value.pointer_count)
    ]
    return _total_size(stack, ((value.data_size + 7) >> 3) + value.pointer_count)


def list_total_size(value: ListReader) -> Tuple[int, int]:
    stack: List[_SizeTask] = []
    words = _list_words(value, stack)
    return _total_size(stack, words)
