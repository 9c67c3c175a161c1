"""Seeded random message trees: a plain-Python *value model*, a builder and a checker for it.

The model says what a message holds without saying how it is laid out: structs with a data
section (raw bytes) and pointers, lists of every element size, struct lists, text, data,
capabilities and nulls. :class:`TreeGenerator` draws such trees from a ``random.Random``;
:func:`build_struct` writes one through the builder API (choosing among equivalent builder calls,
and sometimes writing a decoy first and overwriting it, so that zeroing is exercised too);
:func:`check_struct` walks a message with the readers and compares it with the model;
:func:`model_total_size` says how many words and capabilities ``total_size()`` must report.

:func:`live_words` is an independent, minimal pointer walker over raw segments: it lists every
word that belongs to the tree (objects and landing pads), so a test can check that all other words
are zero - that overwritten objects really were erased.

:func:`sp`, :func:`lp`, :func:`fp`, :func:`cp` and :func:`w` assemble raw words for tests that
write messages by hand.

Everything is deterministic given the seed; :func:`seed_from_env` picks the seed (overridable with
the ``PURECAP_SEED`` environment variable) and prints it so a failure can be replayed.
"""

from __future__ import annotations

import os
import random
import struct
from typing import List, Optional, Sequence, Set, Tuple, Union

from purecap.wire.builder import ListBuilder, MessageBuilder, PointerBuilder, StructBuilder
from purecap.wire.pointers import (
    ElementSize,
    PointerType,
    capability_pointer,
    far_pointer,
    list_pointer,
    struct_pointer,
)
from purecap.wire.reader import ListReader, PointerReader, StructReader

__all__ = [
    "StructValue",
    "TextValue",
    "DataValue",
    "CapValue",
    "PrimitiveListValue",
    "PointerListValue",
    "StructListValue",
    "PointerValue",
    "TreeGenerator",
    "build_message",
    "build_struct",
    "build_pointer",
    "check_struct",
    "check_pointer",
    "model_total_size",
    "live_words",
    "seed_from_env",
    "UNSIGNED_FORMATS",
    "sp",
    "lp",
    "fp",
    "cp",
    "w",
]

# The unsigned format of each primitive element size (Void and Bit are handled apart).
UNSIGNED_FORMATS = {
    ElementSize.BYTE: struct.Struct("<B"),
    ElementSize.TWO_BYTES: struct.Struct("<H"),
    ElementSize.FOUR_BYTES: struct.Struct("<I"),
    ElementSize.EIGHT_BYTES: struct.Struct("<Q"),
}
_WIDTH_FORMATS = tuple(struct.Struct(f) for f in ("<B", "<H", "<I", "<Q"))
_HALVES = struct.Struct("<iI")
_U64 = struct.Struct("<Q")


# ---------------------------------------------------------------------------------------------
# Word assembly, for messages written by hand.


def sp(offset: int, data_words: int, pointer_count: int) -> bytes:
    """A struct pointer word (also an INLINE_COMPOSITE tag: offset = element count)."""
    return _HALVES.pack(*struct_pointer(offset, data_words, pointer_count))


def lp(offset: int, element_size: int, count: int) -> bytes:
    """A list pointer word (``count`` is the word count for INLINE_COMPOSITE)."""
    return _HALVES.pack(*list_pointer(offset, element_size, count))


def fp(pad_word: int, segment: int, double: bool = False) -> bytes:
    """A far pointer word."""
    return _HALVES.pack(*far_pointer(double, pad_word, segment))


def cp(index: int) -> bytes:
    """A capability pointer word."""
    return _HALVES.pack(*capability_pointer(index))


def w(*values: int) -> bytes:
    """Whole words from unsigned 64-bit values."""
    return b"".join(_U64.pack(v) for v in values)


# ---------------------------------------------------------------------------------------------
# The value model.


