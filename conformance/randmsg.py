"""Seeded random messages, built with purecap's wire builder, for differential tests.

The messages are random *AnyPointer trees*: a root struct of random size whose pointers lead to
structs, lists of every element size, struct lists (including zero-sized and pointer-only
elements), blobs and lists of pointers, nested a few levels deep. The build is deliberately
untidy, so that copying a message is not the identity:

* small first segments (fixed or growing) put objects behind far pointers;
* some pointers are written twice (the first object is zeroed and left as a hole);
* some structs and struct lists are first built small, then "upgraded" to a larger layout, which
  moves them and re-points their pointers (double-far pointers when segments are full);
* unreachable junk words are allocated between objects, and the unused bits and bytes at the end
  of primitive lists are filled with garbage - a copy must drop all of it (layout.c++
  ``setListPointer`` masks the leftover bits of the last byte).

Only a root *struct* is produced (``capnp convert`` reads an AnyStruct root), and no
capabilities (the tool has no capability table to copy them with).
"""

from __future__ import annotations

import random
import struct
from typing import List, Optional, Tuple

from purecap.wire.builder import MessageBuilder, PointerBuilder, StructBuilder
from purecap.wire.pointers import BITS_PER_ELEMENT, ElementSize

__all__ = ["random_message", "random_segments"]

_PRIMITIVE_SIZES = (
    ElementSize.VOID,
    ElementSize.BIT,
    ElementSize.BYTE,
    ElementSize.TWO_BYTES,
    ElementSize.FOUR_BYTES,
    ElementSize.EIGHT_BYTES,
)

# (segment index, byte offset of the first element, element count, bits per element): the lists
# whose padding gets garbage once the message is built.
_Padding = Tuple[int, int, int, int]


