"""Cap'n Proto "packing": the zero-deflating compression applied on top of a message.

Packing works word by word (8 bytes).  Each word becomes a *tag* byte whose bit ``i`` says whether
byte ``i`` of the word is non-zero, followed by just the non-zero bytes.  Two tags are special:

* ``0x00`` (an all-zero word) is followed by a count ``n``: ``n`` *more* zero words follow.
* ``0xff`` (a word without zero bytes) is followed by its 8 bytes and a count ``n``: the next ``n``
  words are copied verbatim (they may contain zeros).  This keeps text and other dense data from
  growing by 1/8.

Example (from the encoding spec)::

    unpacked: 08 00 00 00 03 00 02 00   19 00 00 00 aa 01 00 00
    packed:   51 08 03 02   31 19 aa 01

The *unpacked* form is unique but the packed form is not: the length of a ``0xff`` run is the
packer's choice.  :func:`pack` makes exactly the choices of the C++ reference
(``PackedOutputStream`` in ``serialize-packed.c++``), so its output is byte-identical:

* a zero run counts the all-zero words following the first one, at most 255;
* a ``0xff`` run counts the following words that have *at most one* zero byte (a word with two or
  more zeros is where packing starts paying off again), at most 255.

Like the C++ code, :func:`pack` never lets a run extend past the end of the buffer it is given.
The C++ writer packs the segment table and every segment with separate calls, so runs never cross
a segment boundary there; ``purecap.wire.framing`` packs a message the same way.

Hot loops are written for CPython first (they dominate the time of reading and writing packed
messages): see the comments on :func:`_pack_bulk` and :func:`_decode`.
"""

from __future__ import annotations

import io
import re
import struct
import sys
from itertools import islice
from typing import Callable, List, Optional, Protocol, Tuple, Union

from purecap.wire.errors import PackingError, TruncatedMessage

__all__ = [
    "BinaryReader",
    "PackedInputStream",
    "compute_unpacked_size_words",
    "pack",
    "unpack",
]

BytesLike = Union[bytes, bytearray, memoryview]


class BinaryReader(Protocol):
    """What :class:`PackedInputStream` needs from a stream: ``read(n)`` returning at most ``n``
    bytes (``b""`` at end of file).  Optional extras it takes advantage of: ``peek`` (as on
    ``io.BufferedReader``, including ``socket.makefile("rb")``) and ``seekable``/``seek``."""

    def read(self, size: int, /) -> Optional[bytes]: ...


# ---------------------------------------------------------------------------------------------
# Per-tag tables, computed once.

_POPCOUNT = bytes(bin(tag).count("1") for tag in range(256))

# Bytes a unit occupies up to (and including) its count byte, if it has one: the tag, the
# non-zero bytes, and for the two special tags the run count.
_HEADER_SIZE = bytes(
    2 if tag == 0 else 10 if tag == 0xFF else 1 + _POPCOUNT[tag] for tag in range(256)
)


def _expander(tag: int) -> Callable[..., bytes]:
    # struct's "x" writes a zero byte and "B" one argument byte, so for tag 0b00010011 the format
    # "<BBxxBxxx" turns the 3 packed bytes into the 8-byte word in a single C call.
    return struct.Struct("<" + "".join("B" if tag >> bit & 1 else "x" for bit in range(8))).pack


_EXPAND: Tuple[Callable[..., bytes], ...] = tuple(_expander(tag) for tag in range(256))

_ZERO_WORD = bytes(8)

# Larger than any word count a buffer could unpack to (every 2 packed bytes give at most 256
# words), used as "no limit" for in-memory unpacking.
_NO_LIMIT = 1 << 62


# ---------------------------------------------------------------------------------------------
# Packing


def pack(data: BytesLike) -> bytes:
    """Pack ``data`` (whole words) exactly as the C++ ``PackedOutputStream`` does.

    Raises ``ValueError`` if the length is not a multiple of 8: that is a caller bug, not bad
    input -- messages always consist of whole words.
    """
    if len(data) % 8:
        raise ValueError(f"pack() needs whole 8-byte words, got {len(data)} bytes")
    buf = data if type(data) is bytes else bytes(data)
    if not buf:
        return b""
    if len(buf) < _BULK_THRESHOLD_BYTES:
        return _pack_simple(buf)
    return _pack_impl(buf)


