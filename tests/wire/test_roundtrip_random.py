"""Seeded randomized round trips of the wire layer, and hostile bytes.

Random trees (``tests/wire/randomtrees.py``: structs of random sizes, lists of every element
size, struct lists, text, data, nested lists, nulls, capabilities) are built through the builder
API, written in every encoding - framed with first segments small enough to force far pointers,
packed, streamed, flat - read back and compared with the model by walking them with the readers;
deep-copied into other builders and compared again; and their ``total_size`` is checked against
the size computed from the model.

Then random bytes, and random corruptions of valid messages, are read and walked along every
pointer: nothing may escape but a :class:`~purecap.errors.PurecapError`.

Each test prints its seed (``seed=N``); set ``PURECAP_SEED=N`` to replay it, or
``PURECAP_SEED=random`` for a fresh one.
"""

from __future__ import annotations

import io
import random
import struct
from typing import Callable, List, Optional, Tuple

from purecap.errors import PurecapError
from purecap.wire.builder import MessageBuilder
from purecap.wire.canonical import canonicalize, flatten
from purecap.wire.errors import NotCanonical, TruncatedMessage
from purecap.wire.message import (
    PackedMessageStream,
    read_flat_message,
    read_flat_packed_message,
    read_message,
    read_message_from_stream,
    read_messages,
    read_packed_message,
    write_flat_message,
    write_message,
    write_message_to_stream,
    write_packed_message,
)
from purecap.wire.packing import pack
from purecap.wire.pointers import ElementSize, PointerType
from purecap.wire.reader import ListReader, MessageReader, PointerReader, StructReader
from tests.wire.randomtrees import (
    StructValue,
    TreeGenerator,
    build_message,
    check_struct,
    live_words,
    model_total_size,
    seed_from_env,
)

TREES = 200

# First-segment sizes to build and copy with: tiny ones put nearly every object behind a far
# pointer (and some behind double-fars), 1024 is the default.
SEGMENT_CHOICES: List[Tuple[int, bool]] = [
    (1, True), (2, True), (3, False), (4, True), (5, False), (8, True), (16, False),
    (64, True), (1024, False),
]


def _trees(seed: int, caps: bool = True) -> List[Tuple[StructValue, random.Random]]:
    """``TREES`` random trees, each with its own generator for building choices."""
    rng = random.Random(seed)
    gen = TreeGenerator(rng, caps=caps)
    return [(gen.tree(), random.Random(rng.getrandbits(64))) for _ in range(TREES)]


def _check_message(message: MessageReader, value: StructValue, what: str) -> None:
    try:
        check_struct(message.get_root(), value)
        assert message.total_size() == model_total_size(value), "total_size"
    except (AssertionError, PurecapError) as e:
        raise AssertionError(f"{what}: {e}\nmodel: {value!r}") from e


# -- round trips ------------------------------------------------------------------------------


def test_built_trees_read_back_and_leave_no_garbage() -> None:
    """Each tree, built with random segment sizes (and decoy objects that are then overwritten),
    reads back as the model through the builder's own reader and through a fresh reader over
    its segments; every word outside the tree is zero."""
    seed = seed_from_env(20240601)
    for n, (value, rng) in enumerate(_trees(seed)):
        first, fixed = rng.choice(SEGMENT_CHOICES)
        builder = build_message(value, rng, first, fixed)
        what = f"tree {n} built with first_segment_words={first}, fixed_size={fixed}"
        _check_message(builder.as_reader(), value, what)
        segments = builder.to_segments()
        _check_message(MessageReader(segments), value, what)
        live = live_words(segments)
        for si, seg in enumerate(segments):
            for wi in range(len(seg) >> 3):
                if (si, wi) not in live and any(seg[wi * 8 : wi * 8 + 8]):
                    raise AssertionError(f"{what}: stale word {si}:{wi}")


