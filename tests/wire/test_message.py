"""Unit tests of ``purecap.wire.message``: the encodings a message travels in.

Framed (segment table + segments), packed, flat and flat-packed, over buffers and over streams,
with the read limits passed through. The packed bytes of the sample messages of
``test_copying.py`` are pinned to what ``capnp convert binary:packed [--segment-size=2]`` (capnp
0.9.2) wrote for them, captured once and pasted below.
"""

from __future__ import annotations

import io
import struct
from typing import Dict, Tuple

import pytest

from purecap.errors import PurecapError
from purecap.wire.builder import MessageBuilder
from purecap.wire.errors import (
    NestingLimitExceeded,
    PackingError,
    SegmentTableError,
    TraversalLimitExceeded,
    TruncatedMessage,
)
from purecap.wire.message import (
    PackedMessageStream,
    read_flat_message,
    read_flat_packed_message,
    read_message,
    read_message_at,
    read_message_from_stream,
    read_messages,
    read_packed_message,
    write_flat_message,
    write_message,
    write_message_to_stream,
    write_packed_message,
)
from purecap.wire.packing import pack
from purecap.wire.reader import MessageReader
from tests.wire.randomtrees import lp, sp, w
from tests.wire.test_copying import SAMPLES

U32 = struct.Struct("<I")
U64 = struct.Struct("<Q")

# (``capnp convert binary:packed``, ``capnp convert binary:packed --segment-size=2``) of each
# sample message of test_copying.py.
EXPECTED_PACKED: Dict[str, Tuple[str, str]] = {
    'scalars_and_text': (
        (
            "1008500202ffefcdab896745230101feffffff0100efbe11056a110922ff68656c6c6f2c2077000f"
            "6f726c640e0102ff"
        ),
        (
            "1103011105030102110201500202ffefcdab896745230101feffffff0100efbe1102021102031101"
            "6aff68656c6c6f2c2077000f6f726c641101220e0102ff"
        ),
    ),
    'lists': (
        (
            "1017500106c0f8bf11152b31193102111d1811192611311511351cd5010203ffff0105ff49922449"
            "92244992000124110d12110d0a0000110922016100000778797affffffffffffffffff002001883f"
            "800c5040"
        ),
        (
            "1109011108031103051102021102030103110201500106c0f8bf110202110203110d181102041102"
            "0811020911012bd5010203ffff010531013102ff4992244992244992000124110126110205110206"
            "0000110207110112016111010a00001101220778797a110115ffffffffffffffffff00200111011c"
            "883f800c5040"
        ),
    ),
    'struct_list': (
        (
            "1011400211053711251e510c0101f164ffffffff111132f165feffffff110c01f166fdffffff0000"
            "1f6669727374010711091a11090211050a070102030104"
        ),
        (
            "11070111030811020211040201021102014002110202110205110137510c0101f164ffffffff1102"
            "03f165feffffff110204f166fdffffff00001101321f66697273741001010711011e110206110502"
            "11020711011a0701020311010a0104"
        ),
    ),
    'nested_and_empty': (
        (
            "100e50010401010ffcffffff51080101111d07111d0701aa50010180bb400111012a0f6465657050"
            "02010110"
        ),
        (
            "110701110603110302110202010211020150010401010ffcffffff11020211020611020750010101"
            "aa11020350010180bb110204400111020511012a0f646565701101075002011101070110"
        ),
    ),
    'far_input': (
        (
            "100c50010103feca500202ff887766554433221100019911054a110917ff66617220617761790000"
            "0011080101050106"
        ),
        (
            "11040111030511030411020150010103feca110202500202ff887766554433221100019911020311"
            "020411014aff666172206177617900000011011711080101050106"
        ),
    ),
    'needs_trimming': (
        (
            "1018500404010501ff0001110d12510c020211194700000174000351080202010100041105120000"
            "0165"
        ),
        (
            "11050111090211050a0102110201500404010501ff00011102021102031102040000110112017450"
            "02020003110147510802020101000411020500001101120165"
        ),
    ),
}


def _message(first_segment_words: int = 1024, fixed_size: bool = False) -> MessageBuilder:
    """A small message: root (1 data word, 2 pointers) with a value, a text and a list."""
    m = MessageBuilder(first_segment_words=first_segment_words, fixed_size=fixed_size)
    root = m.init_root(1, 2)
    root.set_primitive(U64, 0, 0x0123456789ABCDEF)
    root.set_text(0, "framed")
    lst = root.init_list(1, 5, 3)
    for i in range(3):
        lst.set_primitive(i, U64, i * 1000)
    return m


def _check_message(message: MessageReader) -> None:
    """``message`` holds what :func:`_message` wrote."""
    root = message.get_root()
    assert root.get_primitive(U64, 0) == 0x0123456789ABCDEF
    assert root.get_text(0) == "framed"
    assert root.get_list(1, 5).primitives(U64) == [0, 1000, 2000]