def _pack_simple(buf: bytes) -> bytes:
    """Reference packer: one word at a time, mirroring the C++ loop.

    This is the clearest statement of the algorithm, and the fastest on PyPy (whose JIT likes
    plain loops); CPython uses :func:`_pack_bulk`.  Tests check the two agree.
    """
    out = bytearray()
    end = len(buf)
    tag_of = _TAG_OF_FLAGS
    nonzero = _NONZERO_TO_1
    zero_word = _ZERO_WORD
    i = 0
    while i < end:
        word = buf[i:i + 8]
        i += 8
        if word == zero_word:
            # Tag 0, then the number of following zero words (at most 255).
            j = i
            limit = min(end, i + 255 * 8)
            while j < limit and buf[j:j + 8] == zero_word:
                j += 8
            out.append(0)
            out.append((j - i) >> 3)
            i = j
            continue
        tag = tag_of[word.translate(nonzero)]
        out.append(tag)
        out += word.replace(b"\0", b"")
        if tag == 0xFF:
            # Copy verbatim the following words with at most one zero byte (at most 255).
            j = i
            limit = min(end, i + 255 * 8)
            while j < limit and buf.count(0, j, j + 8) < 2:
                j += 8
            out.append((j - i) >> 3)
            out += buf[i:j]
            i = j
    return bytes(out)


# word.translate(_NONZERO_TO_1) gives eight 0/1 flag bytes; this maps them to the tag.
_NONZERO_TO_1 = bytes([0] + [1] * 255)
_TAG_OF_FLAGS = {bytes(tag >> bit & 1 for bit in range(8)): tag for tag in range(256)}

# One letter per word class, so that a regular expression can find the runs (see _pack_bulk).
_CLASS_OF_TAG = bytes(
    ord("Z") if tag == 0          # all zero: may start a zero run
    else ord("F") if tag == 0xFF  # no zero byte: may start a verbatim run
    else ord("R") if _POPCOUNT[tag] == 7  # one zero byte: may continue a verbatim run
    else ord(".")
    for tag in range(256)
)
_RUNS = re.compile(b"F[FR]{1,255}|Z{2,256}")
_ZERO_TO_1 = bytes([1] + [0] * 255)
# High byte of a word's count unit: 0 ("keep") for tags 0x00 and 0xff, which always have a count
# byte, 1 ("delete") for the others.
_COUNT_DELETED = bytes([0] + [1] * 254 + [0])
_DELETED_UNIT = b"\x00\x01"  # U+0100 in UTF-16-LE


_BULK_CHUNK_WORDS = 1 << 15  # bounds the working memory of _pack_bulk (about 40 bytes a word)


def _pack_bulk(buf: bytes) -> bytes:
    """CPython packer: a handful of whole-buffer C operations instead of a loop over words.

    The trick is a 257-symbol alphabet.  Every word is laid out as ten UTF-16 code units::

        [tag] [byte 0] ... [byte 7] [count]

    where a unit that must vanish from the output is U+0100 and every other unit is the byte
    value itself (U+0000..U+00FF, so a *kept* zero byte stays distinguishable from a deleted one).
    Encoding the finished string to Latin-1 with errors="ignore" then drops all U+0100 in one C
    pass, and what remains is the packed stream.

    Defaults, set with strided slice assignments for all words at once: the tag is kept, zero
    data bytes are deleted, and the count is deleted -- except for tags 0x00 and 0xff, whose
    count is kept and 0 (an isolated zero word packs to ``00 00``, an isolated 0xff word to
    ``ff <8 bytes> 00``).  Only runs of two or more words need individual fix-ups, and a regular
    expression over one class letter per word finds them with the C++ rules built in (greedy,
    at most 255 extra words, scanning resumes after each run exactly like the C++ loop).

    Large buffers are laid out a chunk at a time; a chunk is extended to the end of any run
    crossing its end, so the runs are exactly those found over the whole buffer.
    """
    n = len(buf) >> 3
    # Tags for all words: bit b of tag i is "byte b of word i is non-zero".  Column b of the
    # buffer (buf[b::8]) gives bit b of every tag; OR-ing them as big integers keeps each
    # word's bits within its own byte.
    flags = buf.translate(_NONZERO_TO_1)
    acc = 0
    for bit in range(8):
        acc |= int.from_bytes(flags[bit::8], "little") << bit
    tags = acc.to_bytes(n, "little")
    del flags, acc

    runs = _RUNS.finditer(tags.translate(_CLASS_OF_TAG))
    run = next(runs, None)
    pieces = []
    lo = 0
    while lo < n:
        hi = min(n, lo + _BULK_CHUNK_WORDS)
        spans = []
        while run is not None and run.start() < hi:
            spans.append(run.span())
            hi = max(hi, run.end())
            run = next(runs, None)
        pieces.append(_pack_chunk(buf[8 * lo:8 * hi], tags[lo:hi], lo, spans))
        lo = hi
    return pieces[0] if len(pieces) == 1 else b"".join(pieces)  # no piece: empty input


