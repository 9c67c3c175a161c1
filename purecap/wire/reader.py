"""Reading messages: the zero-copy readers of structs, lists, blobs and untyped pointers.

A :class:`MessageReader` owns the segments of one message (any buffer: ``bytes``, ``bytearray``,
``memoryview``, ``mmap``), its traversal budget and its capability table. Readers are small views:
a :class:`StructReader` is a segment plus the byte offsets of its data and pointer sections, and
reading a field is one ``struct.unpack_from`` at a fixed offset. Nothing is decoded until it is
asked for, so reading one field of a huge message costs the same as reading it from a small one.

Every pointer is validated when it is followed, in the order of the reference implementation
(layout.c++ ``readStructPointer``/``readListPointer``): nesting limit, far pointers, kind, bounds,
then the traversal charge. Any violation raises a :class:`~purecap.wire.errors.DecodeError`
subclass naming the segment and word where the offending pointer sits.

Schema-level code (generated modules, the dynamic API) builds on the primitives here; it passes
byte offsets and precompiled :class:`struct.Struct` objects, so this layer knows no schemas.
"""

from __future__ import annotations

import codecs
import struct
from itertools import repeat
from typing import Any, Iterator, List, Optional, Sequence, Tuple, Union

from purecap.wire.errors import (
    DecodeError,
    InvalidText,
    ListElementSizeMismatch,
    MalformedList,
    NestingLimitExceeded,
    PointerOutOfBounds,
    TraversalLimitExceeded,
    WrongPointerKind,
)
from purecap.wire.limits import ReadLimits
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

__all__ = [
    "Buffer",
    "MessageReader",
    "StructReader",
    "ListReader",
    "PointerReader",
    "EMPTY_STRUCT",
]

Buffer = Union[bytes, bytearray, memoryview]

_HALVES = struct.Struct("<iI").unpack_from
_BYTE = struct.Struct("<B").unpack_from
# Not str(raw, "utf-8"): on PyPy 3.9 that accepts encoded surrogates (ED A0 80).
_utf8_decode = codecs.utf_8_decode
# What sends a fast path down the full path, which then raises the right purecap error.
_FAST_PATH_MISSES = (IndexError, struct.error, UnicodeDecodeError)

_INLINE_COMPOSITE = 7
_VOID = 0
_BIT = 1
_POINTER = 6

_KIND_NAMES = ("struct", "list", "far", "other")


def _as_buffer(segment: Any) -> Buffer:
    """A segment as a byte buffer of whole words, sharing memory with what we were given."""
    if isinstance(segment, (bytes, bytearray)):
        view: Buffer = segment
    else:
        mv = memoryview(segment)
        if mv.format != "B" or mv.ndim != 1:
            mv = mv.cast("B")
        view = mv
    extra = len(view) % 8
    if extra:  # a straggling partial word is not part of the segment (C++ convert chops it too)
        view = memoryview(view)[: len(view) - extra]
    return view