# -- framed --------------------------------------------------------------------------------------


def test_segment_table_layout() -> None:
    """The table is (segment count - 1), then each segment's size in words, all uint32 LE,
    padded with 4 zero bytes to a whole word when the count is even."""
    one = write_message([w(1)])
    assert one == U32.pack(0) + U32.pack(1) + w(1)
    two = write_message([w(1), w(2, 3)])
    assert two[:16] == struct.pack("<4I", 1, 1, 2, 0) and two[16:] == w(1, 2, 3)
    three = write_message([w(1), w(2), b""])
    assert three[:16] == struct.pack("<4I", 2, 1, 1, 0) and three[16:] == w(1, 2)


@pytest.mark.parametrize("first_segment_words,fixed", [(1024, False), (1, True), (3, False)])
def test_framed_round_trip(first_segment_words: int, fixed: bool) -> None:
    """A framed message reads back with the same segments and content."""
    m = _message(first_segment_words, fixed)
    data = write_message(m)
    message = read_message(data)
    assert [bytes(s) for s in message.segments] == m.to_segments()
    _check_message(message)
    assert write_message(m.to_segments()) == data  # a list of segments frames the same


def test_read_message_is_zero_copy() -> None:
    """Segments of a message read from a buffer are views of that buffer."""
    data = bytearray(write_message(_message()))
    message = read_message(data)
    data[8 + 8 : 8 + 16] = U64.pack(42)  # the root's data word
    assert message.get_root().get_primitive(U64, 0) == 42
    assert read_message(memoryview(data)).get_root().get_primitive(U64, 0) == 42


def test_read_message_at_and_read_messages() -> None:
    """Messages follow each other in a buffer; each read reports where the next one starts."""
    first = write_message(_message())
    second = write_message(_message(1, True))
    data = first + second
    message, end = read_message_at(data, 0)
    assert end == len(first)
    message2, end2 = read_message_at(data, end)
    assert end2 == len(data)
    _check_message(message2)
    all_messages = list(read_messages(data))
    assert len(all_messages) == 2
    for msg in all_messages:
        _check_message(msg)
    assert list(read_messages(b"")) == []


@pytest.mark.parametrize(
    "data,error",
    [
        (b"", TruncatedMessage),
        (b"\0\0\0\0", TruncatedMessage),
        (struct.pack("<II", 0, 2) + w(0), TruncatedMessage),  # one word of two present
        (struct.pack("<II", 1, 1), TruncatedMessage),  # table cut short
        (struct.pack("<II", 511, 0) + bytes(2048), SegmentTableError),  # 512 segments
        (struct.pack("<II", 0xFFFFFFFF, 0), SegmentTableError),  # 2**32 segments
    ],
)
def test_bad_framing(data: bytes, error: type) -> None:
    """A broken or truncated segment table raises the matching PurecapError."""
    with pytest.raises(error) as info:
        read_message(data)
    assert isinstance(info.value, PurecapError)


def test_511_segments_are_accepted() -> None:
    """511 segments is the most the C++ reader accepts (and so do we)."""
    segments = [sp(0, 0, 0)] + [b""] * 510
    assert len(read_message(write_message(segments)).segments) == 511


def test_limits_are_passed_to_the_reader() -> None:
    """``traversal_limit_words`` bounds both the announced size and the words read;
    ``nesting_limit`` the depth of pointers."""
    data = write_message(_message())
    size = len(data) // 8 - 1
    with pytest.raises(TraversalLimitExceeded):
        read_message(data, traversal_limit_words=size - 1)
    # Reading everything once costs the content (size - 1 words) plus 2 for the root pointer,
    # which C++ charges twice.
    message = read_message(data, traversal_limit_words=size + 1)
    _check_message(message)
    with pytest.raises(TraversalLimitExceeded):
        message.get_root().get_list(1, 5)  # the budget is spent
    unlimited = read_message(data, traversal_limit_words=None, nesting_limit=None)
    for _ in range(100):
        _check_message(unlimited)
    with pytest.raises(NestingLimitExceeded):
        read_message(data, nesting_limit=1).get_root().get_list(1, 5)
    # Blobs contain no pointers, so (as in C++ readTextPointer) they use no nesting level.
    assert read_message(data, nesting_limit=1).get_root().get_text(0) == "framed"
    with pytest.raises(NestingLimitExceeded):
        read_message(data, nesting_limit=0).get_root()


def test_cap_table_is_attached() -> None:
    """A capability table given to read_message is the reader's."""
    table = [object()]
    assert read_message(write_message(_message()), cap_table=table).cap_table is table


# -- streams -------------------------------------------------------------------------------------


