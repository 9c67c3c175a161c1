"""Errors of the wire layer: decoding untrusted bytes and misusing builders.

Decoding errors carry *where* the problem was found (segment and word offset) when that is known,
so a message about a corrupt pointer can be traced back to the bytes that held it.
"""

from __future__ import annotations

from typing import Optional

from purecap.errors import PurecapError

__all__ = [
    "DecodeError",
    "SegmentTableError",
    "TruncatedMessage",
    "PackingError",
    "PointerOutOfBounds",
    "WrongPointerKind",
    "ListElementSizeMismatch",
    "MalformedList",
    "InvalidCapability",
    "InvalidText",
    "NotCanonical",
    "LimitExceeded",
    "TraversalLimitExceeded",
    "NestingLimitExceeded",
    "BuilderError",
]


class DecodeError(PurecapError):
    """The bytes are not a valid Cap'n Proto message (or not the expected one)."""

    def __init__(
        self, message: str, segment: Optional[int] = None, word_offset: Optional[int] = None
    ) -> None:
        self.reason = message
        self.segment = segment
        self.word_offset = word_offset
        if segment is not None:
            where = f" (segment {segment}"
            where += f", word {word_offset})" if word_offset is not None else ")"
            message += where
        super().__init__(message)


class SegmentTableError(DecodeError):
    """The segment table at the head of a framed message is malformed."""


class TruncatedMessage(DecodeError):
    """The input ended before the message it announced was complete."""


class PackingError(DecodeError):
    """Packed input is malformed (for example a run tag cut off by end of input)."""


class PointerOutOfBounds(DecodeError):
    """A pointer targets words outside its segment (or a far pointer names no segment)."""


class WrongPointerKind(DecodeError):
    """A pointer is of a different kind than the schema expects (a list where a struct is due...)."""


class ListElementSizeMismatch(DecodeError):
    """A list's element size cannot be read as the element type the caller asked for."""


class MalformedList(DecodeError):
    """A list's own encoding is inconsistent (an INLINE_COMPOSITE tag that is not a struct tag,
    or whose elements overrun the list's word count)."""


class InvalidCapability(DecodeError):
    """A capability pointer is malformed or names no entry of the capability table."""


class InvalidText(DecodeError):
    """A Text blob is not NUL-terminated or not valid UTF-8."""


class NotCanonical(DecodeError):
    """A message required to be canonical is not."""


class LimitExceeded(DecodeError):
    """A read limit (traversal or nesting) protecting against hostile input was exceeded."""


class TraversalLimitExceeded(LimitExceeded):
    """More words were read than the traversal limit allows (amplification defence)."""


class NestingLimitExceeded(LimitExceeded):
    """Pointers nest deeper than the nesting limit allows (stack-exhaustion defence)."""


class BuilderError(PurecapError):
    """A builder was used in a way that cannot produce a valid message (value out of range,
    a list of the wrong size, a segment too large...)."""