class _Generator:
    def __init__(self, rng: random.Random, builder: MessageBuilder, budget: int) -> None:
        self.rng = rng
        self.builder = builder
        self.budget = budget  # objects left to create, so that messages stay small
        self.paddings: List[_Padding] = []

    def data(self, n: int) -> bytes:
        """``n`` random bytes, often with zero runs (so canonical truncation has work to do)."""
        rng = self.rng
        kind = rng.random()
        if kind < 0.2:
            return bytes(n)
        raw = bytearray(rng.getrandbits(8) for _ in range(n))
        if kind < 0.6 and n:
            cut = rng.randrange(n + 1)
            raw[cut:] = bytes(n - cut)  # trailing zeros
        return bytes(raw)

    def fill_struct(self, sb: StructBuilder, depth: int) -> None:
        rng = self.rng
        if sb.data_size:
            sb.segment[sb.data_offset : sb.data_offset + sb.data_size] = self.data(sb.data_size)
        order = list(range(sb.pointer_count))
        rng.shuffle(order)  # C++ copies in pointer order; build in any order
        for i in order:
            self.fill_pointer(sb.get_pointer(i), depth)
            if rng.random() < 0.1:
                self.junk()
            if rng.random() < 0.08 and self.budget > 0:
                self.fill_pointer(sb.get_pointer(i), depth)  # overwrite: leaves a zeroed hole

    def junk(self) -> None:
        """Unreachable words of garbage between objects."""
        n = self.rng.randint(1, 3)
        si, off = self.builder.allocate(n)
        self.builder.segments[si][off : off + 8 * n] = bytes(
            self.rng.getrandbits(8) for _ in range(8 * n)
        )

    def fill_pointer(self, pb: PointerBuilder, depth: int) -> None:
        rng = self.rng
        if self.budget <= 0 or depth <= 0:
            choice = rng.choice(("null", "text", "data", "prim"))
        else:
            choice = rng.choice(
                ("null", "struct", "struct", "struct_list", "struct_list", "prim", "prim",
                 "text", "data", "pointer_list", "empty_struct", "upgrade_struct",
                 "upgrade_list")
            )
        self.budget -= 1
        if choice == "null":
            pb.clear()
        elif choice == "struct":
            sb = pb.init_struct(rng.randint(0, 3), rng.randint(0, 3))
            self.fill_struct(sb, depth - 1)
        elif choice == "empty_struct":
            pb.init_struct(0, 0)
        elif choice == "upgrade_struct":
            # Built small, then asked for with a larger layout: C++ getWritableStructPointer
            # moves it and transfers its pointers.
            small = pb.init_struct(rng.randint(0, 2), rng.randint(0, 2))
            self.fill_struct(small, depth - 1)
            big = pb.get_struct(small.data_size // 8 + rng.randint(0, 2),
                                small.pointer_count + rng.randint(1, 2))
            for i in range(small.pointer_count, big.pointer_count):
                if rng.random() < 0.5:
                    self.fill_pointer(big.get_pointer(i), depth - 1)
        elif choice == "struct_list":
            self.struct_list(pb, depth)
        elif choice == "upgrade_list":
            lst = pb.init_struct_list(rng.randint(0, 3), rng.randint(0, 1), rng.randint(0, 1))
            for e in range(len(lst)):
                self.fill_struct(lst.get_struct(e), depth - 1)
            dw = lst.data_bits // 64
            pc = lst.pointer_count
            pb.get_struct_list(dw + rng.randint(0, 1), pc + 1)
        elif choice == "prim":
            self.primitive_list(pb)
        elif choice == "text":
            text = "".join(rng.choice("abc xyz\u00e9\u20ac") for _ in range(rng.randint(0, 20)))
            pb.set_text(text)
            raw = text.encode("utf-8")
            self.remember_padding(pb, len(raw) + 1, 8)
        elif choice == "data":
            pb.set_data(self.data(rng.randint(0, 20)))
        else:  # a list of pointers
            n = rng.randint(0, 4)
            lst = pb.init_list(ElementSize.POINTER, n)
            for e in range(n):
                self.fill_pointer(lst.get_pointer(e), depth - 1)

    def struct_list(self, pb: PointerBuilder, depth: int) -> None:
        rng = self.rng
        n = rng.choice((0, 1, 2, 3, 5, rng.randint(0, 40)))
        dw, pc = rng.choice(((0, 0), (1, 0), (0, 1), (2, 1), (1, 2), (3, 0)))
        lst = pb.init_struct_list(n, dw, pc)
        if dw + pc == 0 or depth <= 1:
            for e in range(n):
                sb = lst.get_struct(e)
                if sb.data_size:
                    sb.segment[sb.data_offset : sb.data_offset + sb.data_size] = self.data(
                        sb.data_size
                    )
            return
        for e in range(n):
            self.fill_struct(lst.get_struct(e), depth - 1)

    def primitive_list(self, pb: PointerBuilder) -> None:
        rng = self.rng
        size = rng.choice(_PRIMITIVE_SIZES)
        n = rng.choice((0, 1, 3, 7, 8, 9, 64, 65, rng.randint(0, 200)))
        if size == ElementSize.VOID and rng.random() < 0.3:
            n = rng.randint(1000, 100000)  # takes no space at all
        lst = pb.init_list(size, n)
        bits = BITS_PER_ELEMENT[size]
        total = (n * bits + 7) // 8
        if total:
            lst.segment[lst.start : lst.start + total] = self.data(total)
            if n * bits % 8:  # the builder's own bytes stop at the last element
                keep = (1 << (n * bits % 8)) - 1
                lst.segment[lst.start + total - 1] &= keep
        self.remember_padding(pb, n, bits)

    def remember_padding(self, pb: PointerBuilder, count: int, bits: int) -> None:
        if bits == 0 or self.rng.random() < 0.5:
            return
        seg = self.builder.segments[pb.segment_index]
        lo, hi = struct.unpack_from("<iI", seg, pb.offset)
        if lo & 3 == 1:
            start = pb.offset + 8 + ((lo >> 2) << 3)
            self.paddings.append((pb.segment_index, start, count, bits))
        else:  # behind a far pointer: the landing pad precedes the list, in segment `hi`
            pad = ((lo >> 3) & 0x1FFFFFFF) << 3
            self.paddings.append((hi, pad + 8, count, bits))

    def spoil_padding(self) -> None:
        """Garbage in the bits after each remembered list's last element, up to its last word.

        A list that was later overwritten has been zeroed; garbage there is in a hole, which is
        harmless too."""
        for si, start, count, bits in self.paddings:
            seg = self.builder.segments[si]
            used_bits = count * bits
            end = start + ((used_bits + 63) // 64) * 8
            first = start + used_bits // 8
            if used_bits % 8:
                seg[first] |= (0xFF << (used_bits % 8)) & 0xFF & self.rng.getrandbits(8)
                first += 1
            for at in range(first, end):
                seg[at] = self.rng.getrandbits(8)


def random_message(seed: int, first_segment_words: Optional[int] = None) -> MessageBuilder:
    """A random message (deterministic for a seed)."""
    rng = random.Random(seed)
    if first_segment_words is None:
        first_segment_words = rng.choice((1, 2, 3, 5, 8, 16, 64, 1024))
    builder = MessageBuilder(first_segment_words, fixed_size=rng.random() < 0.5)
    gen = _Generator(rng, builder, budget=rng.randint(5, 60))
    root = builder.init_root(rng.randint(0, 4), rng.randint(1, 6))
    gen.fill_struct(root, depth=rng.randint(1, 5))
    gen.spoil_padding()
    return builder


def random_segments(seed: int) -> List[bytes]:
    """The segments of :func:`random_message` (the used words of each)."""
    return random_message(seed).to_segments()