def test_stream_round_trip_reads_exactly_one_message() -> None:
    """Stream reads consume exactly one message (so the next can follow), and return None at a
    clean end of stream."""
    stream = io.BytesIO()
    write_message_to_stream(stream, _message())
    write_message_to_stream(stream, _message(2, True))
    first_size = len(write_message(_message()))
    stream.seek(0)
    message = read_message_from_stream(stream)
    assert message is not None and stream.tell() == first_size
    _check_message(message)
    second = read_message_from_stream(stream)
    assert second is not None
    _check_message(second)
    assert read_message_from_stream(stream) is None


def test_truncated_stream() -> None:
    """A stream ending inside a message is a TruncatedMessage, not a clean end."""
    data = write_message(_message())
    for cut in (3, 8, len(data) - 1):
        with pytest.raises(TruncatedMessage):
            read_message_from_stream(io.BytesIO(data[:cut]))


def test_stream_limits() -> None:
    """A stream message announcing more than the traversal limit is refused before it is read."""
    with pytest.raises(TraversalLimitExceeded):
        read_message_from_stream(
            io.BytesIO(struct.pack("<II", 0, 1 << 30)), traversal_limit_words=1000
        )


# -- packed --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXPECTED_PACKED))
def test_packed_output_matches_capnp(name: str) -> None:
    """``write_packed_message`` writes what C++ ``writePackedMessage`` does (for the copy
    capnp convert makes, with its default and 2-word fixed segments)."""
    source = MessageReader(SAMPLES[name]().to_segments()).get_root()
    default = MessageBuilder()
    default.set_root(source)
    small = MessageBuilder(first_segment_words=2, fixed_size=True)
    small.set_root(source)
    assert write_packed_message(default).hex() == EXPECTED_PACKED[name][0]
    assert write_packed_message(small).hex() == EXPECTED_PACKED[name][1]
    for builder in (default, small):
        back = read_packed_message(write_packed_message(builder))
        assert [bytes(s) for s in back.segments] == builder.to_segments()


def test_packing_does_not_run_across_segments() -> None:
    """C++ packs the segment table and each segment with separate writes, so zero runs and
    literal runs stop at every boundary (serialize-packed.c++ writePackedMessage via
    OutputStream::write(pieces))."""
    # Table: (1, 1) then (0, padding 0): its second word is zero, as is segment 0's only word.
    segments = [bytes(8), b""]
    expected = pack(write_message(segments)[:16]) + pack(bytes(8))
    assert expected.hex() == "11010100" + "00" + "0000"
    assert write_packed_message(segments) == expected
    # Two segments of words without zero bytes: two literal runs, not one.
    dense = [b"\xff" * 8 + b"\x01" * 8, b"\x02" * 8]
    table = write_message(dense)[:16]
    assert write_packed_message(dense) == pack(table) + pack(dense[0]) + pack(dense[1])


def test_packed_round_trip_and_errors() -> None:
    """Packed messages read back; cut-off packed input is a PurecapError."""
    data = write_packed_message(_message(1, True))
    _check_message(read_packed_message(data))
    with pytest.raises(PurecapError):
        read_packed_message(data[:-1])
    with pytest.raises(PurecapError):
        read_packed_message(b"\xff\x01")


def test_packed_message_stream() -> None:
    """Packed messages follow each other on one stream."""
    data = write_packed_message(_message()) + write_packed_message(_message(3, False))
    stream = PackedMessageStream(io.BytesIO(data))
    messages = list(stream)
    assert len(messages) == 2
    for message in messages:
        _check_message(message)
    assert PackedMessageStream(io.BytesIO(b"")).read_message() is None


def test_packed_message_stream_errors() -> None:
    """A packed stream that ends inside a message raises a PurecapError."""
    data = write_packed_message(_message())
    with pytest.raises((TruncatedMessage, PackingError)):
        PackedMessageStream(io.BytesIO(data[:-2])).read_message()


# -- flat ----------------------------------------------------------------------------------------


def test_flat_message() -> None:
    """A flat message is its single segment, no table; several segments cannot be flat."""
    m = _message()
    flat = write_flat_message(m)
    assert flat == m.to_segments()[0]
    _check_message(read_flat_message(flat))
    _check_message(read_flat_message(flat + b"\x01\x02"))  # straggling bytes are ignored
    _check_message(read_flat_packed_message(pack(flat)))
    with pytest.raises(ValueError):
        write_flat_message(_message(1, True))


def test_flat_read_limits() -> None:
    """Flat readers take the same limits."""
    flat = sp(0, 0, 1) + lp(0, 5, 1) + w(7)
    with pytest.raises(TraversalLimitExceeded):
        read_flat_message(flat, traversal_limit_words=1).get_root().get_list(0, 5)
    assert read_flat_message(flat).get_root().get_list(0, 5).primitives(U64) == [7]