class StructValue:
    """A struct: ``data`` is its whole data section (a multiple of 8 bytes)."""

    __slots__ = ("data", "pointers")

    def __init__(self, data: bytes, pointers: List[PointerValue]) -> None:
        assert len(data) % 8 == 0
        self.data = data
        self.pointers = pointers

    @property
    def data_words(self) -> int:
        return len(self.data) >> 3

    def __repr__(self) -> str:
        return f"StructValue({self.data.hex()!r}, {self.pointers!r})"


class TextValue:
    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"TextValue({self.value!r})"


class DataValue:
    __slots__ = ("value",)

    def __init__(self, value: bytes) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"DataValue({self.value!r})"


class CapValue:
    """A capability pointer holding index ``index`` of the message's capability table."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index

    def __repr__(self) -> str:
        return f"CapValue({self.index})"


class PrimitiveListValue:
    """A list of VOID, BIT or 1/2/4/8-byte elements; ``values`` are unsigned ints (0/1 for BIT,
    0 for VOID)."""

    __slots__ = ("element_size", "values")

    def __init__(self, element_size: ElementSize, values: List[int]) -> None:
        self.element_size = element_size
        self.values = values

    def __repr__(self) -> str:
        return f"PrimitiveListValue({self.element_size.name}, {self.values!r})"


class PointerListValue:
    """A list of pointers (of any kinds: the wire format does not care)."""

    __slots__ = ("items",)

    def __init__(self, items: List[PointerValue]) -> None:
        self.items = items

    def __repr__(self) -> str:
        return f"PointerListValue({self.items!r})"


class StructListValue:
    """An INLINE_COMPOSITE list: every element has ``data_words`` and ``pointer_count``."""

    __slots__ = ("data_words", "pointer_count", "elements")

    def __init__(self, data_words: int, pointer_count: int, elements: List[StructValue]) -> None:
        self.data_words = data_words
        self.pointer_count = pointer_count
        self.elements = elements

    def __repr__(self) -> str:
        return (
            f"StructListValue({self.data_words}, {self.pointer_count}, {self.elements!r})"
        )


PointerValue = Union[
    None, StructValue, TextValue, DataValue, CapValue, PrimitiveListValue, PointerListValue,
    StructListValue,
]

# Text worth round-tripping: empty, ASCII, 2-, 3- and 4-byte UTF-8, lengths around word sizes.
_TEXT_PIECES = ("", "a", "hello", "héllo", "日本語", "🙂", "1234567", "12345678", "\t\n")


# ---------------------------------------------------------------------------------------------
# The generator.


class TreeGenerator:
    """Draws random trees. ``budget`` bounds the number of objects per tree so that a tree stays
    small (a few hundred words) and a test can afford hundreds of them."""

    def __init__(
        self,
        rng: random.Random,
        max_depth: int = 5,
        max_list: int = 8,
        budget: int = 150,
        caps: bool = True,
    ) -> None:
        self.rng = rng
        self.max_depth = max_depth
        self.max_list = max_list
        self.initial_budget = budget
        self.budget = budget
        self.caps = caps

    def reset(self) -> None:
        """Refill the object budget (``tree`` does it; call it before using ``struct``)."""
        self.budget = self.initial_budget

    def tree(self) -> StructValue:
        """A fresh random root struct."""
        self.reset()
        # A root with a few pointers, so that most trees have something to follow.
        return self.struct(0, pointer_count=self.rng.randint(2, 6))

    def data(self, words: int) -> bytes:
        """Random bytes, mostly zero so that packing meets both zero runs and literal runs."""
        rng = self.rng
        out = bytearray(words * 8)
        for i in range(len(out)):
            if rng.random() < 0.4:
                out[i] = rng.randrange(256)
        if words and rng.random() < 0.3:  # sometimes a word of all 0xff (a packed literal run)
            at = rng.randrange(words)
            out[at * 8 : at * 8 + 8] = b"\xff" * 8
        return bytes(out)

    def struct(
        self, depth: int, data_words: Optional[int] = None, pointer_count: Optional[int] = None
    ) -> StructValue:
        """A struct of the given (else random) sizes, its pointers drawn at ``depth + 1``."""
        rng = self.rng
        self.budget -= 1
        if data_words is None:
            data_words = rng.choice((0, 0, 1, 1, 2, 3))
        if pointer_count is None:
            pointer_count = rng.choice((0, 1, 2, 2, 3, 4))
        return StructValue(
            self.data(data_words), [self.pointer(depth + 1) for _ in range(pointer_count)]
        )

    def pointer(self, depth: int) -> PointerValue:
        """Anything a pointer can hold (null once too deep or out of budget)."""
        rng = self.rng
        if depth > self.max_depth or self.budget <= 0:
            return None
        kinds = ["null", "struct", "text", "data", "prim", "prim", "plist", "slist", "slist"]
        if self.caps:
            kinds.append("cap")
        kind = rng.choice(kinds)
        if kind == "null":
            return None
        if kind == "struct":
            return self.struct(depth)
        self.budget -= 1
        if kind == "text":
            return TextValue("".join(rng.choice(_TEXT_PIECES) for _ in range(rng.randrange(4))))
        if kind == "data":
            n = rng.choice((0, 1, 7, 8, 9, rng.randrange(30)))
            return DataValue(bytes(rng.randrange(256) for _ in range(n)))
        if kind == "cap":
            return CapValue(rng.choice((0, 1, 2, rng.randrange(1 << 32))))
        if kind == "prim":
            return self.primitive_list()
        n = rng.randrange(self.max_list + 1)
        if kind == "plist":
            return PointerListValue([self.pointer(depth + 1) for _ in range(n)])
        dw = rng.choice((0, 1, 1, 2))
        pc = rng.choice((0, 1, 1, 2))
        return StructListValue(dw, pc, [self.struct(depth + 1, dw, pc) for _ in range(n)])

    def primitive_list(self) -> PrimitiveListValue:
        """A Void, Bool or 1/2/4/8-byte list, with edge values (0, 1, max, sign bit) often."""
        rng = self.rng
        es = rng.choice(
            (
                ElementSize.VOID, ElementSize.BIT, ElementSize.BYTE, ElementSize.TWO_BYTES,
                ElementSize.FOUR_BYTES, ElementSize.EIGHT_BYTES,
            )
        )
        # Bit lists sometimes cross a word boundary (and the 8-bit boundary of their last byte).
        n = rng.choice((0, 1, rng.randrange(self.max_list + 1), 63, 64, 65, 130))
        if es != ElementSize.BIT and n > 2 * self.max_list:
            n = rng.randrange(2 * self.max_list + 1)
        if es == ElementSize.VOID:
            return PrimitiveListValue(es, [0] * n)
        if es == ElementSize.BIT:
            return PrimitiveListValue(es, [rng.randrange(2) for _ in range(n)])
        bits = UNSIGNED_FORMATS[es].size * 8
        edge = (0, 1, (1 << bits) - 1, 1 << (bits - 1))
        values = [
            rng.choice(edge) if rng.random() < 0.3 else rng.getrandbits(bits) for _ in range(n)
        ]
        return PrimitiveListValue(es, values)


# ---------------------------------------------------------------------------------------------
# Building a model through the builder API.


def build_message(
    value: StructValue,
    rng: random.Random,
    first_segment_words: int = 1024,
    fixed_size: bool = False,
    decoys: bool = True,
) -> MessageBuilder:
    """A new message whose root is ``value``, built with ``rng`` choosing among equivalent
    builder calls (and, with ``decoys``, writing throw-away objects that are then overwritten)."""
    message = MessageBuilder(first_segment_words=first_segment_words, fixed_size=fixed_size)
    root = message.init_root(value.data_words, len(value.pointers))
    build_struct(root, value, rng, decoys)
    return message


def _set_data_section(sb: StructBuilder, data: bytes, rng: random.Random) -> None:
    """Write the data section with a random mix of widths: bools, 1, 2, 4 or 8 bytes."""
    for w in range(len(data) >> 3):
        word = data[w * 8 : w * 8 + 8]
        how = rng.randrange(5)
        if how == 4:
            for bit in range(64):
                if word[bit >> 3] >> (bit & 7) & 1:
                    sb.set_bool(w * 64 + bit, True)
            continue
        fmt = _WIDTH_FORMATS[how]
        for off in range(0, 8, fmt.size):
            value = fmt.unpack_from(word, off)[0]
            if value or rng.random() < 0.5:  # writing zeros is allowed but not needed
                sb.set_primitive(fmt, w * 8 + off, value)


def build_struct(sb: StructBuilder, value: StructValue, rng: random.Random, decoys: bool) -> None:
    """Fill the (fresh) struct ``sb``, which has exactly ``value``'s sizes."""
    _set_data_section(sb, value.data, rng)
    order = list(range(len(value.pointers)))
    rng.shuffle(order)  # pointer order must not matter for what is read back
    for i in order:
        p = value.pointers[i]
        if decoys and rng.random() < 0.15:
            _write_decoy(sb.get_pointer(i), rng)
            if p is None:
                sb.clear_pointer(i)
        if p is None:
            continue
        # Go through the struct's own shortcuts half of the time, through a PointerBuilder else.
        if isinstance(p, TextValue) and rng.random() < 0.5:
            sb.set_text(i, p.value if rng.random() < 0.5 else p.value.encode("utf-8"))
        elif isinstance(p, DataValue) and rng.random() < 0.5:
            if rng.random() < 0.5:
                sb.set_data(i, p.value)
            else:
                view = sb.init_data(i, len(p.value))
                view[:] = p.value
        elif isinstance(p, StructValue) and rng.random() < 0.5:
            build_struct(sb.init_struct(i, p.data_words, len(p.pointers)), p, rng, decoys)
        elif isinstance(p, CapValue) and rng.random() < 0.5:
            sb.set_capability(i, p.index)
        elif isinstance(p, StructListValue) and rng.random() < 0.5:
            lb = sb.init_struct_list(i, len(p.elements), p.data_words, p.pointer_count)
            _build_struct_list(lb, p, rng, decoys)
        else:
            build_pointer(sb.get_pointer(i), p, rng, decoys)


