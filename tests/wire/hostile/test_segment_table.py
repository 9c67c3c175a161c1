"""Hostile segment tables (and the packed input they may arrive in).

A framed message starts with a table of little-endian uint32s: the segment count *minus one*,
then each segment's size in words, then 4 bytes of padding if that leaves the table short of a
whole word. Everything in it is attacker-controlled, so (serialize.c++ ``FlatArrayMessageReader``
and ``readMessage``) before anything is sliced, read or allocated the reader must check

* that the table itself is all there (:class:`TruncatedMessage`),
* that it announces fewer than 512 segments (:class:`SegmentTableError`) - a count field of
  0xFFFFFFFF means 2**32 segments, not 0,
* that the sizes do not add up to more than the traversal limit (:class:`TraversalLimitExceeded`:
  a message too big to be traversed is refused before its bytes are read or allocated),
* and, for a buffer, that the data announced is present (:class:`TruncatedMessage`); a stream
  must only allocate as the data actually arrives.

Every table below is written with ``table(count_field, sizes)`` - the first uint32 *as stored*
(segment count minus one), then the sizes, then the padding - so each one reads as its words.
"""

from __future__ import annotations

import io
import time
from types import TracebackType
from typing import List, Optional, Type

import pytest

from purecap.wire import framing
from purecap.wire.errors import (
    DecodeError,
    PackingError,
    SegmentTableError,
    TraversalLimitExceeded,
    TruncatedMessage,
)
from purecap.wire.message import (
    read_flat_message,
    read_flat_packed_message,
    read_message,
    read_message_from_stream,
    read_messages,
    read_packed_message,
)
from purecap.wire.packing import unpack
from purecap.wire.pointers import struct_pointer

from tests.wire.hostile import NULL, raw, seg, table, w

# The smallest valid message: one segment of one word, a null root pointer.
ONE_WORD = table(0, [1]) + NULL


class _PeakMemory:
    """Measures the peak of memory allocated inside a ``with`` block (tracemalloc; on PyPy,
    which has no tracemalloc, ``peak`` stays ``None`` and only the other assertions apply)."""

    def __init__(self) -> None:
        self.peak: Optional[int] = None
        self._started = False
        self._base = 0

    def __enter__(self) -> _PeakMemory:
        try:
            import tracemalloc
        except ImportError:
            return self
        if not tracemalloc.is_tracing():
            tracemalloc.start()
            self._started = True
        tracemalloc.reset_peak()
        self._base = tracemalloc.get_traced_memory()[0]
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        try:
            import tracemalloc
        except ImportError:
            return
        self.peak = tracemalloc.get_traced_memory()[1] - self._base
        if self._started:
            tracemalloc.stop()


class _RecordingStream:
    """A binary stream that records how many bytes each ``read`` asked for."""

    def __init__(self, data: bytes) -> None:
        self._inner = io.BytesIO(data)
        self.requests: List[int] = []

    def read(self, size: int) -> bytes:
        self.requests.append(size)
        return self._inner.read(size)


def _pack_plain(data: bytes) -> bytes:
    """``data`` (whole words) packed the simplest way: tag 0xFF, 8 bytes, run of 0, per word -
    valid packing, chosen so that the packed bytes can be read off the unpacked ones."""
    return b"".join(b"\xff" + data[i : i + 8] + b"\x00" for i in range(0, len(data), 8))


# -- truncated tables ---------------------------------------------------------------------------


def test_segment_table_truncated_before_its_first_word() -> None:
    for n in range(8):
        data = ONE_WORD[:n]
        with pytest.raises(TruncatedMessage, match="inside its segment table"):
            read_message(data)
        if n:
            with pytest.raises(TruncatedMessage, match="inside a segment table"):
                read_message_from_stream(io.BytesIO(data))
    # A stream that ends cleanly *between* messages is not truncated: there is just no message.
    assert read_message_from_stream(io.BytesIO(b"")) is None


def test_segment_table_truncated_in_its_sizes() -> None:
    # count field 2 (3 segments): the table is 4 + 3*4 = 16 bytes; only 12 are given.
    data = table(2, [1, 1, 1])[:12]
    with pytest.raises(TruncatedMessage, match="3 segments need 16 bytes, 12 present"):
        read_message(data)
    with pytest.raises(TruncatedMessage, match="inside a segment table of 3 segments"):
        read_message_from_stream(io.BytesIO(data))


def test_segment_table_truncated_in_its_padding() -> None:
    # count field 1 (2 segments): 4 + 2*4 = 12 bytes, padded to 16; the padding is cut off.
    data = table(1, [0, 0], pad=False)
    assert len(data) == 12
    with pytest.raises(TruncatedMessage, match="2 segments need 16 bytes"):
        read_message(data)
    with pytest.raises(TruncatedMessage, match="after 12 of 16 bytes"):
        read_message_from_stream(io.BytesIO(data))