def test_framed_packed_and_streamed_round_trips() -> None:
    """Framed and packed encodings read back as the model, one by one, as a concatenation in one
    buffer, and from streams (plain and packed)."""
    seed = seed_from_env(20240602)
    trees = _trees(seed)
    framed: List[bytes] = []
    packed: List[bytes] = []
    stream = io.BytesIO()
    for n, (value, rng) in enumerate(trees):
        first, fixed = rng.choice(SEGMENT_CHOICES)
        builder = build_message(value, rng, first, fixed, decoys=rng.random() < 0.5)
        what = f"tree {n} (first_segment_words={first}, fixed_size={fixed})"
        data = write_message(builder)
        _check_message(read_message(data), value, f"{what}, framed")
        packed_data = write_packed_message(builder)
        assert len(packed_data) <= len(data) + (len(data) + 2047) // 2048 * 2
        _check_message(read_packed_message(packed_data), value, f"{what}, packed")
        framed.append(data)
        packed.append(packed_data)
        write_message_to_stream(stream, builder)
    values = [value for value, _ in trees]
    for n, message in enumerate(read_messages(b"".join(framed))):
        _check_message(message, values[n], f"tree {n} from a concatenation")
    stream.seek(0)
    for n, value in enumerate(values):
        streamed = read_message_from_stream(stream)
        assert streamed is not None
        _check_message(streamed, value, f"tree {n} from a stream")
    assert read_message_from_stream(stream) is None
    packed_stream = PackedMessageStream(io.BytesIO(b"".join(packed)))
    for n, value in enumerate(values):
        unpacked = packed_stream.read_message()
        assert unpacked is not None
        _check_message(unpacked, value, f"tree {n} from a packed stream")
    assert packed_stream.read_message() is None


def test_deep_copies_flat_and_canonical() -> None:
    """Deep copies into builders of every segment size read back as the model, and are
    byte-identical whatever the layout of the source; a copy into one segment of
    ``total_size + 1`` words is the flat encoding; canonical forms of all copies agree."""
    seed = seed_from_env(20240603)
    for n, (value, rng) in enumerate(_trees(seed)):
        first, fixed = rng.choice(SEGMENT_CHOICES)
        source = build_message(value, rng, first, fixed)
        source_root = read_message(write_message(source)).get_root()
        what = f"tree {n} (source first_segment_words={first}, fixed_size={fixed})"
        first2, fixed2 = rng.choice(SEGMENT_CHOICES)
        copy = MessageBuilder(first_segment_words=first2, fixed_size=fixed2)
        copy.set_root(source_root)
        _check_message(MessageReader(copy.to_segments()), value, f"{what}, copy ({first2})")
        # The copy depends on the tree only: copying the copy gives the same bytes.
        again = MessageBuilder(first_segment_words=first2, fixed_size=fixed2)
        again.set_root(MessageReader(copy.to_segments()).get_root())
        assert again.to_segments() == copy.to_segments(), what
        # Flat: everything in one segment, written without a table.
        words, _ = model_total_size(value)
        single = MessageBuilder(first_segment_words=words + 1, fixed_size=True)
        single.set_root(source_root)
        assert len(single.segments) == 1, what
        flat = write_flat_message(single)
        _check_message(read_flat_message(flat), value, f"{what}, flat")
        _check_message(read_flat_packed_message(pack(flat)), value, f"{what}, flat packed")
        assert len(flat) == 8 * (words + 1) and flatten(source_root) == flat, what
        # Canonical: the same bytes from any copy; only messages without capabilities have one.
        try:
            canonical = canonicalize(source_root)
        except NotCanonical:
            assert model_total_size(value)[1] > 0, what
            continue
        assert canonicalize(MessageReader(copy.to_segments()).get_root()) == canonical, what
        assert read_flat_message(canonical).is_canonical(), what


