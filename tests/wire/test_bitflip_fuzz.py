"""Bit-flip fuzzing in the manner of the reference's own ``c++/src/capnp/fuzz-test.c++``.

For a few small, valid messages we flip, one at a time, every bit of every word - each pointer,
far-pointer landing pad and INLINE_COMPOSITE tag (the words the reader interprets as structure),
and the data words too, which is cheap - and every bit of the segment table; then, as the
reference does, every *pair* of bits within the root pointer and within the landing pads. Each
mutant is read four ways, each from a fresh reader (fresh budgets):

(a) a typed read of everything the original held, at the original's offsets, as generated code
    would read it;
(b) an untyped (AnyPointer) walk that follows every pointer as deep as it goes;
(c) ``total_size()``;
(d) a deep copy into a :class:`MessageBuilder` - through the untyped root pointer, and with
    ``set_root()`` when the root is a struct - then the typed read of the copy.

A mutant may read as garbage, or be rejected, but only ever with a
:class:`~purecap.errors.PurecapError`: an ``IndexError``, ``struct.error``, ``RecursionError``,
``UnicodeDecodeError``, ``ValueError``... escaping is a bug. And each mutant must be handled
quickly: a flipped bit must not buy an attacker a long loop (the traversal limit's job).
"""

from __future__ import annotations

import struct
import time
from typing import Callable, Iterator, List, Sequence, Set, Tuple

import pytest

from purecap.errors import PurecapError
from purecap.wire.builder import MessageBuilder
from purecap.wire.message import read_message, write_message
from purecap.wire.pointers import (
    FAR,
    ElementSize,
    PointerType,
    far_pointer,
    list_pointer,
)
from purecap.wire.reader import ListReader, MessageReader, PointerReader, StructReader

_U8 = struct.Struct("<B")
_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_HALVES = struct.Struct("<II")
_PRIMITIVE_FORMATS = {
    ElementSize.BYTE: _U8,
    ElementSize.TWO_BYTES: _U16,
    ElementSize.FOUR_BYTES: _U32,
    ElementSize.EIGHT_BYTES: _U64,
}

PER_MUTANT_SECONDS = 0.5
PER_TEST_SECONDS = 10.0  # generous for cold PyPy and slow CI machines; a few seconds on CPython

Checker = Callable[[MessageReader], int]


# -- the messages and their typed readers ---------------------------------------------------------


def _struct_message(first_segment_words: int = 1024, fixed_size: bool = False) -> List[bytes]:
    """A struct of 2 data words and 2 pointers: a UInt64, a UInt32, a Bool, Text, List(UInt32)."""
    builder = MessageBuilder(first_segment_words, fixed_size)
    root = builder.init_root(2, 2)
    root.set_primitive(_U64, 0, 0x0123456789ABCDEF)
    root.set_primitive(_U32, 8, 0xCAFE)
    root.set_bool(100, True)
    root.set_text(0, "foo")
    numbers = root.init_list(1, ElementSize.FOUR_BYTES, 3)
    for i, n in enumerate((12345, 67890, 4242)):
        numbers.set_primitive(i, _U32, n)
    return builder.to_segments()


def _check_struct(msg: MessageReader) -> int:
    root = msg.get_root()
    total: int = root.get_primitive(_U64, 0) + root.get_primitive(_U32, 8) + root.get_bool(100)
    total += sum(root.get_text(0).encode())
    numbers = root.get_list(1, ElementSize.FOUR_BYTES)
    total += sum(numbers.primitives(_U32))
    for i in range(len(numbers) - 1, -1, -1):  # backwards, like the reference: far end first
        total += numbers.get_primitive(i, _U32)
    return total


def _list_message() -> List[bytes]:
    builder = MessageBuilder()
    numbers = builder.root_pointer().init_list(ElementSize.FOUR_BYTES, 2)
    numbers.set_primitive(0, _U32, 12345)
    numbers.set_primitive(1, _U32, 67890)
    return builder.to_segments()


def _check_list(msg: MessageReader) -> int:
    numbers = msg.root_pointer().get_list(ElementSize.FOUR_BYTES)
    total: int = sum(numbers.primitives(_U32))
    for i in range(len(numbers) - 1, -1, -1):
        total += numbers.get_primitive(i, _U32)
    return total


def _struct_list_message() -> List[bytes]:
    """Two structs of 1 data word and 1 pointer (a number and a Text each)."""
    builder = MessageBuilder()
    elements = builder.root_pointer().init_struct_list(2, 1, 1)
    for i, text in enumerate(("foo", "bar")):
        element = elements.get_struct(i)
        element.set_primitive(_U64, 0, 1000 + i)
        element.set_text(0, text)
    return builder.to_segments()


