"""The inlined fast paths of the hot operations against the general code they shortcut.

Reading text (``StructReader.get_text``), writing text (``StructBuilder.set_text``), starting a
message (``MessageBuilder.init_root``), writing it (``MessageBuilder.to_framed_bytes``) and
iterating struct lists (``structs()``) each have a fast path for the usual case. These tests
hold them to the general path: same bytes written, same values read, the same traversal budget
spent, and every malformed input still raising the general path's error.
"""

from __future__ import annotations

import random
import struct
from typing import List, Tuple

import pytest

from purecap.wire import framing
from purecap.wire.builder import MessageBuilder, PointerBuilder, StructBuilder
from purecap.wire.errors import (
    BuilderError,
    InvalidText,
    PointerOutOfBounds,
    TraversalLimitExceeded,
    WrongPointerKind,
)
from purecap.wire.limits import ReadLimits
from purecap.wire.message import read_message
from purecap.wire.pointers import ElementSize, far_pointer, list_pointer, struct_pointer
from purecap.wire.reader import MessageReader, decode_text, read_blob

_HALVES = struct.Struct("<iI")


def _w(halves: Tuple[int, int]) -> bytes:
    return _HALVES.pack(*halves)


def _texts(rng: random.Random, count: int) -> List[str]:
    alphabet = "abc \u00e9\u4e2d\U0001f600"
    return ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40))) for _ in range(count)]