class MessageReader:
    """One message being read: segments, the remaining traversal budget, the capability table.

    This is the "arena" of the reference implementation. Segments are used in place (zero-copy).
    ``cap_table`` holds whatever objects capability pointers index (the RPC layer fills it).

    ``source``, when not ``None``, is an immutable ``bytes`` that holds every segment, segment
    ``i`` starting at ``source_offsets[i]``: text is decoded from there (on CPython, slicing
    ``bytes`` and decoding costs half of doing the same through a ``memoryview``). Bounds are
    still checked against the segments.
    """

    __slots__ = (
        "segments",
        "traversal_budget",
        "nesting_limit",
        "cap_table",
        "limits",
        "source",
        "source_offsets",
    )

    def __init__(
        self,
        segments: Sequence[Any],
        limits: Optional[ReadLimits] = None,
        cap_table: Optional[List[Any]] = None,
    ) -> None:
        if limits is None:
            limits = ReadLimits()
        self.limits = limits
        self.segments: List[Buffer] = [_as_buffer(s) for s in segments]
        self.traversal_budget = limits.traversal_budget
        self.nesting_limit = limits.nesting_budget
        self.cap_table: List[Any] = cap_table if cap_table is not None else []
        self.source: Optional[bytes] = None
        self.source_offsets: List[int] = []
        if len(self.segments) == 1 and type(self.segments[0]) is bytes:
            self.source = self.segments[0]  # (a packed or streamed message's one segment)
            self.source_offsets = [0]

    @classmethod
    def from_views(
        cls,
        segments: Sequence[Buffer],
        limits: ReadLimits,
        cap_table: Optional[List[Any]] = None,
        source: Optional[bytes] = None,
        source_offsets: Optional[List[int]] = None,
    ) -> MessageReader:
        """A reader over segments that are already byte buffers of whole words (as the
        framing functions return them): skips the normalisation ``__init__`` does.
        ``source`` and ``source_offsets``: the ``bytes`` the segments are views of, if they
        are, and where each starts in it."""
        self = cls.__new__(cls)
        self.limits = limits
        self.segments = list(segments)
        self.traversal_budget = limits.traversal_budget
        self.nesting_limit = limits.nesting_budget
        self.cap_table = cap_table if cap_table is not None else []
        if source is not None and source_offsets is not None:
            self.source = source
            self.source_offsets = source_offsets
        else:
            self.source = None
            self.source_offsets = []
        return self

    def charge(self, words: int, segment: int, word_offset: int) -> None:
        """Spend ``words`` of the traversal budget (C++ ``ReadLimiter::canRead``)."""
        budget = self.traversal_budget - words
        if budget < 0:
            raise TraversalLimitExceeded(
                f"read limit exceeded: reading {words} more words would pass the traversal limit "
                f"of {self.limits.traversal_limit_words} words",
                segment,
                word_offset,
            )
        self.traversal_budget = budget

    def reset_budget(self) -> None:
        """Start counting the traversal limit afresh (e.g. before handing the message on)."""
        self.traversal_budget = self.limits.traversal_budget

    def _check_root(self) -> None:
        if not self.segments or len(self.segments[0]) < 8:
            raise DecodeError("message ends prematurely in its first segment (no root pointer)")
        # C++ charges the root pointer's word twice (MessageReader::getRootInternal, then
        # PointerReader::getRoot); so do we, so that the same limit accepts the same messages.
        self.charge(2, 0, 0)

    def root_pointer(self) -> PointerReader:
        """The root pointer: the first word of the first segment."""
        self._check_root()
        return PointerReader(self, 0, 0, self.nesting_limit)

    def get_root(self, default: Optional[StructReader] = None) -> StructReader:
        """The root struct (an empty struct when the root pointer is null)."""
        self._check_root()
        return read_struct(self, 0, 0, self.nesting_limit, default)

    def total_size(self) -> Tuple[int, int]:
        """``(words, capabilities)`` reachable from the root, not counting far-pointer overhead
        (C++ ``MessageReader::getRoot<AnyPointer>().targetSize()``)."""
        return self.root_pointer().total_size()

    def is_canonical(self) -> bool:
        """Whether this message is in canonical form (see :mod:`purecap.wire.canonical`)."""
        from purecap.wire.canonical import is_canonical

        return is_canonical(self)


# ---------------------------------------------------------------------------------------------
# Following pointers. These functions are the only places that interpret untrusted pointer words.


def follow_far(
    arena: MessageReader, segment_index: int, ref_offset: int, lo: int, hi: int
) -> Tuple[int, int, int, int, int, int]:
    """Resolve a far pointer (at ``ref_offset`` in ``segment_index``, halves ``lo``/``hi``).

    Returns ``(segment index, byte offset of the object, lo, hi, where segment, where offset)``
    where lo/hi now describe the object (the landing pad's pointer, or the tag after a
    double-far pad) and "where" locates that describing word, for error messages. A landing pad that is
    itself a far pointer is rejected (``WrongPointerKind`` from the caller's kind check), so far
    chains and loops cannot occur.
    """
    segments = arena.segments
    pad_segment = hi
    if pad_segment >= len(segments):
        raise PointerOutOfBounds(
            f"far pointer names segment {pad_segment}, but the message has {len(segments)}",
            segment_index,
            ref_offset >> 3,
        )
    pad_word = (lo >> 3) & 0x1FFFFFFF
    double_far = lo & 4
    pad_words = 2 if double_far else 1
    seg = segments[pad_segment]
    if (pad_word + pad_words) * 8 > len(seg):
        raise PointerOutOfBounds(
            f"far pointer's landing pad (word {pad_word}, {pad_words} words) is outside "
            f"segment {pad_segment} of {len(seg) >> 3} words",
            segment_index,
            ref_offset >> 3,
        )
    arena.charge(pad_words, pad_segment, pad_word)
    pad_offset = pad_word << 3
    plo, phi = _HALVES(seg, pad_offset)
    if not double_far:
        if plo & 3 == FAR:
            raise WrongPointerKind(
                "far pointer's landing pad is itself a far pointer", pad_segment, pad_word
            )
        return pad_segment, pad_offset + 8 + ((plo >> 2) << 3), plo, phi, pad_segment, pad_offset
    # Double-far: the pad is a far pointer to the object's first word, then the object's tag.
    if plo & 3 != FAR:
        raise WrongPointerKind(
            "the first word of a double-far landing pad must be a far pointer",
            pad_segment,
            pad_word,
        )
    if phi >= len(segments):
        raise PointerOutOfBounds(
            f"double-far landing pad names segment {phi}, but the message has {len(segments)}",
            pad_segment,
            pad_word,
        )
    tlo, thi = _HALVES(seg, pad_offset + 8)
    if tlo & 3 == FAR:
        raise WrongPointerKind(
            "the tag of a double-far landing pad is a far pointer", pad_segment, pad_word + 1
        )
    return phi, ((plo >> 3) & 0x1FFFFFFF) << 3, tlo, thi, pad_segment, pad_offset + 8


