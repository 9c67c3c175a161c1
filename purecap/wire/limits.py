"""Read limits: the two budgets that make reading untrusted messages safe.

* The *traversal limit* bounds the total number of words a reader may visit. Every time an object
  is read (a struct, a list, a far pointer's landing pad) its size is charged again, so a message
  whose pointers all point at the same big object cannot make a reader do unbounded work. Lists
  whose elements take no space (Void, zero-sized structs) are charged one word per element: they
  could otherwise claim billions of elements in a few bytes (C++ ``amplifiedRead``).
* The *nesting limit* bounds how deep pointers may nest, so that a message (or a pointer cycle)
  cannot exhaust the stack of a recursive walk.

The defaults are those of C++ ``capnp::ReaderOptions``: 8 Mi words (64 MiB) and 64 levels.
"""

from __future__ import annotations

from typing import Optional

__all__ = [
    "DEFAULT_TRAVERSAL_LIMIT_WORDS",
    "DEFAULT_NESTING_LIMIT",
    "ReadLimits",
    "UNLIMITED",
    "DEFAULT_LIMITS",
]

DEFAULT_TRAVERSAL_LIMIT_WORDS = 8 * 1024 * 1024
DEFAULT_NESTING_LIMIT = 64

# What "no limit" means for both budgets: larger than anything a message can address
# (2**32 segments of 2**32 words), yet an int the reader can count down cheaply.
_UNLIMITED_WORDS = 1 << 70
_UNLIMITED_NESTING = 1 << 30


class ReadLimits:
    """The limits a reader enforces; ``None`` for either means unlimited (debug tools only)."""

    __slots__ = ("traversal_limit_words", "nesting_limit")

    def __init__(
        self,
        traversal_limit_words: Optional[int] = DEFAULT_TRAVERSAL_LIMIT_WORDS,
        nesting_limit: Optional[int] = DEFAULT_NESTING_LIMIT,
    ) -> None:
        if traversal_limit_words is not None and traversal_limit_words < 0:
            raise ValueError("traversal_limit_words must be >= 0")
        if nesting_limit is not None and nesting_limit < 0:
            raise ValueError("nesting_limit must be >= 0")
        self.traversal_limit_words = traversal_limit_words
        self.nesting_limit = nesting_limit

    @property
    def traversal_budget(self) -> int:
        """The traversal limit as a number of words to count down from."""
        t = self.traversal_limit_words
        return _UNLIMITED_WORDS if t is None else t

    @property
    def nesting_budget(self) -> int:
        """The nesting limit as a depth to count down from."""
        n = self.nesting_limit
        return _UNLIMITED_NESTING if n is None else n

    def __repr__(self) -> str:
        return (
            f"ReadLimits(traversal_limit_words={self.traversal_limit_words!r}, "
            f"nesting_limit={self.nesting_limit!r})"
        )


UNLIMITED = ReadLimits(None, None)
# The defaults, shared (treat ReadLimits as immutable): building one per message costs ~90 ns.
DEFAULT_LIMITS = ReadLimits()