def _write_decoy(pb: PointerBuilder, rng: random.Random) -> None:
    """Something to be overwritten: a struct with a child, a text, a list, or a capability."""
    how = rng.randrange(4)
    if how == 0:
        s = pb.init_struct(1, 1)
        s.set_primitive(_WIDTH_FORMATS[3], 0, 0xDEADBEEFDEADBEEF)
        s.set_text(0, "decoy")
    elif how == 1:
        pb.set_data(b"\xee" * rng.randrange(1, 20))
    elif how == 2:
        lb = pb.init_struct_list(2, 1, 1)
        lb.get_struct(1).set_primitive(_WIDTH_FORMATS[0], 3, 0x77)
        lb.get_struct(0).get_pointer(0).init_list(ElementSize.TWO_BYTES, 3).set_primitive(
            2, _WIDTH_FORMATS[1], 0xABCD
        )
    else:
        pb.set_capability(rng.randrange(4))


def build_pointer(
    pb: PointerBuilder, value: PointerValue, rng: random.Random, decoys: bool
) -> None:
    """Make the (null, or decoy-holding) pointer ``pb`` hold ``value``."""
    if value is None:
        pb.clear()
    elif isinstance(value, StructValue):
        build_struct(pb.init_struct(value.data_words, len(value.pointers)), value, rng, decoys)
    elif isinstance(value, TextValue):
        pb.set_text(value.value)
    elif isinstance(value, DataValue):
        pb.set_data(value.value)
    elif isinstance(value, CapValue):
        pb.set_capability(value.index)
    elif isinstance(value, PrimitiveListValue):
        lb = pb.init_list(value.element_size, len(value.values))
        es = value.element_size
        if es == ElementSize.BIT:
            for i, v in enumerate(value.values):
                if v or rng.random() < 0.3:
                    lb.set_bool(i, bool(v))
        elif es != ElementSize.VOID:
            fmt = UNSIGNED_FORMATS[es]
            for i, v in enumerate(value.values):
                lb.set_primitive(i, fmt, v)
    elif isinstance(value, PointerListValue):
        lb = pb.init_list(ElementSize.POINTER, len(value.items))
        for i, item in enumerate(value.items):
            if item is None:
                continue
            if isinstance(item, TextValue) and rng.random() < 0.5:
                lb.set_text(i, item.value)
            elif isinstance(item, DataValue) and rng.random() < 0.5:
                lb.set_data(i, item.value)
            else:
                build_pointer(lb.get_pointer(i), item, rng, decoys)
    else:
        lb = pb.init_struct_list(len(value.elements), value.data_words, value.pointer_count)
        _build_struct_list(lb, value, rng, decoys)