# -- huge segment counts ------------------------------------------------------------------------


def test_segment_count_field_0xffffffff() -> None:
    # 0xFFFFFFFF + 1 is 2**32 segments (in uint32 arithmetic it would wrap to 0: the
    # 2026-03-12 advisory). The rest of the table is a size of 1 and a word of data.
    data = table(0xFFFFFFFF, [1]) + NULL
    began = time.perf_counter()
    with pytest.raises(SegmentTableError, match="announces 4294967296 segments"):
        read_message(data)
    with pytest.raises(SegmentTableError, match="4294967296"):
        read_message_from_stream(io.BytesIO(data))
    with pytest.raises(SegmentTableError, match="4294967296"):
        framing.segments_from_packed_buffer(_pack_plain(data))
    assert time.perf_counter() - began < 0.5


def test_segment_count_512_rejected() -> None:
    # count field 511: 512 segments, one more than C++ accepts. The whole table (4 + 512*4 bytes
    # + 4 of padding = 2056 bytes) and every segment (0 words each) are present, so it is the
    # count alone that is refused.
    data = table(511, [0] * 512)
    assert len(data) == 2056
    with pytest.raises(SegmentTableError, match="announces 512 segments; at most 511"):
        read_message(data)
    with pytest.raises(SegmentTableError, match="512 segments"):
        read_message_from_stream(io.BytesIO(data))


def test_segment_count_511_accepted_if_data_present() -> None:
    # count field 510: 511 segments, the most allowed; 4 + 511*4 = 2048 bytes, no padding.
    # Segment 0 is one word (a null root pointer), the other 510 are empty.
    data = table(510, [1] + [0] * 510)
    assert len(data) == 2048
    msg = read_message(data + NULL)
    assert len(msg.segments) == 511
    assert msg.root_pointer().is_null()
    # ... but not if the one word of data is missing.
    with pytest.raises(TruncatedMessage, match="announces 1 words in 511 segments"):
        read_message(data)


# -- sizes that do not add up -------------------------------------------------------------------


def test_segment_sizes_sum_past_the_data() -> None:
    # count field 1 (2 segments) of 2 and 3 words: 5 words announced, 4 present.
    data = table(1, [2, 3]) + seg(w(struct_pointer(0, 1, 0)), raw(1), raw(2), raw(3))
    with pytest.raises(TruncatedMessage, match="announces 5 words in 2 segments, but only 4"):
        read_message(data)
    with pytest.raises(TruncatedMessage, match="ended after 4 words"):
        read_message_from_stream(io.BytesIO(data))


def test_segment_sizes_sum_past_traversal_limit_rejected_before_allocation() -> None:
    # Two segments of 0xFFFFFFFF words each (2**33 - 2 words, 64 GiB), then nothing: refused
    # from the table alone, without reading or allocating what it announces.
    data = table(1, [0xFFFFFFFF, 0xFFFFFFFF])
    watch = _PeakMemory()
    began = time.perf_counter()
    with watch:
        with pytest.raises(TraversalLimitExceeded, match="exceeds the traversal limit"):
            read_message(data)
        with pytest.raises(TraversalLimitExceeded, match="exceeds the traversal limit"):
            read_message_from_stream(io.BytesIO(data))
        stream = _RecordingStream(data)
        with pytest.raises(TraversalLimitExceeded, match="traversal limit"):
            framing.segments_from_stream(stream)
    assert time.perf_counter() - began < 0.5
    assert watch.peak is None or watch.peak < 64 * 1024
    assert sum(stream.requests) == len(data)  # only the table was asked for
    # The limit is the reader's: one word over a custom limit is refused just the same.
    small = table(0, [11]) + bytes(88)
    with pytest.raises(TraversalLimitExceeded, match="11 words"):
        read_message(small, traversal_limit_words=10)
    assert read_message(small, traversal_limit_words=11).root_pointer().is_null()


def test_segment_sizes_whose_sum_wraps_32_bits() -> None:
    # 0xFFFFFFFF + 1 words is 2**32, which is 0 in uint32 arithmetic: a summing bug would see an
    # empty message. Even with no traversal limit it is a message the buffer does not hold.
    data = table(1, [0xFFFFFFFF, 1]) + NULL
    with pytest.raises(TraversalLimitExceeded, match="traversal limit"):
        read_message(data)
    with pytest.raises(TruncatedMessage, match="announces 4294967296 words"):
        read_message(data, traversal_limit_words=None)


