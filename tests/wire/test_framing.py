"""Tests for purecap.wire.framing: segment tables, zero-copy buffers, streams, packed framing."""

from __future__ import annotations

import io
import mmap
import os
import random
import shutil
import socket
import struct
import subprocess
import threading
from typing import Callable, List, Optional, Sequence

import pytest

from purecap.wire.errors import (
    DecodeError,
    PackingError,
    SegmentTableError,
    TraversalLimitExceeded,
    TruncatedMessage,
)
from purecap.wire.framing import (
    SEGMENT_LIMIT,
    PackedMessageStream,
    flat_segments,
    frame_segments,
    frame_segments_packed,
    read_segment_table,
    segment_table_size,
    segments_from_buffer,
    segments_from_packed_buffer,
    segments_from_packed_stream,
    segments_from_stream,
    write_framed,
    write_framed_packed,
)
from purecap.wire.packing import BinaryReader, pack, unpack

SEED = int(os.environ.get("PURECAP_TEST_SEED", "20240611"))


def h(text: str) -> bytes:
    return bytes.fromhex(text)


def table(*fields: int) -> bytes:
    return struct.pack(f"<{len(fields)}I", *fields)


def random_segments(rng: random.Random) -> List[bytes]:
    segments = []
    for _ in range(rng.choice((1, 1, 2, 3, 4, rng.randrange(1, 20)))):
        n = rng.choice((0, 1, 2, rng.randrange(300)))
        segments.append(
            b"".join(
                rng.choice((bytes(8), b"\xab" * 8, struct.pack("<Q", rng.randrange(1 << 20))))
                for _ in range(n)
            )
        )
    return segments


# ---------------------------------------------------------------------------------------------
# Segment tables


@pytest.mark.parametrize(
    "sizes, expected_table",
    [
        ([2], table(0, 2)),
        ([1, 3], table(1, 1, 3, 0)),  # padded to a whole word
        ([1, 2, 3], table(2, 1, 2, 3)),
        ([0, 0, 0, 5], table(3, 0, 0, 0, 5, 0)),
    ],
)
def test_frame_segments_layout(sizes: List[int], expected_table: bytes) -> None:
    segments = [bytes([i + 1]) * (8 * n) for i, n in enumerate(sizes)]
    framed = frame_segments(segments)
    assert framed == expected_table + b"".join(segments)
    assert segment_table_size(len(sizes)) == len(expected_table)
    assert read_segment_table(framed) == (sizes, len(expected_table))
    got, end = segments_from_buffer(framed)
    assert [bytes(s) for s in got] == segments
    assert end == len(framed)


def test_frame_segments_rejects_bad_segments() -> None:
    with pytest.raises(ValueError):
        frame_segments([])
    with pytest.raises(ValueError):
        frame_segments([b"\x00" * 7])
    # 512+ segments are written (as C++ writes them) even though readers refuse them.
    many = frame_segments([b""] * SEGMENT_LIMIT)
    assert len(many) == 4 * (SEGMENT_LIMIT + 2) and many[:4] == struct.pack("<I", SEGMENT_LIMIT - 1)
    assert frame_segments([memoryview(bytes(16)).cast("Q")]) == table(0, 2) + bytes(16)


@pytest.mark.parametrize("count_field", [0xFFFFFFFF, SEGMENT_LIMIT - 1, SEGMENT_LIMIT, 1 << 20])
def test_too_many_segments_rejected_everywhere(count_field: int) -> None:
    # count = field + 1 >= 512; 0xffffffff must not wrap around to 0 segments.
    data = table(count_field, 0) + bytes(4096)
    with pytest.raises(SegmentTableError, match="at most 511"):
        read_segment_table(data)
    with pytest.raises(SegmentTableError):
        segments_from_buffer(data)
    with pytest.raises(SegmentTableError):
        segments_from_stream(io.BytesIO(data))
    with pytest.raises(SegmentTableError):
        segments_from_packed_stream(io.BytesIO(pack(data)))