def _kind_error(expected: str, lo: int, segment_index: int, ref_offset: int) -> WrongPointerKind:
    kind = lo & 3
    found = "capability" if kind == OTHER and lo == OTHER else _KIND_NAMES[kind]
    return WrongPointerKind(
        f"expected a {expected} pointer, found a {found} pointer", segment_index, ref_offset >> 3
    )


def read_struct(
    arena: MessageReader,
    segment_index: int,
    ref_offset: int,
    nesting_limit: int,
    default: Optional[StructReader],
) -> StructReader:
    """Read the struct pointer at ``ref_offset`` (layout.c++ ``readStructPointer``)."""
    seg = arena.segments[segment_index]
    lo, hi = _HALVES(seg, ref_offset)
    where_seg, where = segment_index, ref_offset  # the word to blame in errors
    if lo == 0 and hi == 0:
        return EMPTY_STRUCT if default is None else default
    if nesting_limit <= 0:
        raise NestingLimitExceeded(
            "message is too deeply nested (or contains a pointer cycle): nesting limit reached",
            where_seg,
            where >> 3,
        )
    kind = lo & 3
    if kind == STRUCT:
        start = ref_offset + 8 + ((lo >> 2) << 3)
    elif kind == FAR:
        segment_index, start, lo, hi, where_seg, where = follow_far(
            arena, segment_index, ref_offset, lo, hi
        )
        seg = arena.segments[segment_index]
        if lo & 3 != STRUCT:
            raise _kind_error("struct", lo, where_seg, where)
    else:
        raise _kind_error("struct", lo, where_seg, where)
    data_words = hi & 0xFFFF
    pointer_count = hi >> 16
    size = data_words + pointer_count
    if start < 0 or start + (size << 3) > len(seg):
        if size:
            raise PointerOutOfBounds(
                f"struct pointer targets words {start >> 3}..{(start >> 3) + size} outside its "
                f"segment of {len(seg) >> 3} words",
                where_seg,
                where >> 3,
            )
        # A zero-sized object may point anywhere: C++ clamps the target to the
        # segment end (SegmentReader::checkOffset) and accepts it.
        start = len(seg)
    # The traversal charge, inlined (this is the hottest path of every read).
    budget = arena.traversal_budget - size
    if budget < 0:
        arena.charge(size, segment_index, start >> 3)  # raises with the full message
    arena.traversal_budget = budget
    data_size = data_words << 3
    return StructReader(
        arena,
        seg,
        segment_index,
        start,
        data_size,
        start + data_size,
        pointer_count,
        nesting_limit - 1,
    )


