"""Stream framing: how the segments of a message are laid out one after another.

A framed message is (all integers unsigned little-endian)::

    (segment_count - 1)       uint32
    size of each segment      uint32 per segment, in words
    padding                   0 or 4 bytes, so the table is a whole number of words
    the segments, in order

so the table takes ``8 * (segment_count // 2 + 1)`` bytes.  Messages are simply concatenated on a
stream, which is why every reader here reports where its message ended and never reads past it.

The segment table is attacker-controlled, so before anything is sliced, read or allocated it is
checked against ``SEGMENT_LIMIT`` (like the C++ reader), against the traversal limit (a message
bigger than the reader would ever be allowed to traverse is pointless and only costs memory), and,
for buffers, against the data actually present.

Packed framing is the same frame run through :mod:`purecap.wire.packing`.  The C++ writer packs
the table and each segment separately (runs never span two of them); so do the writers here,
giving byte-identical output.
"""

from __future__ import annotations

import enum
import mmap
import struct
from typing import Callable, Dict, List, Optional, Protocol, Sequence, Tuple, Union

from purecap.wire.errors import (
    PackingError,
    SegmentTableError,
    TraversalLimitExceeded,
    TruncatedMessage,
)
from purecap.wire.packing import (
    BinaryReader,
    PackedBufferReader,
    PackedInputStream,
    _read_exact,
    pack,
)

__all__ = [
    "BinaryWriter",
    "DEFAULT_TRAVERSAL_LIMIT_WORDS",
    "PackedMessageStream",
    "SEGMENT_LIMIT",
    "flat_segments",
    "frame_segments",
    "frame_segments_packed",
    "read_segment_table",
    "segment_table_size",
    "segments_from_buffer",
    "segments_from_packed_buffer",
    "segments_from_packed_stream",
    "segments_from_stream",
    "split_buffer",
    "write_framed",
    "write_framed_packed",
]

#: A table announcing this many segments or more is rejected (the C++ limit: ``count < 512``).
SEGMENT_LIMIT = 512

#: 64 MiB, the C++ ``ReaderOptions`` default.
DEFAULT_TRAVERSAL_LIMIT_WORDS = 8 * 1024 * 1024

Buffer = Union[bytes, bytearray, memoryview, mmap.mmap]
SegmentLike = Union[bytes, bytearray, memoryview]


class BinaryWriter(Protocol):
    """What the writers need: ``write(data)``, returning the number of bytes written (or None,
    meaning all of them, as some file-like objects do)."""

    def write(self, data: bytes, /) -> Optional[int]: ...


_U32 = struct.Struct("<I")
_FIRST_WORD = struct.Struct("<II")  # (segment count - 1, size of segment 0)
_table_structs: Dict[int, struct.Struct] = {}


def _uint32s(count: int) -> struct.Struct:
    """A precompiled struct for ``count`` little-endian uint32s (cached: segment counts are
    limited, so at most about SEGMENT_LIMIT of these are ever made)."""
    s = _table_structs.get(count)
    if s is None:
        s = _table_structs[count] = struct.Struct(f"<{count}I")
    return s


