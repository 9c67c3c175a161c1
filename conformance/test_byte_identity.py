"""Byte identity with ``capnp convert``: purecap writes exactly what the C++ tool writes.

``capnp convert binary:<format>`` reads each message of a stream and writes it again
(compiler/capnp.c++ ``writeConversion``):

* ``binary``/``packed``: ``MallocMessageBuilder`` (1024-word first segment growing heuristically,
  or ``--segment-size=N`` fixed-size segments), ``setRoot`` (a deep copy), ``writeMessage`` /
  ``writePackedMessage``. purecap: ``MessageBuilder(N, fixed_size=True)``, ``set_root``,
  ``write_message`` / ``write_packed_message``.
* ``flat``/``flat-packed``: ``copyToUnchecked`` into one segment of exactly ``totalSize() + 1``
  words (root pointer included), written whole, then packed or not.
* ``canonical``: ``canonicalize()``.

The corpus: the tool's own encodings of our text corpus, messages purecap builds on tiny
segments (far pointers), and seeded random messages from :mod:`conformance.randmsg` (untidy
layouts with holes, junk words, garbage in list padding, double-far pointers). The whole corpus
goes through the tool once per output format, as one stream.
"""

from __future__ import annotations

from typing import Callable, Dict, List, Optional, Tuple

import pytest

from conformance import corpus, randmsg, wiretest
from conformance.peers import CapnpTool, CapnpToolError
from conformance.test_capnp_tool import build_message
from purecap.wire import packing
from purecap.wire.builder import MessageBuilder
from purecap.wire.message import read_flat_message, read_message, write_message
from purecap.wire.message import write_packed_message
from purecap.wire.reader import MessageReader, StructReader

try:
    from purecap.wire import canonical as _canonical
except ImportError:  # pragma: no cover - being written alongside this suite
    _canonical = None  # type: ignore[assignment]

needs_canonical = pytest.mark.xfail(
    _canonical is None, reason="purecap.wire.canonical is not written yet", strict=False
)

RANDOM_SEEDS = range(300)

_CORPUS: List[Tuple[str, bytes]] = []


def _corpus(tool: CapnpTool) -> List[Tuple[str, bytes]]:
    """(name, framed message) for every message of the corpus (built once per session)."""
    if not _CORPUS:
        for name, (type_name, value) in corpus.TEXT_CORPUS.items():
            data = tool.encode(type_name, wiretest.to_text(type_name, value))
            _CORPUS.append((f"capnp:{name}", data))
        for name, (type_name, value) in corpus.BUILD_CORPUS.items():
            for first, fixed in ((2, True), (5, False)):
                builder = build_message(type_name, value, first, fixed)
                _CORPUS.append((f"purecap:{name}:{first}", write_message(builder)))
        for seed in RANDOM_SEEDS:
            _CORPUS.append((f"random:{seed}", write_message(randmsg.random_message(seed))))
    return _CORPUS


# -- purecap's side of each conversion ---------------------------------------------------------


def copy_message(root: StructReader, segment_size: Optional[int]) -> MessageBuilder:
    """``MallocMessageBuilder`` as ``capnp convert`` sets it up, then ``setRoot``."""
    if segment_size is None:
        builder = MessageBuilder()
    else:
        builder = MessageBuilder(segment_size, fixed_size=True)
    builder.set_root(root)
    return builder


def flat_copy(root: StructReader) -> bytes:
    """``copyToUnchecked``: one segment of exactly ``totalSize() + 1`` words, written whole
    (words the copy does not use stay zero)."""
    words, _ = root.total_size()
    builder = MessageBuilder(words + 1, fixed_size=True)
    builder.set_root(root)
    assert len(builder.segments) == 1
    return bytes(builder.segments[0])


def _binary(segment_size: Optional[int]) -> Callable[[MessageReader], bytes]:
    return lambda m: write_message(copy_message(m.get_root(), segment_size))


def _packed(segment_size: Optional[int]) -> Callable[[MessageReader], bytes]:
    return lambda m: write_packed_message(copy_message(m.get_root(), segment_size))


def _flat(m: MessageReader) -> bytes:
    return flat_copy(m.get_root())


def _flat_packed(m: MessageReader) -> bytes:
    return packing.pack(flat_copy(m.get_root()))


def _canonical_bytes(m: MessageReader) -> bytes:
    assert _canonical is not None
    return _canonical.canonicalize(m.get_root())