def read_list(
    arena: MessageReader,
    segment_index: int,
    ref_offset: int,
    nesting_limit: int,
    expected: Optional[int],
    default: Optional[ListReader],
) -> ListReader:
    """Read the list pointer at ``ref_offset`` (layout.c++ ``readListPointer``).

    ``expected`` is the element size the caller's type needs (an :class:`ElementSize`), or
    ``None`` to accept any list (AnyList). A list of larger elements than expected is fine (the
    schema evolved: a primitive list may have become a struct list); a smaller one is not.
    """
    seg = arena.segments[segment_index]
    lo, hi = _HALVES(seg, ref_offset)
    where_seg, where = segment_index, ref_offset  # the word to blame in errors
    if lo == 0 and hi == 0:
        if default is not None:
            return default
        return EMPTY_LISTS[_INLINE_COMPOSITE if expected is None else expected]
    if nesting_limit <= 0:
        raise NestingLimitExceeded(
            "message is too deeply nested (or contains a pointer cycle): nesting limit reached",
            where_seg,
            where >> 3,
        )
    kind = lo & 3
    if kind == LIST:
        start = ref_offset + 8 + ((lo >> 2) << 3)
    elif kind == FAR:
        segment_index, start, lo, hi, where_seg, where = follow_far(
            arena, segment_index, ref_offset, lo, hi
        )
        seg = arena.segments[segment_index]
        if lo & 3 != LIST:
            raise _kind_error("list", lo, where_seg, where)
    else:
        raise _kind_error("list", lo, where_seg, where)

    element_size = hi & 7
    if element_size == _INLINE_COMPOSITE:
        word_count = hi >> 3
        if start < 0 or start + ((word_count + 1) << 3) > len(seg):
            raise PointerOutOfBounds(
                f"struct list of {word_count} words (plus tag) at word {start >> 3} is outside "
                f"its segment of {len(seg) >> 3} words",
                where_seg,
                where >> 3,
            )
        budget = arena.traversal_budget - word_count - 1  # the charge, inlined
        if budget < 0:
            arena.charge(word_count + 1, segment_index, start >> 3)  # raises
        arena.traversal_budget = budget
        tag_lo, tag_hi = _HALVES(seg, start)
        if tag_lo & 3 != STRUCT:
            raise MalformedList(
                "the tag of an INLINE_COMPOSITE list is not a struct tag",
                segment_index,
                start >> 3,
            )
        count = (tag_lo >> 2) & 0x3FFFFFFF
        data_words = tag_hi & 0xFFFF
        pointer_count = tag_hi >> 16
        words_per_element = data_words + pointer_count
        if count * words_per_element > word_count:
            raise MalformedList(
                f"INLINE_COMPOSITE list's {count} elements of {words_per_element} words overrun "
                f"its word count of {word_count}",
                segment_index,
                start >> 3,
            )
        if words_per_element == 0:
            # Zero-sized structs: the list can claim a huge count in no space. Charge one word
            # each so that walking it is bounded by the traversal limit (C++ amplifiedRead).
            arena.charge(count, segment_index, start >> 3)
        if expected is not None:
            if expected == _BIT:
                raise ListElementSizeMismatch(
                    "found a struct list where a bit list was expected (upgrading Bool lists to "
                    "struct lists is not supported)",
                    where_seg,
                    where >> 3,
                )
            if 2 <= expected <= 5 and data_words == 0:
                raise ListElementSizeMismatch(
                    "expected a list of primitives, found a list of pointer-only structs",
                    where_seg,
                    where >> 3,
                )
            if expected == _POINTER and pointer_count == 0:
                raise ListElementSizeMismatch(
                    "expected a list of pointers, found a list of data-only structs",
                    where_seg,
                    where >> 3,
                )
        return ListReader(
            arena,
            seg,
            segment_index,
            start + 8,
            count,
            words_per_element << 6,
            data_words << 6,
            pointer_count,
            _INLINE_COMPOSITE,
            nesting_limit - 1,
        )

    count = hi >> 3
    data_bits = DATA_BITS_PER_ELEMENT[element_size]
    pointer_count = POINTERS_PER_ELEMENT[element_size]
    step = data_bits + (pointer_count << 6)
    words = (count * step + 63) >> 6
    if start < 0 or start + (words << 3) > len(seg):
        if words:
            raise PointerOutOfBounds(
                f"list of {count} {ElementSize(element_size).name} elements ({words} words) at word "
                f"{start >> 3} is outside its segment of {len(seg) >> 3} words",
                where_seg,
                where >> 3,
            )
        # A zero-sized object may point anywhere: C++ clamps the target to the
        # segment end (SegmentReader::checkOffset) and accepts it.
        start = len(seg)
    budget = arena.traversal_budget - words  # the charge, inlined
    if budget < 0:
        arena.charge(words, segment_index, start >> 3)  # raises
    arena.traversal_budget = budget
    if element_size == _VOID:
        arena.charge(count, segment_index, start >> 3)  # amplification defence, as above
    if expected is not None:
        if element_size == _BIT and expected != _BIT:
            raise ListElementSizeMismatch(
                "found a bit list where a list of another type was expected (upgrading Bool "
                "lists to struct lists is not supported)",
                where_seg,
                where >> 3,
            )
        if (
            DATA_BITS_PER_ELEMENT[expected] > data_bits
            or POINTERS_PER_ELEMENT[expected] > pointer_count
        ):
            raise ListElementSizeMismatch(
                f"expected a list of {ElementSize(expected).name} elements, found a list of "
                f"{ElementSize(element_size).name} elements",
                where_seg,
                where >> 3,
            )
    return ListReader(
        arena,
        seg,
        segment_index,
        start,
        count,
        step,
        data_bits,
        pointer_count,
        element_size,
        nesting_limit - 1,
    )


def read_blob(
    arena: MessageReader, segment_index: int, ref_offset: int, text: bool
) -> Optional[memoryview]:
    """The bytes of a Text (without its NUL) or Data pointer, or ``None`` if the pointer is null
    (layout.c++ ``readTextPointer``/``readDataPointer``)."""
    seg = arena.segments[segment_index]
    lo, hi = _HALVES(seg, ref_offset)
    where_seg, where = segment_index, ref_offset  # the word to blame in errors
    if lo == 0 and hi == 0:
        return None
    what = "text" if text else "data"
    kind = lo & 3
    if kind == LIST:
        start = ref_offset + 8 + ((lo >> 2) << 3)
    elif kind == FAR:
        segment_index, start, lo, hi, where_seg, where = follow_far(
            arena, segment_index, ref_offset, lo, hi
        )
        seg = arena.segments[segment_index]
        if lo & 3 != LIST:
            raise _kind_error(f"list ({what})", lo, where_seg, where)
    else:
        raise _kind_error(f"list ({what})", lo, where_seg, where)
    if hi & 7 != 2:
        raise ListElementSizeMismatch(
            f"expected {what} (a list of bytes), found a list of {ElementSize(hi & 7).name} "
            "elements",
            where_seg,
            where >> 3,
        )
    size = hi >> 3
    words = (size + 7) >> 3
    if start < 0 or start + (words << 3) > len(seg):
        if words:
            raise PointerOutOfBounds(
                f"{what} of {size} bytes at word {start >> 3} is outside its segment of "
                f"{len(seg) >> 3} words",
                where_seg,
                where >> 3,
            )
        # A zero-sized object may point anywhere: C++ clamps the target to the
        # segment end (SegmentReader::checkOffset) and accepts it.
        start = len(seg)
    arena.charge(words, segment_index, start >> 3)
    if text:
        if size == 0 or seg[start + size - 1] != 0:
            raise InvalidText("text is not NUL-terminated", where_seg, where >> 3)
        size -= 1
    return memoryview(seg)[start : start + size]