def _pack_chunk(
    buf: bytes, tags: bytes, first: int, runs: List[Tuple[int, int]]
) -> bytes:
    """Pack the words of ``buf`` (word ``first`` of the whole buffer onwards), given their tags
    and the runs (word spans in whole-buffer numbering) that start among them."""
    n = len(tags)
    wide = bytearray(20 * n)  # 10 units of 2 bytes per word, all U+0000 to start with
    wide[0::20] = tags
    for b in range(8):
        column = buf[b::8]
        wide[2 + 2 * b::20] = column
        wide[3 + 2 * b::20] = column.translate(_ZERO_TO_1)
    wide[19::20] = tags.translate(_COUNT_DELETED)

    for start, stop in runs:
        start -= first
        stop -= first
        extra = stop - start - 1  # the run count written after the first word
        at = 20 * start
        wide[at + 18] = extra
        if tags[start]:
            # Verbatim run: replace the layout of the copied words by their raw bytes (zeros
            # kept), padded with deleted units to the same length.
            raw = buf[8 * start + 8:8 * stop].decode("latin-1").encode("utf-16-le")
            wide[at + 20:20 * stop] = raw + _DELETED_UNIT * (2 * extra)
        else:
            # Zero run: the words after the first one leave no tag and no count behind.
            deleted = b"\x01" * extra
            wide[at + 21:20 * stop:20] = deleted
            wide[at + 39:20 * stop:20] = deleted
    return wide.decode("utf-16-le").encode("latin-1", "ignore")


# The bulk packer has a fixed cost of a few microseconds; below about 1 KiB the plain loop wins
# (a 40-byte message: 1.0 us against 6.4 us on CPython 3.11).
_BULK_THRESHOLD_BYTES = 1024

# PyPy's JIT runs the plain loop fast, while its str.encode(errors="ignore") is very slow.
_pack_impl: Callable[[bytes], bytes] = (
    _pack_bulk if sys.implementation.name == "cpython" else _pack_simple
)


# ---------------------------------------------------------------------------------------------
# Unpacking


def _decode(
    buf: bytes, pos: int, words: int, out: bytearray
) -> Tuple[int, int, int, int]:
    """Decode units from ``buf[pos:]`` until ``words`` words have been produced or ``buf`` ends.

    Appends the words to ``out`` and returns ``(pos, words_still_wanted, zero_run_left,
    raw_run_left)``.  A run longer than wanted is cut: what is left of it is returned as a
    count (zero words not yet produced, or verbatim words not yet copied -- their bytes are
    not consumed).  If ``buf`` ends inside a unit's header, ``pos`` stays at that unit's tag.

    Speed: a plain word (neither tag 0x00 nor 0xff) costs one struct call and no bounds check.
    A unit cut short by the end of ``buf`` shows up as IndexError (no tag or count byte) or
    struct.error (too few bytes for the tag), caught once outside the loop.  The loop iterates
    over the indices of the wanted words, so it cannot produce too many: a run skips the
    indices of its extra words.
    """
    expand = _EXPAND
    header = _HEADER_SIZE
    end = len(buf)
    index = 0  # index of the word the current unit starts with = words produced so far
    indices = iter(range(words))
    try:
        for index in indices:
            tag = buf[pos]
            if 0 < tag < 255:
                nxt = pos + header[tag]
                out += expand[tag](*buf[pos + 1:nxt])
                pos = nxt
            elif tag == 0:
                run = buf[pos + 1]  # zero words after this one; IndexError if cut off
                pos += 2
                if not run:  # the common isolated zero word
                    out += _ZERO_WORD
                    continue
                run += 1
                left = words - index
                if run >= left:
                    out += bytes(8 * left)
                    return pos, 0, run - left, 0
                out += bytes(8 * run)
                next(islice(indices, run - 2, None), None)  # skip the indices of run - 1 words
            else:
                run = buf[pos + 9]  # verbatim words after this one; IndexError if cut off
                out += buf[pos + 1:pos + 9]
                pos += 10
                if not run:
                    continue
                left = words - index - 1
                take = (end - pos) >> 3  # whole words present
                if take > run:
                    take = run
                if take > left:
                    take = left
                if take:
                    out += buf[pos:pos + 8 * take]
                    pos += 8 * take
                    next(islice(indices, take - 1, None), None)
                if run > take:
                    return pos, left - take, 0, run - take
    except (IndexError, struct.error):
        # buf ended at or inside the unit starting with word `index`.
        return pos, words - index, 0, 0
    return pos, 0, 0, 0