# target -> (capnp convert format, --segment-size, purecap's conversion)
TARGETS: Dict[str, Tuple[str, Optional[int], Callable[[MessageReader], bytes]]] = {
    "binary": ("binary", None, _binary(None)),
    "binary-seg1": ("binary", 1, _binary(1)),
    "binary-seg2": ("binary", 2, _binary(2)),
    "binary-seg3": ("binary", 3, _binary(3)),
    "binary-seg5": ("binary", 5, _binary(5)),
    "binary-seg8": ("binary", 8, _binary(8)),
    "binary-seg100": ("binary", 100, _binary(100)),
    "packed": ("packed", None, _packed(None)),
    "packed-seg1": ("packed", 1, _packed(1)),
    "packed-seg2": ("packed", 2, _packed(2)),
    "packed-seg7": ("packed", 7, _packed(7)),
    "flat": ("flat", None, _flat),
    "flat-packed": ("flat-packed", None, _flat_packed),
    "canonical": ("canonical", None, _canonical_bytes),
}


@pytest.mark.parametrize(
    "target",
    [pytest.param(t, marks=needs_canonical) if t == "canonical" else t for t in TARGETS],
)
def test_convert_is_byte_identical(capnp_tool: CapnpTool, target: str) -> None:
    fmt, segment_size, ours = TARGETS[target]
    messages = _corpus(capnp_tool)
    stream = b"".join(data for _, data in messages)
    theirs = capnp_tool.convert(stream, "binary", fmt, segment_size=segment_size)
    mine = [ours(read_message(data, traversal_limit_words=None, nesting_limit=None))
            for _, data in messages]
    if b"".join(mine) == theirs:
        return
    # Find the first message that differs, and show where.
    for (name, data), got in zip(messages, mine):
        expected = capnp_tool.convert(data, "binary", fmt, segment_size=segment_size)
        if got != expected:
            at = next(
                (i for i, (a, b) in enumerate(zip(got, expected)) if a != b),
                min(len(got), len(expected)),
            )
            pytest.fail(
                f"{name}: purecap's {target} differs from capnp convert's at byte {at} "
                f"(lengths {len(got)} and {len(expected)}):\n"
                f"  purecap: {got[at - at % 8 : at - at % 8 + 32].hex(' ', 8)}\n"
                f"  capnp:   {expected[at - at % 8 : at - at % 8 + 32].hex(' ', 8)}"
            )
    pytest.fail("the outputs differ, but no single message does")  # pragma: no cover


@needs_canonical
def test_flatten_is_the_flat_copy(capnp_tool: CapnpTool) -> None:
    """``purecap.wire.canonical.flatten`` writes what ``capnp convert binary:flat`` writes."""
    assert _canonical is not None
    for name, data in _corpus(capnp_tool):
        root = read_message(data).get_root()
        assert _canonical.flatten(root) == flat_copy(root), name


@needs_canonical
def test_is_canonical_agrees_with_cpp(capnp_tool: CapnpTool) -> None:
    """``capnp convert canonical:binary`` refuses input that C++ ``isCanonical()`` rejects;
    purecap's ``is_canonical`` must say the same of the same bytes: canonical forms (yes), flat
    copies (usually not: full-size sections), and single-segment originals."""
    verdicts: Dict[str, Tuple[bool, bool]] = {}
    for name, data in _corpus(capnp_tool)[::3]:
        candidates = {
            "canonical": capnp_tool.convert(data, "binary", "canonical"),
            "flat": capnp_tool.convert(data, "binary", "flat"),
        }
        message = read_message(data)
        if len(message.segments) == 1:
            candidates["original"] = bytes(message.segments[0])
        for kind, flat in candidates.items():
            try:
                capnp_tool.convert(flat, "canonical", "binary")
                cpp = True
            except CapnpToolError:
                cpp = False
            ours = read_flat_message(flat).is_canonical()
            verdicts[f"{name}:{kind}"] = (ours, cpp)
    disagreements = {k: v for k, v in verdicts.items() if v[0] != v[1]}
    assert not disagreements, f"(purecap, C++) is_canonical verdicts differ: {disagreements}"
    assert {v[1] for v in verdicts.values()} == {True, False}  # both verdicts were exercised


def test_random_messages_survive_the_round_trip(capnp_tool: CapnpTool) -> None:
    """capnp reads every random message purecap writes (they are valid), and purecap reads the
    tool's copies back to the same canonical content."""
    if _canonical is None:  # pragma: no cover
        pytest.xfail("purecap.wire.canonical is not written yet")
    for seed in RANDOM_SEEDS[:30]:
        data = write_message(randmsg.random_message(seed))
        copied = capnp_tool.convert(data, "binary", "binary", segment_size=3)
        a = _canonical.canonicalize(read_message(data).get_root())
        b = _canonical.canonicalize(read_message(copied).get_root())
        assert a == b, seed