def _build_struct_list(
    lb: ListBuilder, value: StructListValue, rng: random.Random, decoys: bool
) -> None:
    for i, element in enumerate(value.elements):
        build_struct(lb.get_struct(i), element, rng, decoys)


# ---------------------------------------------------------------------------------------------
# Checking a message against the model, through the readers.


def _fail(path: str, what: str) -> AssertionError:
    return AssertionError(f"at {path}: {what}")


def check_struct(sr: StructReader, value: StructValue, path: str = "root") -> None:
    """``sr`` holds exactly ``value`` (both sections' sizes, every byte, every pointer)."""
    if sr.data_size != len(value.data):
        raise _fail(path, f"data section of {sr.data_size} bytes, expected {len(value.data)}")
    if sr.pointer_count != len(value.pointers):
        raise _fail(path, f"{sr.pointer_count} pointers, expected {len(value.pointers)}")
    if sr.data_section() != value.data:
        raise _fail(path, f"data {sr.data_section().hex()} != {value.data.hex()}")
    # Past the end of both sections everything reads as its default.
    if sr.get_primitive(_WIDTH_FORMATS[3], len(value.data), 12345) != 12345:
        raise _fail(path, "a field past the data section did not read as its default")
    if sr.has_pointer(len(value.pointers)) or not sr.get_pointer(len(value.pointers)).is_null():
        raise _fail(path, "a pointer past the pointer section is not null")
    for i, p in enumerate(value.pointers):
        where = f"{path}.p{i}"
        check_pointer(sr.get_pointer(i), p, where)
        # The struct's typed accessors must agree with the untyped pointer.
        if sr.has_pointer(i) != (p is not None):
            raise _fail(where, "has_pointer disagrees with the model")
        if isinstance(p, TextValue):
            if sr.get_text(i) != p.value or sr.get_text_bytes(i) != p.value.encode("utf-8"):
                raise _fail(where, "get_text/get_text_bytes disagree")
        elif isinstance(p, DataValue):
            if sr.get_data(i) != p.value or bytes(sr.get_data_view(i)) != p.value:
                raise _fail(where, "get_data/get_data_view disagree")
        elif isinstance(p, CapValue):
            if sr.get_capability(i) != p.index:
                raise _fail(where, "get_capability disagrees")
        elif isinstance(p, StructValue):
            s = sr.get_struct(i)
            if (s.data_size, s.pointer_count) != (len(p.data), len(p.pointers)):
                raise _fail(where, "get_struct disagrees")
        elif p is None:
            if sr.get_capability(i) is not None or sr.get_text(i, "dflt") != "dflt":
                raise _fail(where, "a null pointer did not read as null/default")