def decode_text(raw: memoryview, segment_index: int = 0, word_offset: int = 0) -> str:
    """Text bytes as ``str``; invalid UTF-8 raises :class:`InvalidText`."""
    try:
        return _utf8_decode(raw, "strict", True)[0]
    except UnicodeDecodeError as e:
        raise InvalidText(
            f"text is not valid UTF-8: {e.reason} at byte {e.start}", segment_index, word_offset
        ) from None


def read_capability(arena: MessageReader, segment_index: int, ref_offset: int) -> Optional[int]:
    """The capability table index of a capability pointer, or ``None`` when null."""
    lo, hi = _HALVES(arena.segments[segment_index], ref_offset)
    if lo == 0 and hi == 0:
        return None
    if lo != OTHER:
        raise _kind_error("capability", lo, segment_index, ref_offset)
    return int(hi)


def pointer_type(arena: MessageReader, segment_index: int, ref_offset: int) -> PointerType:
    """What the pointer at ``ref_offset`` holds, following a far pointer if need be."""
    lo, hi = _HALVES(arena.segments[segment_index], ref_offset)
    if lo == 0 and hi == 0:
        return PointerType.NULL
    kind = lo & 3
    if kind == FAR:
        lo, hi = follow_far(arena, segment_index, ref_offset, lo, hi)[2:4]
        kind = lo & 3
    if kind == STRUCT:
        return PointerType.STRUCT
    if kind == LIST:
        return PointerType.LIST
    if lo == OTHER:
        return PointerType.CAPABILITY
    raise WrongPointerKind(
        "unknown pointer type (an 'other' pointer that is not a capability)",
        segment_index,
        ref_offset >> 3,
    )


# ---------------------------------------------------------------------------------------------
# The readers.