def test_511_segments_accepted() -> None:
    segments = [struct.pack("<Q", i) for i in range(SEGMENT_LIMIT - 1)]
    framed = frame_segments(segments)
    assert len(framed) == 8 * (511 // 2 + 1) + 8 * 511
    got, end = segments_from_buffer(framed)
    assert [bytes(s) for s in got] == segments and end == len(framed)
    assert segments_from_stream(io.BytesIO(framed)) == segments
    assert segments_from_packed_stream(io.BytesIO(frame_segments_packed(segments))) == segments


def test_truncated_table_at_every_byte() -> None:
    framed = frame_segments([b"\x01" * 8, b"\x02" * 16, b"\x03" * 8])
    table_size = segment_table_size(3)
    for cut in range(table_size):
        with pytest.raises(TruncatedMessage, match="segment table"):
            read_segment_table(framed[:cut])
        with pytest.raises(TruncatedMessage):
            segments_from_buffer(framed[:cut])


def test_sizes_past_the_data() -> None:
    data = table(1, 3, 4, 0) + bytes(8 * 6)
    with pytest.raises(TruncatedMessage) as info:
        segments_from_buffer(data)
    assert "announces 7 words in 2 segments" in str(info.value)
    assert "only 6 words follow" in str(info.value)
    # A straggler partial word does not count as a word.
    with pytest.raises(TruncatedMessage):
        segments_from_buffer(data + b"\x00" * 7)
    segments, end = segments_from_buffer(data + bytes(8))
    assert [len(s) for s in segments] == [24, 32] and end == len(data) + 8


def test_huge_sizes_rejected_before_anything_is_read() -> None:
    # Sizes whose sum would need 64 GiB: the limit check comes first, then the truncation one.
    data = table(1, 0xFFFFFFFF, 0xFFFFFFFF, 0) + bytes(64)
    with pytest.raises(TraversalLimitExceeded, match="exceeds the traversal limit"):
        segments_from_buffer(data)
    with pytest.raises(TruncatedMessage):
        segments_from_buffer(data, traversal_limit_words=None)


def test_traversal_limit() -> None:
    framed = frame_segments([bytes(80), bytes(16)])  # 12 words
    assert len(segments_from_buffer(framed, traversal_limit_words=12)[0]) == 2
    with pytest.raises(TraversalLimitExceeded) as info:
        segments_from_buffer(framed, traversal_limit_words=11)
    assert isinstance(info.value, DecodeError)
    with pytest.raises(TraversalLimitExceeded):
        segments_from_stream(io.BytesIO(framed), traversal_limit_words=11)
    with pytest.raises(TraversalLimitExceeded):
        segments_from_packed_stream(io.BytesIO(frame_segments_packed([bytes(96)])), 11)
    packed_twice = io.BytesIO(frame_segments_packed([bytes(96)]) * 2)
    reader = PackedMessageStream(packed_twice, traversal_limit_words=11)
    assert reader.read_segments(12) == [bytes(96)]  # a per-message override
    with pytest.raises(TraversalLimitExceeded):
        reader.read_segments()


def test_stream_limit_checked_before_reading_the_body() -> None:
    header = table(0, 1 << 30)

    class Guard:
        def __init__(self) -> None:
            self.pos = 0

        def read(self, n: int) -> bytes:
            if self.pos >= len(header):
                raise AssertionError("read past the segment table")
            chunk = header[self.pos:self.pos + n]
            self.pos += len(chunk)
            return chunk

    with pytest.raises(TraversalLimitExceeded):
        segments_from_stream(Guard())


# ---------------------------------------------------------------------------------------------
# Buffers: zero copy, offsets, several messages


def test_segments_share_memory_with_the_buffer() -> None:
    framed = frame_segments([b"\x01" * 8, b"\x02" * 16])
    for buffer in (framed, bytearray(framed)):
        segments, _ = segments_from_buffer(buffer)
        assert all(isinstance(s, memoryview) and s.obj is buffer for s in segments)
    writable = bytearray(framed)
    segments, _ = segments_from_buffer(writable)
    writable[-1] = 0x99
    assert segments[1][-1] == 0x99  # a view, not a copy


def test_segments_from_mmap(tmp_path: "os.PathLike[str]") -> None:
    path = os.path.join(os.fspath(tmp_path), "messages.bin")
    messages = [[b"\x05" * 16], [b"\x06" * 8, b"\x07" * 24]]
    with open(path, "wb") as out:
        for m in messages:
            write_framed(out, m)
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        offset = 0
        for m in messages:
            segments, offset = segments_from_buffer(mm, offset)
            assert all(s.obj is mm for s in segments)
            assert [bytes(s) for s in segments] == m
            del segments  # release the views before the mmap closes
        assert offset == len(mm)


def test_messages_one_after_another_in_a_buffer() -> None:
    rng = random.Random(SEED)
    messages = [random_segments(rng) for _ in range(20)]
    buffer = b"".join(frame_segments(m) for m in messages)
    offset = 0
    for m in messages:
        segments, offset = segments_from_buffer(memoryview(buffer), offset)
        assert [bytes(s) for s in segments] == m
    assert offset == len(buffer)


def test_flat_segments() -> None:
    data = bytearray(b"\x01" * 20)
    (segment,) = flat_segments(data)
    assert segment.obj is data and len(segment) == 16  # straggler bytes chopped
    assert flat_segments(b"")[0].tobytes() == b""


# ---------------------------------------------------------------------------------------------
# Streams


class ShortReader:
    """read(n) only, returning short reads; ``pos`` shows how much was consumed."""

    def __init__(self, data: bytes, rng: Optional[random.Random] = None) -> None:
        self.data = data
        self.pos = 0
        self.rng = rng

    def read(self, n: int) -> bytes:
        if self.rng is not None and n > 1:
            n = self.rng.randrange(1, n + 1)
        chunk = self.data[self.pos:self.pos + n]
        self.pos += len(chunk)
        return chunk


def test_stream_messages_one_after_another() -> None:
    rng = random.Random(SEED + 1)
    messages = [random_segments(rng) for _ in range(15)]
    data = b"".join(frame_segments(m) for m in messages)
    for stream in (io.BytesIO(data), ShortReader(data, random.Random(SEED))):
        for m in messages:
            assert segments_from_stream(stream) == m
        assert segments_from_stream(stream) is None


def test_stream_truncated_at_every_byte() -> None:
    framed = frame_segments([b"\x01" * 8, b"", b"\x03" * 24])
    assert segments_from_stream(io.BytesIO(b"")) is None
    for cut in range(1, len(framed)):
        with pytest.raises(TruncatedMessage):
            segments_from_stream(io.BytesIO(framed[:cut]))


def test_stream_with_huge_announced_size_fails_fast() -> None:
    # No limit, 32 GiB announced, 16 bytes sent: reads stop at end of stream, memory follows
    # the data that actually arrives.
    data = table(0, 0xFFFFFFFF) + bytes(16)
    with pytest.raises(TruncatedMessage, match="ended after 2 words"):
        segments_from_stream(io.BytesIO(data), traversal_limit_words=None)


def test_socket_stream_reads_no_further_than_the_message() -> None:
    rng = random.Random(SEED + 2)
    messages = [random_segments(rng) for _ in range(5)]
    a, b = socket.socketpair()
    try:
        raw = b.makefile("rb", buffering=0)
        for m in messages:
            a.sendall(frame_segments(m))
            # Only this message is in flight; reading ahead would block here forever.
            b.settimeout(5)
            assert segments_from_stream(raw) == m
        a.sendall(b"tail")
        a.close()
        assert b.recv(100) == b"tail"
    finally:
        a.close()
        b.close()


# ---------------------------------------------------------------------------------------------
# Packed framing


# Produced by `capnp convert --segment-size=3 binary:packed` (capnp 0.9.2) for a root struct with
# two struct pointers to 2-word data sections (0x05.., 0x06..) and (0, 0): three segments.
CPP_MULTI_SEGMENT_PACKED = h(
    "11020311030340021102011102021002ff050505050505050501060606060606060610020001"
)
CPP_MULTI_SEGMENT_SEGMENTS = [
    h("0000000000000200" "0200000001000000" "0200000002000000"),
    h("0000000002000000" "0505050505050505" "0606060606060606"),
    h("0000000002000000" "0000000000000000" "0000000000000000"),
]


def test_packed_framing_matches_cpp() -> None:
    assert frame_segments_packed(CPP_MULTI_SEGMENT_SEGMENTS) == CPP_MULTI_SEGMENT_PACKED
    got = segments_from_packed_stream(io.BytesIO(CPP_MULTI_SEGMENT_PACKED))
    assert got == CPP_MULTI_SEGMENT_SEGMENTS


def test_packed_runs_do_not_cross_pieces() -> None:
    # C++ packs the table and each segment with separate write() calls, so a zero run stops at
    # their boundaries: table (1, 1 | 0, 0) and a segment holding one null pointer.
    segments = [bytes(8), b""]
    assert frame_segments_packed(segments) == h("110101" "0000" "0000")
    assert pack(frame_segments(segments)) == h("110101" "0001")  # what a one-shot pack gives
    # Both forms are read back (a run crossing from table to segments stays within a message).
    for packed in (h("1101010000" "0000"), h("110101" "0001")):
        assert segments_from_packed_stream(io.BytesIO(packed)) == segments


def test_packed_run_past_the_message_end_is_rejected() -> None:
    # One segment of one zero word, but the zero run announces one more word.
    bad = pack(table(0, 1)) + h("0001")
    with pytest.raises(PackingError, match="past the end of the message"):
        segments_from_packed_stream(io.BytesIO(bad))


def packed_stream_factories() -> List[Callable[[bytes], BinaryReader]]:
    return [
        lambda d: io.BytesIO(d),
        lambda d: io.BufferedReader(io.BytesIO(d), buffer_size=32),
        lambda d: ShortReader(d, random.Random(SEED + 3)),
    ]


@pytest.mark.parametrize("factory", packed_stream_factories(), ids=["BytesIO", "Buffered32", "short-reads"])
def test_packed_messages_one_after_another(factory: Callable[[bytes], BinaryReader]) -> None:
    rng = random.Random(SEED + 4)
    messages = [random_segments(rng) for _ in range(25)]
    data = b"".join(frame_segments_packed(m) for m in messages)
    stream = factory(data + b"!")
    reader = PackedMessageStream(stream)
    for m in messages:
        assert reader.read_segments() == m
    # The next byte is still unread.
    if isinstance(stream, ShortReader):
        assert stream.data[stream.pos:] == b"!"
    else:
        assert stream.read(10) == b"!"


def test_packed_message_stream_iterates_until_clean_end() -> None:
    rng = random.Random(SEED + 5)
    messages = [random_segments(rng) for _ in range(6)]
    data = b"".join(frame_segments_packed(m) for m in messages)
    assert list(PackedMessageStream(io.BytesIO(data))) == messages


def test_packed_stream_truncated_at_every_byte() -> None:
    rng = random.Random(SEED + 6)
    segments = random_segments(rng)
    packed = frame_segments_packed(segments)
    for cut in range(len(packed)):
        for stream in (io.BytesIO(packed[:cut]), ShortReader(packed[:cut])):
            try:
                got = segments_from_packed_stream(stream)
            except (TruncatedMessage, PackingError):
                assert cut > 0
            else:
                assert cut == 0 and got is None


def test_packed_buffer_messages_and_offsets() -> None:
    rng = random.Random(SEED + 7)
    messages = [random_segments(rng) for _ in range(10)]
    pieces = [frame_segments_packed(m) for m in messages]
    buffer = bytearray(b"".join(pieces))
    offset = 0
    for m, piece in zip(messages, pieces):
        segments, new_offset = segments_from_packed_buffer(buffer, offset)
        assert segments == m
        assert new_offset - offset == len(piece)
        offset = new_offset
    with pytest.raises(TruncatedMessage):
        segments_from_packed_buffer(buffer, offset)


def test_socket_packed_messages_without_read_ahead() -> None:
    rng = random.Random(SEED + 8)
    messages = [random_segments(rng) for _ in range(8)]
    a, b = socket.socketpair()
    try:
        raw = b.makefile("rb", buffering=0)
        reader = PackedMessageStream(raw)
        for m in messages:
            a.sendall(frame_segments_packed(m))
            b.settimeout(5)  # a read past the message would block, then time out
            assert reader.read_segments() == m
        buffered = b.makefile("rb")

        def send_all() -> None:
            a.sendall(b"".join(frame_segments_packed(m) for m in messages) + b"tail")
            a.close()

        sender = threading.Thread(target=send_all)
        sender.start()
        reader = PackedMessageStream(buffered)
        for m in messages:
            assert reader.read_segments() == m
        assert buffered.read() == b"tail"
        sender.join()
    finally:
        a.close()
        b.close()


# ---------------------------------------------------------------------------------------------
# Writing


class PartialWriter:
    """A raw stream accepting at most 5 bytes per write() call."""

    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, data: bytes) -> int:
        self.data += data[:5]
        return min(5, len(data))