def _check_struct_list(msg: MessageReader) -> int:
    elements = msg.root_pointer().get_list(ElementSize.INLINE_COMPOSITE)
    total = 0
    for i in range(len(elements) - 1, -1, -1):
        element = elements.get_struct(i)
        total += element.get_primitive(_U64, 0) + sum(element.get_text(0).encode())
    return total


def _text_message() -> List[bytes]:
    builder = MessageBuilder()
    builder.root_pointer().set_text("foo")
    return builder.to_segments()


def _check_text(msg: MessageReader) -> int:
    return sum(msg.root_pointer().get_text().encode())


def _far_message() -> List[bytes]:
    """The struct message built one word at a time: every object lands in a segment of its
    own behind a far pointer (the reference's far-pointer fuzz test does the same)."""
    segments = _struct_message(first_segment_words=1, fixed_size=True)
    assert len(segments) > 2
    return segments


def _double_far_message() -> List[bytes]:
    """The reference's double-far layout, written by hand: a root double-far pointer, "foo"
    alone in segment 1, and the two-word landing pad in segment 2."""
    return [
        # segment 0, word 0 (root): far pointer A=2, B=1 (double), C=0 (pad at word 0), D=2
        _pack(far_pointer(True, 0, 2)),
        # segment 1, word 0: "foo\0" and padding
        b"foo\0" + bytes(4),
        # segment 2, word 0 (pad): far pointer A=2, B=0, C=0 (object at word 0), D=1; word 1
        # (tag): list pointer A=1, B=0 (unused), C=2 (bytes), D=4
        _pack(far_pointer(False, 0, 1)) + _pack(list_pointer(0, ElementSize.BYTE, 4)),
    ]


def _nested_message() -> List[bytes]:
    """More kinds of pointer: a sub-struct, List(Text), List(Bool), Data, a capability, and an
    empty struct (the offset -1 encoding)."""
    builder = MessageBuilder()
    root = builder.init_root(1, 6)
    root.set_primitive(_U64, 0, 77)
    child = root.init_struct(0, 1, 1)
    child.set_primitive(_U32, 0, 5)
    child.set_data(0, b"\x01\x02\x03")
    texts = root.init_list(1, ElementSize.POINTER, 2)
    texts.set_text(0, "ab")
    texts.set_text(1, "cde")
    bits = root.init_list(2, ElementSize.BIT, 10)
    for i in range(0, 10, 3):
        bits.set_bool(i, True)
    root.set_data(3, b"xyz")
    root.set_capability(4, 0)
    root.init_struct(5, 0, 0)
    return builder.to_segments()


def _check_nested(msg: MessageReader) -> int:
    root = msg.get_root()
    total: int = root.get_primitive(_U64, 0)
    child = root.get_struct(0)
    total += child.get_primitive(_U32, 0) + sum(child.get_data(0))
    texts = root.get_list(1, ElementSize.POINTER)
    for i in range(len(texts) - 1, -1, -1):
        total += sum(texts.get_text(i).encode())
    bits = root.get_list(2, ElementSize.BIT)
    total += sum(bits.bools())
    total += sum(root.get_data(3))
    cap = root.get_capability(4)
    total += 0 if cap is None else cap
    total += root.get_struct(5).pointer_count
    return total


def _pack(halves: Tuple[int, int]) -> bytes:
    return _HALVES.pack(halves[0] & 0xFFFFFFFF, halves[1])


# (name, make the segments, typed reader, whether the root is a struct: then copies are made
# with set_root() as well as through the untyped root pointer)
MESSAGES: Sequence[Tuple[str, Callable[[], List[bytes]], Checker]] = [
    ("struct", _struct_message, _check_struct),
    ("list", _list_message, _check_list),
    ("struct-list", _struct_list_message, _check_struct_list),
    ("text", _text_message, _check_text),
    ("far", _far_message, _check_struct),
    ("double-far", _double_far_message, _check_text),
    ("nested", _nested_message, _check_nested),
]
STRUCT_ROOTS = {"struct", "far", "nested"}
IDS = [name for name, _, _ in MESSAGES]


# -- the untyped walk -----------------------------------------------------------------------------


def _walk_pointer(pointer: PointerReader) -> int:
    kind = pointer.pointer_type()
    if kind is PointerType.STRUCT:
        return _walk_struct(pointer.get_struct())
    if kind is PointerType.LIST:
        return _walk_list(pointer.get_list(None))
    if kind is PointerType.CAPABILITY:
        cap = pointer.get_capability()
        return 1 + (cap or 0)
    return 0


def _walk_struct(value: StructReader) -> int:
    total = sum(value.data_section())
    for i in range(value.pointer_count - 1, -1, -1):
        total += _walk_pointer(value.get_pointer(i))
    return total


