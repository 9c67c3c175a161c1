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

The loops here dominate the time of reading and writing packed messages, and what is fast
differs between the interpreters, so each direction has two implementations, chosen with
``sys.implementation.name`` (tests run all of them everywhere and hold them to simple reference
versions):

* CPython spends tens of nanoseconds on every byte code, so its code moves the bytes with a few
  C calls over whole buffers: :func:`_pack_bulk` (a 257-symbol alphabet in UTF-16) and
  :func:`_decode_struct` (one compiled ``struct`` format for a whole message); only what must
  be sequential (where the next packed unit starts) is a Python loop;
* PyPy's JIT turns plain indexed loops into machine code, while those C calls and the objects
  they allocate cost it more: :func:`_pack_indexed` and :func:`_decode_indexed`.
"""

from __future__ import annotations

import io
import mmap
import re
import struct
import sys
from typing import Callable, List, Optional, Protocol, Tuple, Union

from purecap.wire.errors import PackingError, TruncatedMessage

__all__ = [
    "BinaryReader",
    "PackedBufferReader",
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
    if _PYPY:
        return _pack_indexed(buf)
    if len(buf) < _BULK_THRESHOLD_BYTES:
        return _pack_simple(buf)
    return _pack_bulk(buf)


_PYPY = sys.implementation.name == "pypy"


def _pack_simple(buf: bytes) -> bytes:
    """Reference packer: one word at a time, mirroring the C++ loop.

    This is the clearest statement of the algorithm, and the fastest on CPython for a few
    words; larger buffers go to :func:`_pack_bulk`, and PyPy uses :func:`_pack_indexed`.  Tests
    check that all three agree.
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


def _pack_indexed(buf: bytes) -> bytes:
    """PyPy packer: the same loop over words with every byte read and written by index, which
    the JIT compiles to tight machine code (slices and ``bytes`` methods would each allocate).

    The non-zero bytes are written without branches: every byte is stored at the output
    position, which only moves on past it if the byte is non-zero (the output has room for the
    stray stores: a word never packs to more than 10 bytes).
    """
    end = len(buf)
    out = bytearray(end + (end >> 2) + 16)
    nonzero = _NONZERO_TO_1
    i = o = 0
    while i < end:
        b0 = buf[i]
        b1 = buf[i + 1]
        b2 = buf[i + 2]
        b3 = buf[i + 3]
        b4 = buf[i + 4]
        b5 = buf[i + 5]
        b6 = buf[i + 6]
        b7 = buf[i + 7]
        i += 8
        f0 = nonzero[b0]
        f1 = nonzero[b1]
        f2 = nonzero[b2]
        f3 = nonzero[b3]
        f4 = nonzero[b4]
        f5 = nonzero[b5]
        f6 = nonzero[b6]
        f7 = nonzero[b7]
        tag = f0 | f1 << 1 | f2 << 2 | f3 << 3 | f4 << 4 | f5 << 5 | f6 << 6 | f7 << 7
        out[o] = tag
        o += 1
        if tag == 0:
            # The number of following zero words (at most 255).
            limit = i + 255 * 8
            if limit > end:
                limit = end
            j = i
            while j < limit and not (
                buf[j] | buf[j + 1] | buf[j + 2] | buf[j + 3]
                | buf[j + 4] | buf[j + 5] | buf[j + 6] | buf[j + 7]
            ):
                j += 8
            out[o] = (j - i) >> 3
            o += 1
            i = j
            continue
        out[o] = b0
        o += f0
        out[o] = b1
        o += f1
        out[o] = b2
        o += f2
        out[o] = b3
        o += f3
        out[o] = b4
        o += f4
        out[o] = b5
        o += f5
        out[o] = b6
        o += f6
        out[o] = b7
        o += f7
        if tag == 0xFF:
            # The following words with at most one zero byte (at most 255), copied verbatim.
            limit = i + 255 * 8
            if limit > end:
                limit = end
            j = i
            while j < limit and (
                nonzero[buf[j]] + nonzero[buf[j + 1]] + nonzero[buf[j + 2]]
                + nonzero[buf[j + 3]] + nonzero[buf[j + 4]] + nonzero[buf[j + 5]]
                + nonzero[buf[j + 6]] + nonzero[buf[j + 7]]
            ) >= 7:
                j += 8
            out[o] = (j - i) >> 3
            o += 1
            while i < j:
                out[o] = buf[i]
                out[o + 1] = buf[i + 1]
                out[o + 2] = buf[i + 2]
                out[o + 3] = buf[i + 3]
                out[o + 4] = buf[i + 4]
                out[o + 5] = buf[i + 5]
                out[o + 6] = buf[i + 6]
                out[o + 7] = buf[i + 7]
                o += 8
                i += 8
    del out[o:]
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
# High bytes of the ten units of a word inside a run (after its first word): a verbatim word
# keeps its eight bytes, zeros included, and loses its tag and count; a zero word loses all.
_VERBATIM_HIGH = b"\x01" + bytes(8) + b"\x01"
_ZERO_RUN_HIGH = b"\x01" * 10