def test_writers_handle_partial_writes() -> None:
    segments = [b"\x01" * 16, bytes(24)]
    w = PartialWriter()
    write_framed(w, segments)
    assert bytes(w.data) == frame_segments(segments)
    w = PartialWriter()
    write_framed_packed(w, segments)
    assert bytes(w.data) == frame_segments_packed(segments)
    out = io.BytesIO()
    write_framed_packed(out, segments)
    assert unpack(out.getvalue()) == frame_segments(segments)


# ---------------------------------------------------------------------------------------------
# Live comparison with the C++ implementation, when the capnp tool is installed


CAPNP = shutil.which("capnp")


def capnp_convert(data: bytes, *args: str) -> bytes:
    assert CAPNP is not None
    done = subprocess.run(
        [CAPNP, "convert", *args], input=data, capture_output=True, timeout=60, check=True
    )
    return done.stdout


def struct_message(children: Sequence[bytes]) -> bytes:
    """A single-segment message: root struct with one pointer per child struct (data only)."""
    n = len(children)
    words = [struct.pack("<iHH", 0, 0, n)]
    body = b""
    for i, child in enumerate(children):
        offset = (n - 1 - i) + len(body) // 8  # from the end of pointer i to the child
        words.append(struct.pack("<iHH", offset << 2, len(child) // 8, 0))
        body += child
    return frame_segments([b"".join(words) + body])


@pytest.mark.skipif(CAPNP is None, reason="capnp tool not installed")
@pytest.mark.parametrize("segment_size", [None, 4, 7])
def test_frame_segments_packed_matches_cpp(segment_size: Optional[int]) -> None:
    rng = random.Random(SEED + 9)
    for _ in range(3):
        children = [
            b"".join(
                rng.choice((bytes(8), b"\x8a" * 8, os.urandom(8), struct.pack("<Q", i)))
                for i in range(rng.randrange(1, 40))
            )
            for _ in range(rng.randrange(1, 6))
        ]
        extra = [] if segment_size is None else [f"--segment-size={segment_size}"]
        cpp_packed = capnp_convert(struct_message(children), *extra, "binary:packed")
        segments = segments_from_packed_stream(io.BytesIO(cpp_packed))
        assert segments is not None
        if segment_size is not None:
            assert len(segments) > 1
        assert frame_segments_packed(segments) == cpp_packed
        # And C++ reads what we write.
        assert capnp_convert(frame_segments_packed(segments), "packed:binary") == capnp_convert(
            cpp_packed, "packed:binary"
        )