def segment_table_size(segment_count: int) -> int:
    """Bytes taken by the table of a message with ``segment_count`` segments (with padding)."""
    return 8 * (segment_count // 2 + 1)


def _check_count(count: int) -> None:
    # count is computed in Python ints, so a count field of 0xffffffff gives 2**32 here instead
    # of wrapping to 0 as a uint32 would.
    if count >= SEGMENT_LIMIT:
        raise SegmentTableError(
            f"segment table announces {count} segments; at most {SEGMENT_LIMIT - 1} are accepted"
        )


def _check_total(sizes: List[int], traversal_limit_words: Optional[int]) -> int:
    total = sum(sizes)
    if traversal_limit_words is not None and total > traversal_limit_words:
        raise TraversalLimitExceeded(
            f"message of {total} words ({len(sizes)} segments) exceeds the traversal limit "
            f"of {traversal_limit_words} words"
        )
    return total


# ---------------------------------------------------------------------------------------------
# Reading from memory


def _byte_view(buffer: Buffer) -> memoryview:
    view = memoryview(buffer)
    if view.format != "B" or view.ndim != 1:
        view = view.cast("B")
    return view


def read_segment_table(buffer: Buffer, offset: int = 0) -> Tuple[List[int], int]:
    """Parse the segment table at ``buffer[offset:]``.

    Returns ``(sizes_in_words, table_size_in_bytes)``.  Raises :class:`SegmentTableError` for
    ``SEGMENT_LIMIT`` or more segments and :class:`TruncatedMessage` if the buffer ends inside
    the table.
    """
    view = _byte_view(buffer)
    if offset < 0:
        raise ValueError(f"negative offset {offset}")
    available = len(view) - offset
    if available < 8:
        raise TruncatedMessage(
            f"message ends inside its segment table: at least 8 bytes needed, "
            f"{max(available, 0)} present"
        )
    count = _U32.unpack_from(view, offset)[0] + 1
    _check_count(count)
    table_size = segment_table_size(count)
    if available < table_size:
        raise TruncatedMessage(
            f"message ends inside its segment table: {count} segments need {table_size} bytes, "
            f"{available} present"
        )
    return list(_uint32s(count).unpack_from(view, offset + 4)), table_size


def segments_from_buffer(
    buffer: Buffer,
    offset: int = 0,
    traversal_limit_words: Optional[int] = DEFAULT_TRAVERSAL_LIMIT_WORDS,
) -> Tuple[List[memoryview], int]:
    """The segments of the framed message at ``buffer[offset:]``, without copying.

    Returns ``(segments, end_offset)``: the segments are ``memoryview`` slices of ``buffer``
    (bytes, bytearray, memoryview or mmap), and ``end_offset`` is where the next message, if
    any, starts.  The table is fully checked before anything is sliced: sizes adding up to more
    than the traversal limit (``None`` = no limit) raise :class:`TraversalLimitExceeded`, to
    more than the buffer holds :class:`TruncatedMessage`.
    """
    segments, _, end = split_buffer(buffer, offset, traversal_limit_words)
    return segments, end


def split_buffer(
    buffer: Buffer,
    offset: int = 0,
    traversal_limit_words: Optional[int] = DEFAULT_TRAVERSAL_LIMIT_WORDS,
) -> Tuple[List[memoryview], List[int], int]:
    """:func:`segments_from_buffer`, also saying where in ``buffer`` each segment starts:
    ``(segments, starts, end_offset)``."""
    view = _byte_view(buffer)
    if offset >= 0 and len(view) - offset >= 8:
        count_minus_one, size = _FIRST_WORD.unpack_from(view, offset)
        if count_minus_one == 0:
            # One segment, the common case: the same checks without the general machinery
            # (a third of the cost of reading one field from a small message).
            _check_total([size], traversal_limit_words)
            start = offset + 8
            end = start + 8 * size
            if end > len(view):
                raise TruncatedMessage(
                    f"segment table announces {size} words in 1 segments, "
                    f"but only {(len(view) - start) >> 3} words follow it"
                )
            return [view[start:end]], [start], end
    sizes, table_size = read_segment_table(view, offset)
    total = _check_total(sizes, traversal_limit_words)
    pos = offset + table_size
    present = (len(view) - pos) >> 3
    if total > present:
        raise TruncatedMessage(
            f"segment table announces {total} words in {len(sizes)} segments, "
            f"but only {present} words follow it"
        )
    segments = []
    starts = []
    for size in sizes:
        end = pos + 8 * size
        segments.append(view[pos:end])
        starts.append(pos)
        pos = end
    return segments, starts, pos


def flat_segments(buffer: Buffer) -> List[memoryview]:
    """A "flat" message (one segment, no table): the whole words of ``buffer``, not copied.

    Like ``capnp convert flat:...``, straggler bytes after the last whole word are ignored.
    """
    view = _byte_view(buffer)
    return [view[: len(view) & ~7]]


def segments_from_packed_buffer(
    buffer: Buffer,
    offset: int = 0,
    traversal_limit_words: Optional[int] = DEFAULT_TRAVERSAL_LIMIT_WORDS,
) -> Tuple[List[bytes], int]:
    """Unpack the packed framed message at ``buffer[offset:]``.

    Returns ``(segments, end_offset)`` where ``end_offset`` is just after the message's last
    packed byte.  Raises :class:`TruncatedMessage` if there is no complete message.
    """
    source = PackedBufferReader(buffer, offset)
    segments = _read_message(source.read_exactly, traversal_limit_words)
    if segments is None:
        raise TruncatedMessage("no packed message: the buffer is empty")
    if source.pending_words:  # as PackedMessageStream: the next message can't start in a run
        raise PackingError(
            f"a packed run continues {source.pending_words} words past the end of the message"
        )
    return segments, source.pos


# ---------------------------------------------------------------------------------------------
# Reading from streams


def _read_message(
    read: Callable[[int], bytes], traversal_limit_words: Optional[int]
) -> Optional[List[bytes]]:
    """Read one framed message with ``read(n)``, which returns ``n`` bytes, or fewer only at
    the end of the stream.  Shared by the plain and packed stream readers."""
    first = read(8)
    if not first:
        return None
    if len(first) < 8:
        raise TruncatedMessage(
            f"stream ends inside a segment table, after {len(first)} of at least 8 bytes"
        )
    count_field, size0 = _FIRST_WORD.unpack(first)
    count = count_field + 1
    _check_count(count)
    sizes = [size0]
    if count > 1:
        rest_size = segment_table_size(count) - 8  # the other sizes and the padding
        rest = read(rest_size)
        if len(rest) < rest_size:
            raise TruncatedMessage(
                f"stream ends inside a segment table of {count} segments, after "
                f"{8 + len(rest)} of {8 + rest_size} bytes"
            )
        sizes += _uint32s(count - 1).unpack_from(rest)
    total = _check_total(sizes, traversal_limit_words)
    body = read(8 * total)
    if len(body) < 8 * total:
        raise TruncatedMessage(
            f"stream ends inside a message: segment table announces {total} words in {count} "
            f"segments, the stream ended after {len(body) >> 3} words"
        )
    if count == 1:
        return [body]
    segments = []
    pos = 0
    for size in sizes:
        end = pos + 8 * size
        segments.append(body[pos:end])
        pos = end
    return segments


def segments_from_stream(
    stream: BinaryReader,
    traversal_limit_words: Optional[int] = DEFAULT_TRAVERSAL_LIMIT_WORDS,
) -> Optional[List[bytes]]:
    """Read one framed message from a binary stream.

    Returns ``None`` at a clean end of stream (no byte of a new message), raises
    :class:`TruncatedMessage` if the stream ends inside the message.  Reads exactly the
    message's bytes, so the next message can be read by calling again.  Short reads (sockets,
    pipes) are retried; memory grows with the data actually received, not with the sizes the
    table announces.
    """
    return _read_message(lambda n: _read_exact(stream, n), traversal_limit_words)


class _Default(enum.Enum):
    INSTANCE = "the limit given to the constructor"


class PackedMessageStream:
    """Reads packed framed messages one after another from a binary stream.

    Keep one instance per stream: it decides once how to look ahead in the stream (see
    :class:`~purecap.wire.packing.PackedInputStream`).

    A packed run may not continue past the end of a message: that raises
    :class:`PackingError`, since the next message would start in the middle of a run (C++
    rejects it too).  Inside a message purecap is more lenient than C++, which also rejects a
    run crossing from the first table word to the rest of the table or from the table to the
    segments (it reads those separately); no conforming writer produces such runs, and
    accepting them is harmless.
    """

    __slots__ = ("_input", "traversal_limit_words")

    def __init__(
        self,
        stream: BinaryReader,
        traversal_limit_words: Optional[int] = DEFAULT_TRAVERSAL_LIMIT_WORDS,
    ) -> None:
        self._input = PackedInputStream(stream)
        self.traversal_limit_words = traversal_limit_words

    def read_segments(
        self, traversal_limit_words: Union[int, None, _Default] = _Default.INSTANCE
    ) -> Optional[List[bytes]]:
        """The next message's segments, or ``None`` at a clean end of stream.

        ``traversal_limit_words`` overrides the stream's limit for this message.
        """
        limit = (
            self.traversal_limit_words
            if isinstance(traversal_limit_words, _Default)
            else traversal_limit_words
        )
        segments = _read_message(self._input.read_exactly, limit)
        pending = self._input.pending_words
        if pending:
            raise PackingError(
                f"a packed run continues {pending} words past the end of the message"
            )
        return segments

    def __iter__(self) -> PackedMessageStream:
        return self

    def __next__(self) -> List[bytes]:
        segments = self.read_segments()
        if segments is None:
            raise StopIteration
        return segments


def segments_from_packed_stream(
    stream: BinaryReader,
    traversal_limit_words: Optional[int] = DEFAULT_TRAVERSAL_LIMIT_WORDS,
) -> Optional[List[bytes]]:
    """Read one packed framed message from a binary stream (``None`` at a clean end).

    Like :func:`segments_from_stream`, it consumes exactly the message's packed bytes.  To read
    many messages, :class:`PackedMessageStream` saves re-inspecting the stream each time.
    """
    return PackedMessageStream(stream, traversal_limit_words).read_segments()


# ---------------------------------------------------------------------------------------------
# Writing


def _segment_table(segments: Sequence[SegmentLike]) -> bytes:
    count = len(segments)
    if not count:
        raise ValueError("a message has at least one segment")
    # A table of SEGMENT_LIMIT or more segments is written all the same, as C++ writeMessage
    # does (e.g. `capnp convert --segment-size=1` of a large message): refusing would break
    # byte-identity with the reference, and readers protect themselves.
    sizes = [count - 1]
    for index, segment in enumerate(segments):
        nbytes = segment.nbytes if isinstance(segment, memoryview) else len(segment)
        if nbytes & 7:
            raise ValueError(f"segment {index} is {nbytes} bytes, not a whole number of words")
        if nbytes >> 3 > 0xFFFFFFFF:
            raise ValueError(f"segment {index} is too large for a segment table")
        sizes.append(nbytes >> 3)
    if not count & 1:
        sizes.append(0)  # padding to a whole word
    return _uint32s(len(sizes)).pack(*sizes)


def frame_segments(segments: Sequence[SegmentLike]) -> bytes:
    """The framed message: segment table followed by the segments (whole words each)."""
    if len(segments) == 1:
        # One segment, the common case: a one-word table and one concatenation (123 -> 14 ns
        # on PyPy, where this was most of the cost of writing a small message).
        segment = segments[0]
        nbytes = segment.nbytes if isinstance(segment, memoryview) else len(segment)
        if not nbytes & 7:
            return _FIRST_WORD.pack(0, nbytes >> 3) + segment
    return b"".join([_segment_table(segments), *segments])


def frame_segments_packed(segments: Sequence[SegmentLike]) -> bytes:
    """The packed framed message, byte-identical to C++ ``writePackedMessage``."""
    return b"".join([pack(_segment_table(segments)), *map(pack, segments)])


def _write_all(stream: BinaryWriter, data: bytes) -> None:
    # Raw streams may write only part of the data; buffered ones write all of it or raise.
    while data:
        written = stream.write(data)
        if written is None or written >= len(data):
            return
        data = data[written:]


def write_framed(stream: BinaryWriter, segments: Sequence[SegmentLike]) -> None:
    """Write one framed message to a binary stream."""
    _write_all(stream, frame_segments(segments))


def write_framed_packed(stream: BinaryWriter, segments: Sequence[SegmentLike]) -> None:
    """Write one packed framed message to a binary stream."""
    _write_all(stream, frame_segments_packed(segments))
