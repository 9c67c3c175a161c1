"""A corpus of hostile messages: one test per defence of the wire layer, named after the defect.

Every message is written word by word. A pointer word is built from the ``(lo, hi)`` halves that
the helpers of :mod:`purecap.wire.pointers` return, so each word's comment can name its fields the
way the encoding spec does (A: kind, B: offset, C/D: sizes or segment id). The helpers below only
join words into segments and segments into readers or framed bytes; they add nothing of their own,
so what a test shows is exactly what the reader sees.
"""

from __future__ import annotations

import struct
from typing import Optional, Sequence, Tuple

from purecap.wire.limits import ReadLimits
from purecap.wire.reader import MessageReader

__all__ = ["w", "raw", "blob", "seg", "message", "table", "NULL"]

# A pointer word as two unsigned 32-bit halves. The pointer helpers return ``lo`` signed (as the
# reader unpacks it) but an INLINE_COMPOSITE tag's 30-bit count can set bit 31, so we take either.
_HALVES = struct.Struct("<II")
_U32 = struct.Struct("<I")

NULL = bytes(8)
"""The null pointer: a word of zeros."""


def w(halves: Tuple[int, int]) -> bytes:
    """One pointer word from its ``(lo, hi)`` halves."""
    lo, hi = halves
    return _HALVES.pack(lo & 0xFFFFFFFF, hi)


def raw(value: int) -> bytes:
    """One word holding the 64-bit little-endian ``value`` (data, or a pointer given whole)."""
    return struct.pack("<Q", value)


def blob(data: bytes) -> bytes:
    """``data`` padded with zero bytes to whole words (the body of a Text or Data object)."""
    return data + bytes(-len(data) % 8)


def seg(*words: bytes) -> bytes:
    """A segment: its words, in order."""
    return b"".join(words)


def message(
    *segments: bytes, limits: Optional[ReadLimits] = None
) -> MessageReader:
    """A reader over the given segments (no framing involved)."""
    return MessageReader(list(segments), limits)


def table(count_field: int, sizes: Sequence[int], pad: Optional[bool] = None) -> bytes:
    """A segment table written by hand: the first 32-bit word holds ``count_field`` (the number
    of segments minus one), then one 32-bit size in words per entry of ``sizes``, then a 32-bit
    zero pad when the table would otherwise end in the middle of a word (``pad`` overrides)."""
    out = _U32.pack(count_field) + b"".join(_U32.pack(s) for s in sizes)
    if pad is None:
        pad = len(out) % 8 != 0
    return out + (bytes(4) if pad else b"")