class StructReader:
    """A struct inside a message: where its data and pointer sections are.

    Offsets are in bytes from the start of ``segment``. Fields past the end of a section (the
    struct was written by an older schema) read as their defaults.
    """

    __slots__ = (
        "arena",
        "segment",
        "segment_index",
        "data_offset",
        "data_size",
        "pointer_offset",
        "pointer_count",
        "nesting_limit",
    )

    def __init__(
        self,
        arena: MessageReader,
        segment: Buffer,
        segment_index: int,
        data_offset: int,
        data_size: int,
        pointer_offset: int,
        pointer_count: int,
        nesting_limit: int,
    ) -> None:
        self.arena = arena
        self.segment = segment
        self.segment_index = segment_index
        self.data_offset = data_offset
        self.data_size = data_size  # bytes
        self.pointer_offset = pointer_offset
        self.pointer_count = pointer_count
        self.nesting_limit = nesting_limit

    # -- data section ------------------------------------------------------------------------

    def get_primitive(self, fmt: struct.Struct, byte_offset: int, default: Any = 0) -> Any:
        """The field stored with ``fmt`` at ``byte_offset``, or ``default`` past the section.

        (No XOR here: schema code applies defaults, see :mod:`purecap.wire.defaults`.)
        """
        if byte_offset + fmt.size <= self.data_size:
            return fmt.unpack_from(self.segment, self.data_offset + byte_offset)[0]
        return default

    def get_bool(self, bit_offset: int) -> bool:
        byte = bit_offset >> 3
        if byte < self.data_size:
            return bool(self.segment[self.data_offset + byte] & (1 << (bit_offset & 7)))
        return False

    def data_section(self) -> bytes:
        """A copy of the data section's bytes."""
        return bytes(self.segment[self.data_offset : self.data_offset + self.data_size])

    # -- pointer section ---------------------------------------------------------------------

    def has_pointer(self, index: int) -> bool:
        """Whether pointer ``index`` is present and non-null."""
        if index >= self.pointer_count:
            return False
        off = self.pointer_offset + (index << 3)
        lo, hi = _HALVES(self.segment, off)
        return bool(lo != 0 or hi != 0)

    def get_pointer(self, index: int) -> PointerReader:
        """Pointer ``index`` as an untyped :class:`PointerReader` (AnyPointer)."""
        if index < self.pointer_count:
            return PointerReader(
                self.arena, self.segment_index, self.pointer_offset + (index << 3),
                self.nesting_limit,
            )
        return NULL_POINTER

    def get_struct(self, index: int, default: Optional[StructReader] = None) -> StructReader:
        if index < self.pointer_count:
            return read_struct(
                self.arena,
                self.segment_index,
                self.pointer_offset + (index << 3),
                self.nesting_limit,
                default,
            )
        return EMPTY_STRUCT if default is None else default

    def get_list(
        self, index: int, expected: Optional[int], default: Optional[ListReader] = None
    ) -> ListReader:
        if index < self.pointer_count:
            return read_list(
                self.arena,
                self.segment_index,
                self.pointer_offset + (index << 3),
                self.nesting_limit,
                expected,
                default,
            )
        if default is not None:
            return default
        return EMPTY_LISTS[_INLINE_COMPOSITE if expected is None else expected]

    def get_text(self, index: int, default: str = "") -> str:
        if index < self.pointer_count:
            off = self.pointer_offset + (index << 3)
            # The usual case first, inlined because text is most of what a typical message
            # reads: a near list pointer - or a single far pointer to one, as C++ builders write
            # for every text that did not fit its struct's segment - to a NUL-terminated byte
            # list, in bounds, within the read budget, valid UTF-8. Anything else, including
            # every error (bounds are left to the indexing), takes read_blob's full path.
            try:
                seg = self.segment
                si = self.segment_index
                lo, hi = _HALVES(seg, off)
                arena = self.arena
                budget = arena.traversal_budget
                at = off
                if lo & 7 == FAR:  # a single far pointer: to its landing pad, which is charged
                    si = hi
                    seg = arena.segments[hi]
                    at = lo & 0xFFFFFFF8  # (the pad's word offset, unsigned, times 8)
                    lo, hi = _HALVES(seg, at)
                    budget -= 1
                start = at + 8 + ((lo >> 2) << 3)
                end = start + (hi >> 3)
                # The text's words, ceil(n / 8) for n = hi >> 3 bytes, in one step: hi is
                # 8n + 2 when the element size is checked below as bytes.
                budget -= (hi + 58) >> 6
                # Whole words in bounds follow from the last byte's (segments are whole words).
                if lo & 3 == LIST and hi & 7 == 2 and 0 <= start < end and budget >= 0:
                    if seg[end - 1] == 0:
                        source = arena.source
                        if source is None:
                            text: str = _utf8_decode(seg[start : end - 1], "strict", True)[0]
                        else:
                            base = arena.source_offsets[si]
                            text = source[base + start : base + end - 1].decode()
                        arena.traversal_budget = budget
                        return text
            except _FAST_PATH_MISSES:
                pass
            raw = read_blob(self.arena, self.segment_index, off, True)
            if raw is not None:
                return decode_text(raw, self.segment_index, off >> 3)
        return default

    def get_text_bytes(self, index: int, default: bytes = b"") -> bytes:
        """Text as its UTF-8 bytes, undecoded (no NUL)."""
        if index < self.pointer_count:
            raw = read_blob(self.arena, self.segment_index, self.pointer_offset + (index << 3), True)
            if raw is not None:
                return bytes(raw)
        return default

    def get_data(self, index: int, default: bytes = b"") -> bytes:
        if index < self.pointer_count:
            raw = read_blob(
                self.arena, self.segment_index, self.pointer_offset + (index << 3), False
            )
            if raw is not None:
                return bytes(raw)
        return default

    def get_data_view(self, index: int) -> memoryview:
        """Data as a zero-copy view into the message (valid while the message's buffer is)."""
        if index < self.pointer_count:
            raw = read_blob(
                self.arena, self.segment_index, self.pointer_offset + (index << 3), False
            )
            if raw is not None:
                return raw
        return memoryview(b"")

    def get_capability(self, index: int) -> Optional[int]:
        """The capability table index of pointer ``index``, ``None`` when null."""
        if index < self.pointer_count:
            return read_capability(self.arena, self.segment_index, self.pointer_offset + (index << 3))
        return None

    # -- whole struct ------------------------------------------------------------------------

    def total_size(self) -> Tuple[int, int]:
        """``(words, capabilities)`` of this struct and everything it points to."""
        from purecap.wire.copying import struct_total_size

        return struct_total_size(self)

    def __repr__(self) -> str:
        return (
            f"<StructReader segment {self.segment_index} word {self.data_offset >> 3}: "
            f"{self.data_size >> 3} data words, {self.pointer_count} pointers>"
        )