def _build(texts: List[str], first_segment_words: int, general: bool) -> MessageBuilder:
    """A root with a list of structs (1 data word, 2 pointers) holding the texts, written
    through the fast path or through the general one (a PointerBuilder's set_text)."""
    message = MessageBuilder(first_segment_words=first_segment_words)
    root = message.init_root(1, 1)
    n = (len(texts) + 1) // 2
    items = root.init_struct_list(0, n, 1, 2)
    for i, text in enumerate(texts):
        item = items.get_struct(i // 2)
        if general:
            PointerBuilder(message, item.segment_index, item.pointer_offset + 8 * (i % 2)).set_text(
                text
            )
        else:
            item.set_text(i % 2, text)
    return message


@pytest.mark.parametrize("seed", range(12))
def test_set_text_writes_what_the_general_path_writes(seed: int) -> None:
    rng = random.Random(seed)
    texts = _texts(rng, rng.randrange(1, 60))
    # Small first segments put texts behind far pointers (landing pads in other segments).
    first = rng.choice([1, 4, 16, 64, 1024])
    fast = _build(texts, first, general=False)
    slow = _build(texts, first, general=True)
    assert fast.to_segments() == slow.to_segments()
    assert fast.to_framed_bytes() == framing.frame_segments(slow.segments_for_output())


def test_set_text_replacing_a_text_zeroes_the_old_one_like_the_general_path() -> None:
    for general in (False, True):
        message = MessageBuilder()
        root = message.init_root(0, 1)
        if general:
            message.root_pointer().get_struct(0, 1).get_pointer(0).set_text("first")
            message.root_pointer().get_struct(0, 1).get_pointer(0).set_text("second")
            slow = message.to_segments()
        else:
            root.set_text(0, "first")
            root.set_text(0, "second")
            fast = message.to_segments()
    assert fast == slow
    assert MessageReader(fast).get_root().get_text(0) == "second"


def test_init_root_fast_path_lays_out_the_message_as_the_general_path() -> None:
    for first in (1, 2, 3, 8, 1024):
        for data_words, pointer_count in ((0, 0), (1, 0), (0, 1), (2, 3), (7, 0)):
            fast = MessageBuilder(first_segment_words=first)
            a = fast.init_root(data_words, pointer_count)
            slow = MessageBuilder(first_segment_words=first)
            b = slow.root_pointer().init_struct(data_words, pointer_count)
            for builder in (a, b):
                if data_words:
                    builder.set_primitive(struct.Struct("<q"), 0, -5)
                for i in range(pointer_count):
                    builder.set_text(i, "x" * (i * 9))
            assert fast.to_segments() == slow.to_segments(), (first, data_words, pointer_count)
            assert (fast.capacity_words, fast.used_words) == (slow.capacity_words, slow.used_words)


def test_to_framed_bytes_is_the_framing_of_the_used_words() -> None:
    for first in (1, 1024):
        message = _build(["abc", "defg" * 30, ""], first, general=False)
        expected = framing.frame_segments(message.segments_for_output())
        assert message.to_framed_bytes() == expected


def _read_all(reader: MessageReader) -> List[str]:
    root = reader.get_root()
    items = root.get_list(0, None)
    return [s.get_text(i) for s in items.structs() for i in range(2)]


@pytest.mark.parametrize("seed", range(6))
def test_get_text_reads_and_charges_as_the_general_path(seed: int) -> None:
    rng = random.Random(100 + seed)
    texts = _texts(rng, 2 * rng.randrange(1, 30))
    message = _build(texts, rng.choice([1, 8, 1024]), general=False)
    fast_reader = MessageReader(message.to_segments())
    assert _read_all(fast_reader) == texts
    # The general path: read_blob + decode_text for each text pointer.
    slow_reader = MessageReader(message.to_segments())
    items = slow_reader.get_root().get_list(0, None)
    slow = []
    for i in range(len(items)):
        s = items.get_struct(i)
        for p in range(2):
            raw = read_blob(slow_reader, s.segment_index, s.pointer_offset + 8 * p, True)
            slow.append("" if raw is None else decode_text(raw))
    assert slow == texts
    assert fast_reader.traversal_budget == slow_reader.traversal_budget


def _far_text(pad: bytes, landing: bytes) -> MessageReader:
    """Segment 0: root struct with one pointer, a far pointer to word 0 of segment 1; segment
    1: ``pad`` (the landing pad) then ``landing``."""
    seg0 = _w(struct_pointer(0, 0, 1)) + _w(far_pointer(False, 0, 1))
    return MessageReader([seg0, pad + landing])


def test_far_text_is_read_through_its_landing_pad() -> None:
    reader = _far_text(_w(list_pointer(0, ElementSize.BYTE, 4)), b"cat\0" + bytes(4))
    before = reader.traversal_budget
    assert reader.get_root().get_text(0) == "cat"
    # root pointer charged twice, the root struct, then the pad and the text's one word
    assert before - reader.traversal_budget == 2 + 1 + 1 + 1


@pytest.mark.parametrize(
    ("pad", "landing", "error", "match"),
    [
        # invalid UTF-8 behind a far pointer
        (_w(list_pointer(0, ElementSize.BYTE, 3)), b"\xff\xfe\0" + bytes(5), InvalidText, "UTF-8"),
        # no NUL terminator
        (_w(list_pointer(0, ElementSize.BYTE, 3)), b"cat" + bytes(5), InvalidText, "NUL"),
        # the text runs past the end of its segment
        (_w(list_pointer(0, ElementSize.BYTE, 20)), b"cat\0" + bytes(4), PointerOutOfBounds, "outside"),
        # the landing pad is itself a far pointer
        (_w(far_pointer(False, 0, 0)), b"", WrongPointerKind, "landing pad"),
        # the landing pad points backwards out of its segment
        (_w(list_pointer(-5, ElementSize.BYTE, 4)), b"", PointerOutOfBounds, "outside"),
        # a list of words, not of bytes
        (_w(list_pointer(0, ElementSize.EIGHT_BYTES, 1)), bytes(8), Exception, "text"),
    ],
)
def test_malformed_far_text_raises_the_general_error(
    pad: bytes, landing: bytes, error: type, match: str
) -> None:
    with pytest.raises(error, match=match):
        _far_text(pad, landing).get_root().get_text(0)
    # The same message framed in bytes: text is then decoded from those bytes (the source).
    framed = framing.frame_segments([bytes(m) for m in _far_text(pad, landing).segments])
    reader = read_message(framed)
    assert reader.source is framed
    with pytest.raises(error, match=match):
        reader.get_root().get_text(0)


@pytest.mark.parametrize("seed", range(6))
def test_text_decoded_from_the_source_bytes_as_from_the_segments(seed: int) -> None:
    rng = random.Random(200 + seed)
    texts = _texts(rng, 2 * rng.randrange(1, 30))
    framed = _build(texts, rng.choice([1, 8, 1024]), general=False).to_framed_bytes()
    # bytes: the reader keeps them as its source; a bytearray may change, so it does not.
    from_bytes, from_bytearray = read_message(framed), read_message(bytearray(framed))
    assert from_bytes.source is framed and from_bytearray.source is None
    assert _read_all(from_bytes) == _read_all(from_bytearray) == texts
    assert from_bytes.traversal_budget == from_bytearray.traversal_budget
    # A message of one bytes segment (as packed and streamed reads give) is its own source.
    one = _build(texts[:2], 1024, general=False).to_segments()
    assert MessageReader(one).source is one[0]
    assert _read_all(MessageReader(one)) == texts[:2]


def test_blob_bytes_are_copied_in_through_views_of_the_segments() -> None:
    message = _build(["abc", "d" * 100], 1, general=False)
    message.init_root(1, 1)  # (only the root pointer: init_root of a used message)
    assert len(message.views) == len(message.segments) > 1
    for view, segment in zip(message.views, message.segments):
        # A memoryview on CPython; on PyPy, whose segments grow in place, the segment itself.
        assert view is segment or (isinstance(view, memoryview) and view.obj is segment)


def test_far_pointer_to_a_missing_segment_or_past_its_end() -> None:
    seg0 = _w(struct_pointer(0, 0, 1)) + _w(far_pointer(False, 0, 7))
    with pytest.raises(PointerOutOfBounds, match="segment 7"):
        MessageReader([seg0, bytes(8)]).get_root().get_text(0)
    seg0 = _w(struct_pointer(0, 0, 1)) + _w(far_pointer(False, 3, 1))
    with pytest.raises(PointerOutOfBounds, match="landing pad"):
        MessageReader([seg0, bytes(8)]).get_root().get_text(0)


def test_text_past_the_traversal_budget_raises() -> None:
    text = "x" * 100
    message = MessageBuilder()
    message.init_root(0, 1).set_text(0, text)
    segments = message.to_segments()
    # Enough for the root (3 words) but not for the text's 13 words.
    reader = MessageReader(segments, ReadLimits(traversal_limit_words=10))
    root = reader.get_root()
    with pytest.raises(TraversalLimitExceeded):
        root.get_text(0)
    assert MessageReader(segments, ReadLimits(traversal_limit_words=16)).get_root().get_text(0) == text


def test_struct_list_iteration_equals_indexing() -> None:
    message = _build(_texts(random.Random(5), 20), 8, general=False)
    root_b = message.root_pointer().get_struct(1, 1)
    lst_b = root_b.get_struct_list(0, 1, 2)
    iterated_b: List[StructBuilder] = list(lst_b.structs())
    assert [(s.segment_index, s.data_offset, s.data_size, s.pointer_offset, s.pointer_count)
            for s in iterated_b] == [
        (s.segment_index, s.data_offset, s.data_size, s.pointer_offset, s.pointer_count)
        for s in (lst_b.get_struct(i) for i in range(lst_b.element_count))
    ]
    lst_r = MessageReader(message.to_segments()).get_root().get_list(0, None)
    assert [(s.data_offset, s.pointer_offset) for s in lst_r.structs()] == [
        (s.data_offset, s.pointer_offset) for s in (lst_r.get_struct(i) for i in range(len(lst_r)))
    ]


def test_text_with_a_lone_surrogate_is_a_builder_error() -> None:
    # json.loads accepts "\ud800"; such a str has no UTF-8 form.
    root = MessageBuilder().init_root(0, 2)
    with pytest.raises(BuilderError, match="not encodable as UTF-8.*index 2"):
        root.set_text(0, "ab\ud800")
    with pytest.raises(BuilderError, match="not encodable as UTF-8"):
        root.get_pointer(1).set_text("\udcff")
    assert not root.has_pointer(0) and not root.has_pointer(1)