def test_segment_size_whose_byte_count_wraps_32_bits() -> None:
    # 2**29 words is 2**32 bytes: 0 if the byte count were computed in 32 bits.
    data = table(0, [1 << 29]) + NULL
    with pytest.raises(TruncatedMessage, match="announces 536870912 words"):
        read_message(data, traversal_limit_words=None)


def test_stream_allocates_only_what_arrives() -> None:
    # Within the default limit (exactly 8 Mi words = 64 MiB) but the stream ends after two words:
    # memory must follow the data that arrived, not the size the table announced.
    data = table(0, [8 * 1024 * 1024]) + NULL + NULL
    watch = _PeakMemory()
    with watch, pytest.raises(TruncatedMessage, match="ended after 2 words"):
        read_message_from_stream(io.BytesIO(data))
    assert watch.peak is None or watch.peak < 8 * 1024 * 1024


def test_second_of_two_messages_truncated() -> None:
    data = ONE_WORD + table(0, [2]) + NULL  # the second message lacks one word
    messages = read_messages(data)
    assert next(messages).root_pointer().is_null()
    with pytest.raises(TruncatedMessage, match="announces 2 words in 1 segments"):
        next(messages)


def test_flat_message_too_short_for_a_root_pointer() -> None:
    for data in (b"", b"1234567"):
        with pytest.raises(DecodeError, match="no root pointer"):
            read_flat_message(data).get_root()


# -- packed input -------------------------------------------------------------------------------


def test_packed_input_cut_inside_a_word() -> None:
    # Tag 0x03 (bytes 0 and 1 of the word are non-zero) announces two bytes; one follows.
    data = b"\x03\x01"
    with pytest.raises(PackingError, match="ends inside a word: tag 0x03 at byte 0 needs 2"):
        unpack(data)
    # Framed, the input ends before the segment table does.
    with pytest.raises(TruncatedMessage, match="ends inside a word .tag 0x03."):
        framing.segments_from_packed_buffer(data)
    with pytest.raises(TruncatedMessage, match="ends inside a word .tag 0x03."):
        framing.segments_from_packed_stream(io.BytesIO(data))


def test_packed_zero_tag_without_its_count() -> None:
    # Tag 0x00 (a zero word) must be followed by the count of further zero words.
    with pytest.raises(PackingError, match="tag 0x00 at byte 0 needs 1 more"):
        unpack(b"\x00")
    with pytest.raises(TruncatedMessage, match="ends inside a word .tag 0x00."):
        framing.segments_from_packed_buffer(b"\x00")
    with pytest.raises(TruncatedMessage, match="ends inside a word .tag 0x00."):
        framing.segments_from_packed_stream(io.BytesIO(b"\x00"))


def test_packed_verbatim_run_cut_short() -> None:
    # Tag 0xFF, its 8 bytes (a table announcing one segment of 3 words), then a count of 2
    # verbatim words, of which only one (8 bytes) is present.
    data = b"\xff" + table(0, [3]) + b"\x02" + NULL
    with pytest.raises(PackingError, match="ends inside a 0xff run"):
        unpack(data)
    with pytest.raises(TruncatedMessage, match="0xff run: 2 verbatim words announced"):
        framing.segments_from_packed_buffer(data)
    with pytest.raises(TruncatedMessage, match="0xff run: 2 verbatim words announced"):
        framing.segments_from_packed_stream(io.BytesIO(data))


def test_packed_stream_run_past_the_end_of_the_message() -> None:
    # The one-word message, then a zero word whose run count (255) runs on past the message:
    # the next message would begin inside a run (C++ rejects this too).
    data = _pack_plain(table(0, [1])) + b"\x00\xff"
    with pytest.raises(PackingError, match="past the end of the message"):
        framing.segments_from_packed_stream(io.BytesIO(data))


def test_packed_zero_runs_are_not_unpacked_past_the_message() -> None:
    try:
        import tracemalloc  # noqa: F401
    except ImportError:
        pytest.skip("needs tracemalloc to measure memory (not on PyPy)")
    # The one-word message, then 4096 units '00 ff' (8 KiB), each unpacking to 256 zero words.
    data = _pack_plain(ONE_WORD) + b"\x00\xff" * 4096
    watch = _PeakMemory()
    with watch:
        try:
            read_packed_message(data)
        except (PackingError, TruncatedMessage):
            pass  # refusing the trailing runs is fine too; expanding them is not
    assert watch.peak is not None and watch.peak < 1024 * 1024


def test_flat_packed_message_larger_than_traversal_limit() -> None:
    # 64 units '00 ff': 64 * 256 = 16384 zero words from 128 bytes, against a limit of 1000.
    data = b"\x00\xff" * 64
    with pytest.raises(TraversalLimitExceeded, match="traversal limit"):
        read_flat_packed_message(data, traversal_limit_words=1000)