def _describe_cut(buf: bytes, pos: int) -> str:
    tag = buf[pos]
    return (
        f"packed input ends inside a word: tag 0x{tag:02x} at byte {pos} needs "
        f"{_HEADER_SIZE[tag] - 1} more bytes, only {len(buf) - pos - 1} present"
    )


def unpack(data: BytesLike) -> bytes:
    """Unpack a complete packed buffer.  Raises :class:`PackingError` if it is cut short."""
    buf = data if type(data) is bytes else bytes(data)
    out = bytearray()
    pos, _, _, raw_left = _decode(buf, 0, _NO_LIMIT, out)
    if raw_left:
        have = len(buf) - pos
        raise PackingError(
            f"packed input ends inside a 0xff run: {raw_left} verbatim words "
            f"({8 * raw_left} bytes) still due, only {have} bytes left"
        )
    if pos != len(buf):
        raise PackingError(_describe_cut(buf, pos))
    return bytes(out)


def compute_unpacked_size_words(packed: BytesLike) -> int:
    """Number of words ``packed`` unpacks to (like C++ ``computeUnpackedSizeInWords``).

    Raises :class:`PackingError` if the data is cut short.
    """
    buf = packed if type(packed) is bytes else bytes(packed)
    header = _HEADER_SIZE
    end = len(buf)
    pos = 0
    total = 0
    while pos < end:
        tag = buf[pos]
        total += 1
        if tag == 0:
            if pos + 1 >= end:
                break
            total += buf[pos + 1]
            pos += 2
        elif tag == 0xFF:
            if pos + 9 >= end:
                break
            run = buf[pos + 9]
            total += run
            pos += 10 + 8 * run
        else:
            pos += header[tag]  # checked once below: only the last unit can overshoot
    if pos == end:
        return total
    unpack(buf)  # raises PackingError saying which unit is cut short
    raise PackingError("invalid packed data")  # pragma: no cover - unpack() raised


# ---------------------------------------------------------------------------------------------
# Streaming

_MAX_WINDOW = 1 << 20  # largest read-then-seek-back window
_READ_CHUNK = 1 << 20  # large exact reads are done in chunks, so memory follows the data
_NON_BLOCKING = "non-blocking stream has no data ready; purecap needs a blocking stream"


def _read_exact(stream: BinaryReader, n: int) -> bytes:
    """Read ``n`` bytes, looping over short reads; fewer only at end of file."""
    if n <= 0:
        return b""
    data = stream.read(min(n, _READ_CHUNK))
    if data is None:
        raise BlockingIOError(_NON_BLOCKING)
    if len(data) == n or not data:
        return data
    parts = [data]
    have = len(data)
    while have < n:
        more = stream.read(min(n - have, _READ_CHUNK))
        if more is None:
            raise BlockingIOError(_NON_BLOCKING)
        if not more:
            break
        parts.append(more)
        have += len(more)
    return b"".join(parts)