class ListReader:
    """A list inside a message.

    ``step_bits`` is the distance between elements; ``data_bits`` and ``pointer_count`` describe
    each element as a struct (for a primitive list, one element's data; for a pointer list, one
    pointer). A list of larger elements than the type expects reads its elements' first fields,
    which is how schema evolution from primitive lists to struct lists works.
    """

    __slots__ = (
        "arena",
        "segment",
        "segment_index",
        "start",
        "element_count",
        "step_bits",
        "data_bits",
        "pointer_count",
        "element_size",
        "nesting_limit",
    )

    def __init__(
        self,
        arena: MessageReader,
        segment: Buffer,
        segment_index: int,
        start: int,
        element_count: int,
        step_bits: int,
        data_bits: int,
        pointer_count: int,
        element_size: int,
        nesting_limit: int,
    ) -> None:
        self.arena = arena
        self.segment = segment
        self.segment_index = segment_index
        self.start = start  # byte offset of the first element
        self.element_count = element_count
        self.step_bits = step_bits
        self.data_bits = data_bits
        self.pointer_count = pointer_count
        self.element_size = element_size
        self.nesting_limit = nesting_limit

    def __len__(self) -> int:
        return self.element_count

    def _check(self, index: int) -> int:
        if index < 0:
            index += self.element_count
        if not 0 <= index < self.element_count:
            raise IndexError(f"list index {index} out of range for {self.element_count} elements")
        return index

    # -- primitives --------------------------------------------------------------------------

    def get_primitive(self, index: int, fmt: struct.Struct) -> Any:
        index = self._check(index)
        if fmt.size << 3 > self.data_bits:  # e.g. Void or pointer elements read as numbers
            return 0
        return fmt.unpack_from(self.segment, self.start + ((index * self.step_bits) >> 3))[0]

    def get_bool(self, index: int) -> bool:
        index = self._check(index)
        if self.data_bits == 0:
            return False
        # Bit ``index`` of the list's data, whatever the step: a byte list read as List(Bool)
        # yields its consecutive bits, as C++ does (layout.h "Ignore step for bit lists").
        return bool(self.segment[self.start + (index >> 3)] & (1 << (index & 7)))

    def primitives(self, fmt: struct.Struct) -> List[Any]:
        """All elements at once (one ``unpack_from`` when elements are packed tightly)."""
        n = self.element_count
        if fmt.size << 3 > self.data_bits:
            return [0] * n
        if self.step_bits == fmt.size << 3:
            many = struct.Struct("<%d%s" % (n, fmt.format[-1]))
            return list(many.unpack_from(self.segment, self.start))
        step = self.step_bits >> 3
        unpack = fmt.unpack_from
        seg = self.segment
        start = self.start
        return [unpack(seg, start + i * step)[0] for i in range(n)]

    def bools(self) -> List[bool]:
        return [self.get_bool(i) for i in range(self.element_count)]

    # -- structs and pointers ----------------------------------------------------------------

    def get_struct(self, index: int) -> StructReader:
        """Element ``index`` as a struct (any list can be read as a struct list, but Bool)."""
        if not 0 <= index < self.element_count:
            index = self._check(index)  # negative indexes, or IndexError
        if self.element_size == _BIT:
            raise ListElementSizeMismatch(
                "a bit list cannot be read as a list of structs", self.segment_index,
                self.start >> 3,
            )
        off = self.start + ((index * self.step_bits) >> 3)
        data_size = self.data_bits >> 3
        return StructReader(
            self.arena,
            self.segment,
            self.segment_index,
            off,
            data_size,
            off + data_size,
            self.pointer_count,
            self.nesting_limit,
        )

    def _element_pointer(self, index: int) -> int:
        """Byte offset of element ``index``'s first pointer (-1 if elements have none)."""
        index = self._check(index)
        if self.pointer_count == 0:
            return -1
        return self.start + ((index * self.step_bits) >> 3) + (self.data_bits >> 3)

    def get_pointer(self, index: int) -> PointerReader:
        off = self._element_pointer(index)
        if off < 0:
            return NULL_POINTER
        return PointerReader(self.arena, self.segment_index, off, self.nesting_limit)

    def get_struct_element_pointer(
        self, index: int, default: Optional[StructReader] = None
    ) -> StructReader:
        """For a list of pointers to structs (not a struct list): the struct element ``index``
        points to. (Used by ``List(AnyStruct)``-like pointer lists.)"""
        off = self._element_pointer(index)
        if off < 0:
            return EMPTY_STRUCT if default is None else default
        return read_struct(self.arena, self.segment_index, off, self.nesting_limit, default)

    def get_list(self, index: int, expected: Optional[int]) -> ListReader:
        """For a list of lists: the list element ``index`` points to."""
        off = self._element_pointer(index)
        if off < 0:
            return EMPTY_LISTS[_INLINE_COMPOSITE if expected is None else expected]
        return read_list(self.arena, self.segment_index, off, self.nesting_limit, expected, None)

    def get_text(self, index: int) -> str:
        off = self._element_pointer(index)
        if off < 0:
            return ""
        raw = read_blob(self.arena, self.segment_index, off, True)
        return "" if raw is None else decode_text(raw, self.segment_index, off >> 3)

    def get_data(self, index: int) -> bytes:
        off = self._element_pointer(index)
        if off < 0:
            return b""
        raw = read_blob(self.arena, self.segment_index, off, False)
        return b"" if raw is None else bytes(raw)

    def get_capability(self, index: int) -> Optional[int]:
        off = self._element_pointer(index)
        if off < 0:
            return None
        return read_capability(self.arena, self.segment_index, off)

    def structs(self) -> Iterator[StructReader]:
        """Each element as a struct, in order (what iterating a struct list does)."""
        count = self.element_count
        if self.element_size == _BIT and count:
            self.get_struct(0)  # raises: a bit list is not a struct list
        data_size = self.data_bits >> 3
        step = self.step_bits >> 3
        start = self.start
        arena, segment, segment_index = self.arena, self.segment, self.segment_index
        pointer_count, nesting_limit = self.pointer_count, self.nesting_limit
        if step == 0:  # zero-size elements: all at the list's start (a range needs a step)
            return map(
                StructReader, repeat(arena, count), repeat(segment), repeat(segment_index),
                repeat(start), repeat(0), repeat(start), repeat(0), repeat(nesting_limit),
            )
        # get_struct's work for every element at once: map calls the constructor from C with
        # the offsets counted by ranges, no Python frame per element (iteration is the hot
        # path of list reads).
        stop = start + count * step
        return map(
            StructReader,
            repeat(arena),
            repeat(segment),
            repeat(segment_index),
            range(start, stop, step),
            repeat(data_size),
            range(start + data_size, stop + data_size, step),
            repeat(pointer_count),
            repeat(nesting_limit),
        )

    def total_size(self) -> Tuple[int, int]:
        """``(words, capabilities)`` of this list and everything it points to."""
        from purecap.wire.copying import list_total_size

        return list_total_size(self)

    def __repr__(self) -> str:
        return (
            f"<ListReader of {self.element_count} {ElementSize(self.element_size).name} "
            f"elements, segment {self.segment_index} word {self.start >> 3}>"
        )