def _check_primitive_list(lr: ListReader, value: PrimitiveListValue, path: str) -> None:
    es = value.element_size
    if lr.element_size != es or len(lr) != len(value.values):
        raise _fail(path, f"list {lr!r}, expected {len(value.values)} {es.name} elements")
    if es == ElementSize.VOID:
        return
    if es == ElementSize.BIT:
        got = [int(b) for b in lr.bools()]
        if got != value.values:
            raise _fail(path, f"bits {got} != {value.values}")
        return
    fmt = UNSIGNED_FORMATS[es]
    got = lr.primitives(fmt)
    if got != value.values:
        raise _fail(path, f"elements {got} != {value.values}")
    for i in (0, len(value.values) - 1):
        if value.values and lr.get_primitive(i, fmt) != value.values[i]:
            raise _fail(path, f"get_primitive({i}) disagrees with primitives()")


def check_pointer(pr: PointerReader, value: PointerValue, path: str) -> None:
    """``pr`` holds exactly ``value``."""
    kind = pr.pointer_type()
    if value is None:
        if kind != PointerType.NULL or not pr.is_null():
            raise _fail(path, f"expected null, found {kind}")
        return
    if isinstance(value, StructValue):
        if kind != PointerType.STRUCT:
            raise _fail(path, f"expected a struct, found {kind}")
        check_struct(pr.get_struct(), value, path)
    elif isinstance(value, CapValue):
        if kind != PointerType.CAPABILITY or pr.get_capability() != value.index:
            raise _fail(path, f"expected capability {value.index}, found {kind}")
    elif kind != PointerType.LIST:
        raise _fail(path, f"expected a list, found {kind}")
    elif isinstance(value, TextValue):
        if pr.get_text() != value.value:
            raise _fail(path, f"text {pr.get_text()!r} != {value.value!r}")
        if len(pr.get_list(ElementSize.BYTE)) != len(value.value.encode("utf-8")) + 1:
            raise _fail(path, "text is not one NUL-terminated byte list")
    elif isinstance(value, DataValue):
        if pr.get_data() != value.value:
            raise _fail(path, f"data {pr.get_data()!r} != {value.value!r}")
    elif isinstance(value, PrimitiveListValue):
        _check_primitive_list(pr.get_list(value.element_size), value, path)
    elif isinstance(value, PointerListValue):
        lr = pr.get_list(ElementSize.POINTER)
        if lr.element_size != ElementSize.POINTER or len(lr) != len(value.items):
            raise _fail(path, f"pointer list {lr!r}, expected {len(value.items)} elements")
        for i, item in enumerate(value.items):
            check_pointer(lr.get_pointer(i), item, f"{path}[{i}]")
    else:
        lr = pr.get_list(ElementSize.INLINE_COMPOSITE)
        if (
            lr.element_size != ElementSize.INLINE_COMPOSITE
            or len(lr) != len(value.elements)
            or lr.data_bits != value.data_words * 64
            or lr.pointer_count != value.pointer_count
        ):
            raise _fail(path, f"struct list {lr!r} does not match {value!r}")
        for i, element in enumerate(value.elements):
            check_struct(lr.get_struct(i), element, f"{path}[{i}]")