def _walk_list(value: ListReader) -> int:
    size = value.element_size
    count = len(value)
    if size == ElementSize.VOID:
        return count
    if size == ElementSize.BIT:
        return sum(value.bools())
    fmt = _PRIMITIVE_FORMATS.get(ElementSize(size))
    if fmt is not None:
        return sum(value.primitives(fmt))
    total = 0
    if size == ElementSize.POINTER:
        for i in range(count - 1, -1, -1):
            total += _walk_pointer(value.get_pointer(i))
    else:
        for i in range(count - 1, -1, -1):
            total += _walk_struct(value.get_struct(i))
    return total


# -- the mutants and the four paths ---------------------------------------------------------------


def _structural_words(segments: List[bytes]) -> List[Tuple[int, int]]:
    """(segment, word) of every pointer, landing pad and INLINE_COMPOSITE tag in a valid message,
    found by walking it (the words whose every bit the fuzzer flips)."""
    msg = MessageReader(segments)
    found: Set[Tuple[int, int]] = set()
    stack = [msg.root_pointer()]
    while stack:
        pointer = stack.pop()
        si, word = pointer.segment_index, pointer.offset >> 3
        found.add((si, word))
        lo, hi = _HALVES.unpack_from(segments[si], word << 3)
        if lo & 3 == FAR:
            pad = lo >> 3
            found.add((hi, pad))
            if lo & 4:
                found.add((hi, pad + 1))
        kind = pointer.pointer_type()
        if kind is PointerType.STRUCT:
            value = pointer.get_struct()
            stack.extend(value.get_pointer(i) for i in range(value.pointer_count))
        elif kind is PointerType.LIST:
            lst = pointer.get_list(None)
            if lst.element_size == ElementSize.INLINE_COMPOSITE:
                found.add((lst.segment_index, (lst.start >> 3) - 1))
                for e in range(len(lst)):
                    element = lst.get_struct(e)
                    stack.extend(element.get_pointer(i) for i in range(element.pointer_count))
            elif lst.element_size == ElementSize.POINTER:
                stack.extend(lst.get_pointer(i) for i in range(len(lst)))
    return sorted(found)


class _Harness:
    """Runs the four paths on each mutant; collects whatever escapes that should not."""

    def __init__(self, name: str, checker: Checker, struct_root: bool) -> None:
        self.name = name
        self.checker = checker
        self.struct_root = struct_root
        self.failures: List[str] = []
        self.mutants = 0
        self.rejected = 0

    def _path(self, label: str, body: Callable[[], object]) -> None:
        try:
            body()
        except PurecapError:
            self.rejected += 1
        except Exception as e:  # anything else is the bug this test looks for
            self.failures.append(f"{self.name} {label}: {type(e).__name__}: {e}")

    def run(self, label: str, open_reader: Callable[[], MessageReader]) -> None:
        """All four paths, each on a fresh reader of the mutant."""
        self.mutants += 1
        checker = self.checker
        began = time.perf_counter()
        self._path(label + " (a) typed read", lambda: checker(open_reader()))
        self._path(label + " (b) untyped walk", lambda: _walk_pointer(open_reader().root_pointer()))
        self._path(label + " (c) total_size", lambda: open_reader().total_size())

        def copy_and_read() -> int:
            builder = MessageBuilder()
            builder.root_pointer().set(open_reader().root_pointer())
            return checker(builder.as_reader())

        def set_root_and_read() -> int:
            builder = MessageBuilder()
            builder.set_root(open_reader().get_root())
            return checker(builder.as_reader())

        self._path(label + " (d) copy", copy_and_read)
        if self.struct_root:
            self._path(label + " (d) set_root", set_root_and_read)
        elapsed = time.perf_counter() - began
        if elapsed > PER_MUTANT_SECONDS:
            self.failures.append(f"{self.name} {label}: took {elapsed:.2f}s")

    def check(self) -> None:
        shown = "\n".join(self.failures[:25])
        assert not self.failures, f"{len(self.failures)} failures:\n{shown}"


def _flips(data: bytes, first_bit: int, end_bit: int) -> Iterator[Tuple[int, bytes]]:
    """``data`` with each bit in ``[first_bit, end_bit)`` flipped in turn."""
    buffer = bytearray(data)
    for bit in range(first_bit, end_bit):
        buffer[bit >> 3] ^= 1 << (bit & 7)
        yield bit, bytes(buffer)
        buffer[bit >> 3] ^= 1 << (bit & 7)