class PointerReader:
    """An untyped pointer (AnyPointer): ask it for what you expect it to hold."""

    __slots__ = ("arena", "segment_index", "offset", "nesting_limit")

    def __init__(
        self, arena: MessageReader, segment_index: int, offset: int, nesting_limit: int
    ) -> None:
        self.arena = arena
        self.segment_index = segment_index
        self.offset = offset  # byte offset of the pointer word
        self.nesting_limit = nesting_limit

    def is_null(self) -> bool:
        lo, hi = _HALVES(self.arena.segments[self.segment_index], self.offset)
        return bool(lo == 0 and hi == 0)

    def pointer_type(self) -> PointerType:
        return pointer_type(self.arena, self.segment_index, self.offset)

    def get_struct(self, default: Optional[StructReader] = None) -> StructReader:
        return read_struct(self.arena, self.segment_index, self.offset, self.nesting_limit, default)

    def get_list(
        self, expected: Optional[int] = None, default: Optional[ListReader] = None
    ) -> ListReader:
        return read_list(
            self.arena, self.segment_index, self.offset, self.nesting_limit, expected, default
        )

    def get_text(self, default: str = "") -> str:
        raw = read_blob(self.arena, self.segment_index, self.offset, True)
        if raw is None:
            return default
        return decode_text(raw, self.segment_index, self.offset >> 3)

    def get_data(self, default: bytes = b"") -> bytes:
        raw = read_blob(self.arena, self.segment_index, self.offset, False)
        return default if raw is None else bytes(raw)

    def get_capability(self) -> Optional[int]:
        return read_capability(self.arena, self.segment_index, self.offset)

    def total_size(self) -> Tuple[int, int]:
        """``(words, capabilities)`` reachable from this pointer (C++ ``targetSize``)."""
        from purecap.wire.copying import pointer_total_size

        return pointer_total_size(self)

    def __repr__(self) -> str:
        return f"<PointerReader segment {self.segment_index} word {self.offset >> 3}>"


# Shared empty objects: what a null pointer (or a pointer past an old schema's section) reads as.
_EMPTY_ARENA = MessageReader([bytes(8)])
EMPTY_STRUCT = StructReader(_EMPTY_ARENA, _EMPTY_ARENA.segments[0], 0, 0, 0, 0, 0, 0)
NULL_POINTER = PointerReader(_EMPTY_ARENA, 0, 0, 0)
EMPTY_LISTS = tuple(
    ListReader(
        _EMPTY_ARENA,
        _EMPTY_ARENA.segments[0],
        0,
        0,
        0,
        DATA_BITS_PER_ELEMENT[size] + (POINTERS_PER_ELEMENT[size] << 6),
        DATA_BITS_PER_ELEMENT[size],
        POINTERS_PER_ELEMENT[size],
        size,
        0,
    )
    for size in range(8)
)