# ---------------------------------------------------------------------------------------------
# What total_size() must say.


def model_total_size(value: PointerValue) -> Tuple[int, int]:
    """``(words, capabilities)`` reachable from ``value``, far-pointer overhead excluded (C++
    ``targetSize``): a struct is its two sections, a struct list its elements plus the tag."""
    if value is None:
        return 0, 0
    if isinstance(value, StructValue):
        words, caps = value.data_words + len(value.pointers), 0
        for p in value.pointers:
            w, c = model_total_size(p)
            words += w
            caps += c
        return words, caps
    if isinstance(value, CapValue):
        return 0, 1
    if isinstance(value, TextValue):
        return (len(value.value.encode("utf-8")) + 1 + 7) >> 3, 0
    if isinstance(value, DataValue):
        return (len(value.value) + 7) >> 3, 0
    if isinstance(value, PrimitiveListValue):
        bits = {0: 0, 1: 1, 2: 8, 3: 16, 4: 32, 5: 64}[int(value.element_size)]
        return (len(value.values) * bits + 63) >> 6, 0
    if isinstance(value, PointerListValue):
        words, caps = len(value.items), 0
        for item in value.items:
            w, c = model_total_size(item)
            words += w
            caps += c
        return words, caps
    words, caps = 1 + len(value.elements) * (value.data_words + value.pointer_count), 0
    for element in value.elements:
        for p in element.pointers:
            w, c = model_total_size(p)
            words += w
            caps += c
    return words, caps