# -- the tests ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, make, checker", MESSAGES, ids=IDS)
def test_original_reads_cleanly(
    name: str, make: Callable[[], List[bytes]], checker: Checker
) -> None:
    # The unmutated message passes all four paths without error (else the fuzzing proves nothing).
    segments = make()
    msg = MessageReader(segments)
    assert checker(msg) != 0
    assert _walk_pointer(MessageReader(segments).root_pointer()) != 0
    assert MessageReader(segments).total_size()[0] != 0
    builder = MessageBuilder()
    builder.root_pointer().set(MessageReader(segments).root_pointer())
    assert checker(builder.as_reader()) == checker(MessageReader(segments))
    if name in STRUCT_ROOTS:
        builder = MessageBuilder()
        builder.set_root(MessageReader(segments).get_root())
        assert checker(builder.as_reader()) == checker(MessageReader(segments))
    assert len(_structural_words(segments)) >= 1


@pytest.mark.parametrize("name, make, checker", MESSAGES, ids=IDS)
def test_bitflip_every_word(name: str, make: Callable[[], List[bytes]], checker: Checker) -> None:
    # Every pointer, pad and tag word - and, since it costs little more, every data word too
    # (flipped Text bytes exercise the NUL and UTF-8 checks).
    segments = make()
    structural = set(_structural_words(segments))
    harness = _Harness(name, checker, name in STRUCT_ROOTS)
    began = time.perf_counter()
    flipped = 0
    for si, segment in enumerate(segments):
        for word in range(len(segment) >> 3):
            flipped += (si, word) in structural
            for bit, mutated in _flips(segment, word << 6, (word + 1) << 6):
                mutant = list(segments)
                mutant[si] = mutated
                label = f"segment {si} word {word} bit {bit & 63}"
                harness.run(label, lambda: MessageReader(mutant))
    harness.check()
    assert flipped == len(structural)
    assert harness.rejected > 0  # the flips did reach the checks
    assert time.perf_counter() - began < PER_TEST_SECONDS


@pytest.mark.parametrize("name, make, checker", MESSAGES, ids=IDS)
def test_bitflip_segment_table(
    name: str, make: Callable[[], List[bytes]], checker: Checker
) -> None:
    segments = make()
    framed = write_message(segments)
    table_bits = (((4 * (len(segments) + 1)) + 7) & ~7) * 8  # the table, with its padding
    harness = _Harness(name, checker, name in STRUCT_ROOTS)
    began = time.perf_counter()
    for bit, mutated in _flips(framed, 0, table_bits):
        label = f"table bit {bit}"
        try:
            read_message(mutated)
        except PurecapError:
            harness.rejected += 1
            continue
        except Exception as e:
            harness.failures.append(f"{name} {label} read_message: {type(e).__name__}: {e}")
            continue
        harness.run(label, lambda: read_message(mutated))
    harness.check()
    assert harness.rejected > 0
    assert time.perf_counter() - began < PER_TEST_SECONDS


# Windows of words in which every *pair* of bits is flipped, as the reference does (its windows:
# the root pointer, and for far pointers the root or the landing pad). Pairs everywhere would
# take too long for a unit test.
PAIR_WINDOWS = {
    "struct": [[(0, 0)]],
    "list": [[(0, 0)]],
    "struct-list": [[(0, 0), (0, 1)]],  # the root list pointer and the INLINE_COMPOSITE tag
    "text": [[(0, 0)]],
    "far": [[(0, 0)], [(1, 0)]],  # the root far pointer; its landing pad
    "double-far": [[(0, 0)], [(2, 0), (2, 1)]],  # the root; the two-word landing pad
    "nested": [[(0, 0)]],
}


@pytest.mark.parametrize("name, make, checker", MESSAGES, ids=IDS)
def test_bitflip_pairs(name: str, make: Callable[[], List[bytes]], checker: Checker) -> None:
    segments = make()
    harness = _Harness(name + " pairs", checker, name in STRUCT_ROOTS)
    began = time.perf_counter()
    structural = set(_structural_words(segments))
    for window in PAIR_WINDOWS[name]:
        assert set(window) <= structural
        bits = [(si, (word << 6) + b) for si, word in window for b in range(64)]
        buffers = [bytearray(s) for s in segments]
        for i, (si1, bit1) in enumerate(bits):
            buffers[si1][bit1 >> 3] ^= 1 << (bit1 & 7)
            for si2, bit2 in bits[i + 1 :]:
                buffers[si2][bit2 >> 3] ^= 1 << (bit2 & 7)
                mutant = [bytes(b) for b in buffers]
                harness.run(f"bits {si1}:{bit1},{si2}:{bit2}", lambda: MessageReader(mutant))
                buffers[si2][bit2 >> 3] ^= 1 << (bit2 & 7)
            buffers[si1][bit1 >> 3] ^= 1 << (bit1 & 7)
    harness.check()
    expected = sum(64 * len(w) * (64 * len(w) - 1) // 2 for w in PAIR_WINDOWS[name])
    assert harness.mutants == expected
    assert time.perf_counter() - began < PER_TEST_SECONDS