class PackedInputStream:
    """Unpacks a packed byte stream on demand, never consuming more of the stream than needed.

    Several messages can follow each other on one stream, so :meth:`read_exactly` leaves the
    stream positioned just after the last packed byte it used.  How it looks ahead without
    consuming depends on the stream:

    * streams with ``peek`` (``io.BufferedReader``, ``socket.makefile("rb")``): decode from the
      peeked buffer, then ``read`` exactly the bytes used;
    * other seekable streams (``io.BytesIO``, unbuffered files): read a window, then seek back
      over what was not used;
    * anything else: read only bytes known to be needed (every unit is at least 2 bytes and
      gives at most 256 words, so ``2 * ceil(words / 256)`` bytes are always needed), then
      exactly the rest of a unit once its tag is known.  Correct but slower: wrap raw sockets
      in ``io.BufferedReader``.

    A run may be longer than the words requested; the rest of it is kept (``pending_words``)
    and returned by the next read.  (The C++ reader rejects such runs; see
    ``purecap.wire.framing.PackedMessageStream`` for the rule at message boundaries.)
    """

    __slots__ = ("_stream", "_peek", "_seek", "_carry", "_zero_left", "_raw_left")

    def __init__(self, stream: BinaryReader) -> None:
        self._stream = stream
        peek = getattr(stream, "peek", None)
        self._peek: Optional[Callable[[int], bytes]] = peek if callable(peek) else None
        self._seek: Optional[Callable[[int, int], int]] = None
        if self._peek is None:
            seekable = getattr(stream, "seekable", None)
            if callable(seekable) and seekable():
                self._seek = getattr(stream, "seek")
        self._carry = b""  # consumed from the stream but not decoded yet
        self._zero_left = 0  # zero words announced by a run, not yet returned
        self._raw_left = 0  # verbatim words announced by a run, not yet read

    @property
    def pending_words(self) -> int:
        """Words of an already-read run that the next read will return first."""
        return self._zero_left + self._raw_left

    def read_exactly(self, nbytes: int) -> bytes:
        """Return the next ``nbytes`` unpacked bytes (a multiple of 8).

        Returns ``b""`` if the stream is at a clean end: no byte left and no run pending.
        Raises :class:`TruncatedMessage` if it ends after some but not all of the bytes.
        """
        if nbytes < 0 or nbytes % 8:
            raise ValueError(f"packed streams are read in whole words, not {nbytes} bytes")
        words = wanted = nbytes >> 3
        out = bytearray()
        while words:
            if self._zero_left:
                take = min(words, self._zero_left)
                out += bytes(8 * take)
                self._zero_left -= take
                words -= take
                continue
            if self._raw_left:
                take = min(words, self._raw_left)
                raw = self._take(8 * take)
                if len(raw) != 8 * take:
                    raise TruncatedMessage(
                        f"packed stream ends inside a 0xff run: {self._raw_left} verbatim "
                        f"words announced, stream ended after {len(raw)} more bytes"
                    )
                out += raw
                self._raw_left -= take
                words -= take
                continue
            window, lookahead = self._window(words)
            if not window:
                if words == wanted:
                    return b""
                raise TruncatedMessage(
                    f"packed stream ended after {wanted - words} of {wanted} words"
                )
            pos, words, self._zero_left, self._raw_left = _decode(window, 0, words, out)
            self._settle(window, lookahead, pos)
            if pos == 0:
                # Not even one unit is complete: read the rest of its header, blocking.
                need = _HEADER_SIZE[window[0]] - len(self._carry)
                more = _read_exact(self._stream, need)
                if len(more) != need:
                    raise TruncatedMessage(
                        f"packed stream ends inside a word (tag 0x{window[0]:02x}) after "
                        f"{wanted - words} of {wanted} words"
                    )
                self._carry += more
        return bytes(out)

    # -- look-ahead management ----------------------------------------------------------------

    def _window(self, words: int) -> Tuple[bytes, int]:
        """Bytes at the current position to decode from, and how many of them (at the end)
        were only looked at: they are not consumed from the stream unless decoded."""
        carry = self._carry
        if self._peek is not None:
            ahead = self._peek(1)
        elif self._seek is not None:
            # A word takes at most 10 packed bytes (an isolated 0xff word).
            ahead = _read_exact(self._stream, min(10 * words, _MAX_WINDOW))
        else:
            ahead = _read_exact(self._stream, 2 * -(-words // 256) - len(carry))
            self._carry = carry = carry + ahead
            return carry, 0
        return (carry + ahead if carry else ahead), len(ahead)

    def _settle(self, window: bytes, lookahead: int, pos: int) -> None:
        """Account for ``window[:pos]`` having been decoded."""
        carried = len(window) - lookahead
        self._carry = window[pos:carried] if pos < carried else b""
        used_ahead = max(0, pos - carried)
        if self._peek is not None:
            if used_ahead and len(_read_exact(self._stream, used_ahead)) != used_ahead:
                raise TruncatedMessage("stream lost bytes it had let us peek at")
        elif self._seek is not None:
            if used_ahead != lookahead:
                self._seek(used_ahead - lookahead, io.SEEK_CUR)

    def _take(self, n: int) -> bytes:
        """Consume exactly ``n`` bytes (fewer only at end of stream), carried bytes first."""
        carry = self._carry
        if not carry:
            return _read_exact(self._stream, n)
        if len(carry) >= n:
            self._carry = carry[n:]
            return carry[:n]
        self._carry = b""
        return carry + _read_exact(self._stream, n - len(carry))