def test_trees_without_capabilities_are_canonicalizable() -> None:
    """Canonical form exists for every tree without capabilities, and is a fixed point."""
    seed = seed_from_env(20240604)
    for n, (value, rng) in enumerate(_trees(seed, caps=False)[:50]):
        root = build_message(value, rng, *rng.choice(SEGMENT_CHOICES)).as_reader().get_root()
        canonical = canonicalize(root)
        reread = read_flat_message(canonical)
        assert reread.is_canonical(), f"tree {n}"
        assert canonicalize(reread.get_root()) == canonical, f"tree {n}"


# -- hostile input ----------------------------------------------------------------------------

# A small traversal budget keeps every walk short; hostile messages cannot make it longer.
_FUZZ_LIMIT = 1 << 14
_U8 = struct.Struct("<B")
_U64 = struct.Struct("<Q")
_F32 = struct.Struct("<f")


def _attempt(action: Callable[[], object]) -> Optional[object]:
    """Run ``action``; a PurecapError means the input was rejected (fine), anything else
    escapes and fails the test."""
    try:
        return action()
    except PurecapError:
        return None


def _walk_pointer(pointer: PointerReader) -> None:
    """Read a pointer as everything it might be, and follow it."""
    kind = _attempt(pointer.pointer_type)
    if kind == PointerType.STRUCT:
        s = _attempt(pointer.get_struct)
        if isinstance(s, StructReader):
            _walk_struct(s)
    elif kind == PointerType.LIST:
        _attempt(pointer.get_text)
        _attempt(pointer.get_data)
        for es in ElementSize:
            _attempt(lambda: pointer.get_list(es))
        lst = _attempt(pointer.get_list)
        if isinstance(lst, ListReader):
            _walk_list(lst)
    elif kind == PointerType.CAPABILITY:
        _attempt(pointer.get_capability)
    _attempt(pointer.total_size)


def _walk_struct(s: StructReader) -> None:
    """Read fields at the edges of the data section, and follow every pointer (and one past)."""
    s.data_section()
    for offset in (0, 1, 7, s.data_size - 8, s.data_size - 1):
        s.get_primitive(_U64, max(offset, 0))
        s.get_primitive(_F32, max(offset, 0))
        s.get_bool(max(offset, 0) * 8 + 3)
    for i in range(s.pointer_count + 1):
        _attempt(lambda: s.get_text(i))
        _attempt(lambda: s.get_capability(i))
        _attempt(lambda: s.get_list(i, ElementSize.INLINE_COMPOSITE))
        _walk_pointer(s.get_pointer(i))