_BULK_CHUNK_WORDS = 1 << 15  # bounds the working memory of _pack_bulk (about 60 bytes a word)


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
    at most 255 extra words, scanning resumes after each run exactly like the C++ loop).  A
    fix-up is two stores: the run's count, and the high bytes of the words after its first
    (:data:`_VERBATIM_HIGH` or :data:`_ZERO_RUN_HIGH`, repeated) -- their low bytes already
    hold the raw bytes a verbatim run copies.

    Large buffers are laid out a chunk at a time; a chunk is extended to the end of any run
    crossing its end, so the runs are exactly those found over the whole buffer.
    """
    n = len(buf) >> 3
    if n <= _BULK_CHUNK_WORDS:
        columns, zeros, tags = _columns(buf)
    else:  # only the tags are kept for the whole buffer: the rest is made again per chunk
        tags = b"".join(
            _columns(buf[8 * lo:8 * (lo + _BULK_CHUNK_WORDS)])[2]
            for lo in range(0, n, _BULK_CHUNK_WORDS)
        )
    classes = tags.translate(_CLASS_OF_TAG)
    runs: List[Tuple[int, int]] = []
    if b"ZZ" in classes or b"FF" in classes or b"FR" in classes:  # else no run: skip the scan
        runs = [run.span() for run in _RUNS.finditer(classes)]
    if n <= _BULK_CHUNK_WORDS:
        return _pack_chunk(columns, zeros, tags, 0, runs)
    pieces = []
    lo = r = 0
    while lo < n:
        hi = min(n, lo + _BULK_CHUNK_WORDS)
        first = r
        while r < len(runs) and runs[r][0] < hi:
            hi = max(hi, runs[r][1])
            r += 1
        columns, zeros, _ = _columns(buf[8 * lo:8 * hi])
        pieces.append(_pack_chunk(columns, zeros, tags[lo:hi], lo, runs[first:r]))
        lo = hi
    return b"".join(pieces)


def _columns(buf: bytes) -> Tuple[List[bytes], List[bytes], bytes]:
    """Byte ``b`` of every word (``columns[b]``), whether it is zero (``zeros[b]``: 1 or 0 a
    word), and the tags.  Bit b of a tag is "byte b is non-zero": OR-ing the zero flags of
    column b, shifted by b, as one big integer keeps each word's bits within its own byte, and
    inverting the result gives the tags."""
    columns = [buf[b::8] for b in range(8)]
    zeros = [column.translate(_ZERO_TO_1) for column in columns]
    acc = 0
    for bit in range(8):
        acc |= int.from_bytes(zeros[bit], "little") << bit
    return columns, zeros, acc.to_bytes(len(buf) >> 3, "little").translate(_INVERT)


_INVERT = bytes(255 - value for value in range(256))


def _pack_chunk(
    columns: List[bytes],
    zeros: List[bytes],
    tags: bytes,
    first: int,
    runs: List[Tuple[int, int]],
) -> bytes:
    """Pack the words given by their columns, zero flags and tags (word ``first`` of the whole
    buffer onwards) and the runs (word spans in whole-buffer numbering) that start among them."""
    n = len(tags)
    wide = bytearray(20 * n)  # 10 units of 2 bytes per word, all U+0000 to start with
    wide[0::20] = tags
    for b in range(8):
        wide[2 + 2 * b::20] = columns[b]
        wide[3 + 2 * b::20] = zeros[b]
    wide[19::20] = tags.translate(_COUNT_DELETED)

    for start, stop in runs:
        at = 20 * (start - first)
        extra = stop - start - 1  # the run count written after the first word
        wide[at + 18] = extra
        high = _VERBATIM_HIGH if tags[start - first] else _ZERO_RUN_HIGH
        wide[at + 21:at + 20 * (extra + 1):2] = high * extra
    return wide.decode("utf-16-le").encode("latin-1", "ignore")


# The bulk packer has a fixed cost of about 6 us; below about 256 bytes the plain loop wins
# (CPython 3.11: 64 bytes 2.1 us against 5.8 us; 512 bytes 15 us against 9.8 us).
_BULK_THRESHOLD_BYTES = 256


# ---------------------------------------------------------------------------------------------
# Unpacking
#
# Both decoders below have the same contract (see _decode_struct) and are chosen per
# interpreter like the packers; tests run both everywhere and compare them with a plain
# reference decoder.


def _fragment(tag: int) -> str:
    # The struct format that turns one unit with this tag back into its word: "0s" swallows the
    # tag (a zero-length string), "c" copies a non-zero byte, "x" writes a zero.  Tag 0b00010011
    # gives "0s2c2xc3x".  Repeat counts keep the format short: compiling it is a real cost.
    codes = ["0s"]
    bit = 0
    while bit < 8:
        kind = "c" if tag >> bit & 1 else "x"
        length = 1
        while bit + length < 8 and (tag >> (bit + length) & 1) == (kind == "c"):
            length += 1
        codes.append(f"{length}{kind}" if length > 1 else kind)
        bit += length
    return "".join(codes)


_FRAGMENT = tuple(_fragment(tag) for tag in range(256))  # tags 0x00 and 0xff: see below
_HEADERS = tuple(_HEADER_SIZE)  # a tuple indexes faster than bytes on CPython
# A zero unit producing n words: swallow tag and count, write 8n zeros.
_ZERO_FRAGMENT = tuple(f"0s0s{8 * words}x" for words in range(257))
# A 0xff unit: swallow the tag, copy its 8 bytes, swallow the count; the verbatim words that
# follow come as one string argument of 8n bytes.
_FF_FRAGMENT = "0s8c0s"
_FF_RAW_FRAGMENT = tuple(f"0s8c0s{8 * words}s" for words in range(256))

# Words decoded per struct call by _decode_struct: bounds the memory its format strings,
# compiled formats and argument tuples take (about 100 bytes per word).
_CHUNK_WORDS = 1 << 13


def _decode_struct(
    buf: bytes, pos: int, words: int
) -> Tuple[bytes, int, int, int, int]:
    """Decode units from ``buf[pos:]`` until ``words`` words are produced or ``buf`` ends.

    Returns ``(unpacked, pos, words_still_wanted, zero_run_left, raw_run_left)``.  A run longer
    than wanted is cut: what is left of it is returned as a count (zero words not yet produced,
    or verbatim words not yet copied -- their bytes are not consumed).  If ``buf`` ends inside a
    unit's header, ``pos`` stays at that unit's tag.

    This is the CPython decoder.  A Python loop over the units is unavoidable (where a unit
    starts depends on the tag before it), so the loop does the least it can: it looks up each
    tag's struct format fragment (see :func:`_fragment`) and steps over the unit.  One compiled
    ``struct`` format for the whole stretch then moves every byte in C: ``unpack_from`` cuts the
    packed bytes into one-byte strings (verbatim runs into one string each), ``pack`` puts them
    back with the zeros in between (CPython 3.11, a 14 KB message: 190 us, where one struct
    call per word took 330 us).
    A unit cut short by the end of ``buf`` shows up as IndexError (no tag or count byte) or as
    ``pos`` past the end (a plain word), both handled once, outside the loop.
    """
    end = len(buf)
    if words <= _FEW_UNITS or end - pos <= 5 * _FEW_UNITS:  # a few units (5 bytes on average)
        return _decode_few(buf, pos, words)
    fragment = _FRAGMENT
    header = _HEADERS
    pieces = []
    zero_left = raw_left = 0
    tag = 0
    while True:
        start = pos
        limit = words if words < _CHUNK_WORDS else _CHUNK_WORDS
        formats = ["<"]
        add = formats.append
        raws: List[int] = []  # (packed bytes before the run, run length) for each verbatim run
        last = pos  # end of the previous verbatim run
        produced = 0
        try:
            while produced < limit:
                tag = buf[pos]
                if 0 < tag < 255:
                    add(fragment[tag])
                    pos += header[tag]
                    produced += 1
                elif tag == 0:
                    run = buf[pos + 1] + 1  # this word and the count of zero words after it
                    pos += 2
                    left = words - produced
                    if run > left:
                        zero_left = run - left
                        run = left
                    add(_ZERO_FRAGMENT[run])
                    produced += run
                else:
                    run = buf[pos + 9]  # verbatim words after this one
                    pos += 10
                    produced += 1
                    if not run:
                        add(_FF_FRAGMENT)
                        continue
                    take = (end - pos) >> 3  # whole words present
                    if take > run:
                        take = run
                    if take > words - produced:
                        take = words - produced
                    add(_FF_RAW_FRAGMENT[take])
                    raws.append(pos - last)
                    raws.append(8 * take)
                    pos += 8 * take
                    last = pos
                    produced += take
                    if run > take:
                        raw_left = run - take
                        break
        except IndexError:
            pass
        if pos > end:  # the last unit is a plain word cut short: leave it for later
            formats.pop()
            pos -= header[tag]
            produced -= 1
        if raws:
            layout = ("%dc%ds" * (len(raws) >> 1) + "%dc") % (*raws, pos - last)
        else:
            layout = f"{pos - start}c"
        pieces.append(
            struct.Struct("".join(formats)).pack(*struct.Struct(layout).unpack_from(buf, start))
        )
        words -= produced
        if produced < limit or zero_left or raw_left or not words:
            break
    return (pieces[0] if len(pieces) == 1 else b"".join(pieces)), pos, words, zero_left, raw_left


def _expander(tag: int) -> Callable[..., bytes]:
    # struct's "x" writes a zero byte and "B" one argument byte, so for tag 0b00010011 the format
    # "<BBxxBxxx" turns the 3 packed bytes into the 8-byte word in a single C call.
    return struct.Struct("<" + "".join("B" if tag >> bit & 1 else "x" for bit in range(8))).pack


_EXPAND: Tuple[Callable[..., bytes], ...] = tuple(_expander(tag) for tag in range(256))

# Up to about this many units, _decode_few's struct call per word (~200 ns) beats compiling a
# format for the lot (~800 ns, then ~60 ns a unit): a message's first word, small messages.
_FEW_UNITS = 8


def _decode_few(
    buf: bytes, pos: int, words: int
) -> Tuple[bytes, int, int, int, int]:
    """:func:`_decode_struct` for a few units (same contract): one struct call per plain word."""
    end = len(buf)
    pieces = []
    while words and pos < end:
        tag = buf[pos]
        if 0 < tag < 255:
            nxt = pos + _HEADER_SIZE[tag]
            if nxt > end:
                break
            pieces.append(_EXPAND[tag](*buf[pos + 1:nxt]))
            pos = nxt
            words -= 1
        elif tag == 0:
            if pos + 1 >= end:
                break
            run = buf[pos + 1] + 1
            pos += 2
            if run > words:
                pieces.append(bytes(8 * words))
                return b"".join(pieces), pos, 0, run - words, 0
            pieces.append(bytes(8 * run))
            words -= run
        else:
            if pos + 9 >= end:
                break
            run = buf[pos + 9]
            pieces.append(buf[pos + 1:pos + 9])
            pos += 10
            words -= 1
            if run:
                take = min(run, (end - pos) >> 3, words)
                pieces.append(buf[pos:pos + 8 * take])
                pos += 8 * take
                words -= take
                if run > take:
                    return b"".join(pieces), pos, words, 0, run - take
    return b"".join(pieces), pos, words, 0, 0


def _decode_indexed(
    buf: bytes, pos: int, words: int
) -> Tuple[bytes, int, int, int, int]:
    """The PyPy decoder, same contract as :func:`_decode_struct`: two plain indexed loops,
    which PyPy's JIT turns into tight machine code (where CPython would spend ~50 ns on every
    byte code).

    The first loop finds how far the wanted words reach (whole units only, every bound checked),
    so the second can write into an output of exactly the right size and needs no checks.  A
    plain word is expanded without branches (each tag would otherwise be a path of its own for
    the JIT): bit ``b`` of the tag decides both whether output byte ``b`` gets the next packed
    byte (``& -bit``) and whether to step past it.  Where the bit is clear, the byte read is the
    one before (``i - 1 + bit``), which exists even at the very end of ``buf``.
    """
    end = len(buf)
    header = _HEADER_SIZE
    produced = zero_left = raw_left = 0
    p = pos
    while produced < words and p < end:
        tag = buf[p]
        if tag == 0:
            if p + 1 >= end:
                break
            run = buf[p + 1] + 1
            p += 2
            left = words - produced
            if run > left:
                zero_left = run - left
                run = left
            produced += run
        elif tag == 255:
            if p + 9 >= end:
                break
            run = buf[p + 9]
            p += 10
            produced += 1
            if run:
                take = (end - p) >> 3
                if take > words - produced:
                    take = words - produced
                if take > run:
                    take = run
                p += 8 * take
                produced += take
                if run > take:
                    raw_left = run - take
                    break
        else:
            nxt = p + header[tag]
            if nxt > end:
                break
            p = nxt
            produced += 1

    out = bytearray(8 * produced)
    stop = p
    i = pos
    o = 0
    while i < stop:
        tag = buf[i]
        i += 1
        if tag == 0:
            o += 8 * (buf[i] + 1)  # the output is zero already (may overshoot at a cut run)
            i += 1
        elif tag == 255:
            run_end = i + 9 + 8 * buf[i + 8]
            if run_end > stop:
                run_end = stop  # a cut run: only its whole words present were counted
            out[o] = buf[i]
            out[o + 1] = buf[i + 1]
            out[o + 2] = buf[i + 2]
            out[o + 3] = buf[i + 3]
            out[o + 4] = buf[i + 4]
            out[o + 5] = buf[i + 5]
            out[o + 6] = buf[i + 6]
            out[o + 7] = buf[i + 7]
            o += 8
            i += 9
            while i < run_end:
                out[o] = buf[i]
                out[o + 1] = buf[i + 1]
                out[o + 2] = buf[i + 2]
                out[o + 3] = buf[i + 3]
                out[o + 4] = buf[i + 4]
                out[o + 5] = buf[i + 5]
                out[o + 6] = buf[i + 6]
                out[o + 7] = buf[i + 7]
                o += 8
                i += 8
        else:
            bit = tag & 1
            out[o] = buf[i - 1 + bit] & -bit
            i += bit
            bit = tag >> 1 & 1
            out[o + 1] = buf[i - 1 + bit] & -bit
            i += bit
            bit = tag >> 2 & 1
            out[o + 2] = buf[i - 1 + bit] & -bit
            i += bit
            bit = tag >> 3 & 1
            out[o + 3] = buf[i - 1 + bit] & -bit
            i += bit
            bit = tag >> 4 & 1
            out[o + 4] = buf[i - 1 + bit] & -bit
            i += bit
            bit = tag >> 5 & 1
            out[o + 5] = buf[i - 1 + bit] & -bit
            i += bit
            bit = tag >> 6 & 1
            out[o + 6] = buf[i - 1 + bit] & -bit
            i += bit
            bit = tag >> 7
            out[o + 7] = buf[i - 1 + bit] & -bit
            i += bit
            o += 8
    return bytes(out), p, words - produced, zero_left, raw_left


_decode: Callable[[bytes, int, int], Tuple[bytes, int, int, int, int]] = (
    _decode_struct if sys.implementation.name == "cpython" else _decode_indexed
)


def _describe_cut(buf: bytes, pos: int) -> str:
    tag = buf[pos]
    return (
        f"packed input ends inside a word: tag 0x{tag:02x} at byte {pos} needs "
        f"{_HEADER_SIZE[tag] - 1} more bytes, only {len(buf) - pos - 1} present"
    )


def unpack(data: BytesLike) -> bytes:
    """Unpack a complete packed buffer.  Raises :class:`PackingError` if it is cut short."""
    buf = data if type(data) is bytes else bytes(data)
    out, pos, _, _, raw_left = _decode(buf, 0, _NO_LIMIT)
    if raw_left:
        have = len(buf) - pos
        raise PackingError(
            f"packed input ends inside a 0xff run: {raw_left} verbatim words "
            f"({8 * raw_left} bytes) still due, only {have} bytes left"
        )
    if pos != len(buf):
        raise PackingError(_describe_cut(buf, pos))
    return out


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
# In memory


class PackedBufferReader:
    """Unpacks packed data held in memory, from ``offset`` on: the in-memory counterpart of
    :class:`PackedInputStream`, with the same :meth:`read_exactly` and :attr:`pending_words`
    and the same errors, but none of a stream's look-ahead machinery.  ``bytes`` are decoded
    where they are, without a copy; other buffers (bytearray, memoryview, mmap) a window at a
    time, never more than a read can use (a word takes at most 10 packed bytes).

    :attr:`pos` is the offset just after the last packed byte used.
    """

    __slots__ = ("_data", "_view", "pos", "_zero_left", "_raw_left")

    def __init__(
        self, buffer: Union[BytesLike, mmap.mmap], offset: int = 0
    ) -> None:
        if offset < 0:
            raise ValueError(f"negative offset {offset}")
        self._data = b""  # the buffer, when it is bytes
        self._view: Optional[memoryview] = None  # otherwise, a view of its bytes
        if type(buffer) is bytes:
            self._data = buffer
        else:
            view = memoryview(buffer)
            self._view = view if view.format == "B" and view.ndim == 1 else view.cast("B")
        self.pos = offset
        self._zero_left = 0
        self._raw_left = 0

    @property
    def pending_words(self) -> int:
        """Words of an already-read run that the next read will return first."""
        return self._zero_left + self._raw_left

    def read_exactly(self, nbytes: int) -> bytes:
        """Return the next ``nbytes`` unpacked bytes (a multiple of 8).

        Returns ``b""`` if the buffer is at a clean end: no byte left and no run pending.
        Raises :class:`TruncatedMessage` if it ends after some but not all of the bytes.
        """
        if nbytes < 0 or nbytes % 8:
            raise ValueError(f"packed streams are read in whole words, not {nbytes} bytes")
        words = wanted = nbytes >> 3
        if self._view is None:
            buf = self._data
            base = 0
            pos = self.pos
        else:
            base = self.pos
            buf = bytes(self._view[base:base + 10 * words])
            pos = 0
        pieces = []
        if self._zero_left and words:
            take = min(words, self._zero_left)
            pieces.append(bytes(8 * take))
            self._zero_left -= take
            words -= take
        if self._raw_left and words:
            take = min(words, self._raw_left)
            raw = buf[pos:pos + 8 * take]
            if len(raw) != 8 * take:
                raise TruncatedMessage(
                    f"packed stream ends inside a 0xff run: {self._raw_left} verbatim words "
                    f"announced, stream ended after {len(raw)} more bytes"
                )
            pieces.append(raw)
            pos += 8 * take
            self._raw_left -= take
            words -= take
        if words:
            if pos >= len(buf) and words == wanted:
                return b""
            piece, pos, words, self._zero_left, self._raw_left = _decode(buf, pos, words)
            pieces.append(piece)
            if words:
                if self._raw_left:
                    message = (
                        f"packed stream ends inside a 0xff run: {self._raw_left} verbatim words "
                        f"announced, stream ended after {len(buf) - pos} more bytes"
                    )
                elif pos < len(buf):
                    message = (
                        f"packed stream ends inside a word (tag 0x{buf[pos]:02x}) after "
                        f"{wanted - words} of {wanted} words"
                    )
                else:
                    message = f"packed stream ended after {wanted - words} of {wanted} words"
                raise TruncatedMessage(message)
        self.pos = base + pos
        return pieces[0] if len(pieces) == 1 else b"".join(pieces)


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
            piece, pos, words, self._zero_left, self._raw_left = _decode(window, 0, words)
            out += piece
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