# ---------------------------------------------------------------------------------------------
# An independent walk over raw segments: which words belong to the tree.


def live_words(segments: Sequence[bytes]) -> Set[Tuple[int, int]]:
    """Every ``(segment, word)`` the tree rooted at segment 0 word 0 occupies: pointers, objects
    and landing pads. Assumes a well-formed message (it is only used on our own output)."""
    live: Set[Tuple[int, int]] = {(0, 0)}
    work: List[Tuple[int, int]] = [(0, 0)]  # (segment, word) of a pointer to follow

    def mark(seg: int, first: int, count: int) -> None:
        live.update((seg, w) for w in range(first, first + count))

    while work:
        si, wi = work.pop()
        lo, hi = _HALVES.unpack_from(segments[si], wi * 8)
        if lo == 0 and hi == 0:
            continue
        kind = lo & 3
        if kind == 3:
            continue
        if kind == 2:
            pad_seg, pad = hi, (lo >> 3) & 0x1FFFFFFF
            if lo & 4:  # double far: two-word pad = far pointer to the object + its tag
                mark(pad_seg, pad, 2)
                flo, fhi = _HALVES.unpack_from(segments[pad_seg], pad * 8)
                tlo, thi = _HALVES.unpack_from(segments[pad_seg], pad * 8 + 8)
                si, target, lo, hi = fhi, (flo >> 3) & 0x1FFFFFFF, tlo, thi
            else:
                mark(pad_seg, pad, 1)
                lo, hi = _HALVES.unpack_from(segments[pad_seg], pad * 8)
                si, target = pad_seg, pad + 1 + (lo >> 2)
            kind = lo & 3
        else:
            target = wi + 1 + (lo >> 2)
        if kind == 0:
            data, ptrs = hi & 0xFFFF, hi >> 16
            mark(si, target, data + ptrs)
            work.extend((si, target + data + i) for i in range(ptrs))
            continue
        es, count = hi & 7, hi >> 3
        if es == 7:
            tlo, thi = _HALVES.unpack_from(segments[si], target * 8)
            n, data, ptrs = (tlo >> 2) & 0x3FFFFFFF, thi & 0xFFFF, thi >> 16
            mark(si, target, 1 + count)
            for e in range(n):
                base = target + 1 + e * (data + ptrs) + data
                work.extend((si, base + i) for i in range(ptrs))
        elif es == 6:
            mark(si, target, count)
            work.extend((si, target + i) for i in range(count))
        else:
            bits = (0, 1, 8, 16, 32, 64)[es]
            mark(si, target, (count * bits + 63) >> 6)
    return live


def seed_from_env(default: Optional[int] = None) -> int:
    """The seed of a randomized test: ``PURECAP_SEED`` if set (``PURECAP_SEED=random`` draws a
    fresh one), else ``default``, else random. Printed, so that pytest shows it with a failure."""
    env = os.environ.get("PURECAP_SEED")
    if env == "random":
        seed = random.randrange(1 << 32)
    elif env:
        seed = int(env, 0)
    elif default is not None:
        seed = default
    else:
        seed = random.randrange(1 << 32)
    print(f"seed={seed}")
    return seed