def _walk_list(lst: ListReader) -> None:
    """Read all elements as bytes, and a few (first, middle, last) in every other way."""
    n = len(lst)
    lst.primitives(_U8)
    for i in sorted({0, 1, n // 2, n - 2, n - 1}):
        if not 0 <= i < n:
            continue
        lst.get_primitive(i, _U64)
        lst.get_bool(i)
        if lst.element_size != ElementSize.BIT:
            _walk_struct(lst.get_struct(i))
        _attempt(lambda: lst.get_text(i))
        _attempt(lambda: lst.get_data(i))
        _attempt(lambda: lst.get_list(i, None))
        _attempt(lambda: lst.get_struct_element_pointer(i))
        _walk_pointer(lst.get_pointer(i))


def _rejected(action: Callable[[], object]) -> bool:
    """Whether ``action`` was refused with a PurecapError."""
    try:
        action()
    except PurecapError:
        return True
    return False


def _walk_message(read: Callable[[], MessageReader]) -> None:
    """Walk everything reachable, size it, copy it, check its canonical form: only PurecapErrors
    may come out. When both the size walk and the copy succeed, the copy has the same size."""
    try:
        root = read().root_pointer()
    except PurecapError:
        return
    _walk_pointer(root)
    sizes: List[Tuple[int, int]] = []
    sized = not _rejected(lambda: sizes.append(read().root_pointer().total_size()))
    copy = MessageBuilder()
    copied = not _rejected(lambda: copy.root_pointer().set(read().root_pointer()))
    _rejected(lambda: read().is_canonical())
    _rejected(lambda: canonicalize(read().get_root()))
    if sized and copied:
        assert MessageReader(copy.to_segments()).root_pointer().total_size() == sizes[0]


def _from_stream(data: bytes) -> MessageReader:
    message = read_message_from_stream(io.BytesIO(data), traversal_limit_words=_FUZZ_LIMIT)
    if message is None:
        raise TruncatedMessage("empty stream")  # no message: nothing to walk
    return message


def _pointerish_word(rng: random.Random) -> bytes:
    """A word likely to be a (small, nearly valid) pointer of some kind, or data."""
    kind = rng.randrange(7)
    if kind == 0:
        return bytes(8)
    if kind == 1:
        return rng.getrandbits(64).to_bytes(8, "little")
    offset = rng.randint(-4, 6)
    if kind == 2:
        lo = (offset << 2) & 0xFFFFFFFF
        return struct.pack("<II", lo, rng.randrange(4) | rng.randrange(4) << 16)
    if kind == 3:
        lo = ((offset << 2) | 1) & 0xFFFFFFFF
        return struct.pack("<II", lo, rng.randrange(8) | rng.randrange(12) << 3)
    if kind == 4:
        lo = (rng.randrange(8) << 3) | (4 if rng.random() < 0.3 else 0) | 2
        return struct.pack("<II", lo, rng.randrange(4))
    if kind == 5:
        return struct.pack("<II", 3, rng.randrange(3))
    # an INLINE_COMPOSITE tag
    return struct.pack("<II", (rng.randrange(5) << 2), rng.randrange(3) | rng.randrange(3) << 16)


def test_random_bytes_never_escape_as_other_errors() -> None:
    """Random bytes (plain, framed with a valid table, or made of pointer-like words), read as
    framed, packed and flat messages and walked along every pointer, raise nothing but
    PurecapErrors - no IndexError, struct.error, RecursionError, UnicodeDecodeError..."""
    seed = seed_from_env(20240605)
    rng = random.Random(seed)
    for _ in range(300):
        how = rng.choice(("bytes", "words", "pointers", "pointers"))
        if how == "bytes":
            data = bytes(rng.getrandbits(8) for _ in range(rng.randrange(64)))
        else:
            count = rng.randint(1, 4)
            sizes = [rng.randrange(1, 10) for _ in range(count)]
            table = struct.pack(f"<{count + 1}I", count - 1, *sizes)
            table += bytes(-len(table) % 8)
            if how == "words":
                body = bytes(rng.getrandbits(8) for _ in range(8 * sum(sizes)))
            else:  # a root struct with pointers, then pointer-like words
                body = struct.pack("<iI", 0, rng.randrange(3) | rng.randint(1, 4) << 16)
                body += b"".join(_pointerish_word(rng) for _ in range(sum(sizes) - 1))
            data = table + body
        _walk_message(lambda: read_message(data, traversal_limit_words=_FUZZ_LIMIT))
        _walk_message(lambda: read_packed_message(data, traversal_limit_words=_FUZZ_LIMIT))
        _walk_message(lambda: read_flat_message(data[8:], traversal_limit_words=_FUZZ_LIMIT))
        _walk_message(lambda: _from_stream(data))


def test_corrupted_messages_never_escape_as_other_errors() -> None:
    """Valid random messages with a few bytes overwritten (pointers become wrong kinds, offsets
    point out of bounds, tags and counts lie) still raise only PurecapErrors."""
    seed = seed_from_env(20240606)
    rng = random.Random(seed)
    gen = TreeGenerator(rng, budget=20)
    for _ in range(150):
        value = gen.tree()
        first, fixed = rng.choice(SEGMENT_CHOICES)
        data = bytearray(write_message(build_message(value, rng, first, fixed)))
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(data))
            flipped = data[at] ^ (1 << rng.randrange(8))
            data[at] = rng.choice((0, 0xFF, rng.randrange(256), flipped))
        frozen = bytes(data)
        _walk_message(lambda: read_message(frozen, traversal_limit_words=_FUZZ_LIMIT))
