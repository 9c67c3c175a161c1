"""Messages in and out: the encodings a message travels in, over buffers and streams.

* *framed* (``binary``): segment table then segments - the standard stream encoding;
* *packed*: the framed bytes compressed by the packing scheme (zero bytes elided);
* *flat*: a single segment with no table (``capnp convert ...:flat``);
* *flat packed*: a flat message, packed.

Readers over buffers are zero-copy: segments are views of the caller's buffer. Stream readers read
exactly one message and never past its end, so messages can follow each other on a socket.
"""

from __future__ import annotations

from typing import IO, Any, Iterator, List, Optional, Sequence, Tuple, Union

from purecap.wire import framing, packing
from purecap.wire.builder import MessageBuilder
from purecap.wire.errors import TraversalLimitExceeded
from purecap.wire.limits import (
    DEFAULT_LIMITS,
    DEFAULT_NESTING_LIMIT,
    DEFAULT_TRAVERSAL_LIMIT_WORDS,
    ReadLimits,
)
from purecap.wire.reader import MessageReader

__all__ = [
    "read_message",
    "read_message_at",
    "read_messages",
    "read_packed_message",
    "read_flat_message",
    "read_flat_packed_message",
    "read_message_from_stream",
    "PackedMessageStream",
    "write_message",
    "write_message_to_stream",
    "write_packed_message",
    "write_flat_message",
    "message_segments",
]

_Limit = Optional[int]
MessageSource = Union[MessageBuilder, Sequence[Any]]


def _limits(traversal_limit_words: _Limit, nesting_limit: _Limit) -> ReadLimits:
    if (
        traversal_limit_words == DEFAULT_TRAVERSAL_LIMIT_WORDS
        and nesting_limit == DEFAULT_NESTING_LIMIT
    ):
        return DEFAULT_LIMITS
    return ReadLimits(traversal_limit_words, nesting_limit)


def read_message_at(
    buffer: Any,
    offset: int = 0,
    *,
    traversal_limit_words: _Limit = DEFAULT_TRAVERSAL_LIMIT_WORDS,
    nesting_limit: _Limit = DEFAULT_NESTING_LIMIT,
    cap_table: Optional[List[Any]] = None,
) -> Tuple[MessageReader, int]:
    """The framed message starting at ``offset`` of ``buffer``, and the offset after it."""
    segments, starts, end = framing.split_buffer(buffer, offset, traversal_limit_words)
    limits = _limits(traversal_limit_words, nesting_limit)
    # Text is decoded straight from an immutable buffer (see MessageReader.source).
    source = buffer if type(buffer) is bytes else None
    return MessageReader.from_views(segments, limits, cap_table, source, starts), end


def read_message(
    buffer: Any,
    *,
    traversal_limit_words: _Limit = DEFAULT_TRAVERSAL_LIMIT_WORDS,
    nesting_limit: _Limit = DEFAULT_NESTING_LIMIT,
    cap_table: Optional[List[Any]] = None,
) -> MessageReader:
    """The framed message at the start of ``buffer`` (bytes, bytearray, memoryview, mmap)."""
    return read_message_at(
        buffer,
        0,
        traversal_limit_words=traversal_limit_words,
        nesting_limit=nesting_limit,
        cap_table=cap_table,
    )[0]


def read_messages(
    buffer: Any,
    *,
    traversal_limit_words: _Limit = DEFAULT_TRAVERSAL_LIMIT_WORDS,
    nesting_limit: _Limit = DEFAULT_NESTING_LIMIT,
) -> Iterator[MessageReader]:
    """Every framed message in ``buffer``, one after another."""
    offset = 0
    size = memoryview(buffer).nbytes
    while offset < size:
        message, offset = read_message_at(
            buffer, offset, traversal_limit_words=traversal_limit_words, nesting_limit=nesting_limit
        )
        yield message


def read_packed_message(
    data: Any,
    *,
    traversal_limit_words: _Limit = DEFAULT_TRAVERSAL_LIMIT_WORDS,
    nesting_limit: _Limit = DEFAULT_NESTING_LIMIT,
) -> MessageReader:
    """A packed, framed message. Only what the segment table announces is unpacked (after the
    table was checked against the traversal limit), so trailing zero runs cannot inflate."""
    segments, _ = framing.segments_from_packed_buffer(data, 0, traversal_limit_words)
    return MessageReader(segments, _limits(traversal_limit_words, nesting_limit))


def read_flat_message(
    buffer: Any,
    *,
    traversal_limit_words: _Limit = DEFAULT_TRAVERSAL_LIMIT_WORDS,
    nesting_limit: _Limit = DEFAULT_NESTING_LIMIT,
) -> MessageReader:
    """A single-segment message with no segment table."""
    return MessageReader(
        framing.flat_segments(buffer), _limits(traversal_limit_words, nesting_limit)
    )


def read_flat_packed_message(
    data: Any,
    *,
    traversal_limit_words: _Limit = DEFAULT_TRAVERSAL_LIMIT_WORDS,
    nesting_limit: _Limit = DEFAULT_NESTING_LIMIT,
) -> MessageReader:
    if traversal_limit_words is not None:
        # A flat message has no table: its size is the unpacked size, known without unpacking.
        words = packing.compute_unpacked_size_words(data)
        if words > traversal_limit_words:
            raise TraversalLimitExceeded(
                f"flat packed message of {words} words is larger than the traversal limit of "
                f"{traversal_limit_words} words"
            )
    return read_flat_message(
        packing.unpack(data),
        traversal_limit_words=traversal_limit_words,
        nesting_limit=nesting_limit,
    )


def read_message_from_stream(
    stream: IO[bytes],
    *,
    traversal_limit_words: _Limit = DEFAULT_TRAVERSAL_LIMIT_WORDS,
    nesting_limit: _Limit = DEFAULT_NESTING_LIMIT,
) -> Optional[MessageReader]:
    """The next framed message of a binary stream, or ``None`` at a clean end of stream.

    Reads exactly the message's bytes, never past them.
    """
    segments = framing.segments_from_stream(stream, traversal_limit_words)
    if segments is None:
        return None
    return MessageReader(segments, _limits(traversal_limit_words, nesting_limit))


class PackedMessageStream:
    """Packed messages read one after another from one stream (packing state carries over
    between messages, so keep one of these per stream)."""

    __slots__ = ("_stream", "_limits")

    def __init__(
        self,
        stream: IO[bytes],
        *,
        traversal_limit_words: _Limit = DEFAULT_TRAVERSAL_LIMIT_WORDS,
        nesting_limit: _Limit = DEFAULT_NESTING_LIMIT,
    ) -> None:
        self._stream = framing.PackedMessageStream(stream, traversal_limit_words)
        self._limits = _limits(traversal_limit_words, nesting_limit)

    def read_message(self) -> Optional[MessageReader]:
        segments = self._stream.read_segments()
        if segments is None:
            return None
        return MessageReader(segments, self._limits)

    def __iter__(self) -> Iterator[MessageReader]:
        while True:
            message = self.read_message()
            if message is None:
                return
            yield message


# -- writing ------------------------------------------------------------------------------------


def message_segments(message: MessageSource) -> Sequence[Any]:
    """The segments to write for a builder (its used words) or a list of segments."""
    if isinstance(message, MessageBuilder):
        return message.segments_for_output()
    return message


def write_message(message: MessageSource) -> bytes:
    """The framed encoding (segment table and segments)."""
    if isinstance(message, MessageBuilder):
        return message.to_framed_bytes()
    return framing.frame_segments(message)


def write_message_to_stream(stream: IO[bytes], message: MessageSource) -> None:
    framing.write_framed(stream, message_segments(message))


def write_packed_message(message: MessageSource) -> bytes:
    """The packed encoding of the framed message. The table and each segment are packed
    separately, as C++ ``writePackedMessage`` does (no run crosses a segment boundary)."""
    return framing.frame_segments_packed(message_segments(message))


def write_flat_message(message: MessageSource) -> bytes:
    """The single segment without a table; the message must have exactly one segment."""
    segments = message_segments(message)
    if len(segments) != 1:
        raise ValueError(
            f"a flat message has one segment, this one has {len(segments)}: build it with a "
            "first segment large enough, or copy it (see purecap.wire.canonical.flatten)"
        )
    return bytes(segments[0])
